import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { MemberRecord } from '../../src/core/messages.ts'
import { encodeMessage, encodeRecordForSigning, RECORD_SIGNING_DOMAIN, WireEncodeError } from '../../src/wire/index.ts'
import * as pb from '../../src/wire/swim.ts'
import { recordArb } from './arbitraries.ts'
import { signedRecord } from './samples.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

function unsigned (record: MemberRecord): Omit<MemberRecord, 'signature'> {
  const { signature: _, ...rest } = record
  return rest
}

test('the same record gives the same bytes every time', () => {
  assert.is(hex(encodeRecordForSigning(signedRecord)), hex(encodeRecordForSigning(structuredClone(unsigned(signedRecord)))))
})

test('metadata insertion order does not change the signed bytes', () => {
  const base = unsigned(signedRecord)
  const reversed = { ...base, meta: Object.fromEntries(Object.entries(base.meta).reverse()) }
  assert.not.equal(Object.keys(reversed.meta), Object.keys(base.meta))
  assert.is(hex(encodeRecordForSigning(reversed)), hex(encodeRecordForSigning(base)))
  fc.assert(fc.property(recordArb, fc.infiniteStream(fc.nat()), (record, seeds) => {
    const keys = Object.keys(record.meta)
    const shuffled = keys.map((key) => [key, seeds.next().value] as const).sort((a, b) => a[1] - b[1]).map(([key]) => key)
    const meta: Record<string, string> = {}
    for (const key of shuffled) meta[key] = record.meta[key]
    assert.is(hex(encodeRecordForSigning({ ...record, meta })), hex(encodeRecordForSigning(record)))
  }), { numRuns: 500 })
})

test('metadata is written in UTF-8 byte order, not UTF-16 order', () => {
  // In UTF-16 units U+1F600 (0xD83D 0xDE00) sorts before U+FF5E; in code points, and so in
  // UTF-8 bytes, it sorts after. Other implementations can only reproduce the latter.
  const record = { ...unsigned(signedRecord), meta: { '\uff5e': 'a', '\u{1f600}': 'b', z: 'c' } }
  const decoded = pb.MemberRecord.decode(encodeRecordForSigning(record).subarray(RECORD_SIGNING_DOMAIN.length))
  assert.equal(decoded.meta.map((entry) => entry.key), ['z', '\uff5e', '\u{1f600}'])
})

test('the signed bytes ignore the signature and start with the signing domain', () => {
  const withSig = encodeRecordForSigning(signedRecord)
  const without = encodeRecordForSigning(unsigned(signedRecord))
  assert.is(hex(withSig), hex(without))
  assert.is(new TextDecoder().decode(withSig.subarray(0, RECORD_SIGNING_DOMAIN.length)), RECORD_SIGNING_DOMAIN)
  const body = pb.MemberRecord.decode(withSig.subarray(RECORD_SIGNING_DOMAIN.length))
  assert.is(body.signature.byteLength, 0)
  assert.is(body.id, signedRecord.id)
})

test('changing any field changes the signed bytes', () => {
  const base = unsigned(signedRecord)
  const variants: Array<Omit<MemberRecord, 'signature'>> = [
    { ...base, id: base.id + 'x' },
    { ...base, incarnation: base.incarnation + 1 },
    { ...base, addrs: base.addrs.slice(1) },
    { ...base, addrs: [...base.addrs].reverse() },
    { ...base, addrs: [...base.addrs, '/ip4/1.1.1.1/tcp/1'] },
    { ...base, meta: { ...base.meta, zone: 'eu-west-2' } },
    { ...base, meta: { ...base.meta, extra: '' } },
    { ...base, meta: {} },
    { ...base, leaving: !base.leaving }
  ]
  const seen = new Set([hex(encodeRecordForSigning(base))])
  for (const variant of variants) {
    const bytes = hex(encodeRecordForSigning(variant))
    assert.not.ok(seen.has(bytes), JSON.stringify(variant))
    seen.add(bytes)
  }
})

test('different records never share signed bytes', () => {
  fc.assert(fc.property(recordArb, recordArb, (a, b) => {
    const same = hex(encodeRecordForSigning(a)) === hex(encodeRecordForSigning(b))
    const equal = hex(encodeMessage({ type: 'gossip', updates: [{ type: 'record', record: unsigned(a) as MemberRecord }] })) ===
      hex(encodeMessage({ type: 'gossip', updates: [{ type: 'record', record: unsigned(b) as MemberRecord }] }))
    assert.is(same, equal)
  }), { numRuns: 500 })
})

test('a record that cannot be encoded is refused', () => {
  assert.throws(() => encodeRecordForSigning({ ...unsigned(signedRecord), incarnation: -1 }), (err: unknown) => err instanceof WireEncodeError && err.code === 'invalid')
  assert.throws(() => encodeRecordForSigning({ ...unsigned(signedRecord), id: '' }), (err: unknown) => err instanceof WireEncodeError && err.code === 'invalid')
})

test.run()
