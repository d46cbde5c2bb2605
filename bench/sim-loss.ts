/**
 * False positives in the simulator (figures, not assertions), set up like the anchors'
 * memberlist runs: N = 20, `lan` profile, 5 seeds × 140 virtual seconds after the cluster
 * has converged, in three scenarios:
 *
 * - `none`: no fault, the baseline;
 * - `loss`: every message lost with probability 10%;
 * - `pause`: one node frozen (SIGSTOP-like, `sim.pause`) for 2 s every 10 s, no loss.
 *
 * Counted from the membership events every node emits:
 * - local suspicions: `suspect` events (one observer starts suspecting one member);
 * - accusations: suspicions of one member grouped into episodes (events about it less than
 *   `EPISODE_GAP_MS` apart); an episode seen by 2+ observers reached other members;
 * - false fails: `fail` events about a member that was running all along (every member is).
 *
 * `node --import tsx bench/sim-loss.ts [--json] [--seeds 5] [--seconds 140] [--n 20] [--loss 0.1]`
 */
import { parseArgs } from 'node:util'
import { Simulation, type SimEvent } from '../src/sim/index.ts'

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    seeds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '140' },
    n: { type: 'string', default: '20' },
    loss: { type: 'string', default: '0.1' }
  }
})
const SEEDS = Number(args.seeds)
const SECONDS = Number(args.seconds)
const N = Number(args.n)
const LOSS = Number(args.loss)
/** Suspicion events about one member closer together than this belong to one episode. */
const EPISODE_GAP_MS = 5000
const PAUSE_MS = 2000
const PAUSE_EVERY_MS = 10_000

type Scenario = 'none' | 'loss' | 'pause'

export interface SeedResult {
  seed: number
  /** Virtual ms the join took before the measured window. */
  convergedMs: number | null
  localSuspicions: number
  episodes: number
  /** Episodes seen by 2 or more observers. */
  spreadAccusations: number
  falseFails: number
  /** Members some node declared failed (0 when none). */
  membersFailed: number
  /** Pause scenario only: about the frozen node, and about everyone else. */
  paused?: {
    pauses: number
    suspectEpisodes: number
    suspectEvents: number
    failEvents: number
    othersSuspectEvents: number
    othersFailEvents: number
  }
}

export interface ScenarioResult {
  scenario: Scenario
  n: number
  loss: number
  seconds: number
  seeds: SeedResult[]
  total: { localSuspicions: number, spreadAccusations: number, falseFails: number }
  median: { localSuspicions: number, spreadAccusations: number, falseFails: number }
}

function episodes (events: SimEvent[]): Array<{ member: string, observers: Set<string>, count: number }> {
  const byMember = new Map<string, SimEvent[]>()
  for (const e of events) {
    const list = byMember.get(e.member) ?? []
    list.push(e)
    byMember.set(e.member, list)
  }
  const out: Array<{ member: string, observers: Set<string>, count: number }> = []
  for (const [member, list] of byMember) {
    list.sort((a, b) => a.at - b.at)
    let current: { member: string, observers: Set<string>, count: number } | undefined
    let last = -Infinity
    for (const e of list) {
      if (current == null || e.at - last > EPISODE_GAP_MS) {
        current = { member, observers: new Set(), count: 0 }
        out.push(current)
      }
      current.observers.add(e.observer)
      current.count++
      last = e.at
    }
  }
  return out
}

function runSeed (scenario: Scenario, seed: number): SeedResult {
  const sim = new Simulation({ size: N, seed, profile: 'lan', wire: true, recordEvents: true })
  let convergedMs: number | null = null
  while (sim.now < 60_000) {
    sim.runFor(250)
    if (sim.ids.every((id) => sim.machine(id).clusterSize === N)) { convergedMs = sim.now; break }
  }
  // let the join news drain before measuring
  sim.runFor(10_000)
  const start = sim.now
  const end = start + SECONDS * 1000
  if (scenario === 'loss') sim.setLoss(LOSS)
  const frozen = sim.ids[N - 1]
  let pauses = 0
  if (scenario === 'pause') {
    while (sim.now < end) {
      if (sim.isUp(frozen)) { sim.pause(frozen, PAUSE_MS); pauses++ }
      sim.runFor(Math.min(PAUSE_EVERY_MS, end - sim.now))
    }
  } else {
    sim.runFor(end - start)
  }
  const window = sim.events.filter((e) => e.at >= start)
  const suspects = window.filter((e) => e.type === 'suspect')
  const fails = window.filter((e) => e.type === 'fail')
  const eps = episodes(suspects)
  const result: SeedResult = {
    seed,
    convergedMs,
    localSuspicions: suspects.length,
    episodes: eps.length,
    spreadAccusations: eps.filter((e) => e.observers.size >= 2).length,
    falseFails: fails.length,
    membersFailed: new Set(fails.map((e) => e.member)).size
  }
  if (scenario === 'pause') {
    result.paused = {
      pauses,
      suspectEpisodes: eps.filter((e) => e.member === frozen).length,
      suspectEvents: suspects.filter((e) => e.member === frozen).length,
      failEvents: fails.filter((e) => e.member === frozen).length,
      othersSuspectEvents: suspects.filter((e) => e.member !== frozen).length,
      othersFailEvents: fails.filter((e) => e.member !== frozen).length
    }
  }
  return result
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

function runScenario (scenario: Scenario): ScenarioResult {
  const seeds = Array.from({ length: SEEDS }, (_, i) => runSeed(scenario, i + 1))
  const sum = (k: 'localSuspicions' | 'spreadAccusations' | 'falseFails'): number => seeds.reduce((a, s) => a + s[k], 0)
  const med = (k: 'localSuspicions' | 'spreadAccusations' | 'falseFails'): number => median(seeds.map((s) => s[k]))
  return {
    scenario,
    n: N,
    loss: scenario === 'loss' ? LOSS : 0,
    seconds: SECONDS,
    seeds,
    total: { localSuspicions: sum('localSuspicions'), spreadAccusations: sum('spreadAccusations'), falseFails: sum('falseFails') },
    median: { localSuspicions: med('localSuspicions'), spreadAccusations: med('spreadAccusations'), falseFails: med('falseFails') }
  }
}

const started = performance.now()
const results = (['none', 'loss', 'pause'] as const).map(runScenario)
const wallSeconds = Number(((performance.now() - started) / 1000).toFixed(2))

if (args.json) {
  console.log(JSON.stringify({ bench: 'sim-loss', profile: 'lan', episodeGapMs: EPISODE_GAP_MS, wallSeconds, scenarios: results }, null, 2))
} else {
  const range = (xs: number[]): string => `${Math.min(...xs)}–${Math.max(...xs)} (median ${median(xs)})`
  console.log(`Simulator, lan profile, N=${N}, ${SEEDS} seeds × ${SECONDS} virtual s after convergence; per-run figures as min–max (median)\n`)
  console.log('| scenario | local suspicions | accusations reaching 2+ observers | healthy members declared dead (fail events) |')
  console.log('|---|---|---|---|')
  for (const r of results) {
    const label = r.scenario === 'none' ? 'no fault' : r.scenario === 'loss' ? `${Math.round(r.loss * 100)}% loss` : `one node paused ${PAUSE_MS / 1000} s every ${PAUSE_EVERY_MS / 1000} s`
    console.log(`| ${label} | ${range(r.seeds.map((s) => s.localSuspicions))} | ${range(r.seeds.map((s) => s.spreadAccusations))} | ${range(r.seeds.map((s) => s.falseFails))} |`)
  }
  const p = results.find((r) => r.scenario === 'pause')
  if (p != null) {
    const ps = p.seeds.map((s) => s.paused!)
    console.log(`\nPaused node: ${ps[0].pauses} pauses per run; suspected in ${range(ps.map((x) => x.suspectEpisodes))} episodes (${range(ps.map((x) => x.suspectEvents))} suspect events), fail events about it ${range(ps.map((x) => x.failEvents))}; other members: suspect events ${range(ps.map((x) => x.othersSuspectEvents))}, fail events ${range(ps.map((x) => x.othersFailEvents))}.`)
  }
  console.log(`\nwall ${wallSeconds} s`)
}
