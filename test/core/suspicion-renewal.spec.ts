import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import type { Effect } from '../../src/core/effects.ts'
import { suspicionBounds } from '../../src/core/formulas.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import type { MemberRecord } from '../../src/core/messages.ts'
import { seededRandom } from '../../src/core/random.ts'

const config = resolveConfig('lan')
const record = (id: string, incarnation = 0): MemberRecord => ({ id, incarnation, addrs: [], meta: {}, leaving: false })
const events = (out: Effect[]): string[] => out.flatMap((e) => e.type === 'emit' ? [`${e.event.type}:${e.event.member.id}`] : [])

test('a suspicion at a newer incarnation starts a new timeout: the member refuted the old one even if we missed its refutation', () => {
  const m = new SwimMachine({ id: 'self', addrs: [], config, random: seededRandom(1), now: 0 })
  for (const id of ['a', 'b', 'c', 'x']) m.receive(id, { type: 'gossip', updates: [{ type: 'record', record: record(id) }] }, 0)
  const { max } = suspicionBounds(m.clusterSize, config.suspicionMult, config.suspicionMaxTimeoutMult, config.probeInterval)
  assert.equal(events(m.receive('a', { type: 'gossip', updates: [{ type: 'suspect', id: 'x', incarnation: 0, from: 'a' }] }, 1000)), ['suspect:x'])
  // x refuted (incarnation 1) and was suspected again; only the second suspicion reaches us.
  const renewedAt = 1000 + max - 1000
  assert.equal(events(m.receive('b', { type: 'gossip', updates: [{ type: 'suspect', id: 'x', incarnation: 1, from: 'b' }] }, renewedAt)), [], 'no second suspect event: it was suspect all along')
  const seen: string[] = []
  for (let t = renewedAt; t < renewedAt + max - 10; t += 10) seen.push(...events(m.tick(t)))
  assert.not.ok(seen.includes('fail:x'), 'the old suspicion\'s deadline does not fail it')
  for (let t = renewedAt + max - 10; t <= renewedAt + max + 10; t += 10) seen.push(...events(m.tick(t)))
  assert.ok(seen.includes('fail:x'), 'the new suspicion runs its own course')
})

test.run()
