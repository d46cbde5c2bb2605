/**
 * A member restarted with its data directory comes back with a higher incarnation. Probes
 * that were sent to its previous process (and the refusals its host gave them) say nothing
 * about the new one: once an observer has seen the new life, it must not suspect it.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import type { ProfileName } from '../../src/core/config.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

interface Case { profile: ProfileName, downFor: number, refused: boolean }

/** Suspect or fail events about `member` that an observer emitted after it saw the new life. */
function suspicionsOfNewLife (sim: Simulation, member: string, restartedAt: number): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const e of sim.events) {
    if (e.member !== member || e.observer === member || e.at < restartedAt) continue
    if (e.type === 'alive' || e.type === 'join') seen.add(e.observer)
    else if ((e.type === 'suspect' || e.type === 'fail') && seen.has(e.observer)) out.push(`${e.type} by ${e.observer.slice(-6)} ${Math.round(e.at - restartedAt)} ms after the restart`)
  }
  return out
}

const cases: Case[] = []
for (const profile of ['lan', 'local'] as const) {
  // restarted before anyone noticed, while suspected, and after being declared dead
  for (const downFor of [100, 300, 1000, 3000, 20_000]) {
    for (const refused of [true, false]) cases.push({ profile, downFor, refused })
  }
}

test('a restarted member is not suspected by anyone who has seen its new incarnation', () => {
  const failures: string[] = []
  for (const { profile, downFor, refused } of cases) {
    for (let seed = 1; seed <= 10; seed++) {
      const sim = new Simulation({ size: 5, seed, profile })
      assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 5), 30_000) !== undefined, 'formed')
      sim.runFor(5000)
      const member = sim.ids[3]
      sim.crash(member, { refused })
      sim.runFor(downFor)
      const restartedAt = sim.now
      sim.restart(member)
      sim.runFor(15_000)
      const found = suspicionsOfNewLife(sim, member, restartedAt)
      if (found.length > 0) failures.push(`${profile}, down ${downFor} ms${refused ? ' (refused)' : ''}, seed ${seed}: ${found.join('; ')}`)
    }
  }
  assert.equal(failures, [], failures.join('\n'))
})

test('a restart starts above the incarnation of the previous life, as swimd does from its data dir', () => {
  const sim = new Simulation({ size: 3, seed: 2 })
  sim.runFor(5000)
  const member = sim.ids[1]
  const before = sim.machine(member).record.incarnation
  sim.crash(member)
  sim.restart(member)
  assert.ok(sim.machine(member).record.incarnation > before)
})

test.run()
