/**
 * Attacks replayed in the simulator, in virtual time: an outsider that is no node of the
 * cluster sends what it likes to every node, while the real members go on with their work.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import { suspicionBounds } from '../../src/core/formulas.ts'
import type { Message, SyncEntry } from '../../src/core/messages.ts'
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

const lan = resolveConfig('lan')

/** Time from a crash until every survivor failed the victim, with `attack` running every 500 ms. */
function detection (attack?: (sim: Simulation, round: number) => void): { took: number, tableMax: number, falseFails: number } {
  const sim = new Simulation({ size: 10, seed: 11, wire: false, config: { maxMembers: 2000 } })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 10), 30_000) !== undefined, 'formed')
  let round = 0
  let tableMax = 0
  const step = (): void => {
    if (attack != null) attack(sim, round++)
    for (const id of sim.ids) if (sim.isUp(id)) tableMax = Math.max(tableMax, sim.view(id).length)
  }
  for (let t = 0; t < 60_000; t += 500) { step(); sim.runFor(500) }
  const victim = sim.ids[4]
  const crashedAt = sim.now
  sim.crash(victim)
  const survivors = sim.ids.filter((id) => id !== victim)
  const failedByAll = (): boolean => survivors.every((id) => sim.events.some((e) => e.type === 'fail' && e.observer === id && e.member === victim && e.at >= crashedAt))
  let took: number | undefined
  for (let t = 0; t < 120_000; t += 500) {
    if (failedByAll()) { took = sim.now - crashedAt; break }
    step()
    sim.runFor(500)
  }
  const real = new Set(sim.ids)
  const falseFails = sim.events.filter((e) => e.type === 'fail' && real.has(e.member) && e.member !== victim).length
  return { took: took ?? Infinity, tableMax, falseFails }
}

test('row 3: a flood of fake members leaves the failure detection of real members within its usual bound', () => {
  const baseline = detection()
  let serial = 0
  let incarnation = 0
  const flood = (sim: Simulation, round: number): void => {
    // The outsider re-signs its own record higher each time (it may: it is its own), so it
    // stays a live member, and carries 2,000 fresh fake members.
    incarnation++
    const own: SyncEntry = { record: { id: 'attacker', incarnation, addrs: ['/ip4/192.0.2.66/tcp/4001'], meta: {}, leaving: false }, state: 'alive', incarnation }
    const fakes: SyncEntry[] = Array.from({ length: 2000 }, () => {
      const id = `fake${serial++}`
      return { record: { id, incarnation: 0, addrs: ['/ip4/192.0.2.1/tcp/80'], meta: {}, leaving: false }, state: 'alive', incarnation: 0 }
    })
    const message: Message = { type: 'sync', join: round % 2 === 0, response: round % 3 === 0, entries: [own, ...fakes] }
    for (const id of sim.ids) sim.inject('attacker', id, message)
  }
  const attacked = detection(flood)
  assert.ok(attacked.tableMax <= 2000 + 1, `table ${attacked.tableMax} within maxMembers`)
  assert.is(attacked.falseFails, 0, 'no real member failed')
  // The usual bound (as for a cluster without attack): the first probe of the victim within
  // a few periods, then one period of probing, the Lifeguard minimum for the real cluster's
  // size, and a couple of periods for the verdict to spread.
  const { min } = suspicionBounds(10, lan.suspicionMult, lan.suspicionMaxTimeoutMult, lan.probeInterval)
  const bound = 6 * lan.probeInterval + min + 2 * lan.probeInterval
  assert.ok(baseline.took <= bound, `baseline ${baseline.took} ms`)
  assert.ok(attacked.took <= bound, `detection ${attacked.took} ms under attack (${baseline.took} ms without), bound ${bound} ms`)
})

test('rows 5, 6: an outsider\'s stream of dead and suspect claims about a live member never fails it anywhere', () => {
  const sim = new Simulation({ size: 10, seed: 12 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 10), 30_000) !== undefined, 'formed')
  const target = sim.ids[3]
  // The attacker joins with its own record (any outsider can in a cluster without a key).
  for (const id of sim.ids) {
    sim.inject('attacker', id, { type: 'sync', join: true, response: false, entries: [{ record: { id: 'attacker', incarnation: 0, addrs: ['/ip4/192.0.2.66/tcp/4001'], meta: {}, leaving: false }, state: 'alive', incarnation: 0 }] })
  }
  const start = sim.now
  for (let i = 0; i < 40; i++) {
    const incarnation = sim.view(sim.ids[0]).find((m) => m.id === target)?.incarnation ?? 0
    for (const id of sim.ids) {
      if (id === target) {
        sim.inject('attacker', id, { type: 'gossip', updates: [{ type: 'suspect', id: target, incarnation, from: 'attacker' }] })
      } else {
        sim.inject('attacker', id, { type: 'gossip', updates: [{ type: 'dead', id: target, incarnation, from: 'attacker' }, { type: 'suspect', id: target, incarnation, from: 'x' }] })
      }
    }
    sim.runFor(250)
  }
  sim.runFor(30_000)
  const after = sim.events.filter((e) => e.at >= start && e.member === target)
  assert.is(after.filter((e) => e.type === 'fail').length, 0, 'never failed')
  assert.is(after.filter((e) => e.type === 'join').length, 0, 'so never rejoined')
  const own = sim.machine(target)
  assert.ok(own.localMember().incarnation <= 12, `incarnation ${own.localMember().incarnation} after 10 s of claims`)
  assert.ok(own.awarenessScore < lan.awarenessMaxMultiplier - 1, 'the Lifeguard score is not pinned at its maximum')
})

test.run()
