import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Message } from '../../src/core/messages.ts'
import { decodeMessage, encodeMessage, encodedSize, updateSize } from '../../src/wire/index.ts'
import { samples, signedRecord } from './samples.ts'

function roundTrip (msg: Message): Message {
  const result = decodeMessage(encodeMessage(msg))
  if (!result.ok) throw new Error(`decode failed: ${result.error.code}: ${result.error.message}`)
  return result.message
}

for (const [type, msg] of Object.entries(samples)) {
  test(`a ${type} message with every field set decodes to an equal message`, () => {
    assert.equal(roundTrip(msg), msg)
  })
}

test('messages with empty lists survive a round trip with the lists still empty', () => {
  const empties: Message[] = [
    { type: 'ping', seq: 0, target: 'x', updates: [] },
    { type: 'ack', seq: 0, updates: [] },
    { type: 'ping-req', seq: 0, target: 'x', targetAddrs: [], updates: [] },
    { type: 'nack', seq: 0, updates: [] },
    { type: 'gossip', updates: [] },
    { type: 'sync', join: false, response: false, entries: [] },
    { type: 'sync', join: false, response: true, entries: [{ record: { id: 'r', incarnation: 0, addrs: [], meta: {}, leaving: false }, state: 'alive', incarnation: 0 }] }
  ]
  for (const msg of empties) assert.equal(roundTrip(msg), msg)
})

test('integers up to 2^53 - 1 keep their exact value', () => {
  for (const n of [0, 1, 127, 128, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 52 + 1, Number.MAX_SAFE_INTEGER]) {
    const msg: Message = { type: 'gossip', updates: [{ type: 'dead', id: 'a', incarnation: n, from: 'b' }] }
    assert.equal(roundTrip(msg), msg)
    assert.equal(roundTrip({ type: 'ack', seq: n, updates: [] }), { type: 'ack', seq: n, updates: [] })
  }
})

test('unicode in ids, addresses and metadata survives byte for byte', () => {
  const record = { id: 'ノード-🦀', incarnation: 1, addrs: ['/dns4/bücher.example/tcp/1'], meta: { ключ: 'значение', '𝄞': '😀'.repeat(10), mixed: 'a\u2028b\u200dc' }, leaving: false }
  const msg: Message = { type: 'gossip', updates: [{ type: 'record', record }] }
  assert.equal(roundTrip(msg), msg)
})

test('a record without a signature decodes without a signature property, and an empty one is dropped', () => {
  const unsigned = { ...signedRecord }
  delete unsigned.signature
  const decoded = roundTrip({ type: 'gossip', updates: [{ type: 'record', record: unsigned }] })
  assert.ok(decoded.type === 'gossip' && decoded.updates[0].type === 'record')
  const record = decoded.type === 'gossip' && decoded.updates[0].type === 'record' ? decoded.updates[0].record : undefined
  assert.not.ok(Object.hasOwn(record ?? {}, 'signature'))

  const emptySig = roundTrip({ type: 'gossip', updates: [{ type: 'record', record: { ...signedRecord, signature: new Uint8Array(0) } }] })
  assert.equal(emptySig, { type: 'gossip', updates: [{ type: 'record', record: unsigned }] })
})

test('a decoded signature does not share memory with the input bytes', () => {
  const bytes = encodeMessage(samples.ping)
  const result = decodeMessage(bytes)
  assert.ok(result.ok)
  bytes.fill(0)
  assert.equal(result.ok && result.message, samples.ping)
})

test('decoded metadata is an ordinary object whose keys are all own properties', () => {
  const result = decodeMessage(encodeMessage(samples.ping))
  assert.ok(result.ok && result.message.type === 'ping' && result.message.updates[0].type === 'record')
  const meta = result.ok && result.message.type === 'ping' && result.message.updates[0].type === 'record' ? result.message.updates[0].record.meta : {}
  assert.is(Object.getPrototypeOf(meta), Object.prototype)
  assert.equal(Object.keys(meta).sort(), Object.keys(signedRecord.meta).sort())
})

test('metadata insertion order does not change the bytes', () => {
  const a = { ...signedRecord, meta: { a: '1', b: '2', z: '3', é: '4' } }
  const b = { ...signedRecord, meta: { é: '4', z: '3', b: '2', a: '1' } }
  assert.equal(
    encodeMessage({ type: 'gossip', updates: [{ type: 'record', record: a }] }),
    encodeMessage({ type: 'gossip', updates: [{ type: 'record', record: b }] })
  )
})

test('a Uint8ArrayList in several chunks decodes like the same bytes in one array', () => {
  const bytes = encodeMessage(samples.sync)
  const list = new Uint8ArrayList()
  for (let i = 0; i < bytes.length; i += 7) list.append(bytes.subarray(i, i + 7))
  assert.equal(decodeMessage(list), { ok: true, message: samples.sync })
})

test('encodedSize matches the length of the encoding for every sample', () => {
  for (const msg of Object.values(samples)) {
    assert.is(encodedSize(msg), encodeMessage(msg).byteLength, msg.type)
  }
})

test('each update adds exactly updateSize bytes to a small message', () => {
  const base: Message = { type: 'ping', seq: 5, target: 'node-b', updates: [] }
  const baseSize = encodeMessage(base).byteLength
  let total = baseSize
  const updates = samples.ping.type === 'ping' ? samples.ping.updates : []
  for (const update of updates) {
    const one = encodeMessage({ ...base, updates: [update] }).byteLength
    // The body's length prefix grows by a byte once the body passes 127 bytes.
    const prefixGrowth = one - baseSize - updateSize(update)
    assert.ok(prefixGrowth === 0 || prefixGrowth === 1, `prefix growth ${prefixGrowth}`)
    total += updateSize(update)
  }
  const all = encodeMessage({ ...base, updates }).byteLength
  assert.ok(all - total >= 0 && all - total <= 2)
  // updates tag + length, suspect tag + length, id "a" (3), incarnation 1 (2), from "b" (3)
  assert.is(updateSize({ type: 'suspect', id: 'a', incarnation: 1, from: 'b' }), 12)
})

test.run()
