/**
 * Where the refutation limits of the trust rules meet the races of a real cluster: an
 * accuser whose claim was in flight while we refuted, or waited for the next allowed
 * refutation, must still hear it; and a claim above any record we hold renews a suspicion
 * once at most.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import type { Effect } from '../../src/core/effects.ts'
import { suspicionBounds } from '../../src/core/formulas.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import type { MemberRecord, Message, Update } from '../../src/core/messages.ts'
import { seededRandom } from '../../src/core/random.ts'

// Gossip rounds off, so every gossip message seen is an answer sent straight to somebody.
const lan = resolveConfig('lan', { gossipInterval: 0 })
const record = (id: string, incarnation = 0): MemberRecord => ({ id, incarnation, addrs: [`/mem/${id}`], meta: {}, leaving: false })
const gossip = (...updates: Update[]): Message => ({ type: 'gossip', updates })
const events = (out: Effect[]): string[] => out.flatMap((e) => e.type === 'emit' ? [`${e.event.type}:${e.event.member.id}`] : [])
/** The members that got our own record at `incarnation` straight from us. */
const toldOurRecord = (out: Effect[], incarnation: number): string[] => out.flatMap((e) =>
  e.type === 'send' && e.message.type === 'gossip' &&
  e.message.updates.some((u) => u.type === 'record' && u.record.id === 'self' && u.record.incarnation === incarnation)
    ? [e.to]
    : [])

function machine (...members: string[]): SwimMachine {
  const m = new SwimMachine({ id: 'self', addrs: ['/mem/self'], config: lan, random: seededRandom(3), now: 0 })
  for (const id of members) m.receive(id, gossip({ type: 'record', record: record(id) }), 0)
  return m
}

test('an accuser whose claim crossed our refutation gets our record first-hand, once per interval', () => {
  const m = machine('a', 'b', 'c')
  m.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'a' }), 10)
  assert.is(m.localMember().incarnation, 1)
  // b suspected us at 0 too; its claim arrives after the refutation. Without an answer, b's
  // suspicion ends in a verdict if gossip of our new record passes b by.
  const out = m.receive('b', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'b' }), 20)
  assert.equal(toldOurRecord(out, 1), ['b'])
  assert.is(m.localMember().incarnation, 1, 'no second refutation for old news')
  const again = m.receive('b', gossip({ type: 'dead', id: 'self', incarnation: 0, from: 'b' }), 30)
  assert.equal(toldOurRecord(again, 1), [], 'not twice in one interval')
  const later = m.receive('b', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'b' }), 30 + lan.probeInterval)
  assert.equal(toldOurRecord(later, 1), ['b'], 'again in the next interval')
})

test('an old claim about us relayed by somebody else is not answered (a storm of hearsay costs nothing)', () => {
  const m = machine('a', 'b', 'c')
  m.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'a' }), 10)
  const out = m.receive('c', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'b' }), 20)
  assert.equal(toldOurRecord(out, 1), [])
})

test('accusers whose claims waited for the next allowed refutation hear it first-hand', () => {
  const m = machine('a', 'b', 'c')
  m.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'a' }), 10)
  // b's claim at 0 crossed the refutation: b gets our record at 1 (and must still get 2).
  assert.equal(toldOurRecord(m.receive('b', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'b' }), 15), 1), ['b'])
  // Suspected again at 1 within the same interval: the refutation waits.
  const waiting = [
    ...m.receive('b', gossip({ type: 'suspect', id: 'self', incarnation: 1, from: 'b' }), 20),
    ...m.receive('c', gossip({ type: 'suspect', id: 'self', incarnation: 1, from: 'c' }), 30)
  ]
  assert.equal(toldOurRecord(waiting, 2), [])
  assert.is(m.localMember().incarnation, 1)
  const out = m.tick(10 + lan.probeInterval)
  assert.is(m.localMember().incarnation, 2)
  assert.equal(toldOurRecord(out, 2).sort(), ['b', 'c'])
})

test('claims above the newest record we hold renew a suspicion once, never for ever', () => {
  const m = machine('a', 'b', 'c', 'x')
  const { max } = suspicionBounds(m.clusterSize, lan.suspicionMult, lan.suspicionMaxTimeoutMult, lan.probeInterval)
  m.receive('a', gossip({ type: 'suspect', id: 'x', incarnation: 0, from: 'a' }), 1000)
  // b renews it just before the deadline; c (or b again) tries the same near the renewed one.
  const renewedAt = 1000 + max - 500
  m.receive('b', gossip({ type: 'suspect', id: 'x', incarnation: 1, from: 'b' }), renewedAt)
  const seen: string[] = []
  let tried = false
  for (let t = renewedAt; t <= renewedAt + max + 50; t += 50) {
    if (!tried && t >= renewedAt + max - 500) {
      tried = true
      seen.push(...events(m.receive('c', gossip({ type: 'suspect', id: 'x', incarnation: 7, from: 'c' }), t)))
    }
    const out = m.tick(t)
    seen.push(...events(out))
    // a, b and c stay live: they answer our probes.
    for (const e of out) {
      if (e.type === 'send' && e.message.type === 'ping' && e.to !== 'x') m.receive(e.to, { type: 'ack', seq: e.message.seq, updates: [] }, t)
    }
  }
  assert.ok(tried)
  assert.equal(seen, ['fail:x'], 'failed at the end of the one renewed suspicion')
  assert.is(m.member('x')?.incarnation, 0, 'the unproven incarnation never became our view')
})

test.run()
