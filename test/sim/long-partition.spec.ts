import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

test('a 5|5 partition that outlasts reapTime heals once the network does: the join seed is retried for ever', () => {
  const reapTime = 120_000
  const sim = new Simulation({ size: 10, seed: 1, config: { reapTime } })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 10), 30_000) !== undefined, 'formed')
  const a = sim.ids.slice(0, 5)
  const b = sim.ids.slice(5)
  sim.partition([a, b])
  sim.runFor(3 * reapTime + 60_000)
  assert.ok(sim.ids.every((id) => sim.view(id).length === 5), 'each side has forgotten the other')
  sim.heal()
  const took = runUntil(sim, () => allSeeAlive(sim, sim.ids, 10), 10 * 60_000, 1000)
  assert.ok(took !== undefined, 'every view has all 10 alive again')
})

test('a healthy cluster does not contact its seeds beyond the usual probing and push-pull', () => {
  const sim = new Simulation({ size: 20, seed: 1 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 20), 30_000) !== undefined, 'formed')
  sim.runFor(120_000)
  const before = sim.stats()
  sim.runFor(300_000)
  const after = sim.stats()
  // Periodic push-pull is the only sync traffic: one request and one answer per node per scaled interval.
  const syncs = after.messagesByType.sync - before.messagesByType.sync
  assert.ok(syncs <= 2 * 20 * (300_000 / 30_000) * 1.3, `${syncs} syncs in 300 s`)
})

test.run()
