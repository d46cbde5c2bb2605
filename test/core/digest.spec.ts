import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { resolveConfig } from '../../src/core/config.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import type { MemberEntry } from '../../src/core/members.ts'
import type { Update } from '../../src/core/messages.ts'
import { viewDigest } from '../../src/core/push-pull.ts'
import { seededRandom } from '../../src/core/random.ts'

const config = resolveConfig('lan', { reapTime: 1000 })
const ids = ['a', 'b', 'c', 'd', 'e']

const update: fc.Arbitrary<Update> = fc.oneof(
  fc.record({ id: fc.constantFrom(...ids), incarnation: fc.nat({ max: 4 }), leaving: fc.boolean() })
    .map(({ id, incarnation, leaving }) => ({ type: 'record' as const, record: { id, incarnation, addrs: [], meta: {}, leaving } })),
  fc.record({ id: fc.constantFrom(...ids, 'self'), incarnation: fc.nat({ max: 4 }), from: fc.constantFrom(...ids) })
    .map((u) => ({ type: 'suspect' as const, ...u })),
  fc.record({ id: fc.constantFrom(...ids), incarnation: fc.nat({ max: 4 }), from: fc.constantFrom(...ids) })
    .map((u) => ({ type: 'dead' as const, ...u }))
)

/** The digest a machine answers a digest-only request with. */
function answeredDigest (m: SwimMachine, now: number): Uint8Array {
  const out = m.receive('a', { type: 'sync', join: false, response: false, entries: [], digest: new Uint8Array(8) }, now)
  for (const e of out) if (e.type === 'send' && e.message.type === 'sync' && e.message.digest !== undefined) return e.message.digest
  throw new Error('no answer')
}

test('the digest kept as the table changes always equals the digest computed from the whole view', () => {
  fc.assert(fc.property(fc.array(fc.tuple(update, fc.nat({ max: 3000 })), { maxLength: 60 }), (steps) => {
    const m = new SwimMachine({ id: 'self', addrs: [], config, random: seededRandom(1), now: 0 })
    let now = 0
    for (const [u, dt] of steps) {
      now += dt
      m.receive(ids[now % ids.length], { type: 'gossip', updates: [u] }, now)
      m.tick(now) // suspicions expire, entries are reaped
    }
    const self = m.record
    const entries = m.members().slice(1).map((x) => ({ record: { id: x.id }, incarnation: x.incarnation, state: x.state }) as unknown as MemberEntry)
    const expected = Buffer.from(viewDigest(self, entries)).toString('hex')
    assert.is(Buffer.from(answeredDigest(m, now)).toString('hex'), expected)
  }), { numRuns: 300 })
})

test.run()
