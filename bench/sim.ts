/**
 * Simulator benchmark (figures, not assertions): join convergence, crash detection and
 * message cost for N = 100, 1,000, 10,000 in virtual time, with the wall time and memory
 * each run took. `node --import tsx bench/sim.ts [--json] [--sizes 100,1000]`
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
  peakRssMiB: number
}

const args = process.argv.slice(2)
const json = args.includes('--json')
const sizesArg = args[args.indexOf('--sizes') + 1]
const sizes = args.includes('--sizes') ? sizesArg.split(',').map(Number) : [100, 1000, 2000, 10000]
const interval = resolveConfig('lan').probeInterval
/** A size whose join has not converged after this much wall time is reported as not converged. */
const maxWallMs = 300_000

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
  const sim = new Simulation({ size: n, seed: 1, wire: n <= 100, recordEvents: false, onEvent })
  const converged = (): boolean => sim.ids.every((id) => sim.machine(id).clusterSize === n)
  let joinConvergedMs: number | null = null
  while (sim.now < budget && performance.now() - started < maxWallMs) {
    sim.runFor(n >= 10_000 ? 1000 : 250)
    sample()
    if (converged()) { joinConvergedMs = sim.now; break }
  }
  // Steady state cost over 10 probe intervals, once the join news has been retransmitted.
  if (joinConvergedMs != null) sim.runFor(30_000)
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
  while (sim.now < deadline && fails < n - 1) { sim.runFor(500); sample() }
  return {
    n,
    joinConvergedMs,
    firstSuspectMs: firstSuspect,
    allFailMs: fails >= n - 1 ? Math.round(lastFail) : null,
    msgsPerNodePerInterval: round(msgs),
    bytesPerNodePerInterval: Math.round(bytes),
    virtualSeconds: Math.round(sim.now / 1000),
    wallSeconds: round((performance.now() - started) / 1000),
    peakRssMiB: Math.round(peakRss / 1048576)
  }
}

function round (x: number): number {
  return Math.round(x * 100) / 100
}

/**
 * Each size runs in its own process, so one that exhausts its heap (10,000 nodes each
 * holding a full member table) is reported as such and the others still print.
 */
function runIsolated (n: number): Row | string {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', String(n)], { encoding: 'utf8' })
  if (child.status === 0) return JSON.parse(child.stdout) as Row
  return /heap out of memory/.test(child.stderr) ? 'ran out of heap (4 GiB)' : `failed (exit ${child.status})`
}

if (args.includes('--one')) {
  console.log(JSON.stringify(run(Number(args[args.indexOf('--one') + 1]))))
} else {
  const fmt = (ms: number | null): string => ms == null ? 'not reached' : `${(ms / 1000).toFixed(2)} s`
  if (!json) {
    console.log('| N | join converged (virtual) | crash → first suspect | crash → all fail | msgs / node / interval | bytes / node / interval | virtual s | wall s | peak RSS |')
    console.log('|---|---|---|---|---|---|---|---|---|')
  }
  const rows: Array<Row | { n: number, error: string }> = []
  for (const n of sizes) {
    const r = runIsolated(n)
    if (typeof r === 'string') {
      rows.push({ n, error: r })
      if (!json) console.log(`| ${n} | ${r} | | | | | | | |`)
    } else {
      rows.push(r)
      if (!json) console.log(`| ${r.n} | ${fmt(r.joinConvergedMs)} | ${fmt(r.firstSuspectMs)} | ${fmt(r.allFailMs)} | ${r.msgsPerNodePerInterval} | ${r.bytesPerNodePerInterval} | ${r.virtualSeconds} | ${r.wallSeconds} | ${r.peakRssMiB} MiB |`)
    }
  }
  if (json) console.log(JSON.stringify({ bench: 'sim', profile: 'lan', rows }, null, 2))
}
