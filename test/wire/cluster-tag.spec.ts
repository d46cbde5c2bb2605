import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Message } from '../../src/core/messages.ts'
import { CLUSTER_TAG_BYTES, clusterTag, decodeMessage, DEFAULT_CLUSTER_TAG, encodedSize, encodeMessage, encodeRecordForSigning, RECORD_SIGNING_DOMAIN, updateSize } from '../../src/wire/index.ts'
import * as pb from '../../src/wire/swim.ts'
import { decodeInParts } from '../../src/wire/sync-frames.ts'
import { leavingRecord, samples, signedRecord } from './samples.ts'

const A = clusterTag('alpha')
const B = clusterTag('beta')

test('clusterTag is a 32-bit hash of the name: stable, distinct per name, the default one for "default"', () => {
  assert.is(clusterTag('alpha'), A)
  assert.ok(Number.isInteger(A) && A >= 0 && A <= 0xffffffff)
  assert.is.not(A, B)
  assert.is(clusterTag('default'), DEFAULT_CLUSTER_TAG)
  assert.is(clusterTag(), DEFAULT_CLUSTER_TAG)
  // First 4 bytes of SHA-256("default"), big-endian: pinned, other implementations must agree.
  assert.is(DEFAULT_CLUSTER_TAG, 0x37a8eec1)
})

test('the encoder stamps every record with the given tag, the default cluster\'s when none is given', () => {
  for (const msg of Object.values(samples)) {
    const envelope = pb.SwimMessage.decode(encodeMessage(msg, undefined, { clusterTag: A }))
    const plain = pb.SwimMessage.decode(encodeMessage(msg))
    const tags = (env: pb.SwimMessage): Array<number | undefined> => {
      const updates = env.ping?.updates ?? env.ack?.updates ?? env.pingReq?.updates ?? env.nack?.updates ?? env.gossip?.updates ?? []
      return [...updates.filter((u) => u.record != null).map((u) => u.record?.clusterTag), ...(env.sync?.entries ?? []).map((e) => e.record?.clusterTag)]
    }
    assert.ok(tags(envelope).every((t) => t === A), msg.type)
    assert.ok(tags(plain).every((t) => t === DEFAULT_CLUSTER_TAG), msg.type)
  }
})

test('encodedSize and updateSize stay exact with the tag: 5 bytes per record, whatever the tag', () => {
  for (const msg of Object.values(samples)) {
    for (const tag of [0, 1, A, B, 0xffffffff]) {
      assert.is(encodeMessage(msg, undefined, { clusterTag: tag }).byteLength, encodedSize(msg), `${msg.type} ${tag}`)
    }
  }
  const ping: Message = { type: 'ping', seq: 1, target: 'x', updates: [] }
  const withRecord: Message = { ...ping, updates: [{ type: 'record', record: leavingRecord }] }
  const update = { type: 'record' as const, record: leavingRecord }
  assert.is(encodeMessage(withRecord, undefined, { clusterTag: B }).byteLength - encodeMessage(ping).byteLength, updateSize(update))
  // The record's own fields and the tag: 1 + 1 + (record) + 5.
  assert.is(CLUSTER_TAG_BYTES, 5)
})

test('a message with a record of another cluster is rejected as foreign-cluster; of ours, decoded', () => {
  for (const msg of Object.values(samples)) {
    const bytes = encodeMessage(msg, undefined, { clusterTag: B })
    const hasRecords = msg.type === 'sync' ? msg.entries.length > 0 : msg.updates.some((u) => u.type === 'record')
    const foreign = decodeMessage(bytes, undefined, { clusterTag: A })
    if (hasRecords) {
      assert.ok(!foreign.ok, msg.type)
      assert.is(foreign.error.code, 'foreign-cluster', msg.type)
    } else {
      assert.equal(foreign, { ok: true, message: msg }, msg.type)
    }
    assert.equal(decodeMessage(bytes, undefined, { clusterTag: B }), { ok: true, message: msg }, msg.type)
    // A caller that does not pass a tag does not look at tags.
    assert.equal(decodeMessage(bytes), { ok: true, message: msg }, msg.type)
  }
})

test('one foreign record among records of ours rejects the whole message', () => {
  const ours = pb.SwimMessage.decode(encodeMessage({ type: 'gossip', updates: [{ type: 'record', record: leavingRecord }, { type: 'record', record: signedRecord }] }, undefined, { clusterTag: A }))
  const updates = ours.gossip?.updates ?? []
  const record = updates[1].record
  assert.ok(record != null)
  record.clusterTag = B
  const result = decodeMessage(pb.SwimMessage.encode(ours), undefined, { clusterTag: A })
  assert.ok(!result.ok)
  assert.is(result.error.code, 'foreign-cluster')
  assert.is(result.error.field, 'updates[1].record')
})

test('records without a tag (an older sender) decode as before, whatever our tag', () => {
  const msg: Message = { type: 'ack', seq: 4, updates: [{ type: 'record', record: signedRecord }] }
  const envelope = pb.SwimMessage.decode(encodeMessage(msg))
  const record = envelope.ack?.updates[0].record
  assert.ok(record != null)
  delete record.clusterTag
  const older = pb.SwimMessage.encode(envelope)
  assert.is(older.byteLength, encodeMessage(msg).byteLength - CLUSTER_TAG_BYTES)
  assert.equal(decodeMessage(older, undefined, { clusterTag: A }), { ok: true, message: msg })
})

test('a sync decoded in parts rejects a foreign entry in any part', () => {
  const entries = Array.from({ length: 40 }, (_, i) => ({ record: { ...signedRecord, id: `node-${i}` }, state: 'alive' as const, incarnation: 1 }))
  const bytes = encodeMessage({ type: 'sync', join: false, response: false, entries }, undefined, { clusterTag: B })
  const run = (tag: number): ReturnType<typeof decodeMessage> => {
    const steps = decodeInParts(bytes, undefined, 2048, { clusterTag: tag })
    for (;;) {
      const step = steps.next()
      if (step.done === true) return step.value
    }
  }
  const foreign = run(A)
  assert.ok(!foreign.ok)
  assert.is(foreign.error.code, 'foreign-cluster')
  const ours = run(B)
  assert.ok(ours.ok && ours.message.type === 'sync' && ours.message.entries.length === 40)
})

test('the signing bytes carry no tag (the record-signing golden fixture pins them as before the tag)', () => {
  const signing = encodeRecordForSigning(signedRecord)
  const decoded = pb.MemberRecord.decode(signing.subarray(RECORD_SIGNING_DOMAIN.length))
  assert.is(decoded.clusterTag, undefined)
  assert.equal(pb.MemberRecord.encode({ ...decoded }), signing.subarray(RECORD_SIGNING_DOMAIN.length))
})

test('a tag that is not a 32-bit unsigned integer is refused at encoding', () => {
  for (const tag of [-1, 2 ** 32, 1.5, Number.NaN]) {
    assert.throws(() => encodeMessage(samples.ping, undefined, { clusterTag: tag }), (err: unknown) => err instanceof RangeError)
  }
})

test.run()
