import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

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
