import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import type { ProfileName } from '../../src/core/config.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

/**
 * Lifeguard's nack tells a prober that its own links work: a relay whose target stays silent
 * says so before the prober's probe ends. A nack that comes after the deadline counts for
 * nothing, and a healthy prober is charged as if none of its relays had answered.
 */
function probeOneDeadNode (profile: ProfileName): { indirect: number, nacks: number, penalised: number, maxScore: number } {
  const sim = new Simulation({ size: 50, seed: 1, profile })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 50), 120_000, 500) !== undefined, 'formed')
  sim.runFor(30_000)
  const survivors = sim.ids.filter((id) => id !== sim.ids[10])
  const indirectBefore = survivors.map((id) => sim.machine(id).stats.indirectProbesSent)
  const nacksBefore = survivors.map((id) => sim.machine(id).stats.nacksReceived)
  sim.crash(sim.ids[10])
  let maxScore = 0
  const penalisedSet = new Set<string>()
  for (let t = 0; t < 60_000; t += 100) {
    sim.runFor(100)
    for (const id of survivors) {
      const score = sim.machine(id).awarenessScore
      if (score > 0) penalisedSet.add(id)
      maxScore = Math.max(maxScore, score)
    }
  }
  const indirect = survivors.reduce((sum, id, i) => sum + sim.machine(id).stats.indirectProbesSent - indirectBefore[i], 0)
  const nacks = survivors.reduce((sum, id, i) => sum + sim.machine(id).stats.nacksReceived - nacksBefore[i], 0)
  return { indirect, nacks, penalised: penalisedSet.size, maxScore }
}

for (const profile of ['lan', 'wan'] as const) {
  test(`${profile}: relays nack within the prober's window, so probing a dead node penalises no healthy prober`, () => {
    const r = probeOneDeadNode(profile)
    assert.ok(r.indirect > 0, 'the dead node was probed indirectly')
    // Every relay is healthy and each of its nacks arrives in time: about one nack per ping-req.
    assert.ok(r.nacks >= 0.9 * r.indirect, `${r.nacks} nacks counted for ${r.indirect} indirect probes`)
    assert.is(r.penalised, 0, `${r.penalised} healthy probers had their health score raised (max ${r.maxScore})`)
  })
}

test.run()
