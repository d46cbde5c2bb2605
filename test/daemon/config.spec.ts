import { chmodSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FLAGS, envName, parseDaemonArgs, runCommandLine } from '../../src/daemon/config.ts'
import { clusterKeyProblem, generateClusterKey } from '../../src/daemon/keygen.ts'
import { Collector } from './wait.ts'
import { configOf, errorOf } from './config-result.ts'

const dir = mkdtempSync(join(tmpdir(), 'swimd-config-'))
const PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

test.after(() => { rmSync(dir, { recursive: true, force: true }) })

/** Secrets are written private to their owner, as swimd requires. */
function writeSecret (path: string, value: string | Uint8Array): void {
  writeFileSync(path, value, { mode: 0o600 })
  chmodSync(path, 0o600)
}

function writeJson (name: string, value: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}

test('parseDaemonArgs uses the documented defaults when nothing is set', () => {
  const config = configOf(parseDaemonArgs([], {}, { cwd: dir }))
  assert.equal(config.listen, ['/ip4/127.0.0.1/tcp/7946'], 'loopback without a cluster key')
  assert.equal(config.announce, [])
  assert.equal(config.seeds, [])
  assert.equal(config.api, { host: '127.0.0.1', port: 7947 })
  assert.is(config.dataDir, join(dir, '.swimd'))
  assert.equal(config.meta, {})
  assert.is(config.profile, 'lan')
  assert.is(config.logLevel, 'info')
  assert.is(config.apiToken, undefined)
  assert.is(config.clusterKey, undefined)
})

test('flags win over the environment, and the environment over the config file', () => {
  const file = writeJson('precedence.json', {
    listen: ['/ip4/0.0.0.0/tcp/1000'],
    profile: 'wan',
    'log-level': 'warn',
    meta: { zone: 'file' },
    api: '127.0.0.1:1000'
  })
  const env = {
    SWIMD_CONFIG: file,
    SWIMD_LISTEN: '/ip4/0.0.0.0/tcp/2000',
    SWIMD_PROFILE: 'local',
    SWIMD_META: 'zone=env',
    SWIMD_INSECURE: 'true'
  }
  const config = configOf(parseDaemonArgs(['--listen', '/ip4/0.0.0.0/tcp/3000', '--meta', 'zone=flag'], env, { cwd: dir }))
  assert.equal(config.listen, ['/ip4/0.0.0.0/tcp/3000'], 'flag beats env and file')
  assert.equal(config.meta, { zone: 'flag' }, 'flag beats env and file')
  assert.is(config.profile, 'local', 'env beats file')
  assert.is(config.logLevel, 'warn', 'file beats default')
  assert.equal(config.api, { host: '127.0.0.1', port: 1000 }, 'file beats default')
  assert.is(config.configFile, file)
})

test('--datagram takes a UDP multiaddr or off, and names the flag when it is neither', () => {
  assert.is(configOf(parseDaemonArgs([], {}, { cwd: dir })).datagram, undefined)
  assert.is(configOf(parseDaemonArgs(['--datagram', '/ip4/0.0.0.0/udp/7946'], {}, { cwd: dir })).datagram, '/ip4/0.0.0.0/udp/7946')
  assert.is(configOf(parseDaemonArgs(['--datagram', 'off'], {}, { cwd: dir })).datagram, false)
  assert.is(configOf(parseDaemonArgs([], { SWIMD_DATAGRAM: 'off' }, { cwd: dir })).datagram, false)
  assert.match(errorOf(parseDaemonArgs(['--datagram', '/ip4/0.0.0.0/tcp/7946'], {}, { cwd: dir })), /datagram/)
})

test('the --config flag wins over SWIMD_CONFIG', () => {
  const a = writeJson('a.json', { profile: 'wan' })
  const b = writeJson('b.json', { profile: 'local' })
  assert.is(configOf(parseDaemonArgs(['--config', b], { SWIMD_CONFIG: a }, { cwd: dir })).profile, 'local')
})

test('repeatable flags collect every occurrence and take comma-separated lists from the environment', () => {
  const fromFlags = configOf(parseDaemonArgs(['--seed', `/ip4/10.0.0.1/tcp/7946/p2p/${PEER}`, '--seed', '/dns4/seed.example.com/tcp/7946'], {}, { cwd: dir }))
  assert.equal(fromFlags.seeds, [`/ip4/10.0.0.1/tcp/7946/p2p/${PEER}`, '/dns4/seed.example.com/tcp/7946'])
  const fromEnv = configOf(parseDaemonArgs([], { SWIMD_SEED: '/ip4/10.0.0.1/tcp/7946, /ip4/10.0.0.2/tcp/7946', SWIMD_META: 'role=api,zone=b' }, { cwd: dir }))
  assert.equal(fromEnv.seeds, ['/ip4/10.0.0.1/tcp/7946', '/ip4/10.0.0.2/tcp/7946'])
  assert.equal(fromEnv.meta, { role: 'api', zone: 'b' })
})

test('the config file takes a repeatable flag as a string, an array, or for meta an object', () => {
  const file = writeJson('shapes.json', { seed: '/ip4/10.0.0.1/tcp/7946', announce: ['/ip4/203.0.113.7/tcp/7946'], meta: ['a=1', 'b=x=y'] })
  const config = configOf(parseDaemonArgs(['--config', file], {}, { cwd: dir }))
  assert.equal(config.seeds, ['/ip4/10.0.0.1/tcp/7946'])
  assert.equal(config.announce, ['/ip4/203.0.113.7/tcp/7946'])
  assert.equal(config.meta, { a: '1', b: 'x=y' })
})

test('an empty environment variable counts as unset', () => {
  assert.is(configOf(parseDaemonArgs([], { SWIMD_PROFILE: '' }, { cwd: dir })).profile, 'lan')
})

test('relative paths in the config file are resolved against the file\'s directory', () => {
  const sub = join(dir, 'etc')
  mkdirSync(sub, { recursive: true })
  writeSecret(join(sub, 'token'), 'secret-token\n')
  const file = join(sub, 'swimd.json')
  writeFileSync(file, JSON.stringify({ 'data-dir': 'state', 'api-token': 'token' }))
  const config = configOf(parseDaemonArgs(['--config', file], {}, { cwd: '/' }))
  assert.is(config.dataDir, join(sub, 'state'))
  assert.is(config.apiTokenFile, join(sub, 'token'))
  assert.is(config.apiToken, 'secret-token')
})

const BAD_INPUTS: Array<{ argv: string[], env?: Record<string, string>, expect: string }> = [
  { argv: ['--listen', 'abc'], expect: 'Invalid --listen "abc": not a multiaddr (expected e.g. /ip4/0.0.0.0/tcp/7946)' },
  { argv: ['--listen', '/ip4/0.0.0.0/tcp/99999'], expect: 'Invalid --listen "/ip4/0.0.0.0/tcp/99999": not a multiaddr' },
  { argv: ['--announce', 'localhost:1'], expect: 'Invalid --announce "localhost:1": not a multiaddr' },
  { argv: ['--seed', '/ip4/10.0.0.1/tcp/7946/p2p/notapeer'], expect: 'Invalid --seed "/ip4/10.0.0.1/tcp/7946/p2p/notapeer": "notapeer" is not a PeerId' },
  { argv: ['--api', 'localhost'], expect: 'Invalid --api "localhost": not HOST:PORT (expected e.g. 127.0.0.1:7947' },
  { argv: ['--api', '127.0.0.1:70000'], expect: 'Invalid --api "127.0.0.1:70000": port 70000 is out of range 0-65535' },
  { argv: ['--meta', 'novalue'], expect: 'Invalid --meta "novalue": not K=V (expected e.g. role=api)' },
  { argv: ['--meta', 'note=a\tb'], expect: 'Invalid --meta "note=a\\tb": holds a control character (newline, tab, ESC...), which no member accepts in metadata' },
  { argv: ['--profile', 'fast'], expect: 'Invalid --profile "fast": expected one of lan, wan, local' },
  { argv: ['--log-level', 'loud'], expect: 'Invalid --log-level "loud": expected one of fatal, error, warn, info, debug, trace, silent' },
  { argv: [], env: { SWIMD_LISTEN: '/ip4/0.0.0.0/tcp/1,nope' }, expect: 'Invalid --listen "nope" (from SWIMD_LISTEN): not a multiaddr' },
  { argv: [], env: { SWIMD_PROFILE: 'fast' }, expect: 'Invalid --profile "fast" (from SWIMD_PROFILE): expected one of' }
]

for (const { argv, env, expect } of BAD_INPUTS) {
  test(`a bad value (${[...argv, ...Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`)].join(' ')}) is rejected with a message naming the field and the value`, () => {
    const message = errorOf(parseDaemonArgs(argv, env ?? {}, { cwd: dir }))
    assert.ok(message.startsWith(expect), `message was: ${message}`)
  })
}

test('a bad value from the config file names the file', () => {
  const file = writeJson('bad-value.json', { profile: 'fast' })
  const message = errorOf(parseDaemonArgs(['--config', file], {}, { cwd: dir }))
  assert.is(message, `Invalid --profile "fast" (from config file "${file}"): expected one of lan, wan, local`)
})

test('a config file value of the wrong JSON type is rejected naming the key', () => {
  const file = writeJson('wrong-type.json', { listen: 42 })
  const message = errorOf(parseDaemonArgs(['--config', file], {}, { cwd: dir }))
  assert.is(message, `Invalid "listen" in config file "${file}": expected a string or an array of strings, got 42`)
})

test('an unknown key in the config file is rejected, with the flag spelling when it is a camelCase flag', () => {
  const camel = writeJson('camel.json', { dataDir: '/tmp/x' })
  assert.is(errorOf(parseDaemonArgs(['--config', camel], {}, { cwd: dir })), `Unknown key "dataDir" in config file "${camel}": use "data-dir"`)
  const typo = writeJson('typo.json', { seeds: ['/ip4/10.0.0.1/tcp/1'] })
  assert.is(errorOf(parseDaemonArgs(['--config', typo], {}, { cwd: dir })), `Unknown key "seeds" in config file "${typo}": did you mean "seed"?`)
  const other = writeJson('other.json', { colour: 'blue' })
  assert.match(errorOf(parseDaemonArgs(['--config', other], {}, { cwd: dir })), `Unknown key "colour" in config file "${other}": known keys are listen, announce, seed`)
})

test('a config file that is missing, not JSON, or not an object is rejected', () => {
  assert.is(errorOf(parseDaemonArgs(['--config', join(dir, 'missing.json')], {}, { cwd: dir })), `Cannot read config file "${join(dir, 'missing.json')}": no such file`)
  const broken = writeJson('broken.json', '{ "listen": ')
  assert.match(errorOf(parseDaemonArgs(['--config', broken], {}, { cwd: dir })), `Cannot parse config file "${broken}": `)
  const array = writeJson('array.json', ['--listen'])
  assert.match(errorOf(parseDaemonArgs(['--config', array], {}, { cwd: dir })), 'expected a JSON object of flag values')
})

test('unknown SWIMD_ variables produce a warning, not an error', () => {
  const result = parseDaemonArgs([], { SWIMD_SEEDS: '/ip4/10.0.0.1/tcp/1', HOME: '/root' }, { cwd: dir })
  assert.ok(result.ok && result.action === 'run')
  assert.equal(result.warnings, ['Ignoring unknown environment variable SWIMD_SEEDS (did you mean SWIMD_SEED?)'])
})

test('the --api-token file is read and trimmed; a missing or empty file is rejected', () => {
  writeSecret(join(dir, 'token'), '  s3cret\n')
  assert.is(configOf(parseDaemonArgs(['--api-token', 'token'], {}, { cwd: dir })).apiToken, 's3cret')
  assert.is(errorOf(parseDaemonArgs(['--api-token', 'nope'], {}, { cwd: dir })), `Cannot read --api-token file "${join(dir, 'nope')}": no such file`)
  writeSecret(join(dir, 'empty-token'), '\n')
  assert.match(errorOf(parseDaemonArgs(['--api-token', 'empty-token'], {}, { cwd: dir })), 'the file is empty')
})

test('the --cluster-key file must be a libp2p pre-shared key, like the one keygen writes', () => {
  const key = generateClusterKey()
  writeSecret(join(dir, 'cluster.key'), key)
  assert.equal(configOf(parseDaemonArgs(['--cluster-key', 'cluster.key'], {}, { cwd: dir })).clusterKey, new Uint8Array(key))
  writeSecret(join(dir, 'bad.key'), 'not a key')
  const message = errorOf(parseDaemonArgs(['--cluster-key', 'bad.key'], {}, { cwd: dir }))
  assert.ok(message.startsWith(`Invalid --cluster-key "${join(dir, 'bad.key')}": not a libp2p pre-shared key`), message)
  assert.match(message, 'swimd keygen')
})

test('without a cluster key swimd listens on loopback; with one, on every interface', () => {
  assert.equal(configOf(parseDaemonArgs([], {}, { cwd: dir })).listen, ['/ip4/127.0.0.1/tcp/7946'])
  writeSecret(join(dir, 'default.key'), generateClusterKey())
  assert.equal(configOf(parseDaemonArgs(['--cluster-key', 'default.key'], {}, { cwd: dir })).listen, ['/ip4/0.0.0.0/tcp/7946'])
  assert.equal(configOf(parseDaemonArgs([], { SWIMD_CLUSTER_KEY: join(dir, 'default.key') }, { cwd: dir })).listen, ['/ip4/0.0.0.0/tcp/7946'])
})

test('listening beyond loopback without a cluster key is refused unless --insecure, and the message says how to make a key', () => {
  for (const listen of ['/ip4/0.0.0.0/tcp/7946', '/ip4/10.1.2.3/tcp/0', '/ip6/::/tcp/7946', '/dns4/example.com/tcp/7946']) {
    const message = errorOf(parseDaemonArgs(['--listen', listen], {}, { cwd: dir }))
    assert.ok(message.startsWith(`Refusing to listen on ${listen} without a cluster key`), message)
    assert.match(message, 'swimd keygen > cluster.key')
    assert.match(message, '--insecure')
  }
  assert.match(errorOf(parseDaemonArgs([], { SWIMD_LISTEN: '/ip4/0.0.0.0/tcp/1' }, { cwd: dir })), '(from SWIMD_LISTEN)')
  assert.equal(configOf(parseDaemonArgs(['--listen', '/ip4/0.0.0.0/tcp/1', '--insecure'], {}, { cwd: dir })).insecure, true)
  assert.equal(configOf(parseDaemonArgs(['--listen', '/ip4/0.0.0.0/tcp/1'], { SWIMD_INSECURE: '1' }, { cwd: dir })).listen, ['/ip4/0.0.0.0/tcp/1'])
  const file = writeJson('insecure.json', { listen: '/ip4/0.0.0.0/tcp/1', insecure: true })
  assert.is(configOf(parseDaemonArgs(['--config', file], {}, { cwd: dir })).insecure, true)
  assert.match(errorOf(parseDaemonArgs([], { SWIMD_INSECURE: 'maybe' }, { cwd: dir })), 'Invalid --insecure "maybe" (from SWIMD_INSECURE): expected true or false')
  assert.equal(configOf(parseDaemonArgs(['--listen', '/ip4/127.0.0.5/tcp/0', '--listen', '/ip6/::1/tcp/0'], {}, { cwd: dir })).insecure, false)
})

test('--allow-peer takes PeerIds and --allow-cidr networks; anything else is a usage error', () => {
  const config = configOf(parseDaemonArgs(['--allow-peer', PEER, '--allow-cidr', '10.0.0.0/8', '--allow-cidr', 'fd00::/8'], {}, { cwd: dir }))
  assert.equal(config.allowPeers, [PEER])
  assert.equal(config.allowCidrs, ['10.0.0.0/8', 'fd00::/8'])
  assert.match(errorOf(parseDaemonArgs(['--allow-peer', 'bob'], {}, { cwd: dir })), 'Invalid --allow-peer "bob": not a PeerId')
  assert.match(errorOf(parseDaemonArgs(['--allow-cidr', '10.0.0.0'], {}, { cwd: dir })), 'Invalid --allow-cidr "10.0.0.0": not a network')
  assert.match(errorOf(parseDaemonArgs(['--allow-cidr', '10.0.0.0/33'], {}, { cwd: dir })), 'prefix /33 is too long for an IPv4 address')
})

test('API limits, names and TLS files: defaults, validation, cert and key only together', () => {
  const config = configOf(parseDaemonArgs([], {}, { cwd: dir }))
  assert.equal(config.apiLimits, { maxConnections: 256, maxStreams: 64, headersTimeoutMs: 10000, requestTimeoutMs: 30000 })
  assert.equal(config.apiHosts, [])
  assert.equal(configOf(parseDaemonArgs(['--api-host', 'Swimd.Example', '--api-max-streams', '3'], {}, { cwd: dir })).apiHosts, ['swimd.example'])
  assert.match(errorOf(parseDaemonArgs(['--api-max-connections', '0'], {}, { cwd: dir })), 'Invalid --api-max-connections "0": expected a whole number of at least 1')
  assert.match(errorOf(parseDaemonArgs(['--api-host', 'http://x'], {}, { cwd: dir })), 'Invalid --api-host "http://x"')
  writeFileSync(join(dir, 'api.crt'), 'cert')
  assert.match(errorOf(parseDaemonArgs(['--api-cert', 'api.crt'], {}, { cwd: dir })), 'Invalid --api-cert: it needs --api-key too')
  writeFileSync(join(dir, 'api.key'), 'key', { mode: 0o644 })
  chmodSync(join(dir, 'api.key'), 0o644)
  assert.match(errorOf(parseDaemonArgs(['--api-cert', 'api.crt', '--api-key', 'api.key'], {}, { cwd: dir })), `Fix it with: chmod 600 ${join(dir, 'api.key')}`)
  chmodSync(join(dir, 'api.key'), 0o600)
  const tls = configOf(parseDaemonArgs(['--api-cert', 'api.crt', '--api-key', 'api.key'], {}, { cwd: dir })).apiTls
  assert.is(tls?.cert.toString(), 'cert')
  assert.is(tls?.key.toString(), 'key')
})

test('a token or cluster-key file others can read is refused with the chmod that fixes it', () => {
  for (const [flag, name, content] of [['--api-token', 'open-token', 'tok'], ['--cluster-key', 'open.key', generateClusterKey()]] as const) {
    const path = join(dir, name)
    for (const mode of [0o644, 0o640, 0o604]) {
      writeFileSync(path, content)
      chmodSync(path, mode)
      const message = errorOf(parseDaemonArgs([flag, name], {}, { cwd: dir }))
      assert.ok(message.startsWith(`Refusing ${flag} file: "${path}" is readable by others (mode ${mode.toString(8)})`), message)
      assert.ok(message.endsWith(`Fix it with: chmod 600 ${path}`), message)
    }
    chmodSync(path, 0o400)
    assert.ok(parseDaemonArgs([flag, name], {}, { cwd: dir }).ok, `${flag} with mode 400`)
  }
})

test('keygen output is a PSK v1 key, different each time', () => {
  const a = new TextDecoder().decode(generateClusterKey())
  const b = new TextDecoder().decode(generateClusterKey())
  assert.match(a, /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
  assert.is.not(a, b)
  assert.is(clusterKeyProblem(new TextEncoder().encode(a)), undefined)
})

test('--cluster names the cluster (default "default"); a bad name is a usage error naming the rule', () => {
  assert.is(configOf(parseDaemonArgs([], {}, { cwd: dir })).cluster, 'default')
  assert.is(configOf(parseDaemonArgs(['--cluster', 'payments-eu'], {}, { cwd: dir })).cluster, 'payments-eu')
  assert.is(configOf(parseDaemonArgs([], { SWIMD_CLUSTER: 'c2' }, { cwd: dir })).cluster, 'c2')
  assert.match(errorOf(parseDaemonArgs(['--cluster', 'a/b'], {}, { cwd: dir })), /--cluster.*letters, digits/)
})

test('an unknown flag, a missing flag value and an unknown command are usage errors', () => {
  assert.ok(errorOf(parseDaemonArgs(['--nope'], {})).startsWith('Unknown option "--nope"'))
  assert.ok(errorOf(parseDaemonArgs(['--listen'], {})).startsWith('Option "--listen <MULTIADDR>" argument missing'))
  assert.ok(errorOf(parseDaemonArgs(['start'], {})).startsWith('Unknown command "start"'))
})

test('runCommandLine prints a bad flag\'s message on stderr and exits 2', () => {
  const stdout = new Collector()
  const stderr = new Collector()
  const result = runCommandLine(['--listen', 'abc'], {}, { stdout, stderr })
  assert.equal(result, { exitCode: 2 })
  assert.is(stdout.text, '')
  assert.is(stderr.text, 'Invalid --listen "abc": not a multiaddr (expected e.g. /ip4/0.0.0.0/tcp/7946)\n')
})

test('runCommandLine prints help naming every flag with its default and env name, and exits 0', () => {
  const stdout = new Collector()
  const result = runCommandLine(['--help'], {}, { stdout, stderr: new Collector() })
  assert.equal(result, { exitCode: 0 })
  const help = stdout.text.replace(/\s+/g, ' ')
  for (const [name, spec] of Object.entries(FLAGS)) {
    assert.match(help, 'boolean' in spec ? `--${name} ` : `--${name} <`)
    assert.match(help, envName(name))
    const defaultText = 'defaultText' in spec ? spec.defaultText : 'default' in spec ? spec.default : 'none'
    assert.match(help, `default: ${defaultText}`)
  }
  assert.match(help, 'keygen')
})

test('runCommandLine writes a new cluster key for swimd keygen and exits 0', () => {
  const chunks: Array<string | Uint8Array> = []
  const result = runCommandLine(['keygen'], {}, { stdout: { write: (chunk) => chunks.push(chunk) }, stderr: new Collector() })
  assert.equal(result, { exitCode: 0 })
  assert.is(chunks.length, 1)
  assert.is(clusterKeyProblem(chunks[0] as Uint8Array), undefined)
})

test('runCommandLine hands back the config to run with', () => {
  const result = runCommandLine(['--profile', 'wan'], {}, { stdout: new Collector(), stderr: new Collector() })
  assert.ok('config' in result)
  assert.is(result.config.profile, 'wan')
})

test.run()
