/**
 * After churn every live member holds the same view, dead and departed members included, so
 * that periodic push-pull compares digests and moves no state. A joiner that dropped the dead
 * and departed entries it never knew (while older members keep them for reapTime) had a view
 * of its own: after churn at N=200, 39 distinct digests, and full states on every push-pull.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { digestPartA, digestPartB } from '../../src/core/push-pull.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

/** The view digest of a member list, as the machine computes it for push-pull. */
function digestOf (sim: Simulation, id: string): string {
  let a = 0
  let b = 0
  for (const m of sim.view(id)) {
    a = (a + digestPartA(m.id, m.incarnation, m.state)) >>> 0
    b = (b + digestPartB(m.id, m.incarnation, m.state)) >>> 0
  }
  return `${a}:${b}`
}

test('after churn at N=200 all live members hold one view, and push-pull moves digests, not states', () => {
  const n = 200
  const sim = new Simulation({ size: n, seed: 1 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, n), 60_000, 500) !== undefined, 'formed')
  sim.runFor(30_000)
  // Ten rounds: two crash, two leave, four join.
  let next = 10
  for (let round = 0; round < 10; round++) {
    sim.crash(sim.ids[next++])
    sim.crash(sim.ids[next++])
    sim.leave(sim.ids[next++])
    sim.leave(sim.ids[next++])
    for (let i = 0; i < 4; i++) sim.add()
    sim.runFor(20_000)
  }
  const live = sim.ids.filter((id) => sim.isUp(id))
  assert.is(live.length, n, 'as many members as before')
  assert.ok(runUntil(sim, () => allSeeAlive(sim, live, n), 120_000, 1000) !== undefined, 'every live member sees the live ones alive')
  sim.runFor(120_000)
  const digests = new Set(live.map((id) => digestOf(sim, id)))
  assert.is(digests.size, 1, `${digests.size} distinct views among ${live.length} live members`)
  // Steady state: a ping and an ack per node per period, and push-pulls of 8-byte digests.
  const before = sim.stats().bytes
  const periods = 120
  sim.runFor(periods * 1000)
  const perNodePerPeriod = (sim.stats().bytes - before) / live.length / periods
  assert.ok(perNodePerPeriod < 150, `${Math.round(perNodePerPeriod)} bytes per node per period`)
})

test.run()
