import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

/**
 * A node that did not run for a while (a pause, a long garbage collection, a starved host,
 * or many nodes on one thread, which stall together) wakes with its probes past their
 * deadlines. What it has not heard yet proves nothing, so each probe's phase gets its time
 * again, once: before, every stall sent a ping-req to three relays and a fallback ping (a
 * connection, over libp2p) for every probe in flight, and a cluster on one starved thread
 * spent what CPU it had left on them. The suspicions such a host still raises are bounded
 * in what they cost the others: a few probes each per interval to see for themselves.
 */
const indirectProbes = (sim: Simulation): number => sim.ids.reduce((n, id) => n + sim.machine(id).stats.indirectProbesSent, 0)

/** Runs until `id` has just sent a probe's ping, so that the ping is in flight. */
function justProbed (sim: Simulation, id: string): void {
  const sent = sim.machine(id).stats.probesSent
  assert.ok(runUntil(sim, () => sim.machine(id).stats.probesSent > sent, 5000, 1) !== undefined, `${id} probed`)
}

function formed (size: number, seed: number): Simulation {
  // 40-60 ms each way: at any moment a third of the nodes have a probe's ping or ack in flight.
  const sim = new Simulation({ size, seed, latency: { min: 40, max: 60 } })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, size), 30_000) !== undefined, 'formed')
  sim.runFor(10_000)
  return sim
}

test('a cluster that stalls as one (nodes on one thread) resumes without indirect probes or suspicions', () => {
  for (let seed = 1; seed <= 3; seed++) {
    const sim = formed(30, seed)
    const before = sim.events.length
    const probes = indirectProbes(sim)
    assert.is(probes, 0, 'no indirect probe before the stall')
    justProbed(sim, sim.ids[0])
    for (const id of sim.ids) sim.pause(id, 3000)
    sim.runFor(20_000)
    assert.equal(sim.events.slice(before).filter((e) => e.type === 'suspect' || e.type === 'fail').map((e) => `${e.observer} ${e.type} ${e.member}`), [], `seed ${seed}`)
    assert.is(indirectProbes(sim), probes, `seed ${seed}: no indirect probe after the stall`)
  }
})

test('a node that stalled alone resumes without indirect probes', () => {
  const sim = formed(20, 5)
  const sleeper = sim.ids[3]
  const before = sim.machine(sleeper).stats.indirectProbesSent
  justProbed(sim, sleeper)
  sim.pause(sleeper, 4000)
  sim.runFor(10_000)
  assert.is(sim.machine(sleeper).stats.indirectProbesSent, before)
  assert.ok(allSeeAlive(sim, sim.ids, 20), 'nobody failed')
})

test('after a stall, a member that crashed meanwhile is still suspected and failed', () => {
  const sim = formed(20, 7)
  const sleeper = sim.ids[2]
  const victim = sim.ids[9]
  sim.pause(sleeper, 3000)
  sim.crash(victim)
  const crashedAt = sim.now
  const dead = runUntil(sim, () => sim.view(sleeper).find((m) => m.id === victim)?.state === 'dead', 60_000)
  assert.ok(dead !== undefined, 'the node that stalled failed the victim')
  assert.ok(sim.now - crashedAt < 20_000, `dead ${sim.now - crashedAt} ms after the crash`)
})

test('a stall of a node that probes a crashed member costs it one probe timeout, no more', () => {
  // The sleeper's probe of the victim: without the stall it would go indirect at once; with
  // it, the direct phase gets its time again, and the indirect probes follow it.
  const sim = formed(10, 11)
  const sleeper = sim.ids[1]
  const victim = sim.ids[6]
  sim.crash(victim)
  sim.pause(sleeper, 2000)
  const before = sim.machine(sleeper).stats.indirectProbesSent
  const probed = runUntil(sim, () => sim.machine(sleeper).stats.indirectProbesSent > before, 30_000, 10)
  assert.ok(probed !== undefined, 'the sleeper probed the victim indirectly in the end')
})

test('a storm of suspicions costs each member a few probes an interval, not one per suspect', () => {
  // A member that suspects many others at once (a partition, a starved host or thread): each
  // member hearing it probes the suspects to see for itself, three per probe interval.
  const sim = formed(30, 13)
  const accuser = sim.ids[0]
  const listener = sim.ids[1]
  const suspects = sim.ids.slice(2, 22)
  const probes = sim.machine(listener).stats.probesSent
  const updates = suspects.map((id) => ({ type: 'suspect' as const, id, incarnation: sim.view(listener).find((m) => m.id === id)?.incarnation ?? 0, from: accuser }))
  sim.inject(accuser, listener, { type: 'gossip', updates })
  sim.runFor(10)
  assert.ok(sim.machine(listener).stats.probesSent - probes <= 3 + 1, `${sim.machine(listener).stats.probesSent - probes} probes at once for 20 suspects`)
  sim.runFor(30_000)
  assert.ok(allSeeAlive(sim, sim.ids, 30), 'every suspect refuted; nobody failed')
})

test.run()
