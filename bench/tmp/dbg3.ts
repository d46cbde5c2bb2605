import { Simulation } from '../../src/sim/index.ts'
import type { Message, SyncEntry } from '../../src/core/messages.ts'
import { allSeeAlive, runUntil } from '../../test/helpers/sim.ts'
const sim = new Simulation({ size: 10, seed: 11, wire: false, config: { maxMembers: 2000 } })
runUntil(sim, () => allSeeAlive(sim, sim.ids, 10), 30_000)
let serial = 0; let incarnation = 0; let round = 0
const flood = (): void => {
  incarnation++
  const own: SyncEntry = { record: { id: 'attacker', incarnation, addrs: ['/mem/attacker'], meta: {}, leaving: false }, state: 'alive', incarnation }
  const fakes: SyncEntry[] = Array.from({ length: 2000 }, () => ({ record: { id: `fake${serial++}`, incarnation: 0, addrs: ['/x'], meta: {}, leaving: false }, state: 'alive', incarnation: 0 }))
  const message: Message = { type: 'sync', join: round % 2 === 0, response: round % 3 === 0, entries: [own, ...fakes] }
  round++
  for (const id of sim.ids) sim.inject('attacker', id, message)
}
for (let t = 0; t < 60_000; t += 500) { flood(); sim.runFor(500) }
const victim = sim.ids[4]
const at = sim.now
sim.crash(victim)
for (let t = 0; t < 30_000; t += 500) { flood(); sim.runFor(500) }
const ev = sim.events.filter(e => e.member === victim && e.at >= at)
console.log(ev.map(e => `${Math.round(e.at - at)} ${e.observer.slice(-4)} ${e.type}`).join('\n'))
for (const id of sim.ids) { const m = sim.machine(id); console.log(id.slice(-4), m.awarenessScore, m.pendingBroadcasts, m.clusterSize) }
