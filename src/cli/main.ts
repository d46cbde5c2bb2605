/**
 * `membership-events`: the command-line client of swimd's HTTP API.
 *
 * ```
 * membership-events watch   [--api URL] [--json] [--type join,fail,...] [--since SEQ] [--meta k=v] [--exec CMD]
 * membership-events members [--api URL] [--json] [--state alive] [--meta k=v]
 * membership-events lookup  KEY [--api URL] [--n 3] [--json]
 * membership-events leave   [--api URL] [--token-file FILE]
 * ```
 * `--api` defaults to `$SWIM_API`, then `http://127.0.0.1:7947`. `leave` sends the bearer token
 * from `--token-file`, else `$SWIM_API_TOKEN`.
 * Exit codes: 0 ok, 1 runtime failure (swimd unreachable or refusing), 2 usage error.
 *
 * `main` never exits the process and writes only to the streams it is given, so it runs
 * in-process in tests and behind the thin `bin/membership-events.ts`.
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError, Option } from 'commander'
import { CliError, DEFAULT_API, parseApiBase } from './api-client.ts'
import { leave } from './leave.ts'
import { lookup } from './lookup.ts'
import { members } from './members.ts'
import { parseMetaFilter } from './meta-filter.ts'
import { watch } from './watch.ts'
import { MAX_LOOKUP_N } from '../daemon/consumer-routes.ts'
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
  | { kind: 'watch', api: string, json: boolean, types?: MembershipEventType[], since?: number, meta?: Record<string, string>, exec?: string }
  | { kind: 'members', api: string, json: boolean, states?: MemberState[], meta?: Record<string, string> }
  | { kind: 'lookup', api: string, json: boolean, key: string, n: number }
  | { kind: 'leave', api: string, token?: string }

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
      case 'lookup':
        return await lookup({ ...parsed, env, stdout })
      case 'leave':
        return await leave({ ...parsed, stdout })
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
  let chosen: { name: string, opts: Record<string, unknown>, args: string[] } | undefined
  const program = new Command('membership-events')
    .description('Watch and query the membership of a swimd cluster member')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => { output.out += text },
      writeErr: (text) => { output.err += text },
      outputError: () => {}
    })
  const apiOption = (): Option => new Option('--api <URL>', `swimd's HTTP API (default: ${DEFAULT_API}; env SWIM_API)`)
  const choose = (name: string) => (...args: unknown[]) => {
    // commander passes the positional arguments first, then the options and the command
    chosen = { name, opts: args[args.length - 2] as Record<string, unknown>, args: args.slice(0, -2) as string[] }
  }
  const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

  program.command('watch')
    .description('print membership events as they happen; reconnects and resumes without loss or repeats')
    .addOption(apiOption())
    .option('--json', 'one JSON object per line: { "seq", "type", "at", "member" }')
    .option('--type <LIST>', `only these event types, comma-separated: ${EVENT_TYPES.join(',')}`)
    .option('--since <SEQ>', 'first replay the retained events after SEQ (0: all retained)')
    .option('--meta <K=V>', 'only events about members with this metadata pair; repeatable (all must match)', collect)
    .option('--exec <CMD>', 'run CMD through the shell once per event, in order: the event as JSON on stdin, SWIM_EVENT, SWIM_SEQ, SWIM_MEMBER_ID, SWIM_MEMBER_ADDRS, SWIM_META_<KEY> in its environment')
    .action(choose('watch'))
  program.command('members')
    .description('list the members swimd knows')
    .addOption(apiOption())
    .option('--json', 'print { "members": [...] }')
    .option('--state <LIST>', `only members in these states, comma-separated: ${MEMBER_STATES.join(',')}`)
    .option('--meta <K=V>', 'only members with this metadata pair; repeatable (all must match)', collect)
    .action(choose('members'))
  program.command('lookup')
    .description('the members owning KEY on the consistent-hash ring, owner first')
    .argument('<KEY>', 'the key (any string)')
    .addOption(apiOption())
    .option('--n <N>', `how many distinct owners (1 to ${MAX_LOOKUP_N})`, '1')
    .option('--json', 'print { "key", "members": [...] }')
    .action(choose('lookup'))
  program.command('leave')
    .description('make swimd leave the cluster gracefully and exit')
    .addOption(apiOption())
    .option('--token-file <FILE>', 'file holding swimd\'s API bearer token (default: env SWIM_API_TOKEN)')
    .action(choose('leave'))
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
        since: parseSince(opts.since),
        meta: parseMetaFilter(opts.meta),
        exec: parseExec(opts.exec)
      }
    case 'members':
      return { kind: 'members', api, json: opts.json === true, states: parseList(opts.state, '--state', MEMBER_STATES), meta: parseMetaFilter(opts.meta) }
    case 'lookup':
      return { kind: 'lookup', api, json: opts.json === true, key: chosen.args[0], n: parseN(opts.n) }
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

function parseN (value: unknown): number {
  const text = String(value)
  const n = /^\d+$/.test(text) ? Number(text) : NaN
  if (!(n >= 1 && n <= MAX_LOOKUP_N)) throw new CliError(`Invalid --n "${text}": expected a whole number of owners from 1 to ${MAX_LOOKUP_N}`, 2)
  return n
}

function parseExec (value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  if (value.trim() === '') throw new CliError('Invalid --exec "": expected a command to run for each event, e.g. --exec ./on-event.sh', 2)
  return value
}

function parseSince (value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new CliError(`Invalid --since "${value}": expected an event sequence number (a whole number, 0 for all retained)`, 2)
  }
  return Number(value)
}

function readToken (file: unknown, env: Record<string, string | undefined>): string | undefined {
  if (typeof file !== 'string') {
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
