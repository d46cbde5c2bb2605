/**
 * Simulator benchmark (figures, not assertions): join convergence, crash detection and
 * message cost for N = 100 to 10,000 in virtual time, with the wall time and memory each run
 * took. Each size runs in its own process with a 2 GiB heap (`--heap`, MiB), and gives up
 * after `--max-wall` seconds (default 300) of a join that has not converged.
 *
 *   node --import tsx bench/sim.ts [--json] [--sizes 100,1000,2000,5000,10000] [--heap 2048] [--max-wall 300]
 */
import { Simulation, type SimEvent } from '../src/sim/index.ts'
import { resolveConfig } from '../src/core/config.ts'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

interface Row {
  n: number
  joinConvergedMs: number | null
  firstSuspectMs: number | null
  allFailMs: number | null
  msgsPerNodePerInterval: number
  bytesPerNodePerInterval: number
  virtualSeconds: number
  wallSeconds: number
  /** Virtual ms from the join's convergence until every broadcast queue was empty (at least 30 s, at most 300 s). */
  settleMs: number | null
  /** Wall time until the join converged (or the run gave up). */
  joinWallSeconds: number
  peakRssMiB: number
  /** Heap limit of the run (MiB). */
  heapMiB: number
  /** Whether messages went through the codec (bytes as encoded) or were sized by estimate. */
  wire: boolean
}

const args = process.argv.slice(2)
const json = args.includes('--json')
const sizesArg = args[args.indexOf('--sizes') + 1]
const sizes = args.includes('--sizes') ? sizesArg.split(',').map(Number) : [100, 1000, 2000, 10000]
const option = (name: string, fallback: number): number => args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback
const heapMiB = option('--heap', 2048)
const interval = resolveConfig('lan').probeInterval
/** A size whose join has not converged after this much wall time is reported as not converged. */
const maxWallMs = option('--max-wall', 300) * 1000
/** How long after the join the queues may take to drain before the cost is measured anyway. */
const maxSettleMs = 300_000

function run (n: number): Row {
  const started = performance.now()
  let peakRss = process.memoryUsage().rss
  const sample = (): void => { peakRss = Math.max(peakRss, process.memoryUsage().rss) }
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
  const sim = new Simulation({ size: n, seed: 1, wire, recordEvents: false, onEvent })
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
    return { n, joinConvergedMs, firstSuspectMs: null, allFailMs: null, msgsPerNodePerInterval: NaN, bytesPerNodePerInterval: NaN, settleMs: null, virtualSeconds: Math.round(sim.now / 1000), wallSeconds: joinWallSeconds, joinWallSeconds, peakRssMiB: Math.round(peakRss / 1048576), heapMiB, wire }
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

function round (x: number): number {
  return Math.round(x * 100) / 100
}

/**
 * Each size runs in its own process, so one that exhausts its heap (10,000 nodes each
 * holding a full member table) is reported as such, with how far it got, and the others
 * still print.
 */
function runIsolated (n: number): Row | string {
  const child = spawnSync(process.execPath, [`--max-old-space-size=${heapMiB}`, '--import', 'tsx', fileURLToPath(import.meta.url), '--one', String(n), '--max-wall', String(maxWallMs / 1000)], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })
  if (child.status === 0) return JSON.parse(child.stdout) as Row
  const last = child.stderr.split('\n').filter((line) => line.startsWith('{"progress"')).pop()
  const got = last == null ? '' : ((p: { virtualSeconds: number, wallSeconds: number, peakRssMiB: number }) => ` at virtual ${p.virtualSeconds} s, after ${p.wallSeconds} s wall, ${p.peakRssMiB} MiB RSS`)(JSON.parse(last))
  return /heap out of memory/.test(child.stderr) ? `ran out of heap (${heapMiB} MiB)${got}` : `failed (exit ${child.status})${got}`
}

if (args.includes('--one')) {
  console.log(JSON.stringify(run(Number(args[args.indexOf('--one') + 1]))))
} else {
  const fmt = (ms: number | null): string => ms == null ? 'not reached' : `${(ms / 1000).toFixed(2)} s`
  const num = (x: number): string => Number.isNaN(x) ? '—' : String(x)
  if (!json) {
    console.log('| N | join converged (virtual) | crash → first suspect | crash → all fail | queues empty after | msgs / node / interval | bytes / node / interval | virtual s | wall s (join) | peak RSS (heap limit) |')
    console.log('|---|---|---|---|---|---|---|---|---|---|')
  }
  const rows: Array<Row | { n: number, error: string }> = []
  for (const n of sizes) {
    const r = runIsolated(n)
    if (typeof r === 'string') {
      rows.push({ n, error: r })
      if (!json) console.log(`| ${n} | ${r} | | | | | | | | |`)
    } else {
      rows.push(r)
      if (!json) console.log(`| ${r.n} | ${fmt(r.joinConvergedMs)} | ${fmt(r.firstSuspectMs)} | ${fmt(r.allFailMs)} | ${fmt(r.settleMs)} | ${num(r.msgsPerNodePerInterval)} | ${num(r.bytesPerNodePerInterval)}${r.wire ? '' : ' (estimated, wire off)'} | ${r.virtualSeconds} | ${r.wallSeconds} (${r.joinWallSeconds}) | ${r.peakRssMiB} MiB (${r.heapMiB}) |`)
    }
  }
  if (json) console.log(JSON.stringify({ bench: 'sim', profile: 'lan', rows }, null, 2))
}
