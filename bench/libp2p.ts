/**
 * Real-cluster benchmark (figures, not assertions): N libp2p nodes (TCP + noise + yamux) on
 * 127.0.0.1, all in this one process, running the `swim()` service with the `lan` profile
 * (the anchors' memberlist runs use DefaultLANConfig).
 *
 * Per size, each trial adds a node and measures, from the harness's clock:
 * - join: createLibp2p() of a new node (seeded with one random member) → every live member
 *   has it as alive;
 * - leave: `leave()` of that node → every other member has it as left;
 * - crash: `stop()` of another new node (no leave; its listener closes, so its host refuses
 *   connections) → first suspect anywhere, → every survivor has declared it failed;
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
 * converged and this process's event loop has run on time for a second (all N nodes share one
 * thread: a batch started while the last one's news is still gossiped measures a saturated
 * CPU, acks read late and false suspicions, not the protocol). `--progress` prints a line per
 * batch on stderr: time to converge, view sizes, suspicions and fails so far, fallback probes,
 * event-loop delay, GC pauses, RSS, load.
 *
 * `--no-datagram` runs the cluster over libp2p streams only (`datagram: false`).
 *
 * `--max-connections M` sets libp2p's maxConnections to M with no allow-list, so libp2p
 * refuses and prunes connections beyond M as it would between real hosts.
 *
 * `node --import tsx bench/libp2p.ts [--json] [--sizes 10,50,100] [--trials 5] [--profile lan] [--max-connections M] [--no-datagram] [--progress]`
 */
import '../src/polyfill.ts'
import { Socket } from 'node:net'
import { loadavg } from 'node:os'
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import { resolveConfig } from '../src/core/config.ts'
import { swim } from '../src/index.ts'
import { MEMBERSHIP_EVENT_TYPES } from '../src/core/types.ts'
import type { ProfileName, Swim, MembershipEventType } from '../src/index.ts'
import { clusterNodeOptions } from './cluster-options.ts'
import { waitFor } from '../test/helpers/wait.ts'

type Node = Libp2p<{ swim: Swim }>

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
const STEADY_WINDOW_MS = 30_000
/** A joiner push-pulls 1, 2, 4 … 32 probe intervals after joining: join cost, not steady state. */
const CATCH_UP_INTERVALS = 33

/** Bytes and writes on every TCP socket of this process (all of them are libp2p's here). */
const tcp = { bytes: 0, writes: 0 }
/** Per socket while a window is measured: bytes and writes, and whether it was first written in the window. */
let sockets: Map<Socket, { bytes: number, writes: number, fresh: boolean }> | undefined
const seenSockets = new WeakSet<Socket>()
const socketWrite = Socket.prototype.write
Socket.prototype.write = function (this: Socket, chunk: unknown, ...rest: unknown[]): boolean {
  const size = chunk instanceof Uint8Array ? chunk.byteLength : typeof chunk === 'string' ? Buffer.byteLength(chunk) : 0
  tcp.bytes += size
  tcp.writes++
  if (sockets != null) {
    let s = sockets.get(this)
    if (s == null) sockets.set(this, (s = { bytes: 0, writes: 0, fresh: !seenSockets.has(this) }))
    s.bytes += size
    s.writes++
  }
  seenSockets.add(this)
  return (socketWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest)
} as typeof Socket.prototype.write
const IP_UDP_HEADERS = 28
const IP_TCP_HEADERS = 52
const TRIAL_TIMEOUT_MS = 60_000
/** The next batch of joiners starts once the event loop's p99 delay over a second is below this. */
const IDLE_LAG_MS = 50

const events: Array<{ at: number, observer: string, type: MembershipEventType, member: string }> = []

/** Each node's view, kept from its events (cheap to poll, unlike `members()` snapshots). */
const views = new Map<string, Map<string, string>>()
/** Alive members in each node's view, kept as events arrive: polled every 10 ms, so never counted (N² per poll at N=500). */
const alive = new Map<string, number>()

async function createNode (seeds: string[]): Promise<Node> {
  const node = await createLibp2p({
    ...clusterNodeOptions(maxConnectionsOption != null ? Number(maxConnectionsOption) : undefined),
    services: { swim: swim({ profile, seeds, ...(datagram ? {} : { datagram: false as const }) }) }
  })
  const observer = node.peerId.toString()
  const view = new Map<string, string>([[observer, 'alive']])
  views.set(observer, view)
  alive.set(observer, 1)
  for (const type of MEMBERSHIP_EVENT_TYPES) {
    node.services.swim.addEventListener(`member:${type}`, (evt) => {
      events.push({ at: Date.now(), observer, type, member: evt.detail.member.id })
      const before = view.get(evt.detail.member.id)
      const after = evt.detail.member.state
      view.set(evt.detail.member.id, after)
      alive.set(observer, (alive.get(observer) ?? 0) + (after === 'alive' ? 1 : 0) - (before === 'alive' ? 1 : 0))
    })
  }
  return node
}

/** How late the event loop runs: with N nodes on one thread, lag beyond probeTimeout turns into false suspicions. */
const lag = monitorEventLoopDelay({ resolution: 10 })
lag.enable()

/** The longest garbage collection pause since the last report, and the time spent in them. */
const gc = { max: 0, total: 0 }
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.max = Math.max(gc.max, entry.duration)
    gc.total += entry.duration
  }
}).observe({ entryTypes: ['gc'] })

/** Waits (up to 60 s) until the event loop has run on time for a whole second. */
async function idle (): Promise<void> {
  const until = Date.now() + 60_000
  while (Date.now() < until) {
    lag.reset()
    await sleep(1000)
    if (lag.percentile(99) / 1e6 < IDLE_LAG_MS) return
  }
}

/** `--progress`: one line per batch on stderr (where formation spends its time). */
function report (nodes: Node[], size: number, setupStarted: number, batchStarted: number): void {
  // the delay first: the sums below walk every node's view
  const delay = `event-loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms; GC pauses max ${gc.max.toFixed(0)} ms, total ${gc.total.toFixed(0)} ms`
  gc.max = 0
  gc.total = 0
  const stats = nodes.map((x) => x.services.swim.stats())
  const total = (f: (s: ReturnType<Swim['stats']>) => number): number => stats.reduce((sum, s) => sum + f(s), 0)
  const views = nodes.map(aliveIn)
  const connections = nodes.map((x) => x.getConnections().length)
  process.stderr.write(`${size} nodes: batch ${((Date.now() - batchStarted) / 1000).toFixed(1)} s, total ${((Date.now() - setupStarted) / 1000).toFixed(0)} s; ` +
    `views ${Math.min(...views)}..${Math.max(...views)}; connections max ${Math.max(...connections)}; ` +
    `suspicions ${total((s) => s.suspicionsRaised)}, fails ${events.filter((e) => e.type === 'fail').length}, ` +
    `members rejected ${total((s) => s.membersRejected)}, fallback probes ${total((s) => s.datagrams?.fallbackProbes ?? 0)}, syncs sent ${total((s) => s.messagesOut.sync ?? 0)}; ` +
    `${delay}; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`)
}

function viewOf (node: Node): Map<string, string> {
  return views.get(node.peerId.toString()) ?? new Map()
}

function aliveIn (node: Node): number {
  return alive.get(node.peerId.toString()) ?? 0
}

/** Whether `condition` came to hold within `timeout` ms (polled every `interval` ms: the figures' resolution). */
async function within (what: string, condition: () => boolean, timeout = TRIAL_TIMEOUT_MS, interval = 10): Promise<boolean> {
  return await waitFor(what, condition, timeout, interval).then(() => true, () => false)
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

function stateIn (node: Node, id: string): string | undefined {
  return viewOf(node).get(id)
}

/** When every observer first emitted `type` about `member` at or after `since`, or null. */
function lastFirst (observers: Node[], member: string, type: MembershipEventType, since: number): number | null {
  let latest = since
  for (const o of observers) {
    const id = o.peerId.toString()
    const e = events.find((e) => e.at >= since && e.observer === id && e.member === member && e.type === type)
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
  const seedAddrs = seed.getMultiaddrs().map(String)
  const nodes: Node[] = [seed]
  /** Time from each batch's start to its convergence, summed (setup without the waits between batches). */
  let formingMs = 0
  // Start the others in batches of ten, as a rolling deployment would, each batch once the
  // previous one has converged; all join through the first node. (All N nodes share this
  // process's two cores, so starting them at once would measure the noise handshakes of
  // N² connections competing for CPU, not the protocol.)
  while (nodes.length < n) {
    const batch = Math.min(10, n - nodes.length)
    const created = Date.now()
    nodes.push(...await Promise.all(Array.from({ length: batch }, async () => createNode(seedAddrs))))
    const size = nodes.length
    const batchStarted = Date.now()
    formingMs += batchStarted - created
    lag.reset()
    gc.max = 0
    gc.total = 0
    const converged = await within('the cluster to converge', () => nodes.every((x) => aliveIn(x) === size), 120_000)
    formingMs += Date.now() - batchStarted
    if (progress) report(nodes, size, setupStarted, batchStarted)
    if (!converged) throw new Error(`A cluster of ${size} did not converge in 120 s`)
    // and once this process has time to spare again: every node shares its one thread, and a
    // batch started while the last one's news is still being gossiped would measure a
    // saturated CPU (acks read late, false suspicions) rather than the protocol
    await idle()
  }
  // Steady state: once every join has been disseminated (broadcast queues empty).
  // (polled each second: stats() copies a node's view, so a poll of every node is N² work)
  await within('the broadcast queues to drain', () => nodes.every((x) => x.services.swim.stats().pendingBroadcasts === 0), 60_000, 1000)
  // and once the last joiners' catch-up push-pulls (up to 32 probe intervals after a join) are over
  const lastJoin = Date.now()
  await sleep(Math.max(2000, lastJoin + CATCH_UP_INTERVALS * resolveConfig(profile).probeInterval - Date.now()))
  const setupSeconds = (Date.now() - setupStarted) / 1000
  const setupFalseFails = events.filter((e) => e.type === 'fail').length
  events.length = 0

  // steady state
  const bytesOut = (): number => nodes.reduce((sum, x) => sum + Object.values(x.services.swim.stats().bytesOut).reduce((a, b) => a + b, 0), 0)
  const msgsOut = (): number => nodes.reduce((sum, x) => sum + Object.values(x.services.swim.stats().messagesOut).reduce((a, b) => a + b, 0), 0)
  const b0 = bytesOut()
  const m0 = msgsOut()
  const byType = (): Record<string, number> => {
    const out: Record<string, number> = {}
    for (const x of nodes) for (const [k, v] of Object.entries(x.services.swim.stats().bytesOut)) out[k] = (out[k] ?? 0) + v
    return out
  }
  const t0ByType = byType()
  const datagramsOut = (): { n: number, bytes: number } => nodes.reduce((acc, x) => {
    const d = x.services.swim.stats().datagrams
    return { n: acc.n + (d?.out ?? 0), bytes: acc.bytes + (d?.bytesOut ?? 0) }
  }, { n: 0, bytes: 0 })
  const d0 = datagramsOut()
  const counter = (f: (s: ReturnType<Swim['stats']>) => number): number => nodes.reduce((sum, x) => sum + f(x.services.swim.stats()), 0)
  const fallbacks = (): number => counter((s) => s.datagrams?.fallbackProbes ?? 0)
  const syncs = (): number => counter((s) => s.messagesOut.sync ?? 0)
  const f0 = fallbacks()
  const s0 = syncs()
  sockets = new Map()
  const tcp0 = { ...tcp }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let rssPeak = 0
  const connectionSamples: number[] = []
  let connectionsMax = 0
  while (performance.now() - t0 < STEADY_WINDOW_MS) {
    await sleep(500)
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
    const counts = nodes.map((x) => x.getConnections().length)
    connectionSamples.push(counts.reduce((a, b) => a + b, 0) / n)
    connectionsMax = Math.max(connectionsMax, ...counts)
  }
  const d1 = datagramsOut()
  const perSocket = [...(sockets ?? new Map()).values()]
  sockets = undefined
  const ipBytes = (list: Array<{ bytes: number, writes: number }>): number => list.reduce((sum, x) => sum + x.bytes + 2 * IP_TCP_HEADERS * x.writes, 0)
  const fresh = perSocket.filter((x) => x.fresh)
  const udpBytes = (d1.bytes - d0.bytes) + IP_UDP_HEADERS * (d1.n - d0.n)
  const tcpWrites = tcp.writes - tcp0.writes
  const tcpBytes = (tcp.bytes - tcp0.bytes) + 2 * IP_TCP_HEADERS * tcpWrites
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const bytesPerNodePerSec = (bytesOut() - b0) / n / seconds
  const t1ByType = byType()
  const bytesByType: Record<string, number> = {}
  for (const [k, v] of Object.entries(t1ByType)) bytesByType[k] = Math.round((v - (t0ByType[k] ?? 0)) / n / seconds)
  const msgsPerNodePerSec = (msgsOut() - m0) / n / seconds
  const udpBytesPerNodePerSec = udpBytes / n / seconds
  const tcpBytesPerNodePerSec = tcpBytes / n / seconds
  const packetsPerNodePerSec = ((d1.n - d0.n) + 2 * tcpWrites) / n / seconds
  // a connection has a socket at each end
  const newConnectionsPerNodePerMin = fresh.length / 2 / n / seconds * 60
  const newConnectionTcpBytesPerNodePerSec = ipBytes(fresh) / n / seconds
  const keptConnectionTcpBytesPerNodePerSec = ipBytes(perSocket.filter((x) => !x.fresh)) / n / seconds
  const fallbackProbesPerNodePerMin = (fallbacks() - f0) / n / seconds * 60
  const syncsPerNodePerMin = (syncs() - s0) / n / seconds * 60
  const connectionsMean = connectionSamples.reduce((a, b) => a + b, 0) / Math.max(1, connectionSamples.length)
  const cpuPercentPerNode = ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100 / n

  const sample: Sample = { join: [], leave: [], firstSuspect: [], allFail: [] }
  let falseFails = 0
  const crashed = new Set<string>()
  for (let t = 0; t < trials; t++) {
    // join, then graceful leave of the same node
    for (const crash of [false, true]) {
      const others = [...nodes]
      const started = Date.now()
      const node = await createNode([pick(others).getMultiaddrs()[0].toString()])
      const id = node.peerId.toString()
      const joined = await within('the joiner alive everywhere', () => others.every((o) => stateIn(o, id) === 'alive'))
      if (joined) sample.join.push(lastFirst(others, id, 'join', started) ?? Date.now() - started)
      await within('the joiner to see everyone', () => aliveIn(node) === others.length + 1, 10_000)
      await settle([...others, node])
      if (!crash) {
        const leaving = Date.now()
        await node.services.swim.leave()
        const left = await within('the leaver left everywhere', () => others.every((o) => stateIn(o, id) === 'left'))
        if (left) sample.leave.push(lastFirst(others, id, 'leave', leaving) ?? Date.now() - leaving)
        await node.stop()
      } else {
        const stopping = Date.now()
        await node.stop()
        crashed.add(id)
        const failed = await within('the crashed member dead everywhere', () => others.every((o) => stateIn(o, id) === 'dead'))
        const suspects = events.filter((e) => e.at >= stopping && e.member === id && e.type === 'suspect')
        if (suspects.length > 0) sample.firstSuspect.push(Math.min(...suspects.map((e) => e.at)) - stopping)
        if (failed) sample.allFail.push(lastFirst(others, id, 'fail', stopping) ?? Date.now() - stopping)
      }
      await settle(others)
    }
  }
  // fail events about members that never crashed
  const live = new Set(nodes.map((x) => x.peerId.toString()))
  falseFails = events.filter((e) => e.type === 'fail' && live.has(e.member)).length

  const rssMiBTotal = rssPeak / 2 ** 20
  await Promise.all(nodes.map(async (x) => { await x.stop() }))
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

if (json) {
  console.log(JSON.stringify({ profile, node: process.version, rows }, null, 2))
} else {
  console.log(`\nlibp2p-swim, real nodes on 127.0.0.1 in one process, profile ${profile}, Node ${process.version}${datagram ? '' : ', streams only (datagram: false)'}${maxConnectionsOption != null ? `, maxConnections ${maxConnectionsOption} (no allow-list)` : ''}; times are median / max in ms`)
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
