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
import { isIP } from 'node:net'
import { dirname, resolve } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Command, CommanderError, Option } from 'commander'
import * as z from 'zod'
import { FileModeError, readPrivateFileSync } from './file-modes.ts'
import { describeFsError } from './fs-errors.ts'
import { clusterKeyProblem, generateClusterKey } from './keygen.ts'
import { VERSION } from '../version.ts'
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
  /**
   * Bearer token required on API writes (and on reads too when the API listens beyond
   * loopback), read from `apiTokenFile`. Without one, swimd generates one into the data dir.
   */
  apiToken?: string
  apiTokenFile?: string
  /** Extra names accepted in the API's `Host` header (besides IP literals and loopback names). */
  apiHosts: string[]
  /** TLS for the API: PEM certificate chain and private key. */
  apiTls?: { cert: Buffer, key: Buffer, certFile: string, keyFile: string }
  /** Limits of the HTTP API; see the `api-max-*` and `api-*-timeout` flags. */
  apiLimits: ApiLimits
  /** An open cluster beyond loopback without a cluster key was asked for explicitly. */
  insecure: boolean
  /** When non-empty, only these PeerIds may connect or take part. */
  allowPeers: string[]
  /** When non-empty, only peers at addresses in these networks may connect. */
  allowCidrs: string[]
  /** Absolute path of the data directory. */
  dataDir: string
  /** The PSK file's bytes, checked to be in the libp2p PSK v1 format. */
  clusterKey?: Uint8Array
  clusterKeyFile?: string
  /** Where SWIM datagrams are bound (`/ip4/H/udp/P`); false: streams only; unset: beside the first listen address. */
  datagram?: string | false
  /** Cluster name: part of the protocol ids and record signatures (never merges with another). */
  cluster: string
  meta: Record<string, string>
  /** A human name for this member, carried as the metadata key `name`. */
  name?: string
  /** Longest wait between join attempts through the seeds, in ms. */
  joinRetryInterval: number
  /** Join attempts before giving up and exiting 1; 0 = keep trying. */
  joinRetryMax: number
  profile: ProfileName
  logLevel: LogLevel
  /** A fixed expected cluster size for quorum; learned from stable views when unset. */
  expect?: number
  /** How long (ms) a view must stay unchanged to count as stable for quorum. */
  stableAfter: number
  /** Absolute path of the config file, when one was read. */
  configFile?: string
}

export interface ApiLimits {
  /** Open connections at once; more are answered 503 and closed. */
  maxConnections: number
  /** Event-stream subscribers at once; more are answered 503. */
  maxStreams: number
  /** Time a client has to send the request headers, in ms. */
  headersTimeoutMs: number
  /** Time a client has to send the whole request (headers and body), in ms. */
  requestTimeoutMs: number
}

export type ConfigResult =
  | { ok: true, action: 'run', config: DaemonConfig, warnings: string[] }
  | { ok: true, action: 'keygen' }
  | { ok: true, action: 'help', text: string }
  | { ok: false, message: string }

interface FlagSpec {
  /** Placeholder shown in the help; '' for a switch that takes no value. */
  arg: string
  repeatable: boolean
  /** A switch: `--insecure` on the command line, `true`/`false` in the environment and file. */
  boolean?: boolean
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
    defaultText: '/ip4/0.0.0.0/tcp/7946 with --cluster-key, else /ip4/127.0.0.1/tcp/7946',
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
    defaultText: `generated into DATA_DIR/${'api-token'}`,
    help: 'file holding the bearer token that API writes (and, beyond loopback, reads) must present',
    example: '/etc/swimd/api-token'
  },
  'api-host': {
    arg: 'NAME',
    repeatable: true,
    defaultText: 'IP addresses, localhost and this host\'s name',
    help: 'a name clients use to reach the API (its Host header); others are refused',
    example: 'swimd.example.internal'
  },
  'api-cert': {
    arg: 'FILE',
    repeatable: false,
    help: 'PEM certificate (chain) to serve the API over HTTPS; needs --api-key',
    example: '/etc/swimd/api.crt'
  },
  'api-key': {
    arg: 'FILE',
    repeatable: false,
    help: 'PEM private key of --api-cert',
    example: '/etc/swimd/api.key'
  },
  'api-max-connections': {
    arg: 'N',
    repeatable: false,
    default: '256',
    help: 'open API connections at once; more are answered 503',
    example: '256'
  },
  'api-max-streams': {
    arg: 'N',
    repeatable: false,
    default: '64',
    help: 'event-stream (GET /v1/events) subscribers at once; more are answered 503',
    example: '64'
  },
  'api-headers-timeout': {
    arg: 'MS',
    repeatable: false,
    default: '10000',
    help: 'time a client has to send its request headers',
    example: '10000'
  },
  'api-request-timeout': {
    arg: 'MS',
    repeatable: false,
    default: '30000',
    help: 'time a client has to send its whole request',
    example: '30000'
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
    help: 'the cluster key, which members must share (create one with `swimd keygen`)',
    example: '/etc/swimd/cluster.key'
  },
  insecure: {
    arg: '',
    repeatable: false,
    boolean: true,
    default: 'false',
    help: 'allow listening beyond loopback without --cluster-key: anyone who can connect may join',
    example: 'true'
  },
  'allow-peer': {
    arg: 'PEERID',
    repeatable: true,
    defaultText: 'any peer',
    help: 'admit only these peers (connections and SWIM messages)',
    example: '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
  },
  'allow-cidr': {
    arg: 'CIDR',
    repeatable: true,
    defaultText: 'any address',
    help: 'admit connections only from and to addresses in these networks',
    example: '10.0.0.0/8'
  },
  datagram: {
    arg: 'MULTIADDR|off',
    repeatable: false,
    defaultText: 'host and port of the first listen address',
    help: 'UDP address for SWIM probes (/ip4/HOST/udp/PORT); off: probe over libp2p streams only',
    example: '/ip4/0.0.0.0/udp/7946'
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
  name: {
    arg: 'NAME',
    repeatable: false,
    help: 'a human name for this member (the metadata key "name"), shown by the CLI; a warning when two live members share one',
    example: 'web-1'
  },
  'join-retry-interval': {
    arg: 'DURATION',
    repeatable: false,
    default: '30s',
    help: 'longest wait between attempts to join through the seeds (the wait doubles from 1s up to this): 500ms, 10s, 2m',
    example: '30s'
  },
  'join-retry-max': {
    arg: 'N',
    repeatable: false,
    default: '0',
    help: 'join attempts before giving up and exiting 1; 0 keeps trying',
    example: '10'
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
const PATH_FLAGS: FlagName[] = ['api-token', 'api-cert', 'api-key', 'data-dir', 'cluster-key']
/** Without a cluster key, swimd listens here unless told otherwise. */
export const LOOPBACK_LISTEN = '/ip4/127.0.0.1/tcp/7946'
/** With a cluster key, the default listen address. */
export const CLUSTER_LISTEN = '/ip4/0.0.0.0/tcp/7946'

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
    .version(`swimd ${VERSION} (libp2p-swim)`, '-V, --version', 'print the version and exit')
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
    const option = new Option(spec.boolean === true ? `--${name}` : `--${name} <${spec.arg}>`, describeFlag(name, spec))
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
    if (value === undefined && name === 'listen') {
      // closed by default: without a cluster key, only this host can reach the node
      const key = lookupRaw('cluster-key', [flags, environment, file])
      value = [typeof key === 'string' && key !== '' ? CLUSTER_LISTEN : LOOPBACK_LISTEN]
    }
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
    apiHosts: values['api-host'],
    apiLimits: {
      maxConnections: values['api-max-connections'],
      maxStreams: values['api-max-streams'],
      headersTimeoutMs: values['api-headers-timeout'],
      requestTimeoutMs: values['api-request-timeout']
    },
    dataDir: values['data-dir'],
    cluster: values.cluster,
    meta: Object.fromEntries(values.meta),
    joinRetryInterval: values['join-retry-interval'],
    joinRetryMax: values['join-retry-max'],
    profile: values.profile,
    logLevel: values['log-level'],
    stableAfter: values['stable-after'],
    insecure: values.insecure,
    allowPeers: values['allow-peer'],
    allowCidrs: values['allow-cidr']
  }
  if (values.expect != null) config.expect = values.expect
  if (values.name != null) {
    if (config.meta.name != null && config.meta.name !== values.name) {
      throw new ConfigError(`Conflicting names: --name "${values.name}"${describeSource(sources.name)} and --meta name=${config.meta.name}${describeSource(sources.meta)}: set one of them`)
    }
    config.name = values.name
    config.meta.name = values.name
  }
  if (configPath != null) config.configFile = configPath
  if (values['cluster-key'] == null && !config.insecure) {
    const open = config.listen.find(isBeyondLoopback)
    if (open != null) {
      throw new ConfigError(`Refusing to listen on ${open}${describeSource(sources.listen)} without a cluster key: any host that can connect could join the cluster and read every member's addresses and metadata.
Create a key once and give the same file to every member:
  swimd keygen > cluster.key && chmod 600 cluster.key
  swimd --cluster-key cluster.key --listen ${open}
or pass --insecure to run an open cluster anyway`)
    }
  }
  if (values['api-token'] != null) {
    config.apiTokenFile = values['api-token']
    config.apiToken = readApiToken(values['api-token'], sources['api-token'])
  }
  if (values.datagram != null) config.datagram = values.datagram === 'off' ? false : values.datagram
  if (values['cluster-key'] != null) {
    config.clusterKeyFile = values['cluster-key']
    config.clusterKey = readClusterKey(values['cluster-key'], sources['cluster-key'])
  }
  const certFile = values['api-cert']
  const keyFile = values['api-key']
  if ((certFile == null) !== (keyFile == null)) {
    throw new ConfigError(certFile == null
      ? 'Invalid --api-key: it needs --api-cert too (the certificate it belongs to)'
      : 'Invalid --api-cert: it needs --api-key too (the certificate\'s private key)')
  }
  if (certFile != null && keyFile != null) {
    config.apiTls = {
      cert: readNamedFile('api-cert', certFile, sources['api-cert']),
      key: readSecretFile('api-key', keyFile, sources['api-key']),
      certFile,
      keyFile
    }
  }
  return { config, warnings: environment.warnings }
}

function isBoolean (name: FlagName): boolean {
  const spec: FlagSpec = FLAGS[name]
  return spec.boolean === true
}

function lookupRaw (name: FlagName, layers: Array<Layer | undefined>): Raw | undefined {
  return layers.find((layer) => layer?.values[name] !== undefined)?.values[name]
}

/** Whether a listen multiaddr can be reached from other hosts (anything but loopback). */
export function isBeyondLoopback (addr: string): boolean {
  const match = /^\/(ip4|ip6)\/([^/]+)/.exec(addr)
  if (match == null) return true
  const [, proto, host] = match
  if (proto === 'ip4') return !host.startsWith('127.')
  return host !== '::1'
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
    if (value === true) values[name] = 'true'
    else if (typeof value === 'string' || Array.isArray(value)) values[name] = value as Raw
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
  boolean: z.union([z.boolean(), z.enum(['true', 'false'])], { error: 'expected true or false' }),
  meta: z.union([z.string(), z.array(z.string()), z.record(z.string(), z.string())], { error: 'expected "K=V", an array of "K=V" strings, or an object of strings' })
}

const FILE_SCHEMA = z.strictObject(Object.fromEntries(FLAG_NAMES.map((name) => [
  name,
  (name === 'meta' ? FILE_VALUE.meta : isBoolean(name) ? FILE_VALUE.boolean : FLAGS[name].repeatable ? FILE_VALUE.repeatable : FILE_VALUE.single).optional()
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
    if (typeof value === 'boolean') values[name] = String(value)
    else if (typeof value === 'string') values[name] = FLAGS[name].repeatable ? [value] : value
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

function cidrProblem (value: string): string | undefined {
  const expected = `not a network (expected e.g. ${FLAGS['allow-cidr'].example}, 192.0.2.7/32 or fd00::/8)`
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value)
  if (match == null) return expected
  const family = isIP(match[1])
  const prefix = Number(match[2])
  if (family === 0) return expected
  if (prefix > (family === 4 ? 32 : 128)) return `prefix /${prefix} is too long for an IPv${family} address`
  return undefined
}

function parseHostPort (value: string): { host: string, port: number } | string {
  const expected = `not HOST:PORT (expected e.g. ${FLAGS.api.example}, or [::1]:7947 for IPv6)`
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(value)
  if (match == null) return expected
  const port = Number(match[3])
  if (port > 65535) return `port ${port} is out of range 0-65535`
  return { host: match[1] ?? match[2], port }
}

/** A whole number in a string, at least `min`. */
function count (min: number): z.ZodType<number> {
  return z.string().transform((value, ctx) => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
      ctx.addIssue({ code: 'custom', message: `expected a whole number of at least ${min}` })
      return z.NEVER
    }
    return Number(value)
  }) as unknown as z.ZodType<number>
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
  'api-host': z.array(z.string().regex(/^[A-Za-z0-9.-]+$/, 'expected a host name without port or scheme (e.g. swimd.example.internal)').transform((name) => name.toLowerCase())),
  'api-cert': z.string().min(1, 'must name a file').optional(),
  'api-key': z.string().min(1, 'must name a file').optional(),
  'api-max-connections': count(1),
  'api-max-streams': count(0),
  'api-headers-timeout': count(100),
  'api-request-timeout': count(100),
  insecure: z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' }).transform((value) => ['true', '1', 'yes'].includes(value)),
  'allow-peer': z.array(z.string().superRefine((value, ctx) => {
    try {
      peerIdFromString(value)
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a PeerId (expected e.g. ${FLAGS['allow-peer'].example})` })
    }
  })),
  'allow-cidr': z.array(z.string().superRefine((value, ctx) => {
    const problem = cidrProblem(value)
    if (problem != null) ctx.addIssue({ code: 'custom', message: problem })
  })),
  'data-dir': z.string().min(1, `must name a directory (expected e.g. ${FLAGS['data-dir'].example})`),
  'cluster-key': z.string().min(1, 'must name a file').optional(),
  datagram: z.string().refine((value) => value === 'off' || /^\/ip[46]\/[^/]+\/udp\/\d{1,5}$/.test(value), { message: `expected /ip4/HOST/udp/PORT, /ip6/HOST/udp/PORT or off (e.g. ${FLAGS.datagram.example})` }).optional(),
  cluster: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, `must be 1 to 64 letters, digits, '.', '_' or '-' (expected e.g. ${FLAGS.cluster.example})`),
  meta: z.array(z.string().transform((value, ctx): [string, string] => {
    const at = value.indexOf('=')
    if (at <= 0) {
      ctx.addIssue({ code: 'custom', message: `not K=V (expected e.g. ${FLAGS.meta.example})` })
      return z.NEVER
    }
    // Members refuse such records (metadata is shown in terminals, logs and pages): say so
    // here rather than fail to start.
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'holds a control character (newline, tab, ESC...), which no member accepts in metadata' })
      return z.NEVER
    }
    return [value.slice(0, at), value.slice(at + 1)]
  })).superRefine((pairs, ctx) => {
    // a repeated key would silently keep the last value: say so instead
    const seen = new Set<string>()
    for (const [index, [key]] of pairs.entries()) {
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index], message: `key "${key}" is given twice (each key once; values may contain "=")` })
      seen.add(key)
    }
  }),
  name: z.string().trim().min(1, 'must not be empty').max(64, 'at most 64 characters').optional(),
  'join-retry-interval': z.string().transform((value, ctx) => {
    const ms = parseDuration(value)
    if (ms == null || ms < 1000) {
      ctx.addIssue({ code: 'custom', message: `not a duration of at least 1s (expected e.g. ${FLAGS['join-retry-interval'].example}, 500ms, 2m)` })
      return z.NEVER
    }
    return ms
  }),
  'join-retry-max': z.string().regex(/^\d+$/, 'expected a whole number of attempts (0 keeps trying)').transform(Number).refine(Number.isSafeInteger, 'too large'),
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

/** `500ms`, `30s`, `2m`, `1h`, or a bare number of ms; undefined when it is none of these. */
export function parseDuration (value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim())
  if (match == null) return undefined
  const ms = Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h' ?? 'ms']
  return Number.isSafeInteger(Math.round(ms)) ? Math.round(ms) : undefined
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
  const token = readSecretFile('api-token', path, source).toString('utf8').trim()
  if (token === '') throw new ConfigError(`Invalid --api-token "${path}"${describeSource(source)}: the file is empty (put the bearer token in it)`)
  if (/\s/.test(token)) throw new ConfigError(`Invalid --api-token "${path}"${describeSource(source)}: the token must be one line without spaces`)
  return token
}

function readClusterKey (path: string, source: Source): Uint8Array {
  const bytes = new Uint8Array(readSecretFile('cluster-key', path, source))
  const problem = clusterKeyProblem(bytes)
  // no `keygen > path` here: the file named may be something else given by mistake
  if (problem != null) throw new ConfigError(`Invalid --cluster-key "${path}"${describeSource(source)}: not a libp2p pre-shared key, ${problem}. Check that this is the right file; every member needs the same key, made once with "swimd keygen > NEW-FILE"`)
  return bytes
}

/** Reads a secret, refusing it (as OpenSSH refuses keys) when others could read it too. */
function readSecretFile (flag: FlagName, path: string, source: Source): Buffer {
  try {
    return readPrivateFileSync(path)
  } catch (err) {
    if (err instanceof FileModeError) throw new ConfigError(`Refusing --${flag} file${describeSource(source)}: ${err.message}`)
    throw new ConfigError(`Cannot read --${flag} file "${path}"${describeSource(source)}: ${describeFsError(err)}`)
  }
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
