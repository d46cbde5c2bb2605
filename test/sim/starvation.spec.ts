import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

/**
 * 50 nodes form while ten of them are starved: their timers fire on time but their input
 * waits 1 to 2.75 s before it is read (a busy event loop, a loaded host). Their probes'
 * acks, and their relays' nacks, arrive after the probes ended.
 */
function starvedFormation (): { sim: Simulation, starved: string[] } {
  const sim = new Simulation({ size: 50, seed: 1 })
  const starved = sim.ids.slice(0, 10)
  starved.forEach((id, i) => sim.slow(id, { lag: 2000 * (0.5 + (i % 5) / 8), ms: 60_000 }))
  return { sim, starved }
}

test('once starved, a member still fails a member that really crashed', () => {
  const { sim, starved } = starvedFormation()
  sim.runFor(30_000)
  const victim = sim.ids[30]
  sim.crash(victim)
  const survivors = sim.ids.filter((id) => id !== victim)
  assert.ok(runUntil(sim, () => survivors.every((id) => sim.view(id).find((m) => m.id === victim)?.state === 'dead'), 120_000, 500) !== undefined,
    'every survivor, the starved ones included, failed it')
  assert.ok(starved.every((id) => sim.view(id).find((m) => m.id === victim)?.state === 'dead'))
})

test('a member cut off from everyone still fails the others once its patience is at its cap', () => {
  const sim = new Simulation({ size: 10, seed: 1 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 10), 30_000) !== undefined, 'formed')
  const alone = sim.ids[4]
  sim.partition([[alone], sim.ids.filter((id) => id !== alone)])
  assert.ok(runUntil(sim, () => sim.view(alone).filter((m) => m.state === 'dead').length === 9, 300_000, 500) !== undefined, 'it failed the other nine')
})

test.run()
