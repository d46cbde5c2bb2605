/**
 * Real-cluster benchmark (figures, not assertions): N libp2p nodes (TCP + noise + yamux) on
 * 127.0.0.1, all in this one process, running the `swim()` service with the `lan` profile
 * (the anchors' memberlist runs use DefaultLANConfig).
 *
 * Per size, each trial adds a node and measures, from the harness's clock:
 * - join: createLibp2p() of a new node (seeded with one random member) → every live member
 *   has it as alive;
 * - leave: `leave()` of that node → every other member has it as left;
 * - crash: `stop()` of another new node (no leave; its host accepts and resets connections
 *   until libp2p closes its listener, then refuses them: see the README's Known gaps) → first
 *   suspect anywhere, → every survivor has declared it failed;
 * and over a 30 s steady-state window (from 33 probe intervals after the last join, when the
 * joiners' catch-up push-pulls are over): SWIM bytes sent per node per second (encoded messages with
 * their length prefix, without yamux/noise/TCP overhead), and CPU and RSS per node, which are
 * this process's totals divided by N.
 *
 * Also over the window: open libp2p connections per node (mean and max), and SWIM traffic
 * at the IP level per node: datagrams as sent plus 28 bytes of IPv4 and UDP headers each,
 * and TCP as written to the sockets (noise and yamux included) plus 52 bytes of IPv4 and TCP
 * headers (with timestamps) per write, and one 52-byte ACK per write (an upper bound: delayed
 * ACKs send fewer).
 *
 * Setup: the seed, then batches of ten joiners, each started once the previous batch has
 * converged and every node thread's event loop has run on time for a second (the nodes of a
 * thread share it: a batch started while the last one's news is still gossiped measures a
 * saturated CPU, acks read late and false suspicions, not the protocol). `--progress` prints a
 * line per batch on stderr: time to converge, view sizes, suspicions and fails so far, fallback
 * probes, event-loop delay, GC pauses, RSS, load.
 *
 * `--threads T` (default 1) runs the nodes in T worker threads of this process, node i in
 * thread i mod T (bench/libp2p-host.ts): one thread is one core's worth of CPU for all of them.
 *
 * `--no-datagram` runs the cluster over libp2p streams only (`datagram: false`).
 *
 * `--max-connections M` sets libp2p's maxConnections to M with no allow-list, so libp2p
 * refuses and prunes connections beyond M as it would between real hosts.
 *
 * `node --import tsx bench/libp2p.ts [--json] [--sizes 10,50,100] [--trials 5] [--profile lan] [--max-connections M] [--no-datagram] [--threads T] [--progress]`
 */
import { loadavg } from 'node:os'
import { resolveConfig } from '../src/core/config.ts'
import type { ProfileName, MembershipEventType } from '../src/index.ts'
import { IP_TCP_HEADERS, NodeHost } from './libp2p-host.ts'
import type { HostEvent, HostTotals } from './libp2p-host.ts'
import { waitFor } from '../test/helpers/wait.ts'

/** A node as the main thread knows it: its id, its addresses and the thread that runs it. */
interface Node { id: string, addrs: string[], host: NodeHost }

interface Sample { join: number[], leave: number[], firstSuspect: number[], allFail: number[] }

interface Row {
  n: number
  trials: number
  joinMs: Stat
  leaveMs: Stat
  firstSuspectMs: Stat
  allFailMs: Stat
  falseFails: number
  setupFalseFails: number
  bytesPerNodePerSec: number
  /** IP-level bytes/s per node: UDP and TCP with their headers. */
  ipBytesPerNodePerSec: number
  udpBytesPerNodePerSec: number
  tcpBytesPerNodePerSec: number
  packetsPerNodePerSec: number
  connectionsMean: number
  connectionsMax: number
  /** TCP connections first written in the window, per node per minute, and their IP bytes/s per node. */
  newConnectionsPerNodePerMin: number
  newConnectionTcpBytesPerNodePerSec: number
  /** IP bytes/s per node on connections open before the window (watch connections and the like). */
  keptConnectionTcpBytesPerNodePerSec: number
  fallbackProbesPerNodePerMin: number
  syncsPerNodePerMin: number
  /** bytes/s per node by message type */
  bytesByType: Record<string, number>
  msgsPerNodePerSec: number
  cpuPercentPerNode: number
  rssMiBPerNode: number
  rssMiBTotal: number
  setupSeconds: number
  /** Of setupSeconds, the time from each batch's start to its convergence, summed. */
  formingSeconds: number
}

interface Stat { median: number | null, max: number | null, missing: number }

const args = process.argv.slice(2)
const json = args.includes('--json')
const option = (name: string): string | undefined => args.includes(name) ? args[args.indexOf(name) + 1] : undefined
const sizes = (option('--sizes') ?? '10,50,100').split(',').map(Number)
const trialsOption = option('--trials')
const profile = (option('--profile') ?? 'lan') as ProfileName
const maxConnectionsOption = option('--max-connections')
const datagram = !args.includes('--no-datagram')
const progress = args.includes('--progress')
const threads = Number(option('--threads') ?? 1)
const STEADY_WINDOW_MS = 30_000
/** A joiner push-pulls 1, 2, 4 … 32 probe intervals after joining: join cost, not steady state. */
const CATCH_UP_INTERVALS = 33

const IP_UDP_HEADERS = 28
const TRIAL_TIMEOUT_MS = 60_000
/** The next batch of joiners starts once every thread's event-loop p99 delay over a second is below this. */
const IDLE_LAG_MS = 50

const events: Array<{ at: number, observer: string, type: MembershipEventType, member: string }> = []

/** Each node's view, kept from its events (cheap to poll, unlike `members()` snapshots). */
const views = new Map<string, Map<string, string>>()
/** Alive members in each node's view, kept as events arrive: polled every 10 ms, so never counted (N² per poll at N=500). */
const alive = new Map<string, number>()

/** A node's view as it starts: itself. */
function viewFor (id: string): Map<string, string> {
  let view = views.get(id)
  if (view == null) {
    views.set(id, (view = new Map([[id, 'alive']])))
    alive.set(id, 1)
  }
  return view
}

function onEvent (e: HostEvent): void {
  events.push({ at: e.at, observer: e.observer, type: e.type, member: e.member })
  const view = viewFor(e.observer)
  const before = view.get(e.member)
  view.set(e.member, e.state)
  alive.set(e.observer, (alive.get(e.observer) ?? 0) + (e.state === 'alive' ? 1 : 0) - (before === 'alive' ? 1 : 0))
}

const hosts = Array.from({ length: threads }, () => new NodeHost({
  profile,
  datagram,
  ...(maxConnectionsOption != null ? { maxConnections: Number(maxConnectionsOption) } : {})
}, onEvent))
let created = 0

async function createNode (seeds: string[]): Promise<Node> {
  const host = hosts[created++ % hosts.length]
  const { id, addrs } = await host.create(seeds)
  viewFor(id)
  return { id, addrs, host }
}

/** Figures for which the worst thread speaks, not the sum of all: how late a loop ran, the longest pause. */
const WORST_THREAD = new Set<keyof HostTotals>(['lagP99', 'lagMax', 'gcMax'])

/** Every thread's counters, summed; the event-loop delay and the longest GC pause the worst thread's. */
async function totals (): Promise<HostTotals> {
  const all = await Promise.all(hosts.map(async (h) => await h.totals()))
  const out: HostTotals = { ...all[0], bytesByType: {} }
  for (const key of Object.keys(out) as Array<keyof HostTotals>) {
    if (key === 'bytesByType') continue
    const values = all.map((t) => t[key] as number)
    ;(out as unknown as Record<string, number>)[key] = WORST_THREAD.has(key) ? Math.max(...values) : values.reduce((a, b) => a + b, 0)
  }
  for (const t of all) for (const [k, v] of Object.entries(t.bytesByType)) out.bytesByType[k] = (out.bytesByType[k] ?? 0) + v
  return out
}

async function connections (): Promise<number[]> {
  return (await Promise.all(hosts.map(async (h) => await h.connections()))).flat()
}

async function resetLag (): Promise<void> {
  await Promise.all(hosts.map(async (h) => { await h.resetLag() }))
}

/** Waits (up to 60 s) until every thread's event loop has run on time for a whole second. */
async function idle (): Promise<void> {
  const until = Date.now() + 60_000
  while (Date.now() < until) {
    await resetLag()
    await sleep(1000)
    if ((await totals()).lagP99 < IDLE_LAG_MS) return
  }
}

/** `--progress`: one line per batch on stderr (where formation spends its time). */
async function report (nodes: Node[], size: number, setupStarted: number, batchStarted: number): Promise<void> {
  const t = await totals()
  const delay = `event-loop delay p99 ${t.lagP99.toFixed(0)} ms, max ${t.lagMax.toFixed(0)} ms; GC pauses max ${t.gcMax.toFixed(0)} ms, total ${t.gcTotal.toFixed(0)} ms`
  const viewSizes = nodes.map(aliveIn)
  const counts = await connections()
  process.stderr.write(`${size} nodes: batch ${((Date.now() - batchStarted) / 1000).toFixed(1)} s, total ${((Date.now() - setupStarted) / 1000).toFixed(0)} s; ` +
    `views ${Math.min(...viewSizes)}..${Math.max(...viewSizes)}; connections max ${Math.max(...counts)}; ` +
    `suspicions ${t.suspicionsRaised}, fails ${events.filter((e) => e.type === 'fail').length}, ` +
    `members rejected ${t.membersRejected}, fallback probes ${t.fallbackProbes}, syncs sent ${t.syncsSent}; ` +
    `${delay}; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`)
}

function viewOf (node: Node): Map<string, string> {
  return views.get(node.id) ?? new Map()
}

function aliveIn (node: Node): number {
  return alive.get(node.id) ?? 0
}

/** Whether `condition` came to hold within `timeout` ms (polled every `interval` ms: the figures' resolution). */
async function within (what: string, condition: () => boolean, timeout = TRIAL_TIMEOUT_MS, interval = 10): Promise<boolean> {
  return await waitFor(what, condition, timeout, interval).then(() => true, () => false)
}

/** As `within`, for a condition that asks the threads. */
async function withinAsync (condition: () => Promise<boolean>, timeout: number, interval: number): Promise<boolean> {
  const until = Date.now() + timeout
  while (Date.now() < until) {
    if (await condition()) return true
    await sleep(interval)
  }
  return false
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

function stateIn (node: Node, id: string): string | undefined {
  return viewOf(node).get(id)
}

/** When every observer first emitted `type` about `member` at or after `since`, or null. */
function lastFirst (observers: Node[], member: string, type: MembershipEventType, since: number): number | null {
  let latest = since
  for (const o of observers) {
    const e = events.find((e) => e.at >= since && e.observer === o.id && e.member === member && e.type === type)
    if (e == null) return null
    latest = Math.max(latest, e.at)
  }
  return latest - since
}

function stat (values: number[], expected: number): Stat {
  if (values.length === 0) return { median: null, max: null, missing: expected }
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  return { median: Math.round(median), max: Math.round(sorted[sorted.length - 1]), missing: expected - values.length }
}

function pick<T> (list: T[]): T {
  return list[Math.floor(Math.random() * list.length)]
}

/** Waits until no live member suspects anyone, so one trial's news does not bleed into the next. */
async function settle (nodes: Node[]): Promise<void> {
  await within('no suspects', () => nodes.every((n) => [...viewOf(n).values()].every((state) => state !== 'suspect')), 30_000, 50)
  await sleep(500)
}

async function run (n: number, trials: number): Promise<Row> {
  const setupStarted = Date.now()
  const seed = await createNode([])
  const nodes: Node[] = [seed]
  /** Time from each batch's start to its convergence, summed (setup without the waits between batches). */
  let formingMs = 0
  // Start the others in batches of ten, as a rolling deployment would, each batch once the
  // previous one has converged; all join through the first node. (The nodes of a thread share
  // one core, so starting them at once would measure the noise handshakes of N² connections
  // competing for CPU, not the protocol.)
  while (nodes.length < n) {
    const batch = Math.min(10, n - nodes.length)
    const started = Date.now()
    nodes.push(...await Promise.all(Array.from({ length: batch }, async () => await createNode(seed.addrs))))
    const size = nodes.length
    const batchStarted = Date.now()
    formingMs += batchStarted - started
    await resetLag()
    const converged = await within('the cluster to converge', () => nodes.every((x) => aliveIn(x) === size), 120_000)
    formingMs += Date.now() - batchStarted
    if (progress) await report(nodes, size, setupStarted, batchStarted)
    if (!converged) throw new Error(`A cluster of ${size} did not converge in 120 s`)
    // and once the threads have time to spare again: a batch started while the last one's
    // news is still being gossiped would measure a saturated CPU (acks read late, false
    // suspicions) rather than the protocol
    await idle()
  }
  // Steady state: once every join has been disseminated (broadcast queues empty).
  // (polled each second: stats() copies a node's view, so a poll of every node is N² work)
  await withinAsync(async () => (await totals()).pendingBroadcasts === 0, 60_000, 1000)
  // and once the last joiners' catch-up push-pulls (up to 32 probe intervals after a join) are over
  const lastJoin = Date.now()
  await sleep(Math.max(2000, lastJoin + CATCH_UP_INTERVALS * resolveConfig(profile).probeInterval - Date.now()))
  const setupSeconds = (Date.now() - setupStarted) / 1000
  const setupFalseFails = events.filter((e) => e.type === 'fail').length
  events.length = 0

  // steady state
  const t0 = await totals()
  await Promise.all(hosts.map(async (h) => { await h.windowStart() }))
  const cpu0 = process.cpuUsage()
  const started = performance.now()
  let rssPeak = 0
  const connectionSamples: number[] = []
  let connectionsMax = 0
  while (performance.now() - started < STEADY_WINDOW_MS) {
    await sleep(500)
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
    const counts = await connections()
    connectionSamples.push(counts.reduce((a, b) => a + b, 0) / n)
    connectionsMax = Math.max(connectionsMax, ...counts)
  }
  const windows = await Promise.all(hosts.map(async (h) => await h.windowEnd()))
  const t1 = await totals()
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpu0)
  const udpBytes = (t1.datagramBytesOut - t0.datagramBytesOut) + IP_UDP_HEADERS * (t1.datagramsOut - t0.datagramsOut)
  const tcpWrites = t1.tcpWrites - t0.tcpWrites
  const tcpBytes = (t1.tcpBytes - t0.tcpBytes) + 2 * IP_TCP_HEADERS * tcpWrites
  const bytesPerNodePerSec = (t1.bytesOut - t0.bytesOut) / n / seconds
  const bytesByType: Record<string, number> = {}
  for (const [k, v] of Object.entries(t1.bytesByType)) bytesByType[k] = Math.round((v - (t0.bytesByType[k] ?? 0)) / n / seconds)
  const msgsPerNodePerSec = (t1.msgsOut - t0.msgsOut) / n / seconds
  const udpBytesPerNodePerSec = udpBytes / n / seconds
  const tcpBytesPerNodePerSec = tcpBytes / n / seconds
  const packetsPerNodePerSec = ((t1.datagramsOut - t0.datagramsOut) + 2 * tcpWrites) / n / seconds
  // a connection has a socket at each end
  const newConnectionsPerNodePerMin = windows.reduce((s, w) => s + w.freshSockets, 0) / 2 / n / seconds * 60
  const newConnectionTcpBytesPerNodePerSec = windows.reduce((s, w) => s + w.freshIpBytes, 0) / n / seconds
  const keptConnectionTcpBytesPerNodePerSec = windows.reduce((s, w) => s + w.keptIpBytes, 0) / n / seconds
  const fallbackProbesPerNodePerMin = (t1.fallbackProbes - t0.fallbackProbes) / n / seconds * 60
  const syncsPerNodePerMin = (t1.syncsSent - t0.syncsSent) / n / seconds * 60
  const connectionsMean = connectionSamples.reduce((a, b) => a + b, 0) / Math.max(1, connectionSamples.length)
  const cpuPercentPerNode = ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100 / n

  const sample: Sample = { join: [], leave: [], firstSuspect: [], allFail: [] }
  let falseFails = 0
  for (let t = 0; t < trials; t++) {
    // join, then graceful leave of the same node
    for (const crash of [false, true]) {
      const others = [...nodes]
      const started = Date.now()
      const node = await createNode([pick(others).addrs[0]])
      const id = node.id
      const joined = await within('the joiner alive everywhere', () => others.every((o) => stateIn(o, id) === 'alive'))
      if (joined) sample.join.push(lastFirst(others, id, 'join', started) ?? Date.now() - started)
      await within('the joiner to see everyone', () => aliveIn(node) === others.length + 1, 10_000)
      await settle([...others, node])
      if (!crash) {
        const leaving = Date.now()
        await node.host.leave(id)
        const left = await within('the leaver left everywhere', () => others.every((o) => stateIn(o, id) === 'left'))
        if (left) sample.leave.push(lastFirst(others, id, 'leave', leaving) ?? Date.now() - leaving)
        await node.host.stop(id)
      } else {
        const stopping = Date.now()
        await node.host.stop(id)
        const failed = await within('the crashed member dead everywhere', () => others.every((o) => stateIn(o, id) === 'dead'))
        const suspects = events.filter((e) => e.at >= stopping && e.member === id && e.type === 'suspect')
        if (suspects.length > 0) sample.firstSuspect.push(Math.min(...suspects.map((e) => e.at)) - stopping)
        if (failed) sample.allFail.push(lastFirst(others, id, 'fail', stopping) ?? Date.now() - stopping)
      }
      await settle(others)
    }
  }
  // fail events about members that never crashed
  const live = new Set(nodes.map((x) => x.id))
  falseFails = events.filter((e) => e.type === 'fail' && live.has(e.member)).length

  const rssMiBTotal = rssPeak / 2 ** 20
  await Promise.all(hosts.map(async (h) => { await h.stopAll() }))
  events.length = 0
  views.clear()
  alive.clear()
  return {
    n,
    trials,
    joinMs: stat(sample.join, trials * 2),
    leaveMs: stat(sample.leave, trials),
    firstSuspectMs: stat(sample.firstSuspect, trials),
    allFailMs: stat(sample.allFail, trials),
    falseFails,
    setupFalseFails,
    bytesPerNodePerSec: Math.round(bytesPerNodePerSec),
    ipBytesPerNodePerSec: Math.round(udpBytesPerNodePerSec + tcpBytesPerNodePerSec),
    udpBytesPerNodePerSec: Math.round(udpBytesPerNodePerSec),
    tcpBytesPerNodePerSec: Math.round(tcpBytesPerNodePerSec),
    packetsPerNodePerSec: Number(packetsPerNodePerSec.toFixed(1)),
    connectionsMean: Number(connectionsMean.toFixed(1)),
    connectionsMax,
    newConnectionsPerNodePerMin: Number(newConnectionsPerNodePerMin.toFixed(2)),
    newConnectionTcpBytesPerNodePerSec: Math.round(newConnectionTcpBytesPerNodePerSec),
    keptConnectionTcpBytesPerNodePerSec: Math.round(keptConnectionTcpBytesPerNodePerSec),
    fallbackProbesPerNodePerMin: Number(fallbackProbesPerNodePerMin.toFixed(2)),
    syncsPerNodePerMin: Number(syncsPerNodePerMin.toFixed(2)),
    bytesByType,
    msgsPerNodePerSec: Number(msgsPerNodePerSec.toFixed(2)),
    cpuPercentPerNode: Number(cpuPercentPerNode.toFixed(2)),
    rssMiBPerNode: Number((rssMiBTotal / n).toFixed(1)),
    rssMiBTotal: Math.round(rssMiBTotal),
    setupSeconds: Number(setupSeconds.toFixed(1)),
    formingSeconds: Number((formingMs / 1000).toFixed(1))
  }
}

function fmt (s: Stat): string {
  if (s.median == null) return 'n/a'
  return `${s.median} / ${s.max}${s.missing > 0 ? ` (${s.missing} missed)` : ''}`
}

// An interrupted run still exits through process.exit, so that `node --cpu-prof` writes its profile.
process.on('SIGINT', () => { process.exit(130) })

const rows: Row[] = []
for (const n of sizes) {
  const trials = trialsOption != null ? Number(trialsOption) : 5
  if (!json) process.stderr.write(`N=${n}: ${trials} trials...\n`)
  rows.push(await run(n, trials))
}
await Promise.all(hosts.map(async (h) => { await h.terminate() }))

if (json) {
  console.log(JSON.stringify({ profile, node: process.version, rows }, null, 2))
} else {
  console.log(`\nlibp2p-swim, real nodes on 127.0.0.1 in one process (${threads} node thread${threads === 1 ? '' : 's'}), profile ${profile}, Node ${process.version}${datagram ? '' : ', streams only (datagram: false)'}${maxConnectionsOption != null ? `, maxConnections ${maxConnectionsOption} (no allow-list)` : ''}; times are median / max in ms`)
  console.log('')
  console.log('| N | trials | join → all have it | graceful leave → all saw it | crash → first suspect | crash → all survivors failed it | false fails (setup) | bytes/s per node | msgs/s per node | CPU per node | RSS per node (total) |')
  console.log('|---|---|---|---|---|---|---|---|---|---|---|')
  for (const r of rows) {
    console.log(`| ${r.n} | ${r.trials} | ${fmt(r.joinMs)} | ${fmt(r.leaveMs)} | ${fmt(r.firstSuspectMs)} | ${fmt(r.allFailMs)} | ${r.falseFails} (${r.setupFalseFails}) | ${r.bytesPerNodePerSec} | ${r.msgsPerNodePerSec} | ${r.cpuPercentPerNode}% | ${r.rssMiBPerNode} MiB (${r.rssMiBTotal} MiB) |`)
  }
  console.log('')
  console.log('| N | connections per node (mean / max) | IP bytes/s per node (UDP + TCP) | packets/s per node | setup: batches of 10, each converged and the event loop idle, then 33 s | of which batches converging |')
  console.log('|---|---|---|---|---|---|')
  for (const r of rows) {
    console.log(`| ${r.n} | ${r.connectionsMean} / ${r.connectionsMax} | ${r.ipBytesPerNodePerSec} (${r.udpBytesPerNodePerSec} + ${r.tcpBytesPerNodePerSec}) | ${r.packetsPerNodePerSec} | ${r.setupSeconds} s | ${r.formingSeconds} s |`)
  }
  console.log('')
  console.log('| N | TCP connections opened per node per min (their IP B/s per node) | TCP IP B/s per node on connections kept from before | fallback probes per node per min | push-pull messages sent per node per min |')
  console.log('|---|---|---|---|---|')
  for (const r of rows) {
    console.log(`| ${r.n} | ${r.newConnectionsPerNodePerMin} (${r.newConnectionTcpBytesPerNodePerSec}) | ${r.keptConnectionTcpBytesPerNodePerSec} | ${r.fallbackProbesPerNodePerMin} | ${r.syncsPerNodePerMin} |`)
  }
  console.log('\nCPU and RSS per node are this process\'s totals divided by N (one Node.js runtime shared by all nodes). Bytes are SWIM messages as encoded, without stream, encryption and TCP overhead.')
}
