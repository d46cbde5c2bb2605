/**
 * The record's generation (its member's process start, ms): carried, signed, bounded, and
 * absent from the bytes of a record that has none, so records of older members keep their
 * encoding and their signatures.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeMessage, encodeMessage, encodeRecordForSigning, encodedSize, updateSize, validateRecord } from '../../src/wire/index.ts'
import type { MemberRecord, Message } from '../../src/core/messages.ts'

const base: MemberRecord = { id: '12D3KooWgen', incarnation: 3, addrs: ['/ip4/10.0.0.1/tcp/7946'], meta: { role: 'api' }, leaving: false }

function gossip (record: MemberRecord): Message {
  return { type: 'gossip', updates: [{ type: 'record', record }] }
}

function roundtrip (record: MemberRecord): MemberRecord {
  const decoded = decodeMessage(encodeMessage(gossip(record)))
  assert.ok(decoded.ok)
  const msg = decoded.message
  assert.ok(msg.type === 'gossip' && msg.updates[0].type === 'record')
  return (msg.updates[0] as { record: MemberRecord }).record
}

test('a generation round-trips, is covered by the signing bytes, and is counted in the sizes', () => {
  const record = { ...base, generation: 1_764_590_000_000 }
  assert.is(roundtrip(record).generation, 1_764_590_000_000)
  assert.not.equal(encodeRecordForSigning(record), encodeRecordForSigning(base), 'signed: another generation is another record')
  const msg = gossip(record)
  assert.is(encodedSize(msg), encodeMessage(msg).byteLength)
  assert.is(updateSize({ type: 'record', record }), updateSize({ type: 'record', record: base }) + 1 + 6)
})

test('a record without a generation (an older member) encodes as before and decodes without one', () => {
  assert.equal(encodeRecordForSigning({ ...base, generation: 0 }), encodeRecordForSigning(base), '0 (unknown) is left out')
  assert.equal(encodeRecordForSigning({ ...base, generation: undefined }), encodeRecordForSigning(base))
  assert.is(roundtrip(base).generation, undefined)
  assert.is('generation' in roundtrip(base), false)
})

test('a generation that is not a whole number of ms is refused with the field named', () => {
  for (const generation of [-1, 1.5, 2 ** 53, Number.NaN]) {
    const error = validateRecord({ ...base, generation })
    assert.ok(error !== undefined, `generation ${generation}`)
    assert.match(error.message, /Generation is not a whole number/)
    assert.throws(() => encodeMessage(gossip({ ...base, generation })), /Generation/)
  }
})

test.run()
