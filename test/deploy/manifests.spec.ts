/**
 * The deployment files under deploy/ against what swimd really is: its flag table, defaults and
 * environment names (src/daemon/config.ts), its bin (package.json), its HTTP routes and its
 * graceful-leave timing. Nothing here builds an image or starts a cluster.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer } from 'node:http'
import { dirname, join, posix, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PROFILES } from '../../src/core/config.ts'
import { CLUSTER_LISTEN, FLAGS, envName, parseDaemonArgs } from '../../src/daemon/config.ts'
import { nodeRoutes } from '../../src/daemon/node-routes.ts'
import type { NodeRouteOptions } from '../../src/daemon/node-routes.ts'
import { OPEN_PATHS } from '../../src/daemon/http-guard.ts'
import { clusterKeyProblem, generateClusterKey } from '../../src/daemon/keygen.ts'
import { leaveTimeout } from '../../src/libp2p/constants.ts'
import { parseYaml, parseYamlDocuments } from './yaml-subset.ts'
import type { FlagName } from '../../src/daemon/config.ts'
import type { YamlValue } from './yaml-subset.ts'
import type { AddressInfo } from 'node:net'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const DEPLOY = join(ROOT, 'deploy')
const K8S = join(DEPLOY, 'kubernetes')
const read = (path: string): string => readFileSync(join(DEPLOY, path), 'utf8')

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string, bin: Record<string, string> }

// ---- what swimd really uses ----

function portOf (hostPortOrMultiaddr: string): number {
  const match = /(?::|\/tcp\/)(\d+)$/.exec(hostPortOrMultiaddr)
  if (match == null) throw new Error(`no port in ${hostPortOrMultiaddr}`)
  return Number(match[1])
}

const LISTEN_PORT = portOf(CLUSTER_LISTEN)
const API_PORT = portOf(FLAGS.api.default)
const FLAG_NAMES = Object.keys(FLAGS) as FlagName[]
const ENV_NAMES = new Set(FLAG_NAMES.map(envName))
/**
 * Flags naming files that swimd reads at start: the deployment's paths do not exist here, so
 * they are replaced by stand-ins of the right format and mode (a key from keygen, a token,
 * both 0600), and swimd's real checks, the closed-cluster rule included, run on the result.
 */
const FILE_FLAGS = new Set<string>(['api-token', 'cluster-key'])
const STAND_INS = mkdtempSync(join(tmpdir(), 'swimd-deploy-'))
const STAND_IN: Record<string, string> = {
  'cluster-key': join(STAND_INS, 'cluster.key'),
  'api-token': join(STAND_INS, 'api-token')
}
writeFileSync(STAND_IN['cluster-key'], generateClusterKey(), { mode: 0o600 })
writeFileSync(STAND_IN['api-token'], 'stand-in-token\n', { mode: 0o600 })
test.after(() => { rmSync(STAND_INS, { recursive: true, force: true }) })
/** The data directory every deployment uses (swimd's default `.swimd` is relative to the cwd). */
const DATA_DIR = '/var/lib/swimd'
/** swimd forces its exit when the graceful shutdown takes longer (src/daemon/signals.ts). */
const SWIMD_FORCED_EXIT_S = 30
/** The longest graceful leave: the wan profile's. */
const LONGEST_LEAVE_S = Math.max(...Object.values(PROFILES).map((p) => leaveTimeout(p.probeInterval))) / 1000
const SWIMD_JS = posix.normalize(pkg.bin.swimd)
const EVENTS_JS = posix.normalize(pkg.bin['membership-events'])

/** The paths the daemon's node routes serve (health, readiness, metrics, leave, join). */
const NODE_PATHS = Object.keys(nodeRoutes({ swim: { quorum: () => undefined }, registry: undefined, onLeave: () => {}, isReady: () => true, logger: console, maxBodyBytes: 1 } as unknown as NodeRouteOptions))

/**
 * Checks a swimd argument list: every `--flag` is in the flag table and every value is one
 * swimd accepts (files named by --cluster-key/--api-token are not read). Returns the pairs.
 */
function checkSwimdArgs (args: string[], env: Record<string, string> = {}, where = ''): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    assert.ok(match, `${where}: "${arg}" is not a --flag`)
    const name = match[1]
    assert.ok((FLAG_NAMES as string[]).includes(name), `${where}: --${name} is not a swimd flag (known: ${FLAG_NAMES.join(', ')})`)
    const value = match[2] ?? args[++i]
    assert.type(value, 'string', `${where}: --${name} has no value`)
    pairs.push([name, value])
  }
  for (const key of Object.keys(env)) assert.ok(ENV_NAMES.has(key), `${where}: ${key} is not a swimd environment variable`)
  const checkedArgs = pairs.flatMap(([name, value]) => [`--${name}`, FILE_FLAGS.has(name) ? STAND_IN[name] : value])
  const checkedEnv = Object.fromEntries(Object.entries(env).map(([key, value]) => {
    const flag = [...FILE_FLAGS].find((name) => envName(name) === key)
    return [key, flag != null ? STAND_IN[flag] : value]
  }))
  const result = parseDaemonArgs(checkedArgs, checkedEnv, { cwd: ROOT })
  assert.ok(result.ok, `${where}: swimd rejects ${JSON.stringify(checkedArgs)} ${JSON.stringify(checkedEnv)}: ${result.ok ? '' : result.message}`)
  if (result.ok) assert.is(result.action, 'run', where)
  lastConfig = result.ok && result.action === 'run' ? result.config : undefined
  return pairs
}

/** The configuration swimd would run with, from the last `checkSwimdArgs`. */
let lastConfig: import('../../src/daemon/config.ts').DaemonConfig | undefined

/**
 * The new defaults, for a deployment that runs a cluster across hosts: it has a cluster key
 * (so it listens beyond loopback without --insecure) and an API token (so an API beyond
 * loopback guards its reads; probes and scrapes use the open paths).
 */
function checkClusterConfig (where: string): void {
  const config = lastConfig
  assert.ok(config != null, where)
  assert.ok(config.clusterKey != null, `${where}: a cluster key`)
  assert.not.ok(config.insecure, `${where}: not --insecure`)
  assert.equal(config.listen, [CLUSTER_LISTEN], `${where}: listens beyond loopback, as the default with a key`)
  const apiBeyondLoopback = !/^(127\.|::1$|localhost$)/.test(config.api.host)
  if (apiBeyondLoopback) assert.ok(config.apiToken != null, `${where}: an API beyond loopback has its token from a secret`)
}

function values (pairs: Array<[string, string]>, name: string): string[] {
  return pairs.filter(([flag]) => flag === name).map(([, value]) => value)
}

type Obj = Record<string, YamlValue>
function obj (value: YamlValue | undefined, what: string): Obj {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what}: expected a mapping`)
  return value
}
function arr (value: YamlValue | undefined, what: string): YamlValue[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected a sequence`)
  return value
}
function strings (value: YamlValue | undefined, what: string): string[] {
  return arr(value, what).map((item) => {
    if (typeof item !== 'string') throw new Error(`${what}: expected strings`)
    return item
  })
}

// ---- Dockerfile ----

interface Instruction { op: string, args: string, stage: number }

function parseDockerfile (text: string): Instruction[] {
  const out: Instruction[] = []
  let stage = -1
  let pending = ''
  for (const line of text.split('\n')) {
    if (pending === '' && /^\s*#/.test(line)) continue
    if (pending !== '' && /^\s*#/.test(line)) continue
    const joined = pending + line
    if (/\\\s*$/.test(line)) {
      pending = joined.replace(/\\\s*$/, ' ')
      continue
    }
    pending = ''
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(joined)
    if (match == null) continue
    const op = match[1].toUpperCase()
    if (op === 'FROM') stage++
    out.push({ op, args: match[2].trim(), stage })
  }
  return out
}

const dockerfile = parseDockerfile(read('Dockerfile'))
const finalStage = Math.max(...dockerfile.map((i) => i.stage))
const runtime = dockerfile.filter((i) => i.stage === finalStage)
const one = (op: string): string => {
  const found = runtime.filter((i) => i.op === op)
  assert.is(found.length, 1, `Dockerfile: exactly one ${op} in the final stage`)
  return found[0].args
}
const dockerEnv: Record<string, string> = {}
for (const i of runtime.filter((i) => i.op === 'ENV')) {
  for (const match of i.args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) dockerEnv[match[1]] = match[2].replace(/^"|"$/g, '')
}
const entrypoint = JSON.parse(one('ENTRYPOINT')) as string[]
const cmd = JSON.parse(one('CMD')) as string[]
const workdir = one('WORKDIR')
const imageVolume = JSON.parse(one('VOLUME')) as string[]

test('Dockerfile: multi-stage on Node 22, npm ci then npm prune --omit=dev in the build stage', () => {
  const arg = dockerfile.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))
  // eslint-disable-next-line no-template-curly-in-string -- the Dockerfile's own ARG reference
  const froms = dockerfile.filter((i) => i.op === 'FROM').map((i) => i.args.replace('${NODE_IMAGE}', arg?.args.split('=')[1] ?? ''))
  assert.ok(froms.length >= 2, 'at least two stages')
  for (const from of froms) assert.match(from, /^node:22(\.\d+)*-(bookworm-slim|alpine)\b/)
  const build = dockerfile.filter((i) => i.stage < finalStage && i.op === 'RUN').map((i) => i.args).join('\n')
  const ci = build.indexOf('npm ci')
  const prune = build.indexOf('npm prune --omit=dev')
  assert.ok(ci >= 0 && prune > ci, 'npm ci, then npm prune --omit=dev')
  // Everything the build copies is let through the Dockerfile's own ignore file.
  const allowed = read('Dockerfile.dockerignore').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1))
  for (const copy of dockerfile.filter((i) => i.stage < finalStage && i.op === 'COPY')) {
    const sources = copy.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1)
    for (const source of sources) {
      assert.ok(allowed.includes(source), `${source} is let through Dockerfile.dockerignore`)
      assert.ok(existsSync(join(ROOT, source)), `${source} exists in the repository`)
    }
  }
  const copied = runtime.filter((i) => i.op === 'COPY' && i.args.includes('--from=build')).map((i) => i.args)
  for (const part of ['node_modules', 'dist', 'package.json']) assert.ok(copied.some((c) => c.includes(`/app/${part}`)), `runtime copies ${part}`)
  // The bundled daemon serves the live page from the package's src/daemon/page (page.ts
  // pageDir), which neither tsc nor the bundler copies into dist.
  assert.ok(copied.some((c) => /\/app\/src\/daemon\/page\s+\.\/src\/daemon\/page$/.test(c)), 'runtime copies the page files to src/daemon/page')
  assert.ok(existsSync(join(ROOT, 'src', 'daemon', 'page', 'app.js')), 'the page files exist in the repository')
})

test('Dockerfile: runs the package\'s swimd bin under tini, as a non-root user, SIGTERM to stop', () => {
  assert.is(workdir, '/app')
  assert.is(entrypoint[0], '/usr/bin/tini')
  assert.is(entrypoint[1], '--')
  assert.is(entrypoint[2], 'node')
  assert.is(posix.relative(workdir, entrypoint[3]), SWIMD_JS, 'ENTRYPOINT runs package.json bin.swimd')
  assert.equal(cmd, [], 'flags go in CMD / docker run arguments')
  checkSwimdArgs([...entrypoint.slice(4), ...cmd], {}, 'Dockerfile ENTRYPOINT')
  const user = one('USER')
  assert.not.ok(['root', '0', '0:0'].includes(user), 'non-root user')
  assert.is(one('STOPSIGNAL'), 'SIGTERM')
  assert.match(runtime.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n'), /install[^\n]*\btini\b/)
})

/** The image's SWIMD_* environment, which every container of the image starts with. */
function dockerSwimdEnv (): Record<string, string> {
  return Object.fromEntries(Object.entries(dockerEnv).filter(([key]) => key.startsWith('SWIMD_')))
}

test('Dockerfile: ports, API address, data volume and healthcheck match swimd\'s defaults', () => {
  const exposed = one('EXPOSE').split(/\s+/).map(Number)
  assert.equal(exposed.sort(), [LISTEN_PORT, API_PORT].sort())
  assert.is(dockerEnv[envName('api')], `0.0.0.0:${API_PORT}`, 'API on all interfaces, default port')
  assert.is(dockerEnv[envName('data-dir')], DATA_DIR)
  assert.equal(imageVolume, [DATA_DIR])
  const swimdEnv = Object.fromEntries(Object.entries(dockerEnv).filter(([key]) => key.startsWith('SWIMD_')))
  checkSwimdArgs([], swimdEnv, 'Dockerfile ENV')
  // With a cluster key the default listen address covers the exposed gossip port; without
  // one swimd keeps to the container's loopback (a lone node), as everywhere.
  assert.is(portOf(CLUSTER_LISTEN), LISTEN_PORT)
  assert.not.ok(envName('listen') in dockerEnv, 'the image leaves the listen default to the key')
  assert.ok(OPEN_PATHS.includes('/healthz'), 'the healthcheck needs no token')
  const healthcheck = one('HEALTHCHECK')
  assert.match(healthcheck, /CMD \["node", "-e", /)
  assert.ok(healthcheck.includes(`'127.0.0.1:${API_PORT}'`) && healthcheck.includes('process.env.SWIMD_API'), 'healthcheck fetches /healthz on SWIMD_API, else the default API port')
  assert.not.match(healthcheck, /curl|wget/)
  assert.ok(NODE_PATHS.includes('/healthz') && NODE_PATHS.includes('/readyz'), 'the API serves /healthz and /readyz')
})

test('Dockerfile: the healthcheck follows the API address in SWIMD_API (run against a real server)', async () => {
  const script = (JSON.parse(one('HEALTHCHECK').replace(/^[\s\S]*?CMD /, '')) as string[])[2]
  const server = createServer((req, res) => { res.writeHead(req.url === '/healthz' ? 200 : 404).end() })
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve) })
  const port = (server.address() as AddressInfo).port
  const check = async (api: string): Promise<number | null> => await new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, SWIMD_API: api }, stdio: 'ignore' })
    child.on('exit', (code) => { resolve(code) })
  })
  try {
    assert.is(await check(`0.0.0.0:${port}`), 0, 'a wildcard API address is checked on loopback')
    assert.is(await check(`127.0.0.1:${port}`), 0)
    server.close()
    assert.is(await check(`0.0.0.0:${port}`), 1, 'nothing listening: unhealthy')
  } finally {
    server.close()
  }
})

// ---- YAML files ----

const yamlFiles = [
  'compose.yaml',
  ...readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f)).map((f) => `kubernetes/${f}`)
]
const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0

test('every YAML file parses (and reads the same as PyYAML, when present)', () => {
  assert.ok(yamlFiles.length >= 6, 'compose.yaml and the Kubernetes manifests')
  if (!hasPyYaml) console.log('  note: python3 with PyYAML not found; YAML checked with the built-in subset parser only')
  for (const file of yamlFiles) {
    const documents = parseYamlDocuments(read(file))
    assert.ok(documents.length >= 1, `${file} has a document`)
    for (const document of documents) obj(document, file)
    if (hasPyYaml) {
      const py = spawnSync('python3', ['-c', 'import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]))', join(DEPLOY, file)], { encoding: 'utf8' })
      assert.is(py.status, 0, `PyYAML parses ${file}: ${py.stderr}`)
      assert.equal(JSON.parse(py.stdout), documents, `${file} reads the same in PyYAML`)
    }
  }
})

// ---- compose ----

const compose = obj(parseYaml(read('compose.yaml')), 'compose.yaml')
const services = obj(compose.services, 'services')
const nodes = ['swimd-1', 'swimd-2', 'swimd-3']

test('compose: three swimd nodes on one image; swimd-2 and swimd-3 seed on swimd-1 by DNS name', () => {
  const build = obj(obj(services['swimd-1'], 'swimd-1').build, 'build')
  assert.ok(existsSync(join(DEPLOY, String(build.context), String(build.dockerfile))), 'build points at deploy/Dockerfile')
  assert.is(resolve(DEPLOY, String(build.context), String(build.dockerfile)), join(DEPLOY, 'Dockerfile'))
  const image = obj(services['swimd-1'], 'swimd-1').image
  assert.is(image, `libp2p-swim/swimd:${pkg.version}`, 'image tag is the package version')
  for (const name of nodes) {
    const service = obj(services[name], name)
    assert.is(service.image, image, `${name} image`)
    assert.is(service.hostname, name)
    const env = obj(service.environment ?? {}, `${name}.environment`) as Record<string, string>
    const pairs = checkSwimdArgs(service.command == null ? [] : strings(service.command, name), { ...dockerSwimdEnv(), ...env }, `compose ${name}`)
    checkClusterConfig(`compose ${name}`)
    const seeds = values(pairs, 'seed')
    if (name === 'swimd-1') assert.equal(seeds, [], 'swimd-1 starts the cluster')
    else assert.equal(seeds, [`/dns4/swimd-1/tcp/${LISTEN_PORT}`], `${name} seeds on swimd-1`)
    assert.is(service.stop_signal, 'SIGTERM')
    const grace = /^(\d+)s$/.exec(String(service.stop_grace_period))
    assert.ok(grace != null && Number(grace[1]) > SWIMD_FORCED_EXIT_S, `${name} stop_grace_period above swimd's own ${SWIMD_FORCED_EXIT_S}s`)
  }
  // Only swimd-1's API is published, on the host's loopback, at the default port.
  assert.equal(obj(services['swimd-1'], 'swimd-1').ports, [`127.0.0.1:${API_PORT}:${API_PORT}`])
})

test('compose: a data volume per node at the image\'s data dir; cluster key and API token from secrets', () => {
  const volumes = obj(compose.volumes, 'volumes')
  const secrets = obj(compose.secrets, 'secrets')
  const used = new Set<string>()
  for (const name of nodes) {
    const service = obj(services[name], name)
    const mounts = strings(service.volumes, `${name}.volumes`)
    assert.is(mounts.length, 1)
    const [volume, target] = mounts[0].split(':')
    assert.is(target, DATA_DIR)
    assert.ok(Object.hasOwn(volumes, volume), `${volume} is a named volume`)
    assert.not.ok(used.has(volume), `${volume} belongs to one node`)
    used.add(volume)
    const env = obj(service.environment, `${name}.environment`)
    const serviceSecrets = strings(service.secrets, `${name}.secrets`)
    for (const flag of ['cluster-key', 'api-token']) {
      const path = String(env[envName(flag)])
      const secret = /^\/run\/secrets\/(.+)$/.exec(path)?.[1]
      assert.ok(secret != null && serviceSecrets.includes(secret) && Object.hasOwn(secrets, secret), `${name} --${flag} is a compose secret`)
    }
  }
  assert.equal(String(obj(secrets.cluster_key, 'cluster_key').file), './cluster.key')
})

test('compose: the watcher reaches swimd-1\'s API by its host name, with the token it now needs for reads', () => {
  const events = obj(services.events, 'events')
  const env = obj(events.environment ?? {}, 'events.environment') as Record<string, string>
  const secret = /^\/run\/secrets\/(.+)$/.exec(String(env[envName('api-token')]))?.[1]
  assert.ok(secret != null && strings(events.secrets, 'events.secrets').includes(secret), 'SWIMD_API_TOKEN names the api_token secret (the CLI reads it as swimd does)')
  const server = obj(services['swimd-1'], 'swimd-1')
  const serverSecret = /^\/run\/secrets\/(.+)$/.exec(String(obj(server.environment, 'env')[envName('api-token')]))?.[1]
  assert.is(secret, serverSecret, 'the same token as swimd-1')
  // swimd accepts its own host name as Host (DNS rebinding cannot use it); compose sets it
  const api = new URL(strings(events.command, 'events.command')[2])
  assert.is(api.hostname, server.hostname)
})

test('compose: membership-events watch follows swimd-1\'s API', () => {
  const events = obj(services.events, 'events')
  assert.is(events.image, obj(services['swimd-1'], 'swimd-1').image)
  const entry = strings(events.entrypoint, 'events.entrypoint')
  assert.equal(entry.slice(0, 3), ['/usr/bin/tini', '--', 'node'])
  assert.is(posix.relative(workdir, entry[3]), EVENTS_JS, 'runs package.json bin.membership-events')
  assert.equal(strings(events.command, 'events.command'), ['watch', '--api', `http://swimd-1:${API_PORT}`])
  const dependsOn = obj(obj(events.depends_on, 'depends_on')['swimd-1'], 'depends_on.swimd-1')
  assert.is(dependsOn.condition, 'service_healthy')
})

// ---- systemd ----

function parseUnit (text: string): Map<string, Array<[string, string]>> {
  const sections = new Map<string, Array<[string, string]>>()
  let current: Array<[string, string]> | undefined
  for (const line of text.split('\n')) {
    if (/^\s*([#;].*)?$/.test(line)) continue
    const section = /^\[(\w+)\]$/.exec(line)
    if (section != null) {
      current = []
      sections.set(section[1], current)
      continue
    }
    const entry = /^(\w+)=(.*)$/.exec(line)
    if (entry == null || current == null) throw new Error(`swimd.service: cannot read "${line}"`)
    current.push([entry[1], entry[2]])
  }
  return sections
}

const unitText = read('systemd/swimd.service')
const unit = parseUnit(unitText)
const service = unit.get('Service') ?? []
const directive = (key: string): string[] => service.filter(([k]) => k === key).map(([, v]) => v)
const single = (key: string): string | undefined => directive(key).at(-1)

test('systemd: simple service, restarts on failure, graceful stop on SIGTERM with time for the leave', () => {
  assert.is(single('Type'), 'simple')
  assert.is(single('Restart'), 'on-failure')
  assert.is(single('RestartPreventExitStatus'), '2', 'a config error (exit 2) is not retried')
  assert.is(single('KillSignal'), 'SIGTERM')
  const stop = /^(\d+)s$/.exec(single('TimeoutStopSec') ?? '')
  assert.ok(stop != null, 'TimeoutStopSec in seconds')
  assert.ok(Number(stop[1]) > SWIMD_FORCED_EXIT_S && Number(stop[1]) > LONGEST_LEAVE_S, 'TimeoutStopSec covers the graceful leave and swimd\'s own forced exit')
  assert.ok(unit.get('Install')?.some(([k, v]) => k === 'WantedBy' && v === 'multi-user.target'))
})

test('systemd: hardened, state in StateDirectory, cluster key as a credential', () => {
  const expected: Record<string, string> = {
    DynamicUser: 'yes',
    StateDirectory: 'swimd',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    NoNewPrivileges: 'yes',
    PrivateTmp: 'yes',
    PrivateDevices: 'yes',
    RestrictNamespaces: 'yes',
    RestrictSUIDSGID: 'yes',
    CapabilityBoundingSet: ''
  }
  for (const [key, value] of Object.entries(expected)) assert.is(single(key), value, key)
  const families = (single('RestrictAddressFamilies') ?? '').split(/\s+/)
  for (const family of ['AF_INET', 'AF_INET6', 'AF_UNIX', 'AF_NETLINK']) assert.ok(families.includes(family), family)
  assert.is.not(single('MemoryDenyWriteExecute'), 'yes', 'V8 needs W+X pages')

  const execStart = (single('ExecStart') ?? '').split(/\s+/)
  assert.match(execStart[0], /^\/.*\/swimd$/, 'absolute path of the swimd bin')
  const pairs = checkSwimdArgs(execStart.slice(1), {}, 'swimd.service ExecStart')
  checkClusterConfig('swimd.service ExecStart')
  assert.is(single('StateDirectoryMode'), '0700', 'a data dir no other user can write (swimd refuses one)')
  assert.equal(values(pairs, 'data-dir'), [`/var/lib/${single('StateDirectory')}`])
  assert.is(`/var/lib/${single('StateDirectory')}`, DATA_DIR)
  const key = values(pairs, 'cluster-key')
  assert.is(key.length, 1)
  const credential = /^%d\/(.+)$/.exec(key[0])?.[1]
  assert.ok(credential != null, '--cluster-key is in the credentials directory (%d)')
  assert.ok(directive('LoadCredential').some((v) => v.startsWith(`${credential}:/`)), `LoadCredential=${credential}:...`)
  assert.equal(directive('EnvironmentFile'), ['-/etc/swimd/swimd.env'])
})

test('systemd: swimd.env sets only swimd variables, with values swimd accepts', () => {
  const active: Record<string, string> = {}
  const all: Record<string, string> = {}
  for (const line of read('systemd/swimd.env').split('\n')) {
    const match = /^(#)?(SWIMD_[A-Z_]+)=(.*)$/.exec(line)
    if (match == null) {
      assert.ok(/^\s*(#.*)?$/.test(line), `swimd.env: unexpected line "${line}"`)
      continue
    }
    all[match[2]] = match[3]
    if (match[1] == null) active[match[2]] = match[3]
  }
  assert.ok(Object.keys(active).length > 0)
  // the unit's ExecStart (which gives the cluster key) runs with this environment
  const execStart = (single('ExecStart') ?? '').split(/\s+/).slice(1)
  checkSwimdArgs(execStart, active, 'swimd.env')
  checkClusterConfig('swimd.env')
  checkSwimdArgs(execStart, all, 'swimd.env (commented examples included)')
  checkClusterConfig('swimd.env (commented examples included)')
})

test('systemd: systemd-analyze verify', () => {
  const which = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' })
  if (which.status !== 0) {
    console.log('  note: systemd-analyze not found; skipping `systemd-analyze verify deploy/systemd/swimd.service`')
    return
  }
  // verify also checks that ExecStart's binary exists: point it at an executable that does.
  const dir = mkdtempSync(join(tmpdir(), 'swimd-unit-'))
  try {
    const path = join(dir, 'swimd.service')
    writeFileSync(path, unitText.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`))
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', path], { encoding: 'utf8' })
    assert.is(result.status, 0, `systemd-analyze verify: ${result.stderr}${result.stdout}`)
    assert.is(result.stderr.trim(), '', `systemd-analyze verify warnings: ${result.stderr}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

// ---- Kubernetes ----

const manifests = new Map(readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f)).map((f) => [f, parseYamlDocuments(readFileSync(join(K8S, f), 'utf8')).map((d) => obj(d, f))]))
function kind (k: string): Obj[] {
  return [...manifests.values()].flat().filter((d) => d.kind === k)
}
const statefulSet = kind('StatefulSet')[0]
const headless = kind('Service')[0]
const podSpec = obj(obj(obj(statefulSet.spec, 'spec').template, 'template').spec, 'pod spec')
const container = obj(arr(podSpec.containers, 'containers')[0], 'container')
const k8sArgs = checkSwimdArgs(strings(container.args, 'args'), {}, 'statefulset args')
const k8sConfig = lastConfig
const NAMESPACE = 'default'

test('kubernetes: kustomization lists every manifest but the example secrets, and applies no Secret', () => {
  const kustomization = obj(manifests.get('kustomization.yaml')?.[0], 'kustomization')
  const listed = strings(kustomization.resources, 'resources').sort()
  const files = [...manifests.keys()].filter((f) => f !== 'kustomization.yaml' && !f.includes('.example.')).sort()
  assert.equal(listed, files)
  assert.ok(files.includes('poddisruptionbudget.yaml'))
  assert.ok(manifests.has('secret.example.yaml'), 'the example secrets stay beside them, to copy from')
  for (const file of listed) {
    for (const doc of manifests.get(file) ?? []) assert.is.not(doc.kind, 'Secret', `${file} would apply a Secret with published values`)
  }
})

test('restart policies respect a deliberate leave: exit 0 stays down in compose and systemd', () => {
  for (const name of nodes) assert.is(obj(services[name], name).restart, 'on-failure', `${name}: restarted on a crash, not after leave`)
  assert.is(single('Restart'), 'on-failure', 'systemd restarts on failure only')
  // a StatefulSet allows only Always; the manifest says what leave means there
  assert.match(readFileSync(join(K8S, 'statefulset.yaml'), 'utf8'), /leave means leave and rejoin[\s\S]*scale the StatefulSet down/)
})

test('kubernetes: headless service publishing not-ready addresses, on swimd\'s ports', () => {
  const spec = obj(headless.spec, 'service spec')
  assert.is(spec.clusterIP, 'None')
  assert.is(spec.publishNotReadyAddresses, true)
  const ports = arr(spec.ports, 'ports').map((p) => obj(p, 'port'))
  assert.equal(ports.map((p) => [p.name, p.port]), [['gossip', LISTEN_PORT], ['api', API_PORT]])
  const containerPorts = arr(container.ports, 'container ports').map((p) => obj(p, 'port'))
  assert.equal(containerPorts.map((p) => [p.name, p.containerPort]), [['gossip', LISTEN_PORT], ['api', API_PORT]])
  const labels = obj(obj(obj(obj(statefulSet.spec, 'spec').template, 't').metadata, 'm').labels, 'labels')
  for (const [key, value] of Object.entries(obj(spec.selector, 'selector'))) assert.is(labels[key], value, 'service selects the pods')
  assert.is(obj(statefulSet.spec, 'spec').serviceName, obj(headless.metadata, 'metadata').name)
})

test('kubernetes: seeds are the headless service\'s DNS names; API where the probes look', () => {
  const svc = String(obj(headless.metadata, 'metadata').name)
  const seeds = values(k8sArgs, 'seed')
  assert.ok(seeds.includes(`/dns4/${svc}.${NAMESPACE}.svc.cluster.local/tcp/${LISTEN_PORT}`), 'seed on the headless service name')
  for (const seed of seeds) assert.match(seed, new RegExp(`^/dns4/([a-z0-9-]+\\.)?${svc}\\.${NAMESPACE}\\.svc\\.cluster\\.local/tcp/${LISTEN_PORT}$`))
  assert.is(obj(statefulSet.spec, 'spec').podManagementPolicy, 'Parallel')
  assert.equal(values(k8sArgs, 'api'), [`0.0.0.0:${API_PORT}`])
  const readiness = obj(obj(container.readinessProbe, 'readinessProbe').httpGet, 'httpGet')
  const liveness = obj(obj(container.livenessProbe, 'livenessProbe').httpGet, 'httpGet')
  assert.equal([readiness.path, readiness.port], ['/readyz', 'api'])
  assert.equal([liveness.path, liveness.port], ['/healthz', 'api'])
  assert.is(container.image, obj(services['swimd-1'], 'swimd-1').image, 'same image as compose')
})

test('kubernetes: data dir on a volume claim per pod; key and token from the example secrets', () => {
  const mounts = arr(container.volumeMounts, 'volumeMounts').map((m) => obj(m, 'mount'))
  const claims = arr(obj(statefulSet.spec, 'spec').volumeClaimTemplates, 'volumeClaimTemplates').map((c) => String(obj(obj(c, 'claim').metadata, 'm').name))
  const dataDir = values(k8sArgs, 'data-dir')
  assert.equal(dataDir, [DATA_DIR])
  const dataMount = mounts.find((m) => m.mountPath === DATA_DIR)
  assert.ok(dataMount != null && claims.includes(String(dataMount.name)), 'data dir is a volumeClaimTemplate')
  const volumes = arr(podSpec.volumes, 'volumes').map((v) => obj(v, 'volume'))
  const secrets = kind('Secret')
  for (const flag of ['cluster-key', 'api-token']) {
    const [path] = values(k8sArgs, flag)
    const mount = mounts.find((m) => path.startsWith(`${String(m.mountPath)}/`))
    assert.ok(mount != null, `--${flag} is on a mounted volume`)
    const volume = volumes.find((v) => v.name === mount.name)
    const secretName = obj(volume?.secret, `${flag} volume`).secretName
    const secret = secrets.find((s) => obj(s.metadata, 'm').name === secretName)
    assert.ok(secret != null, `secret ${String(secretName)} is in secret.yaml`)
    const data = obj(secret.stringData, 'stringData')
    const key = posix.relative(String(mount.mountPath), path)
    assert.type(data[key], 'string', `secret ${String(secretName)} has key ${key}`)
    if (flag === 'cluster-key') assert.is(clusterKeyProblem(new TextEncoder().encode(String(data[key]))), undefined, 'the example key is in swimd\'s format')
  }
})

test('kubernetes: under the new defaults: key and token from secrets, probes and scrapes on open paths, files swimd accepts', () => {
  lastConfig = k8sConfig
  checkClusterConfig('statefulset args')
  assert.equal(k8sConfig?.api, { host: '0.0.0.0', port: API_PORT }, 'the API where probes and Prometheus look')
  for (const probe of ['readinessProbe', 'livenessProbe']) {
    const path = String(obj(obj(container[probe], probe).httpGet, 'httpGet').path)
    assert.ok(OPEN_PATHS.includes(path), `${probe} ${path} needs no token`)
  }
  const annotations = obj(obj(obj(obj(statefulSet.spec, 'spec').template, 't').metadata, 'm').annotations, 'annotations')
  assert.ok(OPEN_PATHS.includes(String(annotations['prometheus.io/path'])), 'the scrape needs no token')
  // Secret files are root's, group fsGroup: group-readable is fine, others-readable is refused
  for (const volume of arr(podSpec.volumes, 'volumes').map((v) => obj(v, 'volume'))) {
    if (volume.secret == null) continue
    const mode = Number(obj(volume.secret, 'secret').defaultMode)
    assert.is(mode & 0o007, 0, `${String(volume.name)} defaultMode ${mode.toString(8)} hides the secret from others`)
  }
  // kubelet would otherwise add group rw to the data volume's files at every mount, and swimd
  // refuses a peer.key readable by its group
  assert.is(obj(podSpec.securityContext, 'pod securityContext').fsGroupChangePolicy, 'OnRootMismatch')
})

test('kubernetes: resources, graceful termination, disruption budget', () => {
  const resources = obj(container.resources, 'resources')
  assert.equal(resources.requests, { cpu: '20m', memory: '96Mi' })
  assert.equal(resources.limits, { memory: '192Mi' })
  const grace = Number(podSpec.terminationGracePeriodSeconds)
  assert.ok(grace > SWIMD_FORCED_EXIT_S && grace > LONGEST_LEAVE_S, 'grace period covers the leave and swimd\'s forced exit')
  assert.is(container.lifecycle, undefined, 'SIGTERM is the graceful path (no preStop)')
  const pdb = kind('PodDisruptionBudget')[0]
  const pdbSpec = obj(pdb.spec, 'pdb spec')
  assert.is(pdbSpec.maxUnavailable, 1)
  const labels = obj(obj(obj(obj(statefulSet.spec, 'spec').template, 't').metadata, 'm').labels, 'labels')
  for (const [key, value] of Object.entries(obj(obj(pdbSpec.selector, 's').matchLabels, 'matchLabels'))) assert.is(labels[key], value)
  const security = obj(container.securityContext, 'securityContext')
  assert.is(security.allowPrivilegeEscalation, false)
  assert.is(security.readOnlyRootFilesystem, true)
  assert.is(obj(podSpec.securityContext, 'pod securityContext').runAsNonRoot, true)
})

test('every flag in every deployment is one swimd has', () => {
  // The per-file tests check each list; this one makes sure none of them was empty by mistake.
  const used = new Set([
    ...k8sArgs.map(([name]) => name),
    ...(single('ExecStart') ?? '').split(/\s+/).filter((a) => a.startsWith('--')).map((a) => a.slice(2)),
    ...strings(obj(services['swimd-2'], 'swimd-2').command, 'command').filter((a) => a.startsWith('--')).map((a) => a.slice(2))
  ])
  for (const name of used) assert.ok((FLAG_NAMES as string[]).includes(name), `--${name}`)
  for (const name of ['seed', 'data-dir', 'cluster-key', 'api', 'api-token']) assert.ok(used.has(name), `--${name} is exercised`)
  assert.not.ok(FLAGS['data-dir'].default.startsWith('/'), 'the default data dir is relative, so every deployment sets it')
})

test.run()
