/**
 * Forced removal (Serf's force-leave -prune): a failed or departed member is forgotten
 * cluster-wide at once instead of after reapTime. Only dead or departed members can be
 * forgotten; a live member's own record wins over anybody's claim.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { resolveConfig } from '../../src/core/config.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

const knows = (sim: Simulation, observer: string, member: string): boolean => sim.view(observer).some((m) => m.id === member)

function formed (size: number, seed: number): Simulation {
  const sim = new Simulation({ size, seed })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, size), 30_000) !== undefined, 'formed')
  return sim
}

test('a failed member forgotten on one node is forgotten by every member within seconds, long before reapTime', () => {
  const sim = formed(20, 31)
  const victim = sim.ids[7]
  sim.crash(victim)
  const others = sim.ids.filter((id) => id !== victim)
  assert.ok(runUntil(sim, () => others.every((id) => sim.view(id).find((m) => m.id === victim)?.state === 'dead'), 120_000) !== undefined, 'failed everywhere')
  sim.forget(others[0], victim)
  assert.not.ok(knows(sim, others[0], victim))
  const took = runUntil(sim, () => others.every((id) => !knows(sim, id, victim)), 10_000)
  assert.ok(took !== undefined, 'forgotten everywhere within 10 s')
  assert.ok(took < resolveConfig('lan').reapTime)
  sim.runFor(60_000)
  assert.ok(others.every((id) => !knows(sim, id, victim)), 'push-pull does not bring it back')
})

test('a departed member can be forgotten too, and a forgotten member that restarts joins again', () => {
  const sim = formed(10, 32)
  const member = sim.ids[4]
  sim.leave(member)
  const others = sim.ids.filter((id) => id !== member)
  assert.ok(runUntil(sim, () => others.every((id) => sim.view(id).find((m) => m.id === member)?.state === 'left'), 30_000) !== undefined, 'left everywhere')
  sim.forget(others[2], member)
  assert.ok(runUntil(sim, () => others.every((id) => !knows(sim, id, member)), 10_000) !== undefined, 'forgotten everywhere')
  sim.restart(member)
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 10), 30_000) !== undefined, 'back and alive everywhere')
})

test('forgetting a live member is refused on the node asked, and nothing changes', () => {
  const sim = formed(5, 33)
  const before = sim.view(sim.ids[0]).length
  assert.throws(() => { sim.forget(sim.ids[0], sim.ids[1]) }, /it is alive/)
  assert.throws(() => { sim.forget(sim.ids[0], sim.ids[0]) }, /itself/)
  assert.throws(() => { sim.forget(sim.ids[0], '12D3KooWnobody') }, /no such member/)
  assert.is(sim.view(sim.ids[0]).length, before)
})

test('a forged forget claim about a live member (from a member) removes it nowhere', () => {
  const sim = formed(8, 34)
  const [attacker, victim, receiver] = sim.ids
  const incarnation = sim.view(receiver).find((m) => m.id === victim)?.incarnation ?? 0
  // the attacker's own machine would refuse; it sends the claim by hand
  sim.machine(receiver).receive(attacker, { type: 'gossip', updates: [{ type: 'forget', id: victim, incarnation: incarnation + 5, from: attacker }] }, sim.now)
  sim.runFor(5000)
  for (const id of sim.ids) assert.ok(knows(sim, id, victim), `${id} still knows the live victim`)
  assert.ok(sim.ids.every((id) => sim.view(id).find((m) => m.id === victim)?.state === 'alive'))
})

test('a forget claim from a non-member is rejected, even about a dead member', () => {
  const sim = formed(6, 35)
  const victim = sim.ids[3]
  sim.crash(victim)
  const receiver = sim.ids[0]
  assert.ok(runUntil(sim, () => sim.view(receiver).find((m) => m.id === victim)?.state === 'dead', 120_000) !== undefined)
  sim.machine(receiver).receive('12D3KooWstranger', { type: 'gossip', updates: [{ type: 'forget', id: victim, incarnation: 99, from: '12D3KooWstranger' }] }, sim.now)
  assert.ok(knows(sim, receiver, victim), 'only members may make claims')
})

test('a member forgotten while a partition hid it comes back with its next record', () => {
  const sim = formed(6, 36)
  const member = sim.ids[5]
  const rest = sim.ids.slice(0, 5)
  sim.partition([rest, [member]])
  assert.ok(runUntil(sim, () => rest.every((id) => sim.view(id).find((m) => m.id === member)?.state === 'dead'), 120_000) !== undefined, 'dead on the majority side')
  sim.forget(rest[0], member)
  assert.ok(runUntil(sim, () => rest.every((id) => !knows(sim, id, member)), 10_000) !== undefined)
  sim.heal()
  // the lone member still knows the others and its push-pulls and refutation bring it back
  assert.ok(runUntil(sim, () => rest.every((id) => sim.view(id).find((m) => m.id === member)?.state === 'alive'), 120_000) !== undefined, 'alive again after the heal')
})

test.run()
