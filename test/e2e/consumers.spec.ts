/**
 * End to end, real swimd processes on loopback: the hash ring, quorum and Prometheus
 * discovery endpoints, the CLI's `lookup`, `members --meta` and `watch --exec`.
 *
 * `watch --exec` runs a shell handler that records its environment and stdin per event, fails
 * on `update` events and sleeps on `join` events (so events arrive while it runs), while the
 * connection to swimd is cut and restored in the middle: every event printed is handled exactly
 * once, in order, and the failures are reported with their exit code.
 */
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { jsonLines, killAll, run, start, startDaemon, tempDir, waitFor, writeHeaders } from './processes.ts'
import { startRelay } from './relay.ts'
import type { Daemon, Proc } from './processes.ts'
import type { Relay } from './relay.ts'

interface ApiMember { id: string, state: string, addrs: string[], meta: Record<string, string> }

const test = suite('consumers: ring, quorum, Prometheus SD and event handlers against real daemons')
const STABLE = ['--stable-after', '1500']

let a: Daemon
let b: Daemon
let c: Daemon
let relay: Relay | undefined

async function getJson (url: string): Promise<{ status: number, body: any }> {
  const res = await fetch(url)
  return { status: res.status, body: await res.json() }
}

async function aliveIds (node: Daemon): Promise<string[]> {
  const { body } = await getJson(`${node.api}/v1/members?state=alive`)
  return (body.members as ApiMember[]).map((m) => m.id).sort()
}

async function seesAlive (node: Daemon, ids: string[], timeout = 30_000): Promise<void> {
  await waitFor(`${ids.length} members alive on ${node.api}`, async () => {
    const alive = await aliveIds(node)
    return ids.every((id) => alive.includes(id)) && alive.length === ids.length
  }, timeout, 200)
}

test.before(async () => {
  a = await startDaemon(await tempDir(), [...STABLE, '--meta', 'zone=a', '--meta', 'role=db'])
  const seed = `${a.addrs[0]}/p2p/${a.id}`
  b = await startDaemon(await tempDir(), [...STABLE, '--seed', seed, '--meta', 'zone=b', '--meta', 'role=db'])
  c = await startDaemon(await tempDir(), [...STABLE, '--seed', seed, '--meta', 'zone=c', '--meta', 'role=web'])
  for (const node of [a, b, c]) await seesAlive(node, [a.id, b.id, c.id].sort())
})

test.after(async () => {
  await relay?.close()
  await killAll()
})

test('GET /v1/quorum and /readyz?quorum=1: quorum on every daemon once the view is stable', async () => {
  for (const node of [a, b, c]) {
    // the learned size grows to 3 once the view of three has been stable for 1.5 s
    await waitFor(`the expected size 3 on ${node.api}`, async () => (await getJson(`${node.api}/v1/quorum`)).body.expected === 3, 20_000, 200)
    assert.is((await fetch(`${node.api}/readyz?quorum=1`)).status, 200)
    const { status, body } = await getJson(`${node.api}/v1/quorum`)
    assert.is(status, 200)
    assert.equal({ ...body, since: 0 }, { state: 'quorum', alive: 3, expected: 3, since: 0 })
    assert.ok(body.since > Date.now() - 120_000 && body.since <= Date.now(), 'since is a wall-clock time')
  }
})

test('a lone daemon with --expect 3 is a minority: /readyz?quorum=1 answers 503, plain /readyz 200', async () => {
  const lone = await startDaemon(await tempDir(), [...STABLE, '--expect', '3'])
  try {
    await waitFor('the lone daemon to leave forming', async () => (await getJson(`${lone.api}/v1/quorum`)).body.state !== 'forming', 20_000, 200)
    assert.equal({ ...(await getJson(`${lone.api}/v1/quorum`)).body, since: 0 }, { state: 'minority', alive: 1, expected: 3, since: 0 })
    const res = await getJson(`${lone.api}/readyz?quorum=1`)
    assert.is(res.status, 503)
    assert.match(res.body.error, 'minority (1 alive of 3 expected')
    assert.is((await fetch(`${lone.api}/readyz`)).status, 200)
  } finally {
    lone.proc.child.kill('SIGKILL')
    await lone.proc.exited
  }
})

test('GET /v1/lookup: every daemon gives the same owners, in distinct zones; bad queries are 400', async () => {
  const zoneOf = new Map([[a.id, 'a'], [b.id, 'b'], [c.id, 'c']])
  const owners = new Set<string>()
  for (let i = 0; i < 40; i++) {
    const key = `tenant/${i}`
    const answers = await Promise.all([a, b, c].map(async (node) => await getJson(`${node.api}/v1/lookup?key=${encodeURIComponent(key)}&n=2`)))
    for (const { status, body } of answers) {
      assert.is(status, 200)
      assert.is(body.key, key)
      assert.equal(body.members.map((m: ApiMember) => m.id), answers[0].body.members.map((m: ApiMember) => m.id), `same owners of ${key}`)
    }
    const ids = answers[0].body.members.map((m: ApiMember) => m.id)
    assert.is(new Set(ids.map((id: string) => zoneOf.get(id))).size, 2, 'two owners, two zones')
    owners.add(ids[0])
  }
  assert.is(owners.size, 3, 'the 40 keys are spread over all three members')
  const capped = await getJson(`${a.api}/v1/lookup?key=x&n=100000`)
  assert.is(capped.status, 200)
  assert.is(capped.body.members.length, 3, 'n is capped; three members exist')
  const missing = await getJson(`${a.api}/v1/lookup`)
  assert.is(missing.status, 400)
  assert.match(missing.body.error, 'Missing key')
  assert.is((await getJson(`${a.api}/v1/lookup?key=x&n=-1`)).status, 400)
  assert.is((await getJson(`${a.api}/v1/lookup?key=x&n=two`)).status, 400)
  assert.is((await getJson(`${a.api}/v1/lookup?key=${'k'.repeat(5000)}`)).status, 400)
})

test('GET /v1/sd/prometheus: one target group per alive member with its labels; a port is required', async () => {
  const { status, body } = await getJson(`${a.api}/v1/sd/prometheus?port=9100&state=alive`)
  assert.is(status, 200)
  assert.is(body.length, 3)
  const byId = new Map(body.map((group: { labels: Record<string, string> }) => [group.labels.__meta_swim_id, group]))
  for (const [node, zone] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) {
    assert.equal(byId.get(node.id), {
      targets: ['127.0.0.1:9100'],
      labels: { __meta_swim_id: node.id, __meta_swim_state: 'alive', __meta_swim_meta_role: zone === 'c' ? 'web' : 'db', __meta_swim_meta_zone: zone }
    })
  }
  assert.is((await getJson(`${a.api}/v1/sd/prometheus`)).status, 400)
  assert.is((await getJson(`${a.api}/v1/sd/prometheus?port=70000`)).status, 400)
  assert.is((await getJson(`${a.api}/v1/sd/prometheus?port=9100&state=bogus`)).status, 400)
})

test('membership-events lookup KEY prints the owners as /v1/lookup does, owner first', async () => {
  const json = await run('cli', ['lookup', 'tenant/7', '--n', '2', '--json', '--api', b.api])
  assert.is(json.code, 0, json.stderr)
  const expected = (await getJson(`${b.api}/v1/lookup?key=tenant%2F7&n=2`)).body
  assert.equal(JSON.parse(json.stdout), expected)
  const human = await run('cli', ['lookup', 'tenant/7', '--n', '2', '--api', b.api])
  const lines = human.stdout.trim().split('\n')
  assert.ok(lines[0].startsWith('ID'))
  assert.ok(lines[1].startsWith(expected.members[0].id), 'the owner comes first')
  assert.is(lines.length, 3)
  const bad = await run('cli', ['lookup', 'k', '--n', '0', '--api', b.api])
  assert.is(bad.code, 2)
  assert.match(bad.stderr, 'Invalid --n "0"')
  const none = await run('cli', ['lookup', '--api', b.api])
  assert.is(none.code, 2)
})

test('membership-events members prints the quorum line first; --meta filters; --json carries quorum', async () => {
  const human = await run('cli', ['members', '--meta', 'role=db', '--api', a.api])
  assert.is(human.code, 0, human.stderr)
  const lines = human.stdout.trim().split('\n')
  assert.match(lines[0], /^quorum: quorum \(3 alive of 3 expected\) since \d{4}-/)
  assert.ok(lines[1].startsWith('ID'))
  assert.equal(lines.slice(2).map((line) => line.split(' ')[0]).sort(), [a.id, b.id].sort())
  const json = await run('cli', ['members', '--json', '--meta', 'role=db', '--meta', 'zone=b', '--api', a.api])
  const parsed = JSON.parse(json.stdout)
  assert.equal(parsed.members.map((m: ApiMember) => m.id), [b.id])
  assert.equal({ ...parsed.quorum, since: 0 }, { state: 'quorum', alive: 3, expected: 3, since: 0 })
})

test('watch --exec: one handler per event, in order, env and stdin as documented; failures logged; nothing lost or run twice across a reconnect', async () => {
  const dir = await tempDir('swim-exec-')
  const out = join(dir, 'out')
  const script = join(dir, 'handler.sh')
  await writeFile(script, [
    '#!/bin/sh',
    'out="$1"',
    'cat > "$out/$SWIM_SEQ.json"',
    'env | grep "^SWIM_" | sort > "$out/$SWIM_SEQ.env"',
    'echo "start $SWIM_SEQ" >> "$out/order.log"',
    '[ "$SWIM_EVENT" = join ] && sleep 1',
    'echo "end $SWIM_SEQ" >> "$out/order.log"',
    '[ "$SWIM_EVENT" = update ] && exit 3',
    'exit 0',
    ''
  ].join('\n'))
  await chmod(script, 0o755)
  await mkdir(out)

  relay = await startRelay(Number(new URL(a.api).port))
  const watcher: Proc = start('cli', ['watch', '--json', '--since', '0', '--exec', `sh ${script} ${out}`, '--api', `http://127.0.0.1:${relay.port}`], { SWIM_META_STALE: 'inherited' })
  const handled = async (): Promise<number[]> => (await readFile(join(out, 'order.log'), 'utf8').catch(() => ''))
    .split('\n').filter((line) => line.startsWith('end ')).map((line) => Number(line.slice(4)))

  // the replayed joins of B and C run slowly (1 s each): meanwhile B changes its metadata twice
  await waitFor('the first handler to start', async () => (await readdir(out)).includes('order.log'), 20_000)
  for (const version of ['1', '2']) {
    const res = await fetch(`${b.api}/v1/meta`, { method: 'PUT', headers: await writeHeaders(b), body: JSON.stringify({ zone: 'b', role: 'db', version }) })
    assert.is(res.status, 200)
    await waitFor(`A to see version ${version} of B`, async () => {
      const { body } = await getJson(`${a.api}/v1/members`)
      return (body.members as ApiMember[]).find((m) => m.id === b.id)?.meta.version === version
    }, 20_000, 100)
  }
  // a reconnect in the middle: cut while handlers are still queued, a member joins meanwhile
  await relay.cut()
  await waitFor('watch to notice the cut', () => /Cannot reach swimd/.test(watcher.stderr()), 20_000)
  const d = await startDaemon(await tempDir(), [...STABLE, '--seed', `${a.addrs[0]}/p2p/${a.id}`, '--meta', 'zone=d'])
  await seesAlive(a, [a.id, b.id, c.id, d.id].sort())
  await relay.restore()

  await waitFor('the join of D to be printed and handled', async () => {
    const line = jsonLines(watcher).find((l) => l.type === 'join' && l.member.id === d.id)
    return line != null && (await handled()).includes(line.seq)
  }, 30_000, 200)
  const printed = jsonLines(watcher)
  const seqs = printed.map((l) => l.seq)
  await waitFor('every printed event to be handled', async () => (await handled()).length >= seqs.length, 20_000, 100)

  // exactly once, in order, one at a time
  const order = (await readFile(join(out, 'order.log'), 'utf8')).trim().split('\n')
  const expectedOrder = seqs.flatMap((seq) => [`start ${seq}`, `end ${seq}`])
  assert.equal(order, expectedOrder, 'each handler ran alone, in event order, once')
  assert.ok(printed.filter((l) => l.type === 'update').length >= 2, 'both updates were delivered')
  assert.ok(printed.filter((l) => l.type === 'join').length >= 3, 'joins of B, C and D')

  // what a handler sees
  const update = printed.find((l) => l.type === 'update' && (l.member as unknown as ApiMember).meta.version === '2')
  assert.ok(update != null)
  const env = Object.fromEntries((await readFile(join(out, `${update.seq}.env`), 'utf8')).trim().split('\n').map((line) => {
    const at = line.indexOf('=')
    return [line.slice(0, at), line.slice(at + 1)]
  }))
  const member = update.member as unknown as ApiMember
  assert.equal(env, {
    SWIM_EVENT: 'update',
    SWIM_MEMBER_ADDRS: member.addrs.join(' '),
    SWIM_MEMBER_ID: b.id,
    SWIM_META_ROLE: 'db',
    SWIM_META_VERSION: '2',
    SWIM_META_ZONE: 'b',
    SWIM_SEQ: String(update.seq)
  }, 'the documented variables, and no inherited SWIM_META_*')
  assert.equal(JSON.parse(await readFile(join(out, `${update.seq}.json`), 'utf8')), update, 'stdin is the event as printed')

  // failures and slowness are reported with the exit code
  for (const line of printed.filter((l) => l.type === 'update')) {
    assert.match(watcher.stderr(), new RegExp(`handler for update seq ${line.seq} exited with code 3 after \\d+ ms`))
  }
  assert.not.match(watcher.stderr(), /handler for join seq \d+ exited/, 'successful handlers are not reported as failures')
  assert.ok(watcher.running(), `watch exited: ${watcher.stderr()}`)
  watcher.child.kill('SIGTERM')
  await watcher.exited
})

test.run()
