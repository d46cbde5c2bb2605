/**
 * `membership-events`: the command-line client of swimd's HTTP API.
 *
 * ```
 * membership-events watch   [--api URL] [--json] [--type join,fail,...] [--since SEQ] [--meta k=v] [--exec CMD]
 * membership-events members [--api URL] [--json] [--state alive] [--meta k=v]
 * membership-events lookup  KEY [--api URL] [--n 3] [--json]
 * membership-events leave   [--api URL]
 * membership-events keys    list | install FILE | use ID | remove ID  [--api URL] [--json]
 * membership-events meta    set K=V… | delete K…  [--api URL]
 * membership-events join    ADDR…  [--api URL]
 * membership-events forget  ID  [--api URL]
 * ```
 * Environment variables are named after the flags they stand for and hold what the flag
 * holds: `--api` ↔ `SWIM_API` (default `http://127.0.0.1:7947`), `--token-file` ↔
 * `SWIM_TOKEN_FILE`. Every command sends swimd's bearer token when it finds one; where it
 * looks, first found wins, is token.ts's rule (`--token-file`/`SWIM_TOKEN_FILE`,
 * `SWIM_API_TOKEN`, `SWIMD_API_TOKEN`, the `--data-dir`'s `api-token`).
 * Exit codes: 0 ok, 1 runtime failure (swimd unreachable or refusing), 2 usage error.
 *
 * `main` never exits the process and writes only to the streams it is given, so it runs
 * in-process in tests and behind the thin `bin/membership-events.ts`.
 */
import { Command, CommanderError, Option } from 'commander'
import { CliError, DEFAULT_API, parseApiBase } from './api-client.ts'
import { forget } from './forget.ts'
import { join } from './join.ts'
import { checkKeyId, keys } from './keys.ts'
import { leave } from './leave.ts'
import { lookup } from './lookup.ts'
import { meta, parseMetaArgs } from './meta.ts'
import { members } from './members.ts'
import { findToken } from './token.ts'
import { parseMetaFilter } from './meta-filter.ts'
import { watch } from './watch.ts'
import { MAX_LOOKUP_N } from '../daemon/consumer-routes.ts'
import { VERSION } from '../version.ts'
import type { KeysAction } from './keys.ts'
import type { BackoffOptions } from './sse-client.ts'
import { MEMBER_STATES, MEMBERSHIP_EVENT_TYPES } from '../core/types.ts'
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

type Parsed =
  | { kind: 'help', text: string, exitCode: number }
  | { kind: 'watch', api: string, token?: string, json: boolean, types?: MembershipEventType[], since?: number, meta?: Record<string, string>, exec?: string }
  | { kind: 'members', api: string, token?: string, json: boolean, states?: MemberState[], meta?: Record<string, string> }
  | { kind: 'lookup', api: string, token?: string, json: boolean, key: string, n: number }
  | { kind: 'leave', api: string, token?: string }
  | { kind: 'keys', api: string, token?: string, json: boolean, command: KeysAction }
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
      case 'lookup':
        return await lookup({ ...parsed, env, stdout })
      case 'leave':
        return await leave({ ...parsed, stdout })
      case 'keys':
        return await keys({ ...parsed, stdout })
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
  const connection = (command: Command): Command => command
    .addOption(new Option('--api <URL>', `swimd's HTTP API (default: ${DEFAULT_API}; env SWIM_API)`))
    .addOption(new Option('--token-file <FILE>', 'file holding swimd\'s API bearer token (env SWIM_TOKEN_FILE; default: env SWIM_API_TOKEN holding the token, env SWIMD_API_TOKEN naming its file, else DIR/api-token of --data-dir)'))
    .addOption(new Option('--data-dir <DIR>', 'swimd\'s data directory, where it generated its API token (default: env SWIMD_DATA_DIR, else .swimd)'))
  const choose = (name: string, args: (...values: unknown[]) => unknown[] = () => []) => (...values: unknown[]) => {
    const command = values[values.length - 1] as Command
    chosen = { name, opts: { ...command.opts(), args: args(...values) } }
  }
  const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

  connection(program.command('watch'))
    .description('print membership events as they happen; reconnects and resumes without loss or repeats')
    .option('--json', 'one JSON object per line: { "seq", "type", "at", "member" }')
    .option('--type <LIST>', `only these event types, comma-separated: ${MEMBERSHIP_EVENT_TYPES.join(',')}`)
    .option('--since <SEQ>', 'first replay the retained events after SEQ (0: all retained)')
    .option('--meta <K=V>', 'only events about members with this metadata pair; repeatable (all must match)', collect)
    .option('--exec <CMD>', 'run CMD through the shell once per event, in order: the event as JSON on stdin, SWIM_EVENT, SWIM_SEQ, SWIM_MEMBER_ID, SWIM_MEMBER_ADDRS, SWIM_META_<KEY> in its environment')
    .action(choose('watch'))
  connection(program.command('members'))
    .description('list the members swimd knows')
    .option('--json', 'print { "members": [...] }')
    .option('--state <LIST>', `only members in these states, comma-separated: ${MEMBER_STATES.join(',')}`)
    .option('--meta <K=V>', 'only members with this metadata pair; repeatable (all must match)', collect)
    .action(choose('members'))
  connection(program.command('lookup'))
    .description('the members owning KEY on the consistent-hash ring, owner first')
    .argument('<KEY>', 'the key (any string)')
    .option('--n <N>', `how many distinct owners (1 to ${MAX_LOOKUP_N})`, '1')
    .option('--json', 'print { "key", "members": [...] }')
    .action(choose('lookup', (key) => [key]))
  connection(program.command('leave'))
    .description('make swimd leave the cluster gracefully and exit')
    .action(choose('leave'))
  const keysCommand = program.command('keys').description('the cluster keyring: rotate the cluster key with no member failed (install, use, remove on every member in turn)')
  connection(keysCommand.command('list')).description('the installed keys; the primary one seals what the member sends')
    .option('--json', 'print { "keys": [{ "id", "primary" }] }').action(choose('keys:list'))
  connection(keysCommand.command('install <FILE>')).description('install a key file (from `swimd keygen`); it is accepted at once, used once primary')
    .option('--json', 'print the answer as JSON').action(choose('keys:install', (file) => [file]))
  connection(keysCommand.command('use <ID>')).description('make an installed key the primary one')
    .option('--json', 'print the answer as JSON').action(choose('keys:use', (id) => [id]))
  connection(keysCommand.command('remove <ID>')).description('remove a key that is not primary')
    .option('--json', 'print the answer as JSON').action(choose('keys:remove', (id) => [id]))
  const metaCommand = program.command('meta').description('change this member\'s metadata (kept by swimd across restarts)')
  connection(metaCommand.command('set <K=V...>')).description('set keys, keep the others')
    .action(choose('meta:set', (pairs) => pairs as string[]))
  connection(metaCommand.command('delete <KEY...>')).description('delete keys')
    .action(choose('meta:delete', (names) => names as string[]))
  connection(program.command('join'))
    .description('make swimd join the cluster through these members now')
    .argument('<ADDR...>', 'seed multiaddrs')
    .action(choose('join', (addrs) => addrs as string[]))
  connection(program.command('forget'))
    .description('forget a failed or departed member cluster-wide now, instead of after reapTime (refused for a live one)')
    .argument('<ID>', 'the member\'s PeerId')
    .action(choose('forget', (id) => [id]))
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
  const token = findToken({
    ...(typeof opts.tokenFile === 'string' ? { tokenFile: opts.tokenFile } : {}),
    ...(typeof opts.dataDir === 'string' ? { dataDir: opts.dataDir } : {})
  }, env)
  const args = opts.args as string[]
  switch (chosen.name) {
    case 'keys:list':
      return { kind: 'keys', api, token, json: opts.json === true, command: { action: 'list' } }
    case 'keys:install':
      return { kind: 'keys', api, token, json: opts.json === true, command: { action: 'install', file: args[0] } }
    case 'keys:use':
      return { kind: 'keys', api, token, json: opts.json === true, command: { action: 'use', id: checkKeyId(args[0]) } }
    case 'keys:remove':
      return { kind: 'keys', api, token, json: opts.json === true, command: { action: 'remove', id: checkKeyId(args[0]) } }
    case 'watch':
      return {
        kind: 'watch',
        api,
        token,
        json: opts.json === true,
        types: parseList(opts.type, '--type', MEMBERSHIP_EVENT_TYPES),
        since: parseSince(opts.since),
        meta: parseMetaFilter(opts.meta),
        exec: parseExec(opts.exec)
      }
    case 'members':
      return { kind: 'members', api, token, json: opts.json === true, states: parseList(opts.state, '--state', MEMBER_STATES), meta: parseMetaFilter(opts.meta) }
    case 'lookup':
      return { kind: 'lookup', api, token, json: opts.json === true, key: args[0], n: parseN(opts.n) }
    case 'meta:set':
      return { kind: 'meta', api, token, patch: parseMetaArgs('set', args) }
    case 'meta:delete':
      return { kind: 'meta', api, token, patch: parseMetaArgs('delete', args) }
    case 'join':
      return { kind: 'join', api, token, seeds: args }
    case 'forget':
      return { kind: 'forget', api, token, id: args[0] }
    default:
      return { kind: 'leave', api, token }
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
