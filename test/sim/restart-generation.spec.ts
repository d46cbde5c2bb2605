/**
 * A member that restarts before anyone fails it comes back with a higher incarnation and the
 * same addresses and metadata: without a generation in its record that was no event at all,
 * and consumers could not tell its state was lost. Its observers now report an `update`
 * with reason `restart`, and the member's new generation.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

test('a restart before failure reaches every observer as an update with reason restart and the new generation (N=20)', () => {
  const sim = new Simulation({ size: 20, seed: 1 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 20), 30_000) !== undefined, 'formed')
  sim.runFor(10_000)
  const x = sim.ids[6]
  const observers = sim.ids.filter((id) => id !== x)
  const before = sim.view(observers[0]).find((m) => m.id === x)?.generation ?? 0
  assert.ok(before > 0, 'the first run has a known generation')
  sim.crash(x, { refused: true })
  sim.runFor(200)
  const restartedAt = sim.now
  sim.restart(x)
  const generation = sim.machine(x).localMember().generation
  assert.ok(generation > before, 'a newer generation')
  const restarts = (): Set<string> => new Set(sim.events.filter((e) => e.member === x && e.at >= restartedAt && e.reason === 'restart').map((e) => e.observer))
  assert.ok(runUntil(sim, () => restarts().size === observers.length, 30_000) !== undefined, `${restarts().size} of ${observers.length} observers reported the restart`)
  const about = sim.events.filter((e) => e.member === x && e.at >= restartedAt)
  assert.ok(about.filter((e) => e.reason === 'restart').every((e) => e.type === 'update' || e.type === 'alive'), 'an update (an alive where it was suspected)')
  assert.is(about.filter((e) => e.type === 'fail').length, 0, 'nobody failed it')
  assert.ok(observers.every((id) => sim.view(id).find((m) => m.id === x)?.generation === generation), 'every view has the new generation')
  // A refutation or a metadata change of the same run is no restart.
  const changedAt = sim.now
  sim.setMetadata(x, { role: 'api' })
  sim.runFor(10_000)
  const later = sim.events.filter((e) => e.member === x && e.at >= changedAt)
  assert.is(later.filter((e) => e.type === 'update').length, observers.length)
  assert.is(later.filter((e) => e.reason === 'restart').length, 0)
})

test.run()
