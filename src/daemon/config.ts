/**
 * swimd's configuration: every flag, its default and its environment variable, defined and
 * documented in this one file.
 *
 * Sources, per flag: command line > environment > config file > default.
 * - Environment: `SWIMD_<FLAG>`, upper case with `-` → `_` (`SWIMD_DATA_DIR`). Repeatable flags
 *   take a comma-separated list (`SWIMD_SEED=/dns4/a/tcp/7946,/dns4/b/tcp/7946`). An empty
 *   variable counts as unset. Unknown `SWIMD_*` variables produce a warning, not an error: the
 *   environment is shared with other programs.
 * - Config file: `--config FILE` (env `SWIMD_CONFIG`), a JSON object whose keys are the flag
 *   names exactly as on the command line, without the dashes: `"listen"`, `"data-dir"`,
 *   `"log-level"`. Repeatable flags take a string or an array of strings; `"meta"` also takes an
 *   object of strings. Unknown keys are an error. Relative paths in the file are resolved
 *   against the file's directory; relative paths from flags and environment against the
 *   working directory.
 * - A repeatable flag's list comes whole from the highest source that sets it; the sources'
 *   lists are not merged.
 *
 * `parseDaemonArgs` returns a result and never prints or exits, so tests call it directly;
 * `runCommandLine` is the thin wrapper that prints help, keys and errors for the binary.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Command, CommanderError, Option } from 'commander'
import { z } from 'zod'
import { describeFsError } from './fs-errors.ts'
import { clusterKeyProblem, generateClusterKey } from './keygen.ts'
import type { ProfileName } from '../core/config.ts'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

const PROFILE_NAMES = ['lan', 'wan', 'local'] as const satisfies readonly ProfileName[]

/** The validated configuration swimd runs with. */
export interface DaemonConfig {
  /** libp2p listen multiaddrs. */
  listen: string[]
  /** Multiaddrs advertised to members; empty means "the listen addresses". */
  announce: string[]
  /** Multiaddrs to join through; may be empty (the first node of a cluster). */
  seeds: string[]
  /** Where the HTTP API listens. */
  api: { host: string, port: number }
  /** Bearer token required on non-GET API requests, read from `apiTokenFile`. */
  apiToken?: string
  apiTokenFile?: string
  /** Absolute path of the data directory. */
  dataDir: string
  /** The PSK file's bytes, checked to be in the libp2p PSK v1 format. */
  clusterKey?: Uint8Array
  clusterKeyFile?: string
  /** Cluster name: part of the protocol ids and record signatures (never merges with another). */
  cluster: string
  meta: Record<string, string>
  profile: ProfileName
  logLevel: LogLevel
  /** A fixed expected cluster size for quorum; learned from stable views when unset. */
  expect?: number
  /** How long (ms) a view must stay unchanged to count as stable for quorum. */
  stableAfter: number
  /** Absolute path of the config file, when one was read. */
  configFile?: string
}

export type ConfigResult =
  | { ok: true, action: 'run', config: DaemonConfig, warnings: string[] }
  | { ok: true, action: 'keygen' }
  | { ok: true, action: 'help', text: string }
  | { ok: false, message: string }

interface FlagSpec {
  /** Placeholder shown in the help. */
  arg: string
  repeatable: boolean
  /** The value used when no source sets the flag. */
  default?: string
  /** How the default reads in the help, when it is not a plain value. */
  defaultText?: string
  help: string
  /** A valid value, quoted in error messages. */
  example: string
}

/** Every flag of swimd. The key is the flag name, the config-file key and (upper-cased) the env name. */
export const FLAGS = {
  listen: {
    arg: 'MULTIADDR',
    repeatable: true,
    default: '/ip4/0.0.0.0/tcp/7946',
    help: 'libp2p listen address',
    example: '/ip4/0.0.0.0/tcp/7946'
  },
  announce: {
    arg: 'MULTIADDR',
    repeatable: true,
    defaultText: 'the listen addresses',
    help: 'address advertised to members',
    example: '/ip4/203.0.113.7/tcp/7946'
  },
  seed: {
    arg: 'MULTIADDR',
    repeatable: true,
    help: 'member to join through; /p2p/<id> optional, /dns4/ names allowed',
    example: '/dns4/seed.example.com/tcp/7946'
  },
  api: {
    arg: 'HOST:PORT',
    repeatable: false,
    default: '127.0.0.1:7947',
    help: 'HTTP API address',
    example: '127.0.0.1:7947'
  },
  'api-token': {
    arg: 'FILE',
    repeatable: false,
    help: 'file holding the bearer token that non-GET API requests must present',
    example: '/etc/swimd/api-token'
  },
  'data-dir': {
    arg: 'DIR',
    repeatable: false,
    default: '.swimd',
    help: 'private key (stable PeerId), last known members, incarnation',
    example: '/var/lib/swimd'
  },
  'cluster-key': {
    arg: 'FILE',
    repeatable: false,
    help: 'libp2p private-network pre-shared key (create one with `swimd keygen`)',
    example: '/etc/swimd/cluster.key'
  },
  cluster: {
    arg: 'NAME',
    repeatable: false,
    default: 'default',
    help: 'cluster name; nodes of different clusters never merge, even on one network or key',
    example: 'payments'
  },
  meta: {
    arg: 'K=V',
    repeatable: true,
    help: 'member metadata',
    example: 'role=api'
  },
  profile: {
    arg: PROFILE_NAMES.join('|'),
    repeatable: false,
    default: 'lan',
    help: 'timing profile',
    example: 'lan'
  },
  'log-level': {
    arg: 'LEVEL',
    repeatable: false,
    default: 'info',
    help: `structured JSON logs on stderr: ${LOG_LEVELS.join('|')}`,
    example: 'info'
  },
  expect: {
    arg: 'N',
    repeatable: false,
    defaultText: 'learned from stable views',
    help: 'fixed expected cluster size for quorum (GET /v1/quorum, /readyz?quorum=1)',
    example: '5'
  },
  'stable-after': {
    arg: 'MS',
    repeatable: false,
    default: '20000',
    help: 'how long a view must stay unchanged to count as stable for quorum',
    example: '20000'
  }
} as const satisfies Record<string, FlagSpec>

export type FlagName = keyof typeof FLAGS
const FLAG_NAMES = Object.keys(FLAGS) as FlagName[]

/** `data-dir` → `SWIMD_DATA_DIR`. */
export function envName (flag: string): string {
  return `SWIMD_${flag.toUpperCase().replaceAll('-', '_')}`
}

const CONFIG_ENV = envName('config')
const PATH_FLAGS: FlagName[] = ['api-token', 'data-dir', 'cluster-key']

type Raw = string | string[]
type Source = { kind: 'flag' } | { kind: 'env', variable: string } | { kind: 'file', path: string } | { kind: 'default' }
interface Layer { values: Partial<Record<FlagName, Raw>>, source: (flag: FlagName) => Source }

class ConfigError extends Error {
  static override name = 'ConfigError'
}

export interface ParseOptions {
  /** Base of relative paths given by flags and environment. @default process.cwd() */
  cwd?: string
}

/**
 * Parses swimd's command line, environment and config file. Never prints, never exits.
 * `argv` excludes the node binary and script (`process.argv.slice(2)`).
 */
export function parseDaemonArgs (argv: string[], env: Record<string, string | undefined>, options: ParseOptions = {}): ConfigResult {
  const cwd = options.cwd ?? process.cwd()
  const output = { text: '' }
  const program = buildProgram(output)
  const chosen: { action: 'run' | 'keygen' } = { action: 'run' }
  program.commands.find((command) => command.name() === 'keygen')?.action(() => { chosen.action = 'keygen' })
  try {
    program.parse(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
        return { ok: true, action: 'help', text: output.text }
      }
      return { ok: false, message: usageMessage(err.message) }
    }
    throw err
  }
  if (chosen.action === 'run' && program.args.length > 0) {
    return { ok: false, message: usageMessage(`Unknown command "${program.args[0]}": swimd takes flags, or the subcommand keygen`) }
  }
  if (chosen.action === 'keygen') return { ok: true, action: 'keygen' }

  try {
    return { ok: true, action: 'run', ...resolveConfig(program.opts(), env, cwd) }
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, message: err.message }
    throw err
  }
}

export interface CommandLineIO {
  stdout: { write: (chunk: string | Uint8Array) => unknown }
  stderr: { write: (chunk: string) => unknown }
}

/**
 * The binary's wrapper around `parseDaemonArgs`: prints help (exit 0), writes a new cluster
 * key for `swimd keygen` (exit 0), prints a usage error (exit 2), or hands back the config to
 * run with. The caller sets the exit code; nothing here calls `process.exit`.
 */
export function runCommandLine (argv: string[], env: Record<string, string | undefined>, io: CommandLineIO): { config: DaemonConfig, warnings: string[] } | { exitCode: number } {
  const result = parseDaemonArgs(argv, env)
  if (!result.ok) {
    io.stderr.write(`${result.message}\n`)
    return { exitCode: 2 }
  }
  switch (result.action) {
    case 'help':
      io.stdout.write(result.text)
      return { exitCode: 0 }
    case 'keygen':
      io.stdout.write(generateClusterKey())
      return { exitCode: 0 }
    case 'run':
      return { config: result.config, warnings: result.warnings }
  }
}

function buildProgram (output: { text: string }): Command {
  const program = new Command('swimd')
    .description('SWIM + Lifeguard membership daemon for libp2p clusters')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => { output.text += text },
      writeErr: (text) => { output.text += text },
      outputError: () => {}
    })
    .allowExcessArguments(true)
    .action(() => {})
  for (const name of FLAG_NAMES) {
    const spec: FlagSpec = FLAGS[name]
    const option = new Option(`--${name} <${spec.arg}>`, describeFlag(name, spec))
    if (spec.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    program.addOption(option)
  }
  program.addOption(new Option('--config <FILE>', `JSON file of flag values, keyed by flag name ("data-dir") (default: none; env ${CONFIG_ENV})`))
  program.command('keygen').description('write a new cluster key (libp2p pre-shared key) to stdout')
  program.addHelpText('after', `
Every flag can also be set as the environment variable shown, and as a key of the
--config file. Command line wins over environment, environment over the file.
Repeatable flags take a comma-separated list in the environment, an array in the file.

Example:
  swimd --seed /dns4/seed.example.com/tcp/7946 --meta role=api --api-token /etc/swimd/token
`)
  return program
}

function describeFlag (name: FlagName, spec: FlagSpec): string {
  const defaultText = spec.defaultText ?? spec.default ?? 'none'
  const repeatable = spec.repeatable ? '; repeatable' : ''
  return `${spec.help} (default: ${defaultText}; env ${envName(name)}${repeatable})`
}

function usageMessage (message: string): string {
  const text = message.replace(/^error: /, '').replace(/'([^']*)'/g, '"$1"')
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}\nRun "swimd --help" for usage`
}

function resolveConfig (opts: Record<string, unknown>, env: Record<string, string | undefined>, cwd: string): { config: DaemonConfig, warnings: string[] } {
  const flags = flagLayer(opts)
  const environment = envLayer(env)
  const configPath = typeof opts.config === 'string' ? resolve(cwd, opts.config) : nonEmpty(env[CONFIG_ENV]) != null ? resolve(cwd, env[CONFIG_ENV] ?? '') : undefined
  const file = configPath == null ? undefined : fileLayer(configPath)

  const merged: Partial<Record<FlagName, Raw>> = {}
  const sources = {} as Record<FlagName, Source>
  for (const name of FLAG_NAMES) {
    const layer = [flags, environment, file].find((candidate) => candidate?.values[name] !== undefined)
    let value = layer?.values[name]
    const source: Source = layer?.source(name) ?? { kind: 'default' }
    if (value === undefined) {
      const fallback = defaultOf(name)
      value = FLAGS[name].repeatable ? (fallback == null ? [] : [fallback]) : fallback
    }
    if (PATH_FLAGS.includes(name) && typeof value === 'string' && value !== '') {
      value = resolve(source.kind === 'file' ? dirname(source.path) : cwd, value)
    }
    if (value !== undefined) merged[name] = value
    sources[name] = source
  }

  const parsed = SCHEMA.safeParse(merged)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => describeIssue(issue, merged, sources)).join('\n'))
  }
  const values = parsed.data
  const config: DaemonConfig = {
    listen: values.listen,
    announce: values.announce,
    seeds: values.seed,
    api: values.api,
    dataDir: values['data-dir'],
    cluster: values.cluster,
    meta: Object.fromEntries(values.meta),
    profile: values.profile,
    logLevel: values['log-level'],
    stableAfter: values['stable-after']
  }
  if (values.expect != null) config.expect = values.expect
  if (configPath != null) config.configFile = configPath
  if (values['api-token'] != null) {
    config.apiTokenFile = values['api-token']
    config.apiToken = readApiToken(values['api-token'], sources['api-token'])
  }
  if (values['cluster-key'] != null) {
    config.clusterKeyFile = values['cluster-key']
    config.clusterKey = readClusterKey(values['cluster-key'], sources['cluster-key'])
  }
  return { config, warnings: environment.warnings }
}

function defaultOf (name: FlagName): string | undefined {
  const spec: FlagSpec = FLAGS[name]
  return spec.default
}

function nonEmpty (value: string | undefined): string | undefined {
  return value == null || value.trim() === '' ? undefined : value
}

function flagLayer (opts: Record<string, unknown>): Layer {
  const values: Partial<Record<FlagName, Raw>> = {}
  for (const name of FLAG_NAMES) {
    const value = opts[camelCase(name)]
    if (typeof value === 'string' || Array.isArray(value)) values[name] = value as Raw
  }
  return { values, source: () => ({ kind: 'flag' }) }
}

function envLayer (env: Record<string, string | undefined>): Layer & { warnings: string[] } {
  const values: Partial<Record<FlagName, Raw>> = {}
  for (const name of FLAG_NAMES) {
    const value = nonEmpty(env[envName(name)])
    if (value == null) continue
    values[name] = FLAGS[name].repeatable
      ? value.split(',').map((item) => item.trim()).filter((item) => item !== '')
      : value.trim()
  }
  const known = [...FLAG_NAMES.map(envName), CONFIG_ENV]
  const warnings = Object.keys(env)
    .filter((key) => key.startsWith('SWIMD_') && !known.includes(key))
    .map((key) => `Ignoring unknown environment variable ${key}${suggest(key, known)}`)
  return { values, source: (name) => ({ kind: 'env', variable: envName(name) }), warnings }
}

const FILE_VALUE = {
  repeatable: z.union([z.string(), z.array(z.string())], { error: 'expected a string or an array of strings' }),
  single: z.string({ error: 'expected a string' }),
  meta: z.union([z.string(), z.array(z.string()), z.record(z.string(), z.string())], { error: 'expected "K=V", an array of "K=V" strings, or an object of strings' })
}

const FILE_SCHEMA = z.strictObject(Object.fromEntries(FLAG_NAMES.map((name) => [
  name,
  (name === 'meta' ? FILE_VALUE.meta : FLAGS[name].repeatable ? FILE_VALUE.repeatable : FILE_VALUE.single).optional()
])))

function fileLayer (path: string): Layer {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`Cannot read config file "${path}": ${describeFsError(err)}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(`Cannot parse config file "${path}": ${(err as Error).message}`)
  }
  if (json == null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError(`Cannot use config file "${path}": expected a JSON object of flag values, e.g. { "listen": ["${FLAGS.listen.example}"] }`)
  }
  const parsed = FILE_SCHEMA.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]
      const kebab = kebabCase(key)
      const hint = (FLAG_NAMES as string[]).includes(kebab) ? `: use "${kebab}"` : suggest(key, FLAG_NAMES, ': did you mean "%s"?') || `: known keys are ${FLAG_NAMES.join(', ')}`
      throw new ConfigError(`Unknown key "${key}" in config file "${path}"${hint}`)
    }
    const key = String(issue.path[0])
    throw new ConfigError(`Invalid "${key}" in config file "${path}": ${issue.message}, got ${JSON.stringify((json as Record<string, unknown>)[key])}`)
  }
  const values: Partial<Record<FlagName, Raw>> = {}
  for (const [key, value] of Object.entries(parsed.data)) {
    if (value === undefined) continue
    const name = key as FlagName
    if (typeof value === 'string') values[name] = FLAGS[name].repeatable ? [value] : value
    else if (Array.isArray(value)) values[name] = value
    else values[name] = Object.entries(value).map(([k, v]) => `${k}=${v}`)
  }
  return { values, source: () => ({ kind: 'file', path }) }
}

// ---- validation of the merged values ----

function multiaddrProblem (value: string, example: string, kind: 'listen' | 'seed'): string | undefined {
  const expected = `not a multiaddr (expected e.g. ${example})`
  try {
    const components = multiaddr(value).getComponents()
    if (value.trim() === '' || components.length === 0) return expected
    if (kind === 'seed') {
      for (const component of components) {
        if (component.name !== 'p2p') continue
        try {
          peerIdFromString(component.value ?? '')
        } catch {
          return `"${component.value ?? ''}" is not a PeerId`
        }
      }
      if (components[0].name === 'p2p') return `a seed needs an address before /p2p/ (expected e.g. ${example}/p2p/<id>)`
    }
    return undefined
  } catch {
    return expected
  }
}

function addr (flag: 'listen' | 'announce' | 'seed'): z.ZodType<string> {
  return z.string().superRefine((value, ctx) => {
    const problem = multiaddrProblem(value, FLAGS[flag].example, flag === 'seed' ? 'seed' : 'listen')
    if (problem != null) ctx.addIssue({ code: 'custom', message: problem })
  })
}

function parseHostPort (value: string): { host: string, port: number } | string {
  const expected = `not HOST:PORT (expected e.g. ${FLAGS.api.example}, or [::1]:7947 for IPv6)`
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(value)
  if (match == null) return expected
  const port = Number(match[3])
  if (port > 65535) return `port ${port} is out of range 0-65535`
  return { host: match[1] ?? match[2], port }
}

const SCHEMA = z.object({
  listen: z.array(addr('listen')).min(1, `at least one listen address is needed (expected e.g. ${FLAGS.listen.example})`),
  announce: z.array(addr('announce')),
  seed: z.array(addr('seed')),
  api: z.string().transform((value, ctx) => {
    const parsed = parseHostPort(value)
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed })
      return z.NEVER
    }
    return parsed
  }),
  'api-token': z.string().min(1, 'must name a file').optional(),
  'data-dir': z.string().min(1, `must name a directory (expected e.g. ${FLAGS['data-dir'].example})`),
  'cluster-key': z.string().min(1, 'must name a file').optional(),
  cluster: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, `must be 1 to 64 letters, digits, '.', '_' or '-' (expected e.g. ${FLAGS.cluster.example})`),
  meta: z.array(z.string().transform((value, ctx): [string, string] => {
    const at = value.indexOf('=')
    if (at <= 0) {
      ctx.addIssue({ code: 'custom', message: `not K=V (expected e.g. ${FLAGS.meta.example})` })
      return z.NEVER
    }
    return [value.slice(0, at), value.slice(at + 1)]
  })),
  profile: z.enum(PROFILE_NAMES, { error: `expected one of ${PROFILE_NAMES.join(', ')}` }),
  'log-level': z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }),
  expect: wholeNumber(1, 1_000_000, 'a number of members', FLAGS.expect.example).optional(),
  'stable-after': wholeNumber(0, 86_400_000, 'a number of milliseconds', FLAGS['stable-after'].example)
})

/** A whole number in [min, max], written in decimal. */
function wholeNumber (min: number, max: number, what: string, example: string): z.ZodType<number> {
  return z.string().transform((value, ctx) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `not ${what} from ${min} to ${max} (expected e.g. ${example})` })
      return z.NEVER
    }
    return n
  })
}

function describeIssue (issue: z.core.$ZodIssue, merged: Partial<Record<FlagName, Raw>>, sources: Record<FlagName, Source>): string {
  const name = issue.path[0] as FlagName
  const raw = merged[name]
  const value = Array.isArray(raw) && typeof issue.path[1] === 'number' ? raw[issue.path[1]] : raw
  const shown = Array.isArray(value) ? `"${value.join(',')}"` : JSON.stringify(value ?? '')
  return `Invalid --${name} ${shown}${describeSource(sources[name])}: ${issue.message}`
}

function describeSource (source: Source): string {
  switch (source.kind) {
    case 'env': return ` (from ${source.variable})`
    case 'file': return ` (from config file "${source.path}")`
    default: return ''
  }
}

// ---- files named by flags ----

function readApiToken (path: string, source: Source): string {
  const token = readNamedFile('api-token', path, source).toString('utf8').trim()
  if (token === '') throw new ConfigError(`Invalid --api-token "${path}"${describeSource(source)}: the file is empty (put the bearer token in it)`)
  if (/\s/.test(token)) throw new ConfigError(`Invalid --api-token "${path}"${describeSource(source)}: the token must be one line without spaces`)
  return token
}

function readClusterKey (path: string, source: Source): Uint8Array {
  const bytes = new Uint8Array(readNamedFile('cluster-key', path, source))
  const problem = clusterKeyProblem(bytes)
  if (problem != null) throw new ConfigError(`Invalid --cluster-key "${path}"${describeSource(source)}: not a libp2p pre-shared key, ${problem} (create one with "swimd keygen > ${path}")`)
  return bytes
}

function readNamedFile (flag: FlagName, path: string, source: Source): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new ConfigError(`Cannot read --${flag} file "${path}"${describeSource(source)}: ${describeFsError(err)}`)
  }
}

// ---- names ----

function camelCase (name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())
}

function kebabCase (name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`).replaceAll('_', '-')
}

/** ` (did you mean X?)` for the closest candidate within two edits, or ''. */
function suggest (name: string, candidates: readonly string[], template = ' (did you mean %s?)'): string {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best == null ? '' : template.replace('%s', best)
}

function editDistance (a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}
