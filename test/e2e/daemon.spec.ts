/**
 * End to end: real swimd processes on loopback (profile `local`), driven and observed through
 * the HTTP API and the `membership-events` CLI, as an operator would.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { jsonLines, killAll, run, start, startDaemon, tempDir, waitFor } from './processes.ts'
import type { Daemon, Proc } from './processes.ts'

interface ApiMember { id: string, state: string, incarnation: number }

async function membersOf (daemon: Daemon): Promise<ApiMember[]> {
  const res = await fetch(`${daemon.api}/v1/members`)
  if (res.status !== 200) throw new Error(`GET /v1/members: ${res.status}`)
  return ((await res.json()) as { members: ApiMember[] }).members
}

// ---------------------------------------------------------------------------------------------
const usage = suite('swimd usage errors')

usage.after(async () => { await killAll() })

usage('an unknown flag exits 2 and names the flag', async () => {
  const { code, stderr } = await run('swimd', ['--no-such-flag', 'x'])
  assert.is(code, 2, stderr)
  assert.match(stderr, /no-such-flag/)
})

usage('a bad flag value exits 2 and names the flag', async () => {
  const { code, stderr } = await run('swimd', ['--profile', 'fastest'])
  assert.is(code, 2, stderr)
  assert.match(stderr, /profile/)
})

usage('a bad config file exits 2 and names the problem', async () => {
  const dir = await tempDir()
  const unknownKey = join(dir, 'unknown.json')
  await writeFile(unknownKey, JSON.stringify({ listen: '/ip4/127.0.0.1/tcp/0', 'no-such-key': 1 }))
  const first = await run('swimd', ['--config', unknownKey])
  assert.is(first.code, 2, first.stderr)
  assert.match(first.stderr, /no-such-key/)

  const broken = join(dir, 'broken.json')
  await writeFile(broken, '{ "listen": ')
  const second = await run('swimd', ['--config', broken])
  assert.is(second.code, 2, second.stderr)
  assert.match(second.stderr, /broken\.json/)
})

usage.run()

// ---------------------------------------------------------------------------------------------
const cluster = suite('swimd cluster of 4')

const TOKEN = 'e2e-secret-token'
const daemons: Daemon[] = []
const dataDirs: string[] = []
let watcher: Proc
let seedAddr: string

cluster.before(async () => {
  for (let i = 0; i < 4; i++) dataDirs.push(await tempDir(`swimd-e2e-${i}-`))
  const tokenFile = join(dataDirs[0], 'token')
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 })
  const first = await startDaemon(dataDirs[0], ['--api-token', tokenFile, '--meta', 'role=seed'])
  daemons.push(first)
  seedAddr = first.addrs[0]
  // from the start of the log: every event the first daemon ever records
  watcher = start('cli', ['watch', '--json', '--since', '0', '--api', first.api])
  const rest = await Promise.all([
    startDaemon(dataDirs[1], ['--seed', seedAddr]),
    startDaemon(dataDirs[2], ['--seed', seedAddr]),
    // a name, resolved at start
    startDaemon(dataDirs[3], ['--seed', `/dns4/localhost/tcp/${first.port}`])
  ])
  daemons.push(...rest)
})

cluster.after(async () => { await killAll() })

cluster('4 daemons join: the API and `members --json` show 4 alive on each', async () => {
  await waitFor('4 alive members on every daemon', async () => {
    for (const daemon of daemons) {
      const alive = (await membersOf(daemon)).filter((m) => m.state === 'alive')
      if (alive.length !== 4) return false
    }
    return true
  }, 45_000, 200)
  const outputs = await Promise.all(daemons.map(async (daemon) => await run('cli', ['members', '--json', '--state', 'alive', '--api', daemon.api])))
  const ids = daemons.map((d) => d.id).sort()
  for (const out of outputs) {
    assert.is(out.code, 0, out.stderr)
    const members = (JSON.parse(out.stdout) as { members: ApiMember[] }).members
    assert.equal(members.map((m) => m.id).sort(), ids)
    assert.ok(members.every((m) => m.state === 'alive'))
  }
})

cluster('`watch --json` sees a join for each other daemon', async () => {
  const others = daemons.slice(1).map((d) => d.id)
  await waitFor('join lines for the 3 other daemons', () => {
    const joined = new Set(jsonLines(watcher).filter((e) => e.type === 'join').map((e) => e.member.id))
    return others.every((id) => joined.has(id))
  }, 30_000)
  for (const line of jsonLines(watcher)) {
    assert.type(line.seq, 'number')
    assert.type(line.at, 'number')
  }
})

cluster('a malformed request gets a 4xx JSON error; a write without the token gets 401', async () => {
  const api = daemons[0].api
  const malformed = await fetch(`${api}/v1/meta`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: '{ "role": '
  })
  assert.ok(malformed.status >= 400 && malformed.status < 500, `status ${malformed.status}`)
  const body = await malformed.json() as { error?: unknown }
  assert.type(body.error, 'string')

  const badQuery = await fetch(`${api}/v1/members?state=sleepy`)
  assert.is(badQuery.status, 400)
  assert.type(((await badQuery.json()) as { error?: unknown }).error, 'string')

  const noToken = await fetch(`${api}/v1/meta`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'intruder' })
  })
  assert.is(noToken.status, 401)
  assert.type(((await noToken.json()) as { error?: unknown }).error, 'string')

  const noLeave = await fetch(`${api}/v1/leave`, { method: 'POST' })
  assert.is(noLeave.status, 401)
  assert.ok(daemons[0].proc.running(), 'a refused leave must not stop the daemon')
})

cluster('SIGKILL one daemon: suspect, then fail', async () => {
  const victim = daemons[3]
  victim.proc.child.kill('SIGKILL')
  await victim.proc.exited
  const events = await waitFor('suspect then fail for the killed daemon', () => {
    const about = jsonLines(watcher).filter((e) => e.member.id === victim.id).map((e) => e.type)
    const suspect = about.lastIndexOf('suspect')
    return suspect >= 0 && about.indexOf('fail', suspect) > suspect ? about : undefined
  }, 45_000)
  assert.ok(events.includes('join'))
})

let leftIncarnation = 0

cluster('SIGTERM one daemon: leave, exit code 0', async () => {
  const leaving = daemons[2]
  const before = jsonLines(watcher).filter((e) => e.member.id === leaving.id)
  leftIncarnation = Math.max(0, ...before.map((e) => e.member.incarnation))
  leaving.proc.child.kill('SIGTERM')
  const { code, signal } = await waitFor('the daemon to exit', async () => await leaving.proc.exited, 30_000)
  assert.is(signal, null)
  assert.is(code, 0, leaving.proc.stderr())
  const leave = await waitFor('a leave line', () => jsonLines(watcher).find((e) => e.member.id === leaving.id && e.type === 'leave'), 30_000)
  leftIncarnation = Math.max(leftIncarnation, leave.member.incarnation)
  assert.is(leave.member.state, 'left')
})

cluster('restart it with the same data dir and no seed: rejoins through the saved members, same id, higher incarnation', async () => {
  const previous = daemons[2]
  const seqBefore = Math.max(0, ...jsonLines(watcher).map((e) => e.seq))
  const again = await startDaemon(previous.dataDir)
  daemons[2] = again
  assert.is(again.id, previous.id)
  const join = await waitFor('a new join line for the restarted daemon', () => jsonLines(watcher).find((e) => e.seq > seqBefore && e.type === 'join' && e.member.id === again.id), 30_000)
  assert.ok(join.member.incarnation > leftIncarnation, `incarnation ${join.member.incarnation} after ${leftIncarnation}`)
})

cluster('POST /v1/leave with the token: 202, the daemon leaves and exits 0', async () => {
  const target = daemons[0]
  const res = await fetch(`${target.api}/v1/leave`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
  assert.is(res.status, 202)
  const { code } = await waitFor('the daemon to exit', async () => await target.proc.exited, 30_000)
  assert.is(code, 0, target.proc.stderr())
})

cluster('`watch` exits 0 on SIGTERM', async () => {
  // the watched daemon is gone: watch keeps reconnecting until told to stop
  watcher.child.kill('SIGTERM')
  const { code } = await waitFor('watch to exit', async () => await watcher.exited, 15_000)
  assert.is(code, 0, watcher.stderr())
})

cluster.run()

// ---------------------------------------------------------------------------------------------
const pnet = suite('swimd with a cluster key')

pnet.after(async () => { await killAll() })

pnet('two daemons sharing a key from `swimd keygen` form a cluster', async () => {
  const dir = await tempDir()
  const key = await run('swimd', ['keygen'])
  assert.is(key.code, 0, key.stderr)
  assert.match(key.stdout, /^\/key\/swarm\/psk\/1\.0\.0\//)
  const keyFile = join(dir, 'cluster.key')
  await writeFile(keyFile, key.stdout, { mode: 0o600 })
  const a = await startDaemon(join(dir, 'a'), ['--cluster-key', keyFile])
  const b = await startDaemon(join(dir, 'b'), ['--cluster-key', keyFile, '--seed', a.addrs[0]])
  await waitFor('both daemons to see 2 alive members', async () => {
    for (const d of [a, b]) {
      if ((await membersOf(d)).filter((m) => m.state === 'alive').length !== 2) return false
    }
    return true
  }, 30_000, 200)
  const ready = await fetch(`${b.api}/readyz`)
  assert.is(ready.status, 200)
})

pnet.run()
