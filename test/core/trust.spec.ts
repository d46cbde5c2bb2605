/**
 * The attacks of the trust rules, one message (or a few) each, against a single machine:
 * what a non-member, a member, or anyone relaying claims can and cannot make it do.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import type { SwimConfig } from '../../src/core/config.ts'
import type { Effect } from '../../src/core/effects.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import type { UnsignedRecord } from '../../src/core/machine.ts'
import type { MemberRecord, Message, SyncEntry, Update } from '../../src/core/messages.ts'
import { seededRandom } from '../../src/core/random.ts'
import { suspicionBounds } from '../../src/core/formulas.ts'

const lan = resolveConfig('lan')
const GOOD = new Uint8Array([1])
const BAD = new Uint8Array([0])

interface Options {
  id?: string
  config?: Partial<SwimConfig>
  incarnation?: number
  sign?: (record: UnsignedRecord) => Uint8Array
}

/** A machine whose verify hook accepts records "signed" GOOD and counts its calls. */
function machine (options: Options = {}): { m: SwimMachine, verifications: () => number } {
  let calls = 0
  const m = new SwimMachine({
    id: options.id ?? 'self',
    addrs: ['/mem/self'],
    config: resolveConfig('lan', options.config),
    random: seededRandom(7),
    now: 0,
    incarnation: options.incarnation,
    sign: options.sign ?? (() => GOOD),
    verify: (r) => { calls++; return r.signature?.[0] === 1 }
  })
  return { m, verifications: () => calls }
}

const record = (id: string, incarnation = 0, signature = GOOD): MemberRecord =>
  ({ id, incarnation, addrs: [`/mem/${id}`], meta: {}, leaving: false, signature })
const gossip = (...updates: Update[]): Message => ({ type: 'gossip', updates })
const entry = (r: MemberRecord): SyncEntry => ({ record: r, state: 'alive', incarnation: r.incarnation })
const sync = (entries: SyncEntry[], response = false): Message => ({ type: 'sync', join: false, response, entries })
const events = (effects: Effect[], type?: string): string[] =>
  effects.flatMap((e) => e.type === 'emit' && (type == null || e.event.type === type) ? [`${e.event.type}:${e.event.member.id}`] : [])
const sends = (effects: Effect[]): Array<Extract<Effect, { type: 'send' }>> =>
  effects.flatMap((e) => e.type === 'send' ? [e] : [])

/** Lets `ids` introduce themselves (first-hand records), so they are live members. */
function meet (m: SwimMachine, now: number, ...ids: string[]): void {
  for (const id of ids) m.receive(id, gossip({ type: 'record', record: record(id) }), now)
}

/**
 * Lets the members met at time 0 or 1 age past the newcomer grace (8 probe intervals), every
 * one of them answering; returns the time reached.
 */
function aged (m: SwimMachine, answering: string[]): number {
  const t = 8 * lan.probeInterval + 100
  run(m, 2, t, answering)
  return t
}

/**
 * Runs the machine's timers up to `until`, answering every probe of `answering` (an ack from
 * it); a member of `answering` asked to probe a silent one nacks, as a live relay does.
 */
function run (m: SwimMachine, from: number, until: number, answering: string[] = [], step = 50): Effect[] {
  const all: Effect[] = []
  for (let now = from; now <= until; now += step) {
    const out = m.tick(now)
    all.push(...out)
    for (const s of sends(out)) {
      if (s.message.type === 'ping' && answering.includes(s.to)) {
        all.push(...m.receive(s.to, { type: 'ack', seq: s.message.seq, updates: [] }, now))
      } else if (s.message.type === 'ping-req' && answering.includes(s.to) && !answering.includes(s.message.target)) {
        all.push(...m.receive(s.to, { type: 'nack', seq: s.message.seq, updates: [] }, now))
      }
    }
  }
  return all
}

// ------------------------------------------------------------ incarnations (row 1, 2)

test('row 1: a suspect claim about us at 2^53-2 from a non-member is ignored; no refutation, incarnation unchanged', () => {
  const { m } = machine()
  const out = m.receive('stranger', gossip({ type: 'suspect', id: 'self', incarnation: Number.MAX_SAFE_INTEGER - 1, from: 'stranger' }), 1)
  assert.is(m.localMember().incarnation, 0)
  assert.is(m.stats.refutations, 0)
  assert.is(sends(out).length, 0)
  assert.ok(m.stats.claimsRejected >= 1)
})

test('row 1: even from a member, a claim about us above our own signed incarnation is dropped, not refuted', () => {
  const { m } = machine()
  meet(m, 1, 'a')
  m.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: Number.MAX_SAFE_INTEGER - 1, from: 'a' }), 2)
  assert.is(m.localMember().incarnation, 0)
  assert.is(m.stats.refutations, 0)
  // A claim at our own incarnation is refuted one step above our own record.
  m.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'a' }), 3)
  assert.is(m.localMember().incarnation, 1)
  // And the new incarnation is signed.
  assert.equal(m.record.signature, GOOD)
})

test('row 1: an unsigned copy of our own record at a huge incarnation does not move us; a signed one does, by one', () => {
  const { m } = machine()
  meet(m, 1, 'a')
  m.receive('a', gossip({ type: 'record', record: record('self', Number.MAX_SAFE_INTEGER - 1, BAD) }), 2)
  assert.is(m.localMember().incarnation, 0)
  m.receive('a', gossip({ type: 'record', record: record('self', 41) }), 3)
  assert.is(m.localMember().incarnation, 42, 'one above the newest record we really signed')
})

test('row 2: a dead claim at 2^53-1 about a member (from a member) is rejected: the member stays alive', () => {
  const { m } = machine()
  meet(m, 1, 'a', 'c')
  const out = m.receive('a', gossip({ type: 'dead', id: 'c', incarnation: Number.MAX_SAFE_INTEGER, from: 'a' }), 2)
  assert.equal(events(out), [])
  assert.is(m.member('c')?.state, 'alive')
  assert.is(m.member('c')?.incarnation, 0)
  const out2 = m.receive('a', gossip({ type: 'suspect', id: 'c', incarnation: 5, from: 'a' }), 3)
  assert.equal(events(out2), [], 'no suspicion above the newest signed record either')
})

test('a record that cannot be signed is reported: setMetadata and leave return an error effect and change nothing', () => {
  const { m } = machine({ incarnation: Number.MAX_SAFE_INTEGER })
  const out = m.setMetadata({ role: 'api' }, 1)
  const error = out.find((e) => e.type === 'error')
  assert.ok(error?.type === 'error' && /incarnation/.test(error.error.message), 'the caller hears why')
  assert.equal(m.localMember().meta, {})
  assert.ok(m.leave(2).some((e) => e.type === 'error'))
  assert.not.ok(m.hasLeft)
  assert.is(m.stats.signFailures, 2)

  let fail = false
  const { m: n } = machine({ sign: () => { if (fail) throw new Error('signer gone'); return GOOD } })
  fail = true
  const out2 = n.setMetadata({ a: 'b' }, 1)
  assert.ok(out2.some((e) => e.type === 'error' && e.error.message === 'signer gone'))
  assert.is(n.localMember().incarnation, 0)
})

// ------------------------------------------------------------ claims (rows 5, 6, 7)

test('row 5: dead claims about a live member from one sender never make it fail on an observer', () => {
  const { m } = machine()
  meet(m, 1, 'a', 'b')
  let now = 10
  const all: Effect[] = []
  for (let i = 0; i < 5; i++) {
    const inc = m.member('b')?.incarnation ?? 0
    all.push(...m.receive('a', gossip({ type: 'dead', id: 'b', incarnation: inc, from: 'a' }), now))
    // b answers our probes and refutes (as a live member does once it hears the claim)
    all.push(...run(m, now, now + 2000, ['a', 'b']))
    all.push(...m.receive('b', gossip({ type: 'record', record: record('b', inc + 1) }), now + 2000))
    now += 2500
  }
  assert.equal(events(all, 'fail'), [])
  assert.equal(events(all, 'join'), [])
  assert.is(m.member('b')?.state, 'alive')
})

test('row 5: a relayed dead claim becomes a verdict once our own probe of the member failed', () => {
  const { m } = machine()
  meet(m, 1, 'a', 'b', 'c')
  // past the newcomer grace, in which a member's silence proves nothing
  const t = aged(m, ['a', 'b', 'c'])
  m.receive('a', gossip({ type: 'suspect', id: 'b', incarnation: 0, from: 'a' }), t + 10)
  // b is silent: our own probe (sent on hearing the suspicion) fails while the relays nack.
  run(m, t + 10, t + 1200, ['a', 'c'])
  const out = m.receive('c', gossip({ type: 'dead', id: 'b', incarnation: 0, from: 'a' }), t + 1300)
  assert.equal(events(out), ['fail:b'])
})

test('row 6: 25 suspect claims in 5 s from a non-member cost no refutation; from a member, one per probe interval', () => {
  const { m } = machine()
  for (let i = 0; i < 25; i++) {
    m.receive('stranger', gossip({ type: 'suspect', id: 'self', incarnation: m.localMember().incarnation, from: 'stranger' }), i * 200)
  }
  assert.is(m.localMember().incarnation, 0)
  assert.is(m.awarenessScore, 0)

  const { m: n } = machine()
  meet(n, 0, 'a')
  let now = 1
  for (let i = 0; i < 25; i++) {
    n.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: n.localMember().incarnation, from: 'a' }), now)
    n.tick(now)
    now += 200
  }
  n.tick(now + 1000)
  // 5 s of claims: at most one refutation per second (plus one deferred to the next interval).
  assert.ok(n.stats.refutations <= 6, `${n.stats.refutations} refutations`)
  assert.ok(n.stats.refutations >= 4, 'yet the member keeps refuting')
  assert.ok(n.localMember().incarnation <= 6)
})

test('row 6: a deferred refutation still goes out at the next interval', () => {
  const { m } = machine()
  meet(m, 0, 'a')
  m.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: 0, from: 'a' }), 10)
  assert.is(m.localMember().incarnation, 1)
  m.receive('a', gossip({ type: 'suspect', id: 'self', incarnation: 1, from: 'a' }), 20)
  assert.is(m.localMember().incarnation, 1, 'not within the same interval')
  const out = m.tick(10 + lan.probeInterval)
  assert.is(m.localMember().incarnation, 2)
  assert.ok(sends(out).some((s) => s.message.type !== 'sync' && s.message.updates.some((u) => u.type === 'record' && u.record.id === 'self' && u.record.incarnation === 2)))
})

test('row 7: one member naming others as confirmations does not shorten a suspicion, nor does relayed refusal evidence', () => {
  const config = { suspicionGrace: 0 }
  const { m } = machine({ config })
  const ids = Array.from({ length: 20 }, (_, i) => `m${i}`)
  meet(m, 0, 'liar', 'b', ...ids)
  const n = m.clusterSize
  const { min, max } = suspicionBounds(n, lan.suspicionMult, lan.suspicionMaxTimeoutMult, lan.probeInterval)
  m.receive('liar', gossip({ type: 'suspect', id: 'b', incarnation: 0, from: 'liar', refused: true }), 10)
  // The liar names every other member as an independent confirmation, with refusals.
  for (const id of ids) m.receive('liar', gossip({ type: 'suspect', id: 'b', incarnation: 0, from: id, refused: true }), 20)
  // b is silent; past the Lifeguard minimum (and the refused fast path) it is still only suspect.
  const others = ['liar', ...ids]
  const out = run(m, 20, 10 + min + 1000, others)
  assert.equal(events(out, 'fail'), [], `not failed at ${min} ms`)
  assert.is(m.member('b')?.state, 'suspect')
  const later = run(m, 10 + min + 1050, 10 + max + 2000, others)
  assert.equal(events(later, 'fail'), ['fail:b'], 'our own probe is the one confirmation: the timeout stays well above min')
})

test('row 7: first-hand confirmations count once per accuser', () => {
  // suspicionMult 6: four confirmations bring the timeout to min.
  const config = { suspicionGrace: 0, suspicionMult: 6 }
  const { m } = machine({ config })
  const ids = Array.from({ length: 20 }, (_, i) => `m${i}`)
  meet(m, 0, 'b', ...ids)
  const t = aged(m, ['b', ...ids])
  const n = m.clusterSize
  const { min } = suspicionBounds(n, 6, lan.suspicionMaxTimeoutMult, lan.probeInterval)
  m.receive('m0', gossip({ type: 'suspect', id: 'b', incarnation: 0, from: 'm0' }), t + 10)
  // m1 repeats its own claim many times: one confirmation (our own failed probe is another).
  for (let i = 0; i < 10; i++) m.receive('m1', gossip({ type: 'suspect', id: 'b', incarnation: 0, from: 'm1' }), t + 20)
  const out = run(m, t + 20, t + 10 + min + 1000, ids)
  assert.equal(events(out, 'fail'), [], 'two confirmations do not bring the timeout to min')
  m.receive('m2', gossip({ type: 'suspect', id: 'b', incarnation: 0, from: 'm2' }), t + 10 + min + 1000)
  m.receive('m3', gossip({ type: 'suspect', id: 'b', incarnation: 0, from: 'm3' }), t + 10 + min + 1000)
  const out2 = run(m, t + 10 + min + 1050, t + 10 + min + 1500, ids)
  assert.equal(events(out2, 'fail'), ['fail:b'], 'four independent accusers do')
})

test('claims per sender are budgeted per probe interval', () => {
  const { m } = machine()
  const ids = Array.from({ length: 200 }, (_, i) => `v${i}`)
  meet(m, 0, 'a', ...ids)
  const claims: Update[] = ids.map((id) => ({ type: 'suspect', id, incarnation: 0, from: 'a' }))
  m.receive('a', gossip(...claims), 10)
  const suspected = m.members().filter((x) => x.state === 'suspect').length
  assert.ok(suspected <= 64, `${suspected} suspicions from one message`)
  assert.ok(suspected > 0)
})

// ------------------------------------------------------------ member table (row 3)

test('row 3: a sync of 20,000 fake members from a non-member adds only the sender', () => {
  const { m } = machine()
  const fakes = Array.from({ length: 20_000 }, (_, i) => entry(record(`fake${i}`)))
  m.receive('attacker', sync([entry(record('attacker')), ...fakes]), 1)
  assert.is(m.members().length, 2, 'self and the attacker')
  assert.ok(m.stats.membersRejected >= 20_000)
})

test('row 3: a live member introduces at most its budget of new members per interval, and the table stays within maxMembers', () => {
  const { m } = machine({ config: { maxMembers: 600 } })
  meet(m, 0, 'a')
  const batch = (n: number, from: number): SyncEntry[] => Array.from({ length: n }, (_, i) => entry(record(`fake${from + i}`)))
  m.receive('a', sync(batch(20_000, 0)), 1)
  const first = m.members().length
  assert.ok(first <= 2 + 256, `${first} members after one sync`)
  for (let i = 1; i <= 10; i++) m.receive('a', sync(batch(20_000, i * 20_000)), i * lan.probeInterval + 1)
  assert.ok(m.members().length <= 600 + 1, `${m.members().length} members, maxMembers 600`)
})

test('row 3: the seed answering our join brings the whole cluster at once', () => {
  const { m } = machine()
  m.join([{ id: 'seed', addrs: ['/mem/seed'] }], 0)
  const cluster = Array.from({ length: 3000 }, (_, i) => entry(record(`n${i}`)))
  m.receive('seed', { type: 'sync', join: true, response: true, entries: [entry(record('seed')), ...cluster] }, 1)
  assert.is(m.members().length, 3002)
  // An unsolicited one does not get the same treatment.
  const { m: other } = machine()
  other.receive('seed', { type: 'sync', join: true, response: true, entries: [entry(record('seed')), ...cluster] }, 1)
  assert.is(other.members().length, 2)
})

test('row 3: a member introducing itself gets into a full table by displacing one that never spoke', () => {
  const { m } = machine({ config: { maxMembers: 10 } })
  meet(m, 0, 'a')
  m.receive('a', sync(Array.from({ length: 20 }, (_, i) => entry(record(`fake${i}`)))), 1)
  assert.is(m.members().length, 11)
  m.receive('real', gossip({ type: 'record', record: record('real') }), 2)
  assert.is(m.member('real')?.state, 'alive')
  assert.is(m.members().length, 11)
})

// ------------------------------------------------------------ verification (row 4)

test('row 4: processing stops at the first bad signature', () => {
  const { m, verifications } = machine()
  meet(m, 0, 'a')
  const before = verifications()
  const bad = Array.from({ length: 20_000 }, (_, i) => entry(record(`fake${i}`, 0, BAD)))
  m.receive('a', sync(bad), 1)
  assert.is(verifications() - before, 1)
  m.receive('a', gossip(...Array.from({ length: 1000 }, (_, i): Update => ({ type: 'record', record: record(`g${i}`, 0, BAD) }))), 2)
  assert.is(verifications() - before, 2)
})

test('row 4: verifications per sender per interval are bounded', () => {
  const { m, verifications } = machine()
  meet(m, 0, 'a')
  const before = verifications()
  // Updates of known members at new incarnations, all validly signed: each needs a check.
  const ids = Array.from({ length: 1000 }, (_, i) => `k${i}`)
  m.join([{ id: 'seed', addrs: [] }], 0)
  m.receive('seed', { type: 'sync', join: true, response: true, entries: [entry(record('seed')), ...ids.map((id) => entry(record(id)))] }, 1)
  const mid = verifications()
  m.receive('a', sync(ids.map((id) => entry(record(id, 1)))), 2)
  assert.ok(verifications() - mid <= 128, `${verifications() - mid} verifications`)
  assert.ok(mid - before >= 1000, 'the join answer is checked in full')
})

// ------------------------------------------------------------ reflection (row 8)

test('row 8: ping-req for an unknown member, or from a non-member, sends nothing; the request\'s addresses are never used', () => {
  const { m } = machine()
  meet(m, 0, 'a', 'b')
  const req = (target: string): Message => ({ type: 'ping-req', seq: 1, target, targetAddrs: ['/ip4/192.0.2.7/tcp/80'], updates: [] })
  const unknown = sends(m.receive('a', req('unknown'), 1))
  assert.equal(unknown.map((s) => [s.to, s.message.type]), [['a', 'nack']], 'only a nack to the requester')
  assert.is(sends(m.receive('stranger', req('b'), 1)).length, 0)
  const out = sends(m.receive('a', req('b'), 2))
  assert.is(out.length, 1)
  assert.equal(out[0].addrs, ['/mem/b'], 'the table\'s addresses, not the request\'s')
})

test.run()
