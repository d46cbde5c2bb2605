(globalThis as any).DBG = true
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../../test/helpers/sim.ts'
const sim = new Simulation({ size: 10, seed: 12 })
runUntil(sim, () => allSeeAlive(sim, sim.ids, 10), 30_000)
const target = sim.ids[3]
for (const id of sim.ids) sim.inject('attacker', id, { type: 'sync', join: true, response: false, entries: [{ record: { id: 'attacker', incarnation: 0, addrs: ['/mem/attacker'], meta: {}, leaving: false }, state: 'alive', incarnation: 0 }] })
const start = sim.now
for (let i = 0; i < 40; i++) {
  const incarnation = sim.view(sim.ids[0]).find(m => m.id === target)?.incarnation ?? 0
  for (const id of sim.ids) {
    if (id === target) sim.inject('attacker', id, { type: 'gossip', updates: [{ type: 'suspect', id: target, incarnation, from: 'attacker' }] })
    else sim.inject('attacker', id, { type: 'gossip', updates: [{ type: 'dead', id: target, incarnation, from: 'attacker' }, { type: 'suspect', id: target, incarnation, from: 'x' }] })
  }
  sim.runFor(250)
}
sim.runFor(30000)
const t = sim.events.filter(e => e.at >= start && e.member === target)
const firstFail = t.findIndex(e => e.type === 'fail')
console.log(t.slice(Math.max(0, firstFail - 30), firstFail + 5).map(e => `${e.at} ${e.observer.slice(-4)} ${e.type}`).join('\n'))
console.log(sim.machine(target).awarenessScore, sim.machine(target).localMember().incarnation, start)
