/**
 * fast-check arbitraries for the core's message types: every value they produce is a message
 * the codec must accept under the default caps.
 */

import fc from 'fast-check'
import type { MemberRecord, Message, SyncEntry, Update } from '../../src/core/messages.ts'

// 'binary' draws from the whole code point range (never a lone surrogate); lengths count code
// points, so ids stay under 4 × 24 = 96 bytes (cap 128), keys under 48 (cap 64), and so on.
const id = fc.string({ unit: 'binary', minLength: 1, maxLength: 24 })
// Addresses must parse as multiaddrs, metadata must hold no control characters.
const addr = fc.tuple(fc.nat({ max: 255 }), fc.nat({ max: 255 }), fc.nat({ max: 65535 }), fc.constantFrom('tcp', 'udp'))
  .map(([a, b, port, proto]) => `/ip4/10.${a}.${b}.1/${proto}/${port}`)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
const metaKey = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((key) => key !== '__proto__' && !CONTROL.test(key))
const metaValue = fc.string({ unit: 'binary', maxLength: 40 }).filter((value) => !CONTROL.test(value))
const natural = fc.oneof(fc.nat({ max: 300 }), fc.maxSafeNat())
/** Messages are plain objects: the decoder builds them so, and deep equality checks prototypes. */
const PLAIN = { noNullPrototype: true }

export const recordArb: fc.Arbitrary<MemberRecord> = fc.record({
  id,
  incarnation: natural,
  addrs: fc.array(addr, { maxLength: 4 }),
  meta: fc.dictionary(metaKey, metaValue, { maxKeys: 4, noNullPrototype: true }),
  leaving: fc.boolean(),
  signature: fc.uint8Array({ minLength: 1, maxLength: 72 })
}, { requiredKeys: ['id', 'incarnation', 'addrs', 'meta', 'leaving'], noNullPrototype: true })

export const updateArb: fc.Arbitrary<Update> = fc.oneof(
  recordArb.map((record) => ({ type: 'record' as const, record })),
  fc.record({ type: fc.constant('suspect' as const), id, incarnation: natural, from: id, refused: fc.constant(true) },
    { ...PLAIN, requiredKeys: ['type', 'id', 'incarnation', 'from'] }),
  fc.record({ type: fc.constant('dead' as const), id, incarnation: natural, from: id }, PLAIN),
  fc.record({ type: fc.constant('forget' as const), id, incarnation: natural, from: id }, PLAIN)
)

const updates = fc.array(updateArb, { maxLength: 4 })

const entryArb: fc.Arbitrary<SyncEntry> = fc.record({
  record: recordArb,
  state: fc.constantFrom('alive' as const, 'suspect' as const, 'dead' as const, 'left' as const),
  incarnation: natural
}, PLAIN)

export const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('ping' as const), seq: natural, target: id, updates }, PLAIN),
  fc.record({ type: fc.constant('ack' as const), seq: natural, updates }, PLAIN),
  fc.record({ type: fc.constant('ping-req' as const), seq: natural, target: id, targetAddrs: fc.array(addr, { maxLength: 4 }), updates, timeout: fc.oneof(fc.nat({ max: 10_000 }), fc.constant(0xffffffff)) },
    { ...PLAIN, requiredKeys: ['type', 'seq', 'target', 'targetAddrs', 'updates'] }),
  fc.record({ type: fc.constant('nack' as const), seq: natural, updates }, PLAIN),
  fc.record({ type: fc.constant('gossip' as const), updates }, PLAIN),
  fc.record({
    type: fc.constant('sync' as const),
    join: fc.boolean(),
    response: fc.boolean(),
    entries: fc.array(entryArb, { maxLength: 4 }),
    digest: fc.uint8Array({ minLength: 1, maxLength: 8 })
  }, { ...PLAIN, requiredKeys: ['type', 'join', 'response', 'entries'] })
)

/** One edit to a valid encoding. Positions are taken modulo the input's length. */
export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; to: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'splice'; at: number; other: Uint8Array; from: number }

export const mutationArb = (others: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Mutation> => fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }), to: fc.nat() }),
  // bytes that mean something to a protobuf reader: tags, continuation bits, zero
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x01, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x32, 0x7f, 0x80, 0xff) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), other: others, from: fc.nat() })
)

export function mutate (input: Uint8Array, mutation: Mutation): Uint8Array {
  const bytes = Array.from(input)
  const at = bytes.length === 0 ? 0 : mutation.at % bytes.length
  switch (mutation.kind) {
    case 'flip':
      if (bytes.length > 0) bytes[at] ^= 1 << mutation.bit
      break
    case 'truncate':
      bytes.length = at
      break
    case 'insert':
      bytes.splice(at, 0, ...mutation.bytes)
      break
    case 'delete':
      bytes.splice(at, mutation.length)
      break
    case 'duplicate': {
      const chunk = bytes.slice(at, at + mutation.length)
      bytes.splice(bytes.length === 0 ? 0 : mutation.to % bytes.length, 0, ...chunk)
      break
    }
    case 'set':
      if (bytes.length > 0) bytes[at] = mutation.value
      break
    case 'splice': {
      const from = mutation.other.length === 0 ? 0 : mutation.from % mutation.other.length
      bytes.splice(at, bytes.length - at, ...mutation.other.subarray(from))
      break
    }
  }
  return Uint8Array.from(bytes)
}
