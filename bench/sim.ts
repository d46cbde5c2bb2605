/**
 * Simulator benchmark (figures, not assertions): join convergence, crash detection and
 * message cost for N = 100 to 10,000 in virtual time, with the wall time and memory each run
 * took. Each size runs in its own process with a 2 GiB heap (`--heap`, MiB), and gives up
 * after `--max-wall` seconds (default 300) of a join that has not converged.
 *
 * Two kinds of row. `join`: all N join through one seed at once, then the steady state once
 * the queues drained, then a crash. `formed`: the simulation starts from a formed cluster
 * (`formed: true`: every node holds every member alive, as after a long-running join) and
 * runs 60 virtual s: the steady state over 10 s to 20 s, a crash at 20 s, detection until
 * 60 s. Sizes of `--sizes` from 5,000 up run formed (N simultaneous joins through one seed
 * do not fit in 2 GiB, see the README); `--formed-sizes` adds formed rows to compare with.
 * `waves` (`--waves-sizes`, default 2000): a rollout, 1,000 nodes a virtual second starting
 * and joining through one of 10 seeds each, until all N run; the row reports the join only.
 * `--max-queued` bounds the broadcast queues of the waves rows (see maxQueued).
 *
 *   node --import tsx bench/sim.ts [--json] [--sizes 100,1000,2000,10000] [--formed-sizes 1000,2000]
 *                                  [--waves-sizes 2000,5000] [--max-queued 512]
 *                                  [--heap 2048] [--max-wall 300]
 */
import { Simulation, SHARED_TABLES_FROM, type SimEvent } from '../src/sim/index.ts'
import { resolveConfig } from '../src/core/config.ts'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

interface Row {
  n: number
  /**
   * How the cluster came to be: all N joining through one seed at once, joining in waves
   * (WAVE_RATE a virtual second, each through one of WAVE_SEEDS seeds), or a formed start.
   */
  start: 'join' | 'waves' | 'formed'
  /** Member tables: the dense default, or shared between the nodes (sharedTables). */
  tables: 'dense' | 'shared'
  joinConvergedMs: number | null
  firstSuspectMs: number | null
  allFailMs: number | null
  msgsPerNodePerInterval: number
  bytesPerNodePerInterval: number
  virtualSeconds: number
  wallSeconds: number
  /** Virtual ms from the join's convergence until every broadcast queue was empty (at least 30 s, at most 300 s). */
  settleMs: number | null
  /** CPU time of the run's process (user + system), for a machine whose other load varies. */
  cpuSeconds?: number
  /** Wall time until the join converged (or the run gave up). */
  joinWallSeconds: number
  peakRssMiB: number
  /** Heap limit of the run (MiB). */
  heapMiB: number
  /** Whether messages went through the codec (bytes as encoded) or were sized by estimate. */
  wire: boolean
  /** Formed rows: fail events of members other than the crashed one (none expected). */
  healthyFails?: number
}

const args = process.argv.slice(2)
const json = args.includes('--json')
const sizesArg = args[args.indexOf('--sizes') + 1]
const sizes = args.includes('--sizes') ? sizesArg.split(',').map(Number) : [100, 1000, 2000, 10000]
const formedArg = args[args.indexOf('--formed-sizes') + 1]
const formedSizes = args.includes('--formed-sizes') ? formedArg.split(',').filter((x) => x !== '').map(Number) : [1000, 2000]
const wavesArg = args[args.indexOf('--waves-sizes') + 1]
const wavesSizes = args.includes('--waves-sizes') ? wavesArg.split(',').filter((x) => x !== '').map(Number) : [2000]
/** From this size on, a size of --sizes runs from a formed start. */
const FORMED_FROM = 5000
const option = (name: string, fallback: number): number => args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback
const heapMiB = option('--heap', 2048)
/**
 * Waves rows: each node's broadcast queue bound (maxQueuedUpdates) instead of the profile's
 * 4,096. While joins arrive faster than gossip passes them on, every queue fills to its bound
 * with join records (about 140 bytes each): 4,096 × 10,000 nodes do not fit in 2 GiB.
 */
const maxQueued = args.includes('--max-queued') ? option('--max-queued', 4096) : undefined
const interval = resolveConfig('lan').probeInterval
/** A size whose join has not converged after this much wall time is reported as not converged. */
const maxWallMs = option('--max-wall', 300) * 1000
/** How long after the join the queues may take to drain before the cost is measured anyway. */
const maxSettleMs = 300_000

/** The process's peak RSS so far (the kernel's high-water mark), in bytes. */
const maxRss = (): number => process.resourceUsage().maxRSS * 1024

function run (n: number, start: Row['start']): Row {
  return start === 'formed' ? runFormed(n) : start === 'waves' ? runWaves(n) : runJoin(n)
}

/** Joiners a virtual second in a `waves` row, and the seeds they join through (round robin). */
const WAVE_RATE = 1000
const WAVE_SEEDS = 10

/**
 * A rollout: WAVE_SEEDS nodes join through the first at t = 0, then the others start one
 * every 1000 / WAVE_RATE ms, each joining through one of the seeds (round robin), until N
 * run. Reported: when every view held all N members (virtual, from t = 0) and what the
 * join cost; the steady state and a crash are left to the join and formed rows.
 */
function runWaves (n: number): Row {
  const started = performance.now()
  let peakRss = maxRss()
  const sample = (): void => { peakRss = Math.max(peakRss, maxRss()) }
  const wire = n <= 100
  const sharedTables = n >= SHARED_TABLES_FROM
  const config = maxQueued === undefined ? undefined : { maxQueuedUpdates: maxQueued }
  const sim = new Simulation({ size: Math.min(n, WAVE_SEEDS), seed: 1, wire, recordEvents: false, quorum: false, sharedTables, config })
  const seeds = sim.ids.slice()
  const progress = (): void => {
    process.stderr.write(JSON.stringify({ progress: true, virtualSeconds: Math.round(sim.now / 1000), wallSeconds: round((performance.now() - started) / 1000), peakRssMiB: Math.round(peakRss / 1048576) }) + '\n')
  }
  const gap = 1000 / WAVE_RATE
  let added = sim.ids.length
  while (added < n) {
    sim.add({ seeds: [seeds[added % seeds.length]] })
    added++
    sim.runFor(gap)
    if (added % WAVE_RATE === 0) { sample(); progress() }
  }
  const converged = (): boolean => sim.ids.every((id) => sim.machine(id).clusterSize === n)
  let joinConvergedMs: number | null = null
  const budget = sim.now + 60_000
  while (performance.now() - started < maxWallMs) {
    if (converged()) { joinConvergedMs = sim.now; break }
    if (sim.now >= budget) break
    sim.runFor(250)
    sample()
    progress()
  }
  const joinWallSeconds = round((performance.now() - started) / 1000)
  return { n, start: 'waves', tables: sharedTables ? 'shared' : 'dense', joinConvergedMs, firstSuspectMs: null, allFailMs: null, msgsPerNodePerInterval: NaN, bytesPerNodePerInterval: NaN, settleMs: null, virtualSeconds: Math.round(sim.now / 1000), wallSeconds: joinWallSeconds, joinWallSeconds, peakRssMiB: Math.round(peakRss / 1048576), heapMiB, wire }
}

function runJoin (n: number): Row {
  const started = performance.now()
  let peakRss = maxRss()
  const sample = (): void => { peakRss = Math.max(peakRss, maxRss()) }
  const budget = n >= 10_000 ? 60_000 : 120_000 // virtual ms
  let victim = ''
  let crashedAt = 0
  let firstSuspect: number | null = null
  let fails = 0
  let lastFail = 0
  const onEvent = (e: SimEvent): void => {
    if (victim === '' || e.member !== victim) return
    if (e.type === 'suspect' && firstSuspect == null) firstSuspect = e.at - crashedAt
    if (e.type === 'fail') { fails++; lastFail = e.at - crashedAt }
  }
  // Above 100 nodes the codec's cost would dominate: bytes are the core's size estimates.
  const wire = n <= 100
  // No quorum trackers: consumers of the view, not the protocol (at 10,000 nodes, 10^8 set entries).
  const sim = new Simulation({ size: n, seed: 1, wire, recordEvents: false, onEvent, quorum: false })
  const tables = n >= SHARED_TABLES_FROM ? 'shared' : 'dense'
  const converged = (): boolean => sim.ids.every((id) => sim.machine(id).clusterSize === n)
  let joinConvergedMs: number | null = null
  const progress = (): void => {
    // The last line tells the parent how far a run got if it runs out of heap.
    process.stderr.write(JSON.stringify({ progress: true, virtualSeconds: Math.round(sim.now / 1000), wallSeconds: round((performance.now() - started) / 1000), peakRssMiB: Math.round(peakRss / 1048576) }) + '\n')
  }
  while (sim.now < budget && performance.now() - started < maxWallMs) {
    sim.runFor(250)
    sample()
    progress()
    if (converged()) { joinConvergedMs = sim.now; break }
  }
  const joinWallSeconds = round((performance.now() - started) / 1000)
  if (joinConvergedMs == null) {
    // Steady-state cost and crash detection mean nothing before the view has formed.
    return { n, start: 'join', tables, joinConvergedMs, firstSuspectMs: null, allFailMs: null, msgsPerNodePerInterval: NaN, bytesPerNodePerInterval: NaN, settleMs: null, virtualSeconds: Math.round(sim.now / 1000), wallSeconds: joinWallSeconds, joinWallSeconds, peakRssMiB: Math.round(peakRss / 1048576), heapMiB, wire }
  }
  // Steady state cost over 10 probe intervals, once the join news has been retransmitted
  // (every broadcast queue empty: at 2,000 nodes that takes a few minutes after the view formed).
  const settleFrom = sim.now
  const drained = (): boolean => sim.ids.every((id) => sim.machine(id).pendingBroadcasts === 0)
  // At least 30 s, past the joiners' catch-up push-pulls (the last is 32 intervals in).
  do { sim.runFor(5000); sample(); progress() } while ((sim.now - settleFrom < 30_000 || !drained()) && sim.now - settleFrom < maxSettleMs)
  const settleMs = sim.now - settleFrom
  const before = sim.stats()
  const window = 10 * interval
  sim.runFor(window)
  const after = sim.stats()
  const msgs = (after.messages - before.messages) / n / (window / interval)
  const bytes = (after.bytes - before.bytes) / n / (window / interval)
  sample()
  // Crash one node and wait for every survivor to fail it.
  victim = sim.ids[Math.floor(n / 2)]
  crashedAt = sim.now
  sim.crash(victim)
  const deadline = sim.now + 90_000
  // eslint-disable-next-line no-unmodified-loop-condition -- sample() counts the failures
  while (sim.now < deadline && fails < n - 1) { sim.runFor(500); sample(); progress() }
  return {
    n,
    start: 'join',
    tables,
    joinConvergedMs,
    firstSuspectMs: firstSuspect,
    allFailMs: fails >= n - 1 ? Math.round(lastFail) : null,
    msgsPerNodePerInterval: round(msgs),
    bytesPerNodePerInterval: Math.round(bytes),
    settleMs,
    virtualSeconds: Math.round(sim.now / 1000),
    wallSeconds: round((performance.now() - started) / 1000),
    joinWallSeconds,
    peakRssMiB: Math.round(peakRss / 1048576),
    heapMiB,
    wire
  }
}

/**
 * A formed cluster for 60 virtual s: the cost per node over 10 probe intervals from 10 s, a
 * crash at 20 s, and detection until 60 s (every survivor failing it takes about 15 s at
 * N=10,000). Bytes are the core's estimates (wire off) above 100 nodes.
 */
function runFormed (n: number): Row {
  const started = performance.now()
  let peakRss = maxRss()
  const sample = (): void => { peakRss = Math.max(peakRss, maxRss()) }
  let victim = ''
  let crashedAt = 0
  let firstSuspect: number | null = null
  let fails = 0
  let lastFail = 0
  let otherFails = 0
  const onEvent = (e: SimEvent): void => {
    if (e.member !== victim) { if (e.type === 'fail') otherFails++; return }
    if (e.type === 'suspect' && firstSuspect == null) firstSuspect = e.at - crashedAt
    if (e.type === 'fail') { fails++; lastFail = e.at - crashedAt }
  }
  const wire = n <= 100
  const sim = new Simulation({ size: n, seed: 1, wire, recordEvents: false, onEvent, quorum: false, formed: true })
  const tables = n >= SHARED_TABLES_FROM ? 'shared' : 'dense'
  const buildWallSeconds = round((performance.now() - started) / 1000)
  const progress = (): void => {
    process.stderr.write(JSON.stringify({ progress: true, virtualSeconds: Math.round(sim.now / 1000), wallSeconds: round((performance.now() - started) / 1000), peakRssMiB: Math.round(peakRss / 1048576) }) + '\n')
  }
  const step = (until: number): void => {
    while (sim.now < until) { sim.runFor(Math.min(1000, until - sim.now)); sample(); progress() }
  }
  step(10_000)
  const before = sim.stats()
  const window = 10 * interval
  step(sim.now + window)
  const after = sim.stats()
  victim = sim.ids[Math.floor(n / 2)]
  crashedAt = sim.now
  sim.crash(victim)
  step(60_000)
  return {
    n,
    start: 'formed',
    tables,
    joinConvergedMs: null,
    firstSuspectMs: firstSuspect,
    allFailMs: fails >= n - 1 ? Math.round(lastFail) : null,
    msgsPerNodePerInterval: round((after.messages - before.messages) / n / (window / interval)),
    bytesPerNodePerInterval: Math.round((after.bytes - before.bytes) / n / (window / interval)),
    settleMs: null,
    virtualSeconds: Math.round(sim.now / 1000),
    wallSeconds: round((performance.now() - started) / 1000),
    joinWallSeconds: buildWallSeconds,
    peakRssMiB: Math.round(peakRss / 1048576),
    heapMiB,
    wire,
    healthyFails: otherFails
  }
}

function round (x: number): number {
  return Math.round(x * 100) / 100
}

/**
 * Each size runs in its own process, so one that exhausts its heap (10,000 nodes each
 * holding a full member table) is reported as such, with how far it got, and the others
 * still print.
 */
function runIsolated (n: number, start: Row['start']): Row | string {
  const child = spawnSync(process.execPath, [`--max-old-space-size=${heapMiB}`, '--import', 'tsx', fileURLToPath(import.meta.url), '--one', String(n), '--start', start, '--max-wall', String(maxWallMs / 1000), ...(maxQueued === undefined ? [] : ['--max-queued', String(maxQueued)])], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })
  if (child.status === 0) return JSON.parse(child.stdout) as Row
  const last = child.stderr.split('\n').filter((line) => line.startsWith('{"progress"')).pop()
  const got = last == null ? '' : ((p: { virtualSeconds: number, wallSeconds: number, peakRssMiB: number }) => ` at virtual ${p.virtualSeconds} s, after ${p.wallSeconds} s wall, ${p.peakRssMiB} MiB RSS`)(JSON.parse(last))
  return /heap out of memory/.test(child.stderr) ? `ran out of heap (${heapMiB} MiB)${got}` : `failed (exit ${child.status})${got}`
}

if (args.includes('--one')) {
  const start = args[args.indexOf('--start') + 1]
  const row = run(Number(args[args.indexOf('--one') + 1]), start === 'formed' || start === 'waves' ? start : 'join')
  const cpu = process.cpuUsage()
  console.log(JSON.stringify({ ...row, cpuSeconds: round((cpu.user + cpu.system) / 1e6) }))
} else {
  const fmt = (ms: number | null): string => ms == null ? 'not reached' : `${(ms / 1000).toFixed(2)} s`
  const num = (x: number | null): string => x == null || Number.isNaN(x) ? '—' : String(x)
  if (!json) {
    console.log('| N | start (tables) | join converged (virtual) | crash → first suspect | crash → all fail | queues empty after | msgs / node / interval | bytes / node / interval | virtual s | wall s (join or build) / CPU s | peak RSS (heap limit) |')
    console.log('|---|---|---|---|---|---|---|---|---|---|---|')
  }
  const runs: Array<{ n: number, start: Row['start'] }> = [
    ...sizes.map((n) => ({ n, start: n >= FORMED_FROM ? 'formed' as const : 'join' as const })),
    ...formedSizes.filter((n) => n < FORMED_FROM || !sizes.includes(n)).map((n) => ({ n, start: 'formed' as const })),
    ...wavesSizes.map((n) => ({ n, start: 'waves' as const }))
  ]
  const order = { join: 0, waves: 1, formed: 2 }
  runs.sort((a, b) => a.start === b.start ? a.n - b.n : order[a.start] - order[b.start])
  const rows: Array<Row | { n: number, start: Row['start'], error: string }> = []
  for (const { n, start } of runs) {
    const r = runIsolated(n, start)
    if (typeof r === 'string') {
      rows.push({ n, start, error: r })
      if (!json) console.log(`| ${n} | ${start} | ${r} | | | | | | | | |`)
    } else {
      rows.push(r)
      const joined = r.start === 'formed' ? 'formed start' : r.start === 'waves' ? `${fmt(r.joinConvergedMs)} (${WAVE_RATE}/s through ${WAVE_SEEDS} seeds)` : fmt(r.joinConvergedMs)
      if (!json) console.log(`| ${r.n} | ${r.start} (${r.tables}) | ${joined} | ${fmt(r.firstSuspectMs)} | ${fmt(r.allFailMs)} | ${r.start === 'join' ? fmt(r.settleMs) : '—'} | ${num(r.msgsPerNodePerInterval)} | ${num(r.bytesPerNodePerInterval)}${r.wire ? '' : ' (estimated, wire off)'} | ${r.virtualSeconds} | ${r.wallSeconds} (${r.joinWallSeconds}) / ${r.cpuSeconds ?? '?'} | ${r.peakRssMiB} MiB (${r.heapMiB}) |`)
    }
  }
  if (json) console.log(JSON.stringify({ bench: 'sim', profile: 'lan', rows }, null, 2))
}
