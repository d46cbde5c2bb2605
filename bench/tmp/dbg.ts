import { Simulation } from '../../src/sim/index.ts'
const sim = new Simulation({ size: 10, seed: 12 })
sim.runFor(30000)
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
console.log(sim.events.filter(e => e.at >= start && e.type==="fail" && e.member === target).map(e => `${e.at} ${e.observer.slice(0,6)} ${e.type} ${e.member.slice(0,8)}`).join('\n'))
console.log(sim.machine(target).awarenessScore, sim.machine(target).localMember().incarnation)
