import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Uint8ArrayList } from 'uint8arraylist'
import type { MemberRecord, Message } from '../../src/core/messages.ts'
import { DEFAULT_LIMITS, decodeMessage, encodeMessage, resolveLimits, validateMessage, validateRecord, WireEncodeError } from '../../src/wire/index.ts'
import type { DecodeResult, WireErrorCode, WireLimits } from '../../src/wire/index.ts'
import { SYNC_ENTRY_OVERHEAD, sameLimits, syncLimits } from '../../src/wire/limits.ts'
import * as pb from '../../src/wire/swim.ts'
import { BODY, envelope, lenField, stringField, varintField } from './protobuf.ts'

// Raw messages built with the generated codec, which writes whatever it is given: the way to
// produce well-formed protobuf that breaks the protocol's rules.

function pbRecord (fields: Partial<pb.MemberRecord> = {}): pb.MemberRecord {
  return { id: 'node-a', incarnation: 1, addrs: [], meta: [], leaving: false, signature: new Uint8Array(0), ...fields }
}

function gossipBytes (updates: pb.Update[]): Uint8Array {
  return pb.SwimMessage.encode({ gossip: { updates } })
}

function recordBytes (fields: Partial<pb.MemberRecord>): Uint8Array {
  return gossipBytes([{ record: pbRecord(fields) }])
}

function syncBytes (entries: pb.SyncEntry[]): Uint8Array {
  return pb.SwimMessage.encode({ sync: { join: false, response: false, entries, digest: new Uint8Array(0) } })
}

function expectError (result: DecodeResult, code: WireErrorCode, field?: string): void {
  assert.is(result.ok, false, 'decoding should fail')
  if (result.ok) return
  assert.is(result.error.code, code, result.error.message)
  assert.type(result.error.message, 'string')
  if (field !== undefined) assert.is(result.error.field, field)
}

function expectOk (result: DecodeResult): Message {
  if (result.ok) return result.message
  assert.unreachable(`expected success, got ${result.error.code}: ${result.error.message}`)
  throw new Error('unreachable')
}

function expectEncodeError (fn: () => unknown, code: WireErrorCode): void {
  try {
    fn()
  } catch (err) {
    assert.instance(err, WireEncodeError)
    assert.is((err as WireEncodeError).code, code)
    return
  }
  assert.unreachable('encoding should throw')
}

const record = (fields: Partial<MemberRecord> = {}): MemberRecord => ({ id: 'node-a', incarnation: 1, addrs: [], meta: {}, leaving: false, ...fields })

// --- sizes -------------------------------------------------------------------------------

test('a probe message above maxMessageBytes is too large, before it is parsed', () => {
  const bytes = envelope(BODY.ping, [...stringField(2, 'node-b'), ...lenField(15, new Uint8Array(DEFAULT_LIMITS.maxMessageBytes))])
  expectError(decodeMessage(bytes), 'too-large')
})

test('a sync message may exceed maxMessageBytes but not maxSyncBytes', () => {
  const entries = Array.from({ length: 400 }, (_, i) => ({ record: pbRecord({ id: `node-${i}`, addrs: Array.from({ length: 8 }, (_, j) => `/ip4/10.0.0.${j}/tcp/4001`) }), state: pb.SyncEntry.State.ALIVE, incarnation: 1 }))
  const bytes = syncBytes(entries)
  assert.ok(bytes.byteLength > DEFAULT_LIMITS.maxMessageBytes)
  assert.is(expectOk(decodeMessage(bytes)).type, 'sync')
  expectError(decodeMessage(bytes, { maxSyncBytes: bytes.byteLength - 1 }), 'too-large')

  const huge = new Uint8Array(DEFAULT_LIMITS.maxSyncBytes + 1)
  huge.set([0x32, 0xff, 0xff, 0xff, 0x01])
  expectError(decodeMessage(huge), 'too-large')
})

test('an oversized Uint8ArrayList is refused as too large', () => {
  const list = new Uint8ArrayList()
  for (let i = 0; i < 5; i++) list.append(new Uint8Array(DEFAULT_LIMITS.maxSyncBytes / 4))
  expectError(decodeMessage(list), 'too-large')
})

test('a smaller maxMessageBytes given by the caller applies', () => {
  const bytes = encodeMessage({ type: 'ping', seq: 1, target: 'node-b', updates: [] })
  expectError(decodeMessage(bytes, { maxMessageBytes: bytes.byteLength - 1 }), 'too-large')
  expectOk(decodeMessage(bytes, { maxMessageBytes: bytes.byteLength }))
})

// --- list lengths --------------------------------------------------------------------------

test('more than maxUpdates updates are too many', () => {
  const update = { suspect: { id: 'b', incarnation: 1, from: 'c', refused: false } }
  expectOk(decodeMessage(gossipBytes(Array(DEFAULT_LIMITS.maxUpdates).fill(update))))
  expectError(decodeMessage(gossipBytes(Array(DEFAULT_LIMITS.maxUpdates + 1).fill(update))), 'too-large', 'updates')
  expectError(decodeMessage(gossipBytes([update, update, update]), { maxUpdates: 2 }), 'too-large', 'updates')
  const ping = pb.SwimMessage.encode({ ping: { seq: 1, target: 'b', updates: [update, update, update] } })
  expectError(decodeMessage(ping, { maxUpdates: 2 }), 'too-large', 'updates')
})

test('more than maxSyncEntries entries are too many', () => {
  const entry = { record: pbRecord(), state: pb.SyncEntry.State.ALIVE, incarnation: 1 }
  expectError(decodeMessage(syncBytes(Array(4).fill(entry)), { maxSyncEntries: 3 }), 'too-large', 'entries')
  expectOk(decodeMessage(syncBytes(Array(3).fill(entry)), { maxSyncEntries: 3 }))
  expectError(decodeMessage(syncBytes(Array(DEFAULT_LIMITS.maxSyncEntries + 1).fill(entry))), 'too-large', 'entries')
})

test('more than maxAddrs addresses in a record or a ping-req are too many', () => {
  const addrs = Array.from({ length: DEFAULT_LIMITS.maxAddrs + 1 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`)
  expectError(decodeMessage(recordBytes({ addrs })), 'too-large', 'addrs')
  expectOk(decodeMessage(recordBytes({ addrs: addrs.slice(1) })))
  expectError(decodeMessage(pb.SwimMessage.encode({ pingReq: { seq: 1, target: 'b', targetAddrs: addrs, updates: [] } })), 'too-large', 'targetAddrs')
  const entry = { record: pbRecord({ addrs }), state: pb.SyncEntry.State.ALIVE, incarnation: 1 }
  expectError(decodeMessage(syncBytes([entry])), 'too-large', 'addrs')
})

test('more than maxMetaEntries metadata pairs are too many', () => {
  const meta = Array.from({ length: DEFAULT_LIMITS.maxMetaEntries + 1 }, (_, i) => ({ key: `k${i}`, value: 'v' }))
  expectError(decodeMessage(recordBytes({ meta })), 'too-large', 'meta')
  expectOk(decodeMessage(recordBytes({ meta: meta.slice(1) })))
})

// --- string and byte lengths ------------------------------------------------------------

test('an id longer than maxIdBytes is too large, counted in UTF-8 bytes', () => {
  const long = 'x'.repeat(DEFAULT_LIMITS.maxIdBytes + 1)
  expectError(decodeMessage(pb.SwimMessage.encode({ ping: { seq: 1, target: long, updates: [] } })), 'too-large', 'target')
  expectError(decodeMessage(recordBytes({ id: long })), 'too-large', 'updates[0].record.id')
  expectError(decodeMessage(gossipBytes([{ dead: { id: 'a', incarnation: 1, from: long, refused: false } }])), 'too-large', 'updates[0].from')
  // 43 characters, 129 bytes
  expectError(decodeMessage(recordBytes({ id: '€'.repeat(43) })), 'too-large', 'updates[0].record.id')
  expectOk(decodeMessage(recordBytes({ id: 'x'.repeat(DEFAULT_LIMITS.maxIdBytes) })))
  expectOk(decodeMessage(recordBytes({ id: 'x'.repeat(500) }), { maxIdBytes: 500 }))
})

test('an address longer than maxAddrBytes is too large', () => {
  expectError(decodeMessage(recordBytes({ addrs: ['/'.repeat(DEFAULT_LIMITS.maxAddrBytes + 1)] })), 'too-large', 'updates[0].record.addrs[0]')
})

test('metadata keys and values longer than their caps are too large', () => {
  expectError(decodeMessage(recordBytes({ meta: [{ key: 'k'.repeat(DEFAULT_LIMITS.maxMetaKeyBytes + 1), value: '' }] })), 'too-large', 'updates[0].record.meta')
  expectError(decodeMessage(recordBytes({ meta: [{ key: 'k', value: 'v'.repeat(DEFAULT_LIMITS.maxMetaValueBytes + 1) }] })), 'too-large', 'updates[0].record.meta')
})

test('a signature longer than maxSignatureBytes is too large', () => {
  expectError(decodeMessage(recordBytes({ signature: new Uint8Array(DEFAULT_LIMITS.maxSignatureBytes + 1) })), 'too-large', 'updates[0].record.signature')
  expectOk(decodeMessage(recordBytes({ signature: new Uint8Array(DEFAULT_LIMITS.maxSignatureBytes) }), { maxRecordBytes: 4096 }))
})

test('a record above maxRecordBytes is too large, whatever makes it so', () => {
  const addrs = Array.from({ length: 16 }, (_, i) => `/dns4/${'a'.repeat(50)}${i}.example/tcp/4001`)
  expectError(decodeMessage(recordBytes({ addrs })), 'too-large', 'updates[0].record')
  expectOk(decodeMessage(recordBytes({ addrs: addrs.slice(0, 4) })))
})

test('addresses must parse as multiaddrs; metadata holds no control characters', () => {
  expectError(decodeMessage(recordBytes({ addrs: ['not a multiaddr'] })), 'invalid', 'updates[0].record.addrs[0]')
  expectError(decodeMessage(recordBytes({ addrs: ['/ip4/999.0.0.1/tcp/1'] })), 'invalid', 'updates[0].record.addrs[0]')
  for (const bad of ['\u0000', '\u001b[31m', '\u007f', '\u009b', 'a\nb']) {
    expectError(decodeMessage(recordBytes({ meta: [{ key: 'k', value: bad }] })), 'invalid')
    expectError(decodeMessage(recordBytes({ meta: [{ key: `k${bad}`, value: 'v' }] })), 'invalid')
  }
  expectOk(decodeMessage(recordBytes({ meta: [{ key: 'zone', value: 'eu-west ☁' }] })))
})

test('syncLimits: the whole state of maxMembers members at the record cap fits one sync', () => {
  for (const maxMembers of [1, 10_000, 50_000]) {
    const limits = syncLimits(DEFAULT_LIMITS, maxMembers)
    assert.ok(limits.maxSyncEntries >= maxMembers + 1)
    assert.ok(limits.maxSyncBytes >= (maxMembers + 1) * (limits.maxRecordBytes + SYNC_ENTRY_OVERHEAD))
  }
  assert.is(syncLimits(DEFAULT_LIMITS, 10_000).maxSyncBytes, DEFAULT_LIMITS.maxSyncBytes, 'the defaults already agree')
})

// --- integers -------------------------------------------------------------------------------

test('negative and unsafe incarnations and sequence numbers are invalid', () => {
  for (const bad of [-1, -(2 ** 40), 2 ** 53, 2 ** 60]) {
    expectError(decodeMessage(recordBytes({ incarnation: bad })), 'invalid', 'updates[0].record.incarnation')
    expectError(decodeMessage(gossipBytes([{ suspect: { id: 'a', incarnation: bad, from: 'b', refused: false } }])), 'invalid', 'updates[0].incarnation')
    expectError(decodeMessage(pb.SwimMessage.encode({ ack: { seq: bad, updates: [] } })), 'invalid', 'seq')
    expectError(decodeMessage(syncBytes([{ record: pbRecord(), state: pb.SyncEntry.State.DEAD, incarnation: bad }])), 'invalid', 'entries[0].incarnation')
  }
  // the largest sint64 (zigzag 2^64 - 2)
  const max = envelope(BODY.ack, [0x08, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])
  expectError(decodeMessage(max), 'invalid', 'seq')
  const edge = expectOk(decodeMessage(recordBytes({ incarnation: Number.MAX_SAFE_INTEGER })))
  assert.is(edge.type === 'gossip' && edge.updates[0].type === 'record' && edge.updates[0].record.incarnation, Number.MAX_SAFE_INTEGER)
})

test('encoding refuses integers a receiver would reject', () => {
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
    expectEncodeError(() => encodeMessage({ type: 'ack', seq: bad, updates: [] }), 'invalid')
    expectEncodeError(() => encodeMessage({ type: 'gossip', updates: [{ type: 'record', record: record({ incarnation: bad }) }] }), 'invalid')
    expectEncodeError(() => encodeMessage({ type: 'gossip', updates: [{ type: 'dead', id: 'a', incarnation: bad, from: 'b' }] }), 'invalid')
  }
})

// --- enums and required fields ------------------------------------------------------------

test('an unknown member state is invalid', () => {
  const rec = Array.from(pb.MemberRecord.encode(pbRecord()))
  for (const state of [5, 9, 127, -1]) {
    const entry = [...lenField(1, rec), ...varintField(2, state)]
    expectError(decodeMessage(envelope(BODY.sync, lenField(3, entry))), 'invalid')
  }
  const ok = [...lenField(1, rec), ...varintField(2, 4)]
  const decoded = expectOk(decodeMessage(envelope(BODY.sync, lenField(3, ok))))
  assert.is(decoded.type === 'sync' && decoded.entries[0].state, 'left')
})

test('a sync entry without a state or without a record is invalid', () => {
  expectError(decodeMessage(syncBytes([{ record: pbRecord(), state: pb.SyncEntry.State.STATE_UNSPECIFIED, incarnation: 1 }])), 'invalid', 'entries[0].state')
  expectError(decodeMessage(syncBytes([{ state: pb.SyncEntry.State.ALIVE, incarnation: 1 }])), 'invalid', 'entries[0].record')
})

test('missing ids are invalid wherever an id is required', () => {
  expectError(decodeMessage(pb.SwimMessage.encode({ ping: { seq: 1, target: '', updates: [] } })), 'invalid', 'target')
  expectError(decodeMessage(pb.SwimMessage.encode({ pingReq: { seq: 1, target: '', targetAddrs: [], updates: [] } })), 'invalid', 'target')
  expectError(decodeMessage(recordBytes({ id: '' })), 'invalid', 'updates[0].record.id')
  expectError(decodeMessage(gossipBytes([{ suspect: { id: 'a', incarnation: 1, from: '', refused: false } }])), 'invalid', 'updates[0].from')
  expectError(decodeMessage(gossipBytes([{ dead: { id: '', incarnation: 1, from: 'b', refused: false } }])), 'invalid', 'updates[0].id')
  expectError(decodeMessage(syncBytes([{ record: pbRecord({ id: '' }), state: pb.SyncEntry.State.ALIVE, incarnation: 1 }])), 'invalid', 'entries[0].record.id')
  expectError(decodeMessage(recordBytes({ addrs: [''] })), 'invalid', 'updates[0].record.addrs[0]')
  expectEncodeError(() => encodeMessage({ type: 'ping', seq: 1, target: '', updates: [] }), 'invalid')
})

// --- metadata -------------------------------------------------------------------------------

test('a metadata key that appears twice is invalid', () => {
  expectError(decodeMessage(recordBytes({ meta: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] })), 'invalid', 'updates[0].record.meta')
})

test('a metadata key named __proto__ is refused and pollutes nothing', () => {
  const result = decodeMessage(recordBytes({ meta: [{ key: '__proto__', value: 'x' }, { key: 'polluted', value: 'yes' }] }))
  expectError(result, 'invalid', 'updates[0].record.meta')
  assert.is(({} as Record<string, unknown>).polluted, undefined)
  const meta = JSON.parse('{"__proto__": "x"}') as Record<string, string>
  expectEncodeError(() => encodeMessage({ type: 'gossip', updates: [{ type: 'record', record: record({ meta }) }] }), 'invalid')
})

test('keys named like Object.prototype members become plain own properties', () => {
  const decoded = expectOk(decodeMessage(recordBytes({ meta: [{ key: 'constructor', value: 'c' }, { key: 'toString', value: 't' }] })))
  const meta = decoded.type === 'gossip' && decoded.updates[0].type === 'record' ? decoded.updates[0].record.meta : {}
  assert.equal(Object.entries(meta).sort(), [['constructor', 'c'], ['toString', 't']])
  assert.is(Object.getPrototypeOf(meta), Object.prototype)
})

test('an empty metadata key is invalid, an empty value is fine', () => {
  expectError(decodeMessage(recordBytes({ meta: [{ key: '', value: 'v' }] })), 'invalid', 'updates[0].record.meta')
  expectOk(decodeMessage(recordBytes({ meta: [{ key: 'k', value: '' }] })))
})

// --- strings --------------------------------------------------------------------------------

test('a string decoding to a lone surrogate is invalid (it could not be re-encoded)', () => {
  const target = [0x12, 0x03, 0xed, 0xa0, 0x80] // CESU-8 for U+D800
  expectError(decodeMessage(envelope(BODY.ping, target)), 'invalid', 'target')
  expectEncodeError(() => encodeMessage({ type: 'ping', seq: 1, target: 'a\ud800', updates: [] }), 'invalid')
  // a proper pair is fine
  assert.ok(decodeMessage(encodeMessage({ type: 'ping', seq: 1, target: 'a\ud83d\ude00', updates: [] })).ok)
})

// --- envelope structure ---------------------------------------------------------------------

test('an envelope with two bodies is malformed', () => {
  const ping = pb.SwimMessage.encode({ ping: { seq: 1, target: 'b', updates: [] } })
  const ack = pb.SwimMessage.encode({ ack: { seq: 1, updates: [] } })
  expectError(decodeMessage(Uint8Array.from([...ping, ...ack])), 'malformed')
  expectError(decodeMessage(Uint8Array.from([...ping, ...ping])), 'malformed')
})

test('an envelope holding only fields this version does not know is unsupported', () => {
  expectError(decodeMessage(Uint8Array.from(lenField(7, [1, 2, 3]))), 'unsupported')
  expectError(decodeMessage(Uint8Array.from(varintField(99, 5))), 'unsupported')
})

test('unknown envelope fields next to a known body are ignored', () => {
  const ack = pb.SwimMessage.encode({ ack: { seq: 3, updates: [] } })
  assert.equal(decodeMessage(Uint8Array.from([...ack, ...varintField(20, 1)])), { ok: true, message: { type: 'ack', seq: 3, updates: [] } })
})

test('empty, truncated and ill-typed envelopes are malformed', () => {
  expectError(decodeMessage(new Uint8Array(0)), 'malformed')
  const ping = encodeMessage({ type: 'ping', seq: 1, target: 'node-b', updates: [] })
  for (let cut = 1; cut < ping.byteLength; cut++) expectError(decodeMessage(ping.subarray(0, cut)), 'malformed')
  expectError(decodeMessage(Uint8Array.from(varintField(1, 5))), 'malformed') // ping as a varint
  expectError(decodeMessage(Uint8Array.from([0x0b, 0x0c])), 'malformed') // a group
  expectError(decodeMessage(Uint8Array.from([0x0f])), 'malformed') // wire type 7
})

test('updates of an unknown kind are dropped and the rest of the message kept', () => {
  const known = Array.from(pb.Update.encode({ suspect: { id: 'a', incarnation: 2, from: 'b', refused: false } }))
  const unknown = lenField(9, stringField(1, 'from the future'))
  const bytes = envelope(BODY.gossip, [...lenField(1, unknown), ...lenField(1, known), ...lenField(1, [])])
  assert.equal(decodeMessage(bytes), { ok: true, message: { type: 'gossip', updates: [{ type: 'suspect', id: 'a', incarnation: 2, from: 'b' }] } })
})

test('input that is not bytes gives malformed rather than an exception', () => {
  for (const junk of [undefined, null, 'bytes', 42, {}, [1, 2, 3]]) {
    expectError(decodeMessage(junk as unknown as Uint8Array), 'malformed')
  }
})

// --- configuration ----------------------------------------------------------------------------

test('caps that are not non-negative whole numbers give bad-limits from decode and throw from resolveLimits', () => {
  const bytes = encodeMessage({ type: 'gossip', updates: [] })
  for (const bad of [-1, 1.5, NaN, '10' as unknown as number]) {
    const limits: Partial<WireLimits> = { maxUpdates: bad }
    expectError(decodeMessage(bytes, limits), 'bad-limits')
    assert.throws(() => resolveLimits(limits), (err: unknown) => err instanceof RangeError && /maxUpdates/.test(err.message))
  }
  assert.equal(resolveLimits({ maxUpdates: Infinity }), { ...DEFAULT_LIMITS, maxUpdates: Infinity })
})

test('changing a limits object between decodes takes effect', () => {
  const limits: Partial<WireLimits> = { maxUpdates: 5 }
  const bytes = gossipBytes(Array(3).fill({ suspect: { id: 'b', incarnation: 1, from: 'c', refused: false } }))
  expectOk(decodeMessage(bytes, limits))
  limits.maxUpdates = 2
  expectError(decodeMessage(bytes, limits), 'too-large', 'updates')
  limits.maxUpdates = -2
  expectError(decodeMessage(bytes, limits), 'bad-limits')
})

test('sameLimits compares every cap', () => {
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof WireLimits>) {
    assert.ok(sameLimits(DEFAULT_LIMITS, { ...DEFAULT_LIMITS }))
    assert.not.ok(sameLimits(DEFAULT_LIMITS, { ...DEFAULT_LIMITS, [key]: DEFAULT_LIMITS[key] + 1 }), key)
  }
})

test('encodeMessage applies caps only when given, and validateMessage uses the defaults', () => {
  const many: Message = { type: 'gossip', updates: Array(DEFAULT_LIMITS.maxUpdates + 1).fill({ type: 'suspect', id: 'a', incarnation: 1, from: 'b' }) }
  assert.ok(encodeMessage(many).byteLength > 0)
  expectEncodeError(() => encodeMessage(many, {}), 'too-large')
  assert.is(validateMessage(many)?.code, 'too-large')
  const big: Message = { type: 'gossip', updates: Array(300).fill({ type: 'record', record: record({ addrs: Array(16).fill('/ip4/10.0.0.1/tcp/4001'.padEnd(200, '/')) }) }) }
  assert.is(validateMessage(big)?.code, 'too-large')
  expectEncodeError(() => encodeMessage(big, {}), 'too-large')
  assert.is(validateMessage({ type: 'gossip', updates: [] }), undefined)
})

test('validateRecord reports a record peers would refuse', () => {
  assert.is(validateRecord(record()), undefined)
  assert.is(validateRecord(record({ meta: { big: 'x'.repeat(DEFAULT_LIMITS.maxMetaValueBytes + 1) } }))?.code, 'too-large')
  assert.is(validateRecord(record({ id: '' }))?.code, 'invalid')
  assert.is(validateRecord(record(), { maxAddrs: -1 })?.code, 'bad-limits')
})

test('a ping-req timeout the encoder cannot carry is refused: negative, fractional or above 2^32 - 1 ms', () => {
  const req: Message = { type: 'ping-req', seq: 1, target: 'b', targetAddrs: [], updates: [] }
  for (const timeout of [-1, 0.5, 2 ** 32, Number.NaN]) {
    assert.throws(() => encodeMessage({ ...req, timeout }), (err: unknown) => err instanceof WireEncodeError && err.code === 'invalid', String(timeout))
  }
  const largest = decodeMessage(encodeMessage({ ...req, timeout: 2 ** 32 - 1 }))
  assert.ok(largest.ok && largest.message.type === 'ping-req' && largest.message.timeout === 2 ** 32 - 1, 'the largest value decodes; the core caps what it honours')
})

test.run()
