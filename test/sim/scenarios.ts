/**
 * Scenarios as data (chitchat's operation lists): a row names a cluster (size, seed, profile,
 * knobs), a list of operations at virtual times, and what must hold. `runScenario` replays a
 * row in the simulator and returns what it found wrong, so adding a scenario is adding a row.
 * The benches replay the same rows for their figures (bench/defects.ts).
 *
 * Nodes are named by index into `sim.ids`: 0..size-1 from the start, and each `add` appends
 * the next index. Times (`at`, `by`, `after`) are ms after the cluster formed (every member
 * sees all alive), or after construction for a row with `form: false`.
 */
import { Simulation, type SimEvent, type SimulationOptions } from '../../src/sim/index.ts'
import type { ProfileName } from '../../src/core/config.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

export type Operation =
  | { at: number, op: 'crash', node: number, refused?: boolean }
  | { at: number, op: 'restart', node: number }
  | { at: number, op: 'leave', node: number }
  | { at: number, op: 'add', count?: number }
  /** The listed groups cannot reach each other; unlisted nodes form one more group. */
  | { at: number, op: 'partition', groups: number[][] }
  /** Every link between a node of `a` and one of `b` is cut, both ways. */
  | { at: number, op: 'cut', a: number[], b: number[] }
  /** One-way loss from `from` to each of `to` (all other nodes when left out). */
  | { at: number, op: 'link-loss', from: number, to?: number[], p: number }
  | { at: number, op: 'heal' }
  | { at: number, op: 'loss', p: number }
  | { at: number, op: 'pause', node: number, ms: number }
  | { at: number, op: 'slow', node: number, lag: number, ms: number }

export type Expectation =
  /**
   * Every member of `observers` (default: all but `node`) that is up at the end and had heard
   * of `node` before had a fail event about it by `by`. (A member that joined or restarted
   * after the fact learns it dead quietly.)
   */
  | { expect: 'fails', node: number, by: number, observers?: number[] }
  /** No fail event about a healthy member at a healthy observer, or at any (`observers: 'all'`), from `after` on. */
  | { expect: 'no-healthy-fail', after?: number, observers?: 'all' }
  /** At most `max` suspect events about healthy members at healthy observers (or at any), from `after` on. */
  | { expect: 'max-suspects', max: number, after?: number, observers?: 'all' }
  /** At most `max` events about `node` at the other members, from `after` on (flap damping). */
  | { expect: 'max-events', node: number, max: number, after?: number }
  /** Between `after` and `by`, every member that is up sees exactly the members that are up alive. */
  | { expect: 'converged', by: number, after?: number }

export interface Scenario {
  name: string
  size: number
  seed: number
  profile?: ProfileName
  config?: SimulationOptions['config']
  loss?: number
  /** Shared member tables (the simulator's option for large runs). @default the simulator's */
  sharedTables?: boolean
  /** Wait for the cluster to form before the operations' clock starts. @default true */
  form?: boolean
  /** ms of quiet after forming before the clock starts. @default 0 */
  settle?: number
  ops: Operation[]
  /** How long the row runs, from the clock's start. */
  duration: number
  /** The nodes the operations disturb; every other node is healthy. */
  faulty: number[]
  expect: Expectation[]
}

export interface ScenarioRun {
  sim: Simulation
  /** Virtual time at which the operations' clock started. */
  start: number
  /** What did not hold, one sentence each; empty when the row passed. */
  failures: string[]
  /** Counts behind the expectations, for reports and benches. */
  figures: { healthyFails: number, healthySuspects: number }
}

const STEP = 500

/** Replays a row: forms the cluster, runs the operations in time order, checks the expectations. */
export function runScenario (row: Scenario): ScenarioRun {
  const sim = new Simulation({ size: row.size, seed: row.seed, profile: row.profile, config: row.config, loss: row.loss, sharedTables: row.sharedTables })
  const failures: string[] = []
  if (row.form !== false && runUntil(sim, () => allSeeAlive(sim, sim.ids, row.size), 120_000, STEP) === undefined) {
    return { sim, start: sim.now, failures: [`${row.name}: the cluster did not form`], figures: { healthyFails: 0, healthySuspects: 0 } }
  }
  sim.runFor(row.settle ?? 0)
  const start = sim.now
  const ops = [...row.ops].sort((a, b) => a.at - b.at)
  const converged = new Map<Expectation, boolean>()
  for (const e of row.expect) if (e.expect === 'converged') converged.set(e, false)
  let next = 0
  /** When each restarted node's current run began: what it heard before belongs to its old run. */
  const runStart = new Map<string, number>()
  for (let t = 0; t <= row.duration; t += STEP) {
    while (next < ops.length && ops[next].at <= t) {
      const op = ops[next++]
      if (op.op === 'restart') runStart.set(sim.ids[op.node], sim.now)
      apply(sim, op)
    }
    for (const [e, held] of converged) {
      if (held || e.expect !== 'converged') continue
      const at = sim.now - start
      if (at < (e.after ?? 0) || at > e.by) continue
      const up = sim.ids.filter((id) => sim.isUp(id))
      if (allSeeAlive(sim, up, up.length)) converged.set(e, true)
    }
    if (t < row.duration) sim.runFor(Math.min(STEP, row.duration - t))
  }
  const faulty = new Set(row.faulty.map((i) => sim.ids[i]))
  const healthy = (id: string): boolean => !faulty.has(id)
  const since = (after = 0): SimEvent[] => sim.events.filter((e) => e.at >= start + after)
  const ofHealthy = (type: SimEvent['type'], after?: number, observers?: 'all'): SimEvent[] =>
    since(after).filter((e) => e.type === type && healthy(e.member) && (observers === 'all' || healthy(e.observer)))
  for (const e of row.expect) {
    switch (e.expect) {
      case 'fails': {
        const node = sim.ids[e.node]
        const failedBy = new Set(since().filter((ev) => ev.type === 'fail' && ev.member === node && ev.at <= start + e.by).map((ev) => ev.observer))
        const knew = new Set(sim.events.filter((ev) => ev.member === node && ev.type === 'join' && ev.at >= (runStart.get(ev.observer) ?? 0)).map((ev) => ev.observer))
        const observers = e.observers?.map((i) => sim.ids[i]) ?? sim.ids
        const missing = observers.filter((id) => id !== node && sim.isUp(id) && knew.has(id) && !failedBy.has(id))
        if (missing.length > 0) failures.push(`${row.name}: ${missing.length} members had not failed node ${e.node} ${e.by} ms in`)
        break
      }
      case 'no-healthy-fail': {
        const fails = ofHealthy('fail', e.after, e.observers)
        if (fails.length > 0) failures.push(`${row.name}: ${fails.length} fail events of healthy members at ${e.observers ?? 'healthy'} observers, the first at ${fails[0].at - start} ms`)
        break
      }
      case 'max-suspects': {
        const n = ofHealthy('suspect', e.after, e.observers).length
        if (n > e.max) failures.push(`${row.name}: ${n} suspect events of healthy members at ${e.observers ?? 'healthy'} observers, at most ${e.max} expected`)
        break
      }
      case 'max-events': {
        const node = sim.ids[e.node]
        const n = since(e.after).filter((ev) => ev.member === node && ev.observer !== node).length
        if (n > e.max) failures.push(`${row.name}: ${n} events about node ${e.node}, at most ${e.max} expected`)
        break
      }
      case 'converged':
        if (converged.get(e) !== true) failures.push(`${row.name}: the views had not converged between ${e.after ?? 0} and ${e.by} ms`)
        break
    }
  }
  return { sim, start, failures, figures: { healthyFails: ofHealthy('fail').length, healthySuspects: ofHealthy('suspect').length } }
}

function apply (sim: Simulation, op: Operation): void {
  const id = (i: number): string => {
    const found = sim.ids[i]
    if (found === undefined) throw new RangeError(`Scenario names node ${i}, but only ${sim.ids.length} exist`)
    return found
  }
  switch (op.op) {
    case 'crash': sim.crash(id(op.node), { refused: op.refused }); break
    case 'restart': sim.restart(id(op.node)); break
    case 'leave': sim.leave(id(op.node)); break
    case 'add': for (let i = 0; i < (op.count ?? 1); i++) sim.add(); break
    case 'partition': sim.partition(op.groups.map((g) => g.map(id))); break
    case 'cut': sim.cut(op.a.map(id), op.b.map(id)); break
    case 'link-loss': {
      const to = op.to?.map(id) ?? sim.ids.filter((x) => x !== id(op.from))
      for (const t of to) sim.setLinkLoss(id(op.from), t, op.p)
      break
    }
    case 'heal': sim.heal(); break
    case 'loss': sim.setLoss(op.p); break
    case 'pause': sim.pause(id(op.node), op.ms); break
    case 'slow': sim.slow(id(op.node), { lag: op.lag, ms: op.ms }); break
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i)

/**
 * Lifeguard's nacks (N=50, one node crashed, 60 s of probing it): the probers sampled every
 * 100 ms. The nack-timing test asserts on it; bench/defects.ts prints it.
 */
export const DEAD_NODE_PROBING = (profile: ProfileName): Scenario => ({
  name: `${profile}: probing one dead node (N=50)`,
  size: 50,
  seed: 1,
  profile,
  settle: 30_000,
  ops: [{ at: 0, op: 'crash', node: 10 }],
  duration: 0,
  faulty: [10],
  expect: []
})

/** Runs DEAD_NODE_PROBING for 60 s, sampling the health scores of the survivors. */
export function probeOneDeadNode (profile: ProfileName): { indirect: number, nacks: number, penalised: number, maxScore: number } {
  const row = DEAD_NODE_PROBING(profile)
  const { sim, failures } = runScenario(row)
  if (failures.length > 0) throw new Error(failures.join('; '))
  const survivors = sim.ids.filter((id) => id !== sim.ids[10])
  const stats = (key: 'indirectProbesSent' | 'nacksReceived'): number => survivors.reduce((s, id) => s + sim.machine(id).stats[key], 0)
  // The crash is applied at the start; nothing probed it before.
  const indirectBefore = stats('indirectProbesSent')
  const nacksBefore = stats('nacksReceived')
  const penalised = new Set<string>()
  let maxScore = 0
  for (let t = 0; t < 60_000; t += 100) {
    sim.runFor(100)
    for (const id of survivors) {
      const score = sim.machine(id).awarenessScore
      if (score > 0) penalised.add(id)
      maxScore = Math.max(maxScore, score)
    }
  }
  return { indirect: stats('indirectProbesSent') - indirectBefore, nacks: stats('nacksReceived') - nacksBefore, penalised: penalised.size, maxScore }
}

/** The rows `scenarios.spec.ts` replays. */
export const SCENARIOS: Scenario[] = [
  {
    name: '5% message loss for 10 minutes fails nobody (N=100)',
    size: 100,
    seed: 5,
    loss: 0.05,
    ops: [],
    duration: 600_000,
    faulty: [],
    expect: [{ expect: 'no-healthy-fail' }]
  },
  {
    name: 'a 50|50 partition fails each side on the other, and heals unaided (N=100)',
    size: 100,
    seed: 13,
    ops: [{ at: 0, op: 'partition', groups: [range(0, 50), range(50, 100)] }, { at: 120_000, op: 'heal' }],
    duration: 300_000,
    faulty: range(0, 100),
    expect: [
      { expect: 'fails', node: 0, by: 120_000, observers: range(50, 100) },
      { expect: 'fails', node: 99, by: 120_000, observers: range(0, 50) },
      { expect: 'converged', after: 120_000, by: 300_000 }
    ]
  },
  {
    // The push-pull suspicion rule: the cut-off member's view holds the 99 dead, and merged
    // at the heal it must not become suspicions of each of them.
    name: 'after a 10-minute 1|99 cut, the stale view fails nobody and raises no suspicion storm (N=100)',
    size: 100,
    seed: 1,
    ops: [{ at: 0, op: 'partition', groups: [[37]] }, { at: 600_000, op: 'heal' }],
    duration: 960_000,
    faulty: [37],
    expect: [
      { expect: 'converged', after: 600_000, by: 900_000 },
      { expect: 'no-healthy-fail', after: 600_000 },
      { expect: 'max-suspects', after: 600_000, max: 100 }
    ]
  },
  {
    name: 'a 5|5 partition that outlasts reapTime heals: the seed is retried for ever (N=10)',
    size: 10,
    seed: 1,
    config: { reapTime: 120_000 },
    ops: [{ at: 0, op: 'partition', groups: [range(0, 5), range(5, 10)] }, { at: 420_000, op: 'heal' }],
    duration: 1_020_000,
    faulty: range(0, 10),
    expect: [{ expect: 'converged', after: 420_000, by: 1_020_000 }]
  },
  {
    name: 'non-transitive reachability: x–z cut, both reach y; nobody fails (N=20)',
    size: 20,
    seed: 1,
    ops: [{ at: 0, op: 'cut', a: [3], b: [4] }],
    duration: 300_000,
    faulty: [],
    expect: [{ expect: 'no-healthy-fail' }, { expect: 'converged', after: 299_000, by: 300_000 }]
  },
  {
    name: 'one-way loss: a member that cannot send is failed by all, and fails nobody (N=10)',
    size: 10,
    seed: 1,
    ops: [{ at: 0, op: 'link-loss', from: 5, p: 1 }],
    duration: 120_000,
    faulty: [5],
    expect: [{ expect: 'fails', node: 5, by: 120_000 }, { expect: 'no-healthy-fail' }]
  },
  {
    name: 'churn: crashes, leaves, joins and a restart; the views converge, nobody healthy fails (N=50)',
    size: 50,
    seed: 2,
    ops: [
      { at: 0, op: 'crash', node: 1 },
      { at: 5_000, op: 'leave', node: 2 },
      { at: 10_000, op: 'add', count: 3 },
      { at: 20_000, op: 'crash', node: 3, refused: true },
      { at: 30_000, op: 'restart', node: 1 },
      { at: 40_000, op: 'leave', node: 4 },
      { at: 50_000, op: 'add', count: 2 }
    ],
    duration: 120_000,
    faulty: [1, 2, 3, 4],
    expect: [{ expect: 'fails', node: 3, by: 40_000 }, { expect: 'no-healthy-fail' }, { expect: 'converged', after: 60_000, by: 120_000 }]
  },
  {
    // Without damping: 792 fail, 792 join and 792 suspect events.
    name: 'a member cut off 20 s and back 20 s for 5 minutes is damped: a few events per observer (N=100)',
    size: 100,
    seed: 2,
    settle: 30_000,
    ops: range(0, 8).flatMap((k) => [{ at: k * 40_000, op: 'partition' as const, groups: [[7]] }, { at: k * 40_000 + 20_000, op: 'heal' as const }]),
    // Merging back after the last heal takes one reconnect attempt: 0.2 to 35 s across seeds.
    duration: 360_000,
    faulty: [7],
    expect: [{ expect: 'max-events', node: 7, max: 8 * 99 }, { expect: 'no-healthy-fail' }, { expect: 'converged', after: 319_000, by: 360_000 }]
  },
  {
    name: '50 form while 10 are starved: no healthy member is suspected',
    size: 50,
    seed: 1,
    form: false,
    ops: range(0, 10).map((i) => ({ at: 0, op: 'slow' as const, node: i, lag: 2000 * (0.5 + (i % 5) / 8), ms: 60_000 })),
    duration: 180_000,
    faulty: range(0, 10),
    expect: [{ expect: 'max-suspects', max: 0, observers: 'all' }, { expect: 'no-healthy-fail', observers: 'all' }, { expect: 'converged', after: 179_000, by: 180_000 }]
  }
]

/**
 * A member of 8 crashes and its host refuses connections, once per seed (1..`seeds`): how long
 * until every survivor declared it dead (ms), and how many fail events were of others.
 */
export function refusedCrashes (seeds: number): Array<{ seed: number, tookMs: number, othersFailed: number }> {
  const out: Array<{ seed: number, tookMs: number, othersFailed: number }> = []
  for (let seed = 1; seed <= seeds; seed++) {
    const sim = new Simulation({ size: 8, seed })
    if (runUntil(sim, () => allSeeAlive(sim, sim.ids, 8), 60_000) === undefined) throw new Error(`seed ${seed}: the cluster did not form`)
    sim.runFor(5000 + seed * 37)
    const victim = sim.ids[7]
    const crashedAt = sim.now
    sim.crash(victim, { refused: true })
    const survivors = sim.ids.filter((id) => id !== victim)
    runUntil(sim, () => survivors.every((id) => sim.view(id).find((m) => m.id === victim)?.state === 'dead'), 120_000, 10)
    out.push({ seed, tookMs: sim.now - crashedAt, othersFailed: sim.events.filter((e) => e.type === 'fail' && e.member !== victim).length })
  }
  return out
}
