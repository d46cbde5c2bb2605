/**
 * End to end: `membership-events watch --json` follows a real swimd across disconnects.
 *
 * - The watched daemon is SIGKILLed and restarted with the same data dir and API address: the
 *   watcher keeps running, reconnects by itself, reports a reset on stderr (the new run no
 *   longer has the old run's events, and numbers its events from its start time), and then
 *   prints every event of the new run; no seq is printed twice or out of order.
 * - The connection is cut (a TCP relay between the watcher and an API stops, then comes back)
 *   while the daemon keeps running: the watcher resumes with the last seq it printed, swimd
 *   replays what happened in between, and there is no reset.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseStartupLine } from '../../src/daemon/banner.ts'
import { freePort } from '../helpers/ports.ts'
import { jsonLines, killAll, start, tempDir, waitFor } from './processes.ts'
import { startRelay } from './relay.ts'
import type { Relay } from './relay.ts'
import type { Proc } from './processes.ts'

interface ApiMember { id: string, state: string, incarnation: number }
type Line = ReturnType<typeof jsonLines>[number]

interface Node {
  proc: Proc
  id: string
  addr: string
  api: string
  dataDir: string
}

const RESET = /Missed events before seq (\d+) /
const report = (line: string): void => { console.log(`  [watch] ${line}`) }

/** swimd on loopback (profile local); fixed ports when given, else free ones. */
async function startNode (dataDir: string, options: { apiPort?: number, swimPort?: number, seed?: string } = {}): Promise<Node> {
  const proc = start('swimd', [
    '--listen', `/ip4/127.0.0.1/tcp/${options.swimPort ?? 0}`,
    '--api', `127.0.0.1:${options.apiPort ?? 0}`,
    '--data-dir', dataDir,
    '--profile', 'local',
    '--log-level', 'warn',
    ...(options.seed != null ? ['--seed', options.seed] : [])
  ])
  const match = await waitFor('the swimd start-up line', () => {
    if (!proc.running()) throw new Error(`swimd exited early: ${proc.stderr()}`)
    return parseStartupLine(proc.stdout())
  }, 30_000).catch((err: unknown) => {
    proc.child.kill('SIGKILL')
    throw new Error(`${(err as Error).message}\nstderr: ${proc.stderr()}`)
  })
  return { proc, id: match.peerId, addr: match.addrs[0], api: match.api, dataDir }
}

async function membersOf (node: Node): Promise<ApiMember[]> {
  const res = await fetch(`${node.api}/v1/members`)
  if (res.status !== 200) throw new Error(`GET /v1/members: ${res.status}`)
  return ((await res.json()) as { members: ApiMember[] }).members
}

/** `node` sees every one of `ids` alive. */
async function seesAlive (node: Node, ids: string[], timeout = 30_000): Promise<void> {
  await waitFor(`${ids.length} members alive on ${node.api}`, async () => {
    const alive = new Set((await membersOf(node)).filter((m) => m.state === 'alive').map((m) => m.id))
    return ids.every((id) => alive.has(id))
  }, timeout, 200)
}

/** Every seq printed once, in strictly increasing order. */
function assertIncreasing (lines: Line[], what: string): void {
  for (let i = 1; i < lines.length; i++) {
    assert.ok(lines[i].seq > lines[i - 1].seq, `${what}: seq ${lines[i].seq} (${lines[i].type}) printed after ${lines[i - 1].seq} (${lines[i - 1].type})`)
  }
  assert.is(new Set(lines.map((l) => l.seq)).size, lines.length, `${what}: a seq was printed twice`)
}

const describe = (lines: Line[], names: Map<string, string>): string =>
  lines.map((l) => `${l.seq} ${l.type} ${names.get(l.member.id) ?? l.member.id.slice(-6)}`).join(', ')

// ---------------------------------------------------------------------------------------------
const test = suite('`membership-events watch` across a swimd restart and a cut connection')

const names = new Map<string, string>()
let a: Node
let b: Node
let c: Node
let d: Node
let e: Node
let aApiPort = 0
let aSwimPort = 0
let watcher: Proc
let relay: Relay | undefined

test.before(async () => {
  const dirs = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(async (n) => await tempDir(`swimd-e2e-watch-${n}-`)))
  aApiPort = await freePort()
  aSwimPort = await freePort()
  a = await startNode(dirs[0], { apiPort: aApiPort, swimPort: aSwimPort })
  ;[b, c] = await Promise.all([startNode(dirs[1], { seed: a.addr }), startNode(dirs[2], { seed: a.addr })])
  // d and e are started by the tests; their data dirs are made here so that killAll removes them
  d = { proc: undefined as unknown as Proc, id: '', addr: '', api: '', dataDir: dirs[3] }
  e = { proc: undefined as unknown as Proc, id: '', addr: '', api: '', dataDir: dirs[4] }
  for (const [name, node] of [['A', a], ['B', b], ['C', c]] as const) names.set(node.id, name)
  // everything A retains, then whatever comes
  watcher = start('cli', ['watch', '--json', '--since', '0', '--api', a.api])
})

test.after(async () => {
  await relay?.close().catch(() => {})
  await killAll()
})

test('while watch runs, a 4th daemon joins: watch prints it, seqs strictly increasing', async () => {
  await seesAlive(a, [a.id, b.id, c.id])
  await waitFor('watch to print the joins of B and C', () => {
    const joined = new Set(jsonLines(watcher).filter((l) => l.type === 'join').map((l) => l.member.id))
    return joined.has(b.id) && joined.has(c.id)
  }, 15_000)
  d = await startNode(d.dataDir, { seed: a.addr })
  names.set(d.id, 'D')
  await waitFor('watch to print the join of D', () => jsonLines(watcher).find((l) => l.type === 'join' && l.member.id === d.id), 20_000)
  assertIncreasing(jsonLines(watcher), 'before the restart')
  assert.ok(watcher.running(), `watch exited: ${watcher.stderr()}`)
})

test('SIGKILL the watched daemon, restart it on the same API address: watch reconnects, reports a reset, prints the new run\'s events', async () => {
  const before = jsonLines(watcher)
  const lastBefore = before[before.length - 1].seq
  const stderrBefore = watcher.stderr().length
  const oldId = a.id

  a.proc.child.kill('SIGKILL')
  await a.proc.exited
  await waitFor('watch to notice that A is gone', () => /Cannot reach swimd/.test(watcher.stderr().slice(stderrBefore)), 15_000)
  const restartedAt = Date.now()
  a = await startNode(a.dataDir, { apiPort: aApiPort, swimPort: aSwimPort, seed: b.addr })
  assert.is(a.id, oldId, 'same data dir, same PeerId')
  assert.is(a.api, `http://127.0.0.1:${aApiPort}`)

  const resetSeq = await waitFor('watch to report a reset on stderr', () => {
    const match = RESET.exec(watcher.stderr().slice(stderrBefore))
    return match != null ? Number(match[1]) - 1 : undefined
  }, 20_000)
  const resetReportedIn = Date.now() - restartedAt
  assert.ok(watcher.running(), `watch exited across the restart: ${watcher.stderr()}`)
  assert.ok(resetSeq >= restartedAt - 1, `the reset point ${resetSeq} is not from the new run (restarted at ${restartedAt})`)
  assert.ok(resetSeq > lastBefore, `reset point ${resetSeq} not above the last seq printed before the restart, ${lastBefore}`)

  // the new run knows the cluster again: then new events, all after the reconnect
  await seesAlive(a, [a.id, b.id, c.id, d.id])
  e = await startNode(e.dataDir, { seed: b.addr })
  names.set(e.id, 'E')
  await waitFor('watch to print the join of E', () => jsonLines(watcher).find((l) => l.seq > resetSeq && l.type === 'join' && l.member.id === e.id), 20_000)
  d.proc.child.kill('SIGTERM')
  const { code } = await waitFor('D to exit', async () => await d.proc.exited, 20_000)
  assert.is(code, 0, d.proc.stderr())
  await waitFor('watch to print the leave of D', () => jsonLines(watcher).find((l) => l.seq > resetSeq && l.type === 'leave' && l.member.id === d.id), 20_000)

  const all = jsonLines(watcher)
  assertIncreasing(all, 'across the restart')
  const after = all.slice(before.length)
  assert.ok(after.every((l) => l.seq > resetSeq), `events printed after the restart at or below the reset point ${resetSeq}: ${describe(after, names)}`)
  assert.is((watcher.stderr().match(/Missed events/g) ?? []).length, 1, `resets reported: ${watcher.stderr()}`)

  // nothing of the new run after the reset point is missing: a second watcher replays all A retains
  const lastPrinted = all[all.length - 1].seq
  const reference = start('cli', ['watch', '--json', '--since', '0', '--api', a.api])
  try {
    await waitFor('a fresh watcher to replay up to the last seq printed', () => jsonLines(reference).some((l) => l.seq >= lastPrinted), 15_000)
  } finally {
    reference.child.kill('SIGTERM')
    await reference.exited
  }
  const key = (l: Line): string => `${l.seq} ${l.type} ${l.member.id} ${l.member.incarnation}`
  const expected = jsonLines(reference).filter((l) => l.seq > resetSeq && l.seq <= lastPrinted).map(key)
  const printed = after.filter((l) => l.seq <= lastPrinted).map(key)
  assert.equal(printed, expected, 'the events of the new run after the reset point, as printed vs as retained by A')
  report(`restart: reset reported ${resetReportedIn} ms after the restart began; ${before.length} events before (last seq ${lastBefore}), reset point ${resetSeq}, ${after.length} after: ${describe(after, names)}`)
})

test('the connection is cut while the daemon runs: watch resumes where it was, the missed events are replayed, no reset', async () => {
  const bApiPort = Number(new URL(b.api).port)
  relay = await startRelay(bApiPort)
  const viaRelay = start('cli', ['watch', '--json', '--since', '0', '--api', `http://127.0.0.1:${relay.port}`])
  await waitFor('the watcher through the relay to print the join of E', () => jsonLines(viaRelay).some((l) => l.type === 'join' && l.member.id === e.id), 15_000)
  const before = jsonLines(viaRelay)

  await relay.cut()
  await waitFor('watch to report that B cannot be reached', () => /Cannot reach swimd/.test(viaRelay.stderr()), 15_000)
  // while cut: E leaves; B records it
  e.proc.child.kill('SIGTERM')
  await e.proc.exited
  await waitFor('B to see E leave', async () => (await membersOf(b)).find((m) => m.id === e.id)?.state === 'left', 20_000, 200)
  assert.ok(!jsonLines(viaRelay).some((l) => l.type === 'leave' && l.member.id === e.id), 'the leave of E arrived while the relay was cut')
  await relay.restore()

  await waitFor('watch to print the leave of E after the reconnect', () => jsonLines(viaRelay).find((l) => l.type === 'leave' && l.member.id === e.id), 20_000)
  const all = jsonLines(viaRelay)
  assertIncreasing(all, 'across the cut')
  report(`cut: ${before.length} events before the cut, then ${describe(all.slice(before.length), names)} after the relay came back`)
  assert.equal(all.slice(0, before.length), before)
  assert.not.match(viaRelay.stderr(), /Missed events/, 'a plain reconnect must not need a reset')
  assert.ok(viaRelay.running(), `watch exited: ${viaRelay.stderr()}`)
  // the first watcher (on A) saw the same leave
  await waitFor('the watcher on A to print the leave of E', () => jsonLines(watcher).some((l) => l.type === 'leave' && l.member.id === e.id), 20_000)
  assertIncreasing(jsonLines(watcher), 'the watcher on A, whole run')
})

test.run()
