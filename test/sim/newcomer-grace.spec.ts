import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

/**
 * A process that has just joined is often slow to answer: busy with its own start (its
 * first connections, code run for the first time) and, where many start at once on one
 * machine, given a small share of the CPU. Modelled here as input read 1.5 s late for its
 * first 5 s. The members that learn of it probe it at once (it is in their rotation of
 * members that never spoke to them); before the newcomer grace, each of those probes ended
 * in a suspicion (about 30 per such join in a cluster of 20), each with its gossip and a
 * refutation.
 */
function slowNewcomer (seed: number): { sim: Simulation, fresh: string, before: number } {
  const sim = new Simulation({ size: 20, seed })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 20), 30_000) !== undefined, 'formed')
  const before = sim.events.length
  const fresh = sim.add({ seeds: [sim.ids[0]] })
  sim.slow(fresh, { lag: 1500, ms: 5000 })
  return { sim, fresh, before }
}

test('a newcomer slow to answer for its first seconds is suspected by nobody', () => {
  for (let seed = 1; seed <= 5; seed++) {
    const { sim, before } = slowNewcomer(seed)
    sim.runFor(30_000)
    const events = sim.events.slice(before)
    assert.equal(events.filter((e) => e.type === 'suspect' || e.type === 'fail').map((e) => `${e.observer} ${e.type} ${e.member}`), [], `seed ${seed}`)
    assert.ok(allSeeAlive(sim, sim.ids, 21), `seed ${seed}: all 21 alive everywhere`)
  }
})

test('a newcomer that crashes right after joining is still failed everywhere, a grace later', () => {
  const sim = new Simulation({ size: 20, seed: 2 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 20), 30_000) !== undefined, 'formed')
  const fresh = sim.add({ seeds: [sim.ids[0]] })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 21), 10_000) !== undefined, 'it joined')
  sim.crash(fresh)
  const crashedAt = sim.now
  const others = sim.ids.filter((id) => id !== fresh)
  const dead = runUntil(sim, () => others.every((id) => sim.view(id).find((m) => m.id === fresh)?.state === 'dead'), 60_000)
  assert.ok(dead !== undefined, 'every member failed it')
  // lan: the grace (8 probe intervals from when each member learned of it), then the usual
  // probe and suspicion (6.8 s at N=21 with the confirmations Lifeguard asks for, more
  // without them)
  assert.ok(sim.now - crashedAt < 8000 + 20_000, `all dead ${sim.now - crashedAt} ms after the crash`)
})

test('a member that sat in the view before is suspected as ever when it goes silent', () => {
  const sim = new Simulation({ size: 20, seed: 4 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 20), 30_000) !== undefined, 'formed')
  sim.runFor(10_000)
  const victim = sim.ids[5]
  const before = sim.events.length
  sim.crash(victim)
  const crashedAt = sim.now
  const first = runUntil(sim, () => sim.events.slice(before).some((e) => e.type === 'suspect' && e.member === victim), 10_000, 10)
  assert.ok(first !== undefined, 'suspected')
  // someone probes it within about a probe interval, and concludes a probe interval later
  assert.ok(sim.now - crashedAt <= 3000, `first suspicion ${sim.now - crashedAt} ms after the crash`)
})

test('50 started together, each slow to answer for its first 5 s: they form with no suspicion and no fail', () => {
  const sim = new Simulation({ size: 1, seed: 9 })
  const seed = sim.ids[0]
  const ids = [seed]
  for (let i = 1; i < 50; i++) {
    sim.runFor(20)
    const id = sim.add({ seeds: [seed] })
    sim.slow(id, { lag: 1500, ms: 5000 })
    ids.push(id)
  }
  assert.ok(runUntil(sim, () => allSeeAlive(sim, ids, 50), 60_000) !== undefined, 'formed')
  sim.runFor(20_000)
  assert.equal(sim.events.filter((e) => e.type === 'suspect' || e.type === 'fail').map((e) => `${e.observer} ${e.type} ${e.member}`), [])
})

test.run()
