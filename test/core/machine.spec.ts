import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import type { Effect } from '../../src/core/effects.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import type { MemberRecord, Message } from '../../src/core/messages.ts'
import { seededRandom } from '../../src/core/random.ts'

const config = resolveConfig('lan')

function machine (id = 'self', verify?: (r: MemberRecord) => boolean): SwimMachine {
  return new SwimMachine({ id, addrs: [`/mem/${id}`], config, random: seededRandom(1), now: 0, verify })
}

const record = (id: string, incarnation = 0, meta: Record<string, string> = {}): MemberRecord =>
  ({ id, incarnation, addrs: [`/mem/${id}`], meta, leaving: false })
const gossip = (...updates: Extract<Message, { type: 'gossip' }>['updates']): Message => ({ type: 'gossip', updates })
const events = (effects: Effect[]): string[] =>
  effects.flatMap((e) => e.type === 'emit' ? [`${e.event.type}:${e.event.member.id}`] : [])
const snapshot = (m: SwimMachine): string => JSON.stringify(m.members().map(({ since, ...rest }) => rest))

test('a new member record emits join once; the same record again changes nothing', () => {
  const m = machine()
  assert.equal(events(m.receive('a', gossip({ type: 'record', record: record('a') }), 1)), ['join:a'])
  const before = snapshot(m)
  assert.equal(events(m.receive('b', gossip({ type: 'record', record: record('a') }), 2)), [])
  assert.is(snapshot(m), before)
})

test('claims about an unknown member change nothing', () => {
  const m = machine()
  m.receive('a', gossip({ type: 'record', record: record('a') }), 1)
  const before = snapshot(m)
  const out = m.receive('a', gossip({ type: 'suspect', id: 'ghost', incarnation: 3, from: 'a' }, { type: 'dead', id: 'ghost', incarnation: 3, from: 'a' }), 2)
  assert.equal(events(out), [])
  assert.is(snapshot(m), before)
})

test('a suspicion with a stale incarnation is ignored', () => {
  const m = machine()
  m.receive('a', gossip({ type: 'record', record: record('a') }), 1)
  m.receive('b', gossip({ type: 'record', record: record('b', 5) }), 1)
  const out = m.receive('a', gossip({ type: 'suspect', id: 'b', incarnation: 4, from: 'a' }), 2)
  assert.equal(events(out), [])
  assert.is(m.member('b')?.state, 'alive')
  assert.ok(m.stats.staleUpdates > 0)
})

test('a message that claims to come from ourselves is ignored', () => {
  const m = machine()
  const before = snapshot(m)
  const out = m.receive('self', gossip({ type: 'record', record: record('a') }), 1)
  assert.equal(events(out), [])
  assert.is(snapshot(m), before)
  assert.is(m.stats.messagesIgnored, 1)
})

test('suspect and dead claims from a sender that is not a live member are rejected', () => {
  const m = machine()
  m.receive('a', gossip({ type: 'record', record: record('a') }), 1)
  const out = m.receive('stranger', gossip({ type: 'dead', id: 'a', incarnation: 0, from: 'stranger' }), 2)
  assert.equal(events(out), [])
  assert.is(m.member('a')?.state, 'alive')
  assert.is(m.stats.claimsRejected, 1)
})

test('a record the verify hook rejects is dropped and counted, and the victim entry is unchanged', () => {
  const m = machine('self', (r) => r.meta.forged !== 'yes')
  m.receive('a', gossip({ type: 'record', record: record('a', 1) }), 1)
  const out = m.receive('b', gossip({ type: 'record', record: { ...record('a', 9, { forged: 'yes' }), addrs: ['/evil'] } }), 2)
  assert.equal(events(out), [])
  assert.equal(m.member('a')?.addrs, ['/mem/a'])
  assert.is(m.member('a')?.incarnation, 1)
  assert.is(m.stats.recordsRejected, 1)
})

test('a suspicion of ourselves is refuted with a higher incarnation and raises our awareness', () => {
  const m = machine()
  m.receive('a', gossip({ type: 'record', record: record('a') }), 1)
  m.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'a' }), 2)
  assert.is(m.localMember().incarnation, 1)
  assert.is(m.awarenessScore, 1)
  const out = m.tick(100)
  const refutation = out.find((e) => e.type === 'send' && e.message.type === 'gossip' &&
    e.message.updates.some((u) => u.type === 'record' && u.record.id === 'self' && u.record.incarnation === 1))
  assert.ok(refutation != null, 'the new record is gossiped')
})

test('an old suspicion of ourselves is not refuted again', () => {
  const m = machine()
  m.receive('a', gossip({ type: 'record', record: record('a') }), 1)
  m.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'a' }), 2)
  m.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'a' }), 3)
  assert.is(m.localMember().incarnation, 1)
})

test('a ping meant for another member is not answered', () => {
  const m = machine()
  const out = m.receive('a', { type: 'ping', seq: 1, target: 'someone-else', updates: [] }, 1)
  assert.not.ok(out.some((e) => e.type === 'send'))
  assert.is(m.stats.misdirectedPings, 1)
  const ok = m.receive('a', { type: 'ping', seq: 2, target: 'self', updates: [] }, 2)
  assert.ok(ok.some((e) => e.type === 'send' && e.to === 'a' && e.message.type === 'ack' && e.message.seq === 2))
})

test('an ack for a probe nobody sent changes nothing', () => {
  const m = machine()
  m.receive('a', gossip({ type: 'record', record: record('a') }), 1)
  const before = snapshot(m)
  assert.equal(events(m.receive('a', { type: 'ack', seq: 999, updates: [] }, 2)), [])
  assert.is(snapshot(m), before)
})

test('a refutation moves a suspect back to alive and a higher record after a fail is a join', () => {
  const m = machine()
  m.receive('a', gossip({ type: 'record', record: record('a') }), 1)
  m.receive('b', gossip({ type: 'record', record: record('b') }), 1)
  assert.equal(events(m.receive('a', gossip({ type: 'suspect', id: 'b', incarnation: 0, from: 'a' }), 2)), ['suspect:b'])
  assert.equal(events(m.receive('b', gossip({ type: 'record', record: record('b', 1) }), 3)), ['alive:b'])
  // One accuser's dead claim is only a suspicion; a second authenticated one makes it a verdict.
  assert.equal(events(m.receive('a', gossip({ type: 'dead', id: 'b', incarnation: 1, from: 'a' }), 4)), ['suspect:b'])
  m.receive('c', gossip({ type: 'record', record: record('c') }), 4)
  assert.equal(events(m.receive('c', gossip({ type: 'dead', id: 'b', incarnation: 1, from: 'c' }), 4)), ['fail:b'])
  assert.equal(events(m.receive('b', gossip({ type: 'record', record: record('b', 2) }), 5)), ['join:b'])
})

test('setMetadata raises our incarnation; a member whose metadata changes emits update', () => {
  const m = machine()
  m.setMetadata({ role: 'api' }, 1)
  assert.equal(m.localMember().meta, { role: 'api' })
  assert.is(m.localMember().incarnation, 1)
  m.receive('a', gossip({ type: 'record', record: record('a') }), 1)
  assert.equal(events(m.receive('a', gossip({ type: 'record', record: record('a', 1, { zone: 'b' }) }), 2)), ['update:a'])
})

test('a digest-only push-pull is answered without entries when views match, with full state when they differ', () => {
  const a = machine('a')
  const b = machine('b')
  // Both learn each other: equal views.
  b.receive('a', gossip({ type: 'record', record: a.record }), 1)
  a.receive('b', gossip({ type: 'record', record: b.record }), 1)
  const ask = (from: SwimMachine, to: SwimMachine): Extract<Message, { type: 'sync' }> | undefined => {
    // A digest-only request, exactly as the periodic push-pull sends it.
    const request = { type: 'sync' as const, join: false, response: false, entries: [], digest: viewDigestOf(from) }
    const out = to.receive(from.id, request, 2)
    const reply = out.find((e) => e.type === 'send' && e.message.type === 'sync')
    return reply?.type === 'send' ? reply.message as Extract<Message, { type: 'sync' }> : undefined
  }
  assert.equal(ask(a, b)?.entries, [], 'same view: nothing to send')
  b.receive('c', gossip({ type: 'record', record: record('c') }), 3)
  const reply = ask(a, b)
  assert.is(reply?.entries.length, 3, 'different views: the full state comes back')
})

function viewDigestOf (m: SwimMachine): Uint8Array {
  // The digest a machine would send is what it answers with when asked by itself; use the
  // response to a digest-only request from a stranger with an empty digest.
  const out = m.receive('stranger', { type: 'sync', join: false, response: false, entries: [], digest: new Uint8Array(8) }, 1)
  const sync = out.find((e) => e.type === 'send' && e.message.type === 'sync')
  if (sync?.type !== 'send' || sync.message.type !== 'sync' || sync.message.digest == null) throw new Error('no digest')
  return sync.message.digest
}

test.run()
