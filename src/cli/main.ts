/**
 * `membership-events`: the command-line client of swimd's HTTP API.
 *
 * ```
 * membership-events watch   [--api URL] [--json] [--type join,fail,...] [--since SEQ]
 * membership-events members [--api URL] [--json] [--state alive]
 * membership-events leave   [--api URL] [--token-file FILE]
 * membership-events meta set K=V… | meta delete K…   [--api URL] [--token-file FILE]
 * membership-events join ADDR…  [--api URL] [--token-file FILE]
 * membership-events forget ID   [--api URL] [--token-file FILE]
 * ```
 * Environment variables are named after the flags they stand for, and hold what the flag
 * holds: `--api` ↔ `SWIM_API`, `--token-file` ↔ `SWIM_TOKEN_FILE` (a file, like swimd's
 * `SWIMD_API_TOKEN`). `SWIM_API_TOKEN`, the token itself, is still read when neither is set
 * (the older name). `--api` defaults to `http://127.0.0.1:7947`.
 * Exit codes: 0 ok, 1 runtime failure (swimd unreachable or refusing), 2 usage error.
 *
 * `main` never exits the process and writes only to the streams it is given, so it runs
 * in-process in tests and behind the thin `bin/membership-events.ts`.
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError, Option } from 'commander'
import { CliError, DEFAULT_API, parseApiBase } from './api-client.ts'
import { forget } from './forget.ts'
import { join } from './join.ts'
import { leave } from './leave.ts'
import { meta, parseMetaArgs } from './meta.ts'
import { members } from './members.ts'
import { watch } from './watch.ts'
import { VERSION } from '../version.ts'
import type { BackoffOptions } from './sse-client.ts'
import type { MembershipEventType, MemberState } from '../core/types.ts'

/** Where the CLI writes: `process.stdout`/`process.stderr`, or a collector in tests. */
export interface CliOutput {
  write: (chunk: string) => unknown
  isTTY?: boolean
}

export interface MainOptions {
  /** Stops `watch` (which then exits 0). The binary wires SIGINT/SIGTERM to it. */
  signal?: AbortSignal
  /** Reconnection backoff of `watch`. */
  backoff?: BackoffOptions
}

const EVENT_TYPES: readonly MembershipEventType[] = ['join', 'suspect', 'alive', 'fail', 'leave', 'update']
const MEMBER_STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left']

type Parsed =
  | { kind: 'help', text: string, exitCode: number }
  | { kind: 'watch', api: string, json: boolean, types?: MembershipEventType[], since?: number }
  | { kind: 'members', api: string, json: boolean, states?: MemberState[] }
  | { kind: 'leave', api: string, token?: string }
  | { kind: 'meta', api: string, token?: string, patch: Record<string, string | null> }
  | { kind: 'join', api: string, token?: string, seeds: string[] }
  | { kind: 'forget', api: string, token?: string, id: string }

/**
 * Runs the CLI with `argv` (without the node binary and script) and returns the exit code.
 */
export async function main (argv: string[], env: Record<string, string | undefined>, stdout: CliOutput, stderr: CliOutput, options: MainOptions = {}): Promise<number> {
  try {
    const parsed = parseCommandLine(argv, env)
    switch (parsed.kind) {
      case 'help':
        (parsed.exitCode === 0 ? stdout : stderr).write(parsed.text)
        return parsed.exitCode
      case 'watch':
        return await watch({ ...parsed, env, stdout, stderr, signal: options.signal, backoff: options.backoff })
      case 'members':
        return await members({ ...parsed, env, stdout })
      case 'leave':
        return await leave({ ...parsed, stdout })
      case 'meta':
        return await meta({ ...parsed, stdout })
      case 'join':
        return await join({ ...parsed, stdout })
      case 'forget':
        return await forget({ ...parsed, stdout })
    }
  } catch (err) {
    if (err instanceof CliError) {
      stderr.write(`${err.message}${err.exitCode === 2 ? '\nRun "membership-events --help" for usage' : ''}\n`)
      return err.exitCode
    }
    stderr.write(`Unexpected error: ${(err as Error)?.stack ?? String(err)}\n`)
    return 1
  }
}

function parseCommandLine (argv: string[], env: Record<string, string | undefined>): Parsed {
  const output = { out: '', err: '' }
  let chosen: { name: string, opts: Record<string, unknown>, args?: string[] } | undefined
  const program = new Command('membership-events')
    .description('Watch and query the membership of a swimd cluster member')
    .version(`membership-events ${VERSION} (libp2p-swim)`, '-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => { output.out += text },
      writeErr: (text) => { output.err += text },
      outputError: () => {}
    })
  const apiOption = (): Option => new Option('--api <URL>', `swimd's HTTP API (default: ${DEFAULT_API}; env SWIM_API)`)
  const choose = (name: string) => (opts: Record<string, unknown>) => { chosen = { name, opts } }

  program.command('watch')
    .description('print membership events as they happen; reconnects and resumes without loss or repeats')
    .addOption(apiOption())
    .option('--json', 'one JSON object per line: { "seq", "type", "at", "member" }')
    .option('--type <LIST>', `only these event types, comma-separated: ${EVENT_TYPES.join(',')}`)
    .option('--since <SEQ>', 'first replay the retained events after SEQ (0: all retained)')
    .action(choose('watch'))
  program.command('members')
    .description('list the members swimd knows')
    .addOption(apiOption())
    .option('--json', 'print { "members": [...] }')
    .option('--state <LIST>', `only members in these states, comma-separated: ${MEMBER_STATES.join(',')}`)
    .action(choose('members'))
  program.command('leave')
    .description('make swimd leave the cluster gracefully and exit')
    .addOption(apiOption())
    .option('--token-file <FILE>', TOKEN_HELP)
    .action(choose('leave'))
  const metaCommand = program.command('meta').description('change this member\'s metadata (kept by swimd across restarts)')
  for (const action of ['set', 'delete'] as const) {
    metaCommand.command(`${action} <${action === 'set' ? 'K=V' : 'KEY'}...>`)
      .description(action === 'set' ? 'set keys, keep the others' : 'delete keys')
      .addOption(apiOption())
      .option('--token-file <FILE>', TOKEN_HELP)
      .action((args: string[], opts: Record<string, unknown>) => { chosen = { name: `meta-${action}`, opts, args } })
  }
  program.command('join <ADDR...>')
    .description('make swimd join the cluster through these members now')
    .addOption(apiOption())
    .option('--token-file <FILE>', TOKEN_HELP)
    .action((args: string[], opts: Record<string, unknown>) => { chosen = { name: 'join', opts, args } })
  program.command('forget <ID>')
    .description('forget a failed or departed member cluster-wide now, instead of after reapTime (refused for a live one)')
    .addOption(apiOption())
    .option('--token-file <FILE>', TOKEN_HELP)
    .action((id: string, opts: Record<string, unknown>) => { chosen = { name: 'forget', opts, args: [id] } })
  program.addHelpText('after', '\nExit codes: 0 ok, 1 runtime failure, 2 usage error.\n')

  try {
    program.parse(argv, { from: 'user' })
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return { kind: 'help', text: output.out, exitCode: 0 }
    // help asked for (`help watch`) exits 0; help shown because no command was given exits 2
    if (err.code === 'commander.help') return { kind: 'help', text: output.out + output.err, exitCode: err.exitCode === 0 ? 0 : 2 }
    const text = err.message.replace(/^error: /, '').replace(/'([^']*)'/g, '"$1"')
    throw new CliError(`${text.charAt(0).toUpperCase()}${text.slice(1)}`, 2)
  }
  if (chosen == null) return { kind: 'help', text: program.helpInformation(), exitCode: 2 }

  const opts = chosen.opts
  const api = typeof opts.api === 'string'
    ? parseApiBase(opts.api, '--api')
    : env.SWIM_API != null && env.SWIM_API !== '' ? parseApiBase(env.SWIM_API, 'SWIM_API') : DEFAULT_API
  switch (chosen.name) {
    case 'watch':
      return {
        kind: 'watch',
        api,
        json: opts.json === true,
        types: parseList(opts.type, '--type', EVENT_TYPES),
        since: parseSince(opts.since)
      }
    case 'members':
      return { kind: 'members', api, json: opts.json === true, states: parseList(opts.state, '--state', MEMBER_STATES) }
    case 'meta-set':
    case 'meta-delete':
      return { kind: 'meta', api, token: readToken(opts.tokenFile, env), patch: parseMetaArgs(chosen.name === 'meta-set' ? 'set' : 'delete', chosen.args ?? []) }
    case 'join':
      return { kind: 'join', api, token: readToken(opts.tokenFile, env), seeds: chosen.args ?? [] }
    case 'forget':
      return { kind: 'forget', api, token: readToken(opts.tokenFile, env), id: chosen.args?.[0] ?? '' }
    default:
      return { kind: 'leave', api, token: readToken(opts.tokenFile, env) }
  }
}

function parseList<T extends string> (value: unknown, flag: string, allowed: readonly T[]): T[] | undefined {
  if (typeof value !== 'string') return undefined
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '')
  const bad = items.find((item) => !(allowed as readonly string[]).includes(item))
  if (bad != null || items.length === 0) {
    throw new CliError(`Invalid ${flag} "${value}": expected a comma-separated list of ${allowed.join(', ')}`, 2)
  }
  return items as T[]
}

function parseSince (value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new CliError(`Invalid --since "${value}": expected an event sequence number (a whole number, 0 for all retained)`, 2)
  }
  return Number(value)
}

const TOKEN_HELP = 'file holding swimd\'s API bearer token (default: env SWIM_TOKEN_FILE; SWIM_API_TOKEN holding the token itself is still read)'

function readToken (flag: unknown, env: Record<string, string | undefined>): string | undefined {
  const fromEnv = env.SWIM_TOKEN_FILE?.trim()
  const file = typeof flag === 'string' ? flag : fromEnv != null && fromEnv !== '' ? fromEnv : undefined
  if (file == null) {
    const token = env.SWIM_API_TOKEN?.trim()
    return token == null || token === '' ? undefined : token
  }
  let token: string
  try {
    token = readFileSync(file, 'utf8').trim()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message
    throw new CliError(`Cannot read --token-file "${file}": ${reason}`, 2)
  }
  if (token === '') throw new CliError(`Invalid --token-file "${file}": the file is empty`, 2)
  return token
}
