/**
 * swimd's secure defaults with real daemons on loopback, one test per attack that used to
 * work: an open keyless cluster, outsiders joining an allow-listed one, cross-site and DNS
 * rebinding requests, an API beyond loopback without a token, idle clients, terminal
 * injection, world-readable secrets and a writable data dir, and a corrupted cache.
 */
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { loadOrCreatePrivateKey } from '../../src/daemon/data-dir.ts'
import { killAll, run, start, startDaemon, tempDir, waitFor } from './processes.ts'
import type { Daemon, Proc } from './processes.ts'

interface ApiMember { id: string, state: string, meta: Record<string, string>, addrs: string[] }

async function membersOf (daemon: Daemon, token?: string): Promise<ApiMember[]> {
  const res = await fetch(`${daemon.api}/v1/members`, { headers: token != null ? { authorization: `Bearer ${token}` } : {} })
  if (res.status !== 200) throw new Error(`GET /v1/members: ${res.status}`)
  return ((await res.json()) as { members: ApiMember[] }).members
}

const aliveIds = async (daemon: Daemon): Promise<string[]> => (await membersOf(daemon)).filter((m) => m.state === 'alive').map((m) => m.id).sort()

/** A raw HTTP exchange, so that Host and the browser headers can be set as an attacker would. */
async function raw (daemon: Daemon, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number, body: string }> {
  const url = new URL(daemon.api)
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: url.port, method, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: text }) })
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function exited (proc: Proc, timeout = 30_000): Promise<number | null> {
  const timer = setTimeout(() => { proc.child.kill('SIGKILL') }, timeout)
  const { code } = await proc.exited
  clearTimeout(timer)
  return code
}

/** A data dir whose private key (so PeerId) exists before the daemon starts. */
async function identity (): Promise<{ dir: string, id: string }> {
  const dir = join(await tempDir('swimd-sec-'), 'data')
  const { privateKey } = await loadOrCreatePrivateKey(dir)
  return { dir, id: peerIdFromPrivateKey(privateKey).toString() }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/
/** Characters that reorder or split a line in a terminal: bidi overrides, isolates, separators. */
const REORDERING = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/

// ---------------------------------------------------------------------------------------------
const closed = suite('a closed cluster by default')
closed.after(async () => { await killAll() })

closed('a keyless daemon refuses to listen beyond loopback without --insecure, and says how to make a key', async () => {
  const dir = await tempDir()
  const refused = await run('swimd', ['--listen', '/ip4/0.0.0.0/tcp/0', '--api', '127.0.0.1:0', '--data-dir', dir])
  assert.is(refused.code, 2, refused.stderr)
  assert.match(refused.stderr, 'Refusing to listen on /ip4/0.0.0.0/tcp/0 without a cluster key')
  assert.match(refused.stderr, 'swimd keygen > cluster.key')
  assert.match(refused.stderr, '--insecure')
  const open = await startDaemon(join(dir, 'open'), ['--listen', '/ip4/0.0.0.0/tcp/0', '--insecure'])
  assert.ok(open.addrs.length > 0)
  await waitFor('the warning about an open cluster', () => open.proc.stderr().includes('without --cluster-key (--insecure)'))
})

closed('an allow-listed cluster refuses an outsider: its connections and so its messages', async () => {
  const a = await identity()
  const b = await identity()
  const allow = ['--allow-peer', a.id, '--allow-peer', b.id]
  const first = await startDaemon(a.dir, allow)
  const second = await startDaemon(b.dir, [...allow, '--seed', first.addrs[0]])
  const outsider = await startDaemon((await identity()).dir, ['--seed', first.addrs[0]])
  await waitFor('the two allowed members to see each other', async () => (await aliveIds(first)).length === 2 && (await aliveIds(second)).length === 2, 30_000, 200)
  // the outsider keeps trying (it has a seed); for 40 polls over at least 4 s it gets nowhere
  let polls = 0
  const since = Date.now()
  await waitFor('40 polls of the outsider', async () => {
    assert.equal(await aliveIds(outsider), [outsider.id], 'the outsider learns nobody')
    assert.equal(await aliveIds(first), [a.id, b.id].sort(), 'the cluster never lists the outsider')
    return ++polls >= 40 && Date.now() - since > 4000
  }, 30_000, 100)
  assert.not.ok((await membersOf(first)).some((m) => m.id === outsider.id))
})

closed('--allow-cidr refuses connections from other networks and admits its own', async () => {
  const elsewhere = await startDaemon((await identity()).dir, ['--allow-cidr', '10.0.0.0/8'])
  const local = await startDaemon((await identity()).dir, ['--allow-cidr', '127.0.0.0/8'])
  const fromLoopback = await startDaemon((await identity()).dir, ['--seed', elsewhere.addrs[0]])
  const friend = await startDaemon((await identity()).dir, ['--seed', local.addrs[0]])
  await waitFor('the loopback network joined', async () => (await aliveIds(local)).length === 2 && (await aliveIds(friend)).length === 2, 30_000, 200)
  let polls = 0
  const since = Date.now()
  await waitFor('40 polls of the refused pair', async () => {
    assert.equal(await aliveIds(elsewhere), [elsewhere.id])
    assert.equal(await aliveIds(fromLoopback), [fromLoopback.id])
    return ++polls >= 40 && Date.now() - since > 4000
  }, 30_000, 100)
})

// ---------------------------------------------------------------------------------------------
const api = suite('a hardened HTTP API')
api.after(async () => { await killAll() })

api('the token is generated into the data dir (0600) and the CLI finds it there; cross-site and rebinding requests are refused', async () => {
  const dir = await tempDir()
  const daemon = await startDaemon(dir)
  const tokenFile = join(dir, 'api-token')
  assert.is((await stat(tokenFile)).mode & 0o777, 0o600)
  const port = new URL(daemon.api).port

  // DNS rebinding: a page on attacker.example re-pointed at 127.0.0.1
  const rebound = await raw(daemon, 'GET', '/v1/members', { host: `attacker.example:${port}` })
  assert.is(rebound.status, 421)
  assert.not.ok(rebound.body.includes(daemon.id), 'no member data')
  // a page's simple cross-site POST: text/plain, foreign Origin
  const crossSite = await raw(daemon, 'POST', '/v1/leave', { host: `127.0.0.1:${port}`, origin: 'https://attacker.example', 'content-type': 'text/plain' }, 'x')
  assert.is(crossSite.status, 403)
  const marked = await raw(daemon, 'POST', '/v1/leave', { host: `127.0.0.1:${port}`, 'sec-fetch-site': 'cross-site' })
  assert.is(marked.status, 403)
  const noToken = await raw(daemon, 'POST', '/v1/leave', { host: `127.0.0.1:${port}` })
  assert.is(noToken.status, 401, 'a token is always required for writes')
  assert.ok(daemon.proc.running(), 'still running after every refused leave')

  // the CLI, run as the operator: reads without a token on loopback, writes with the data dir's token
  const members = await run('cli', ['members', '--api', daemon.api])
  assert.is(members.code, 0, members.stderr)
  const withoutToken = await run('cli', ['leave', '--api', daemon.api, '--token-file', '/dev/null'])
  assert.is(withoutToken.code, 2, 'an empty token file is a usage error')
  const leave = await run('cli', ['leave', '--api', daemon.api, '--data-dir', dir])
  assert.is(leave.code, 0, leave.stderr)
  assert.is(await exited(daemon.proc), 0)
})

api('an API beyond loopback answers reads only with the token, probes without it', async () => {
  const dir = await tempDir()
  const daemon = await startDaemon(dir, ['--api', '0.0.0.0:0'])
  const base = daemon.api.replace('0.0.0.0', '127.0.0.1')
  const target = { ...daemon, api: base }
  const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim()
  assert.is((await fetch(`${base}/v1/members`)).status, 401)
  assert.is((await fetch(`${base}/v1/events`)).status, 401)
  assert.is((await fetch(`${base}/healthz`)).status, 200)
  assert.is((await fetch(`${base}/metrics`)).status, 200)
  assert.is((await membersOf(target, token)).length, 1)
  const viaCli = await run('cli', ['members', '--json', '--api', base, '--data-dir', dir])
  assert.is(viaCli.code, 0, viaCli.stderr)
  const refused = await run('cli', ['members', '--api', base])
  assert.is(refused.code, 1)
  assert.match(refused.stderr, 'answered 401')
})

api('limits: event streams and connections over the limit get 503, idle requests are cut, probes are still answered', async () => {
  const daemon = await startDaemon(await tempDir(), ['--api-max-streams', '2', '--api-max-connections', '8', '--api-headers-timeout', '1000', '--api-request-timeout', '2000'])
  const controller = new AbortController()
  try {
    const streams = await Promise.all([0, 1].map(async () => await fetch(`${daemon.api}/v1/events`, { signal: controller.signal })))
    for (const stream of streams) assert.is(stream.status, 200)
    const third = await fetch(`${daemon.api}/v1/events`)
    assert.is(third.status, 503)
    assert.is(third.headers.get('retry-after'), '5')
    assert.is((await fetch(`${daemon.api}/healthz`)).status, 200, 'probes still answered')

    // 2,000 unfinished requests used to be kept: now at most 8 connections, each cut at its deadline
    const port = Number(new URL(daemon.api).port)
    const idle = Array.from({ length: 20 }, () => {
      const socket = connect(port, '127.0.0.1', () => { socket.write('GET /v1/members HTTP/1.1\r\nHost: 127.0.0.1\r\n') })
      let text = ''
      socket.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
      socket.on('error', () => {})
      return { socket, closed: new Promise<string>((resolve) => { socket.on('close', () => { resolve(text) }) }) }
    })
    const answers = await Promise.all(idle.map(async (c) => await c.closed))
    const busy = answers.filter((text) => text.startsWith('HTTP/1.1 503'))
    assert.ok(busy.length >= 12, `${busy.length} of 20 answered 503`)
    assert.ok(busy.every((text) => text.includes('Too many connections')))
    assert.ok(answers.every((text) => text === '' || text.startsWith('HTTP/1.1 503') || text.startsWith('HTTP/1.1 408')), JSON.stringify(answers.slice(0, 3)))
    await waitFor('healthz after the idle clients are gone', async () => (await fetch(`${daemon.api}/healthz`)).status === 200, 10_000)
  } finally {
    controller.abort()
  }
})

// ---------------------------------------------------------------------------------------------
const cli = suite('a safe CLI')
cli.after(async () => { await killAll() })

cli('metadata with ESC, OSC 52 or a newline is refused at start; the bidi overrides and separators members do carry reach the terminal escaped; watch prints no forged line; --json is exact', async () => {
  // No member accepts control characters in metadata (the wire refuses them), so swimd
  // refuses them in --meta, with a message that quotes them escaped.
  const controls = 'x\u001b]52;c;ZXZpbA==\u0007\n2024-05-01T12:00:00.000Z fail    12D3KooWVictim \u001b[2K'
  const refused = await run('swimd', ['--data-dir', await tempDir(), '--api', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0', '--meta', `note=${controls}`])
  assert.is(refused.code, 2, refused.stderr)
  assert.match(refused.stderr, 'Invalid --meta')
  assert.match(refused.stderr, 'control character')
  assert.not.ok(CONTROL.test(refused.stderr.replace(/\n$/, '')), JSON.stringify(refused.stderr))
  // What members do carry can still reorder or split what a terminal shows: bidi overrides,
  // isolates and line separators. The CLI escapes those.
  const hostile = 'x\u202e\u2066evil\u2069\u2028 2024-05-01T12:00:00.000Z fail    12D3KooWVictim \u2029'
  const seed = await startDaemon(await tempDir())
  const watcher = start('cli', ['watch', '--api', seed.api])
  const json = start('cli', ['watch', '--json', '--api', seed.api])
  await waitFor('both watchers subscribed', async () => /^swimd_event_subscribers 2$/m.test(await (await fetch(`${seed.api}/metrics`)).text()), 30_000, 100)
  const evil = await startDaemon(await tempDir(), ['--seed', seed.addrs[0], '--meta', `note=${hostile}`])
  await waitFor('the join printed by both watchers', () => watcher.stdout().includes(evil.id) && json.stdout().includes(evil.id), 30_000)
  const lines = watcher.stdout().split('\n').filter((line) => line.includes(evil.id))
  assert.ok(lines.length >= 1)
  for (const line of lines) {
    assert.not.ok(CONTROL.test(line) || REORDERING.test(line), JSON.stringify(line))
    assert.match(line, 'note=x\\u{202e}\\u{2066}evil\\u{2069}\\u{2028} 2024-05-01T12:00:00.000Z fail')
  }
  assert.not.ok(watcher.stdout().split(/[\n\u2028\u2029]/).some((line) => line.startsWith(' 2024-05-01T12:00:00.000Z fail')), 'no forged fail line')
  const exact = json.stdout().split('\n').filter((line) => line.includes(evil.id)).map((line) => JSON.parse(line) as { member: ApiMember })
  assert.is(exact[0].member.meta.note, hostile)
  const table = await run('cli', ['members', '--api', seed.api])
  assert.is(table.code, 0, table.stderr)
  assert.not.ok(CONTROL.test(table.stdout) || REORDERING.test(table.stdout), JSON.stringify(table.stdout))
})

// ---------------------------------------------------------------------------------------------
const files = suite('safe files')
files.after(async () => { await killAll() })

files('a world-readable key, token or cluster key, or a data dir anyone can write, is refused (exit 2) with the chmod that fixes it', async () => {
  const root = await tempDir()
  const { dir } = await identity()
  await chmod(join(dir, 'peer.key'), 0o644)
  const key = await run('swimd', ['--data-dir', dir, '--api', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.is(key.code, 2, key.stderr)
  assert.match(key.stderr, `Fix it with: chmod 600 ${join(dir, 'peer.key')}`)
  await chmod(join(dir, 'peer.key'), 0o600)
  await chmod(dir, 0o777)
  const writable = await run('swimd', ['--data-dir', dir, '--api', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.is(writable.code, 2, writable.stderr)
  assert.match(writable.stderr, `Fix it with: chmod 700 ${dir}`)
  await chmod(dir, 0o700)

  const token = join(root, 'token')
  await writeFile(token, 'tok\n', { mode: 0o644 })
  await chmod(token, 0o644)
  const tokenRun = await run('swimd', ['--data-dir', dir, '--api-token', token])
  assert.is(tokenRun.code, 2)
  assert.match(tokenRun.stderr, `Fix it with: chmod 600 ${token}`)
  const keyFile = join(root, 'cluster.key')
  await writeFile(keyFile, (await run('swimd', ['keygen'])).stdout)
  await chmod(keyFile, 0o604)
  const keyRun = await run('swimd', ['--data-dir', dir, '--cluster-key', keyFile])
  assert.is(keyRun.code, 2)
  assert.match(keyRun.stderr, `Fix it with: chmod 600 ${keyFile}`)
})

files('a truncated members.json and incarnation are moved aside with a warning, and the daemon starts', async () => {
  const dir = join(await tempDir(), 'data')
  await mkdir(dir, { mode: 0o700 })
  await writeFile(join(dir, 'members.json'), '{"members": [{"id": "12D3KooW', { mode: 0o600 })
  await writeFile(join(dir, 'incarnation'), '\u0000\u0000', { mode: 0o600 }) // a crash mid-write on some file systems
  const daemon = await startDaemon(dir)
  await waitFor('both warnings', () => daemon.proc.stderr().includes('corrupted members.json moved aside') && daemon.proc.stderr().includes('corrupted incarnation moved aside'), 10_000)
  const names = await readdir(dir)
  assert.ok(names.some((name) => name.startsWith('members.json.corrupt-')), names.join(' '))
  assert.ok(names.some((name) => name.startsWith('incarnation.corrupt-')), names.join(' '))
  const self = await (await fetch(`${daemon.api}/v1/self`)).json() as { incarnation: number }
  assert.ok(self.incarnation > Math.floor(Date.now() / 1000) - 600, `incarnation ${self.incarnation} above any earlier one`)
})

closed.run()
api.run()
cli.run()
files.run()
