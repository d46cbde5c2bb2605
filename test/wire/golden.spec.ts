import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Sync, Update } from '../../src/core/messages.ts'
import { clusterTag, decodeMessage, DEFAULT_CLUSTER_TAG, encodeMessage, encodeRecordForSigning } from '../../src/wire/index.ts'
import { laterSamples, samples, signedRecord } from './samples.ts'

const FIXTURES = new URL('../fixtures/wire/', import.meta.url)

function fixture (name: string): Uint8Array {
  const text = readFileSync(new URL(`${name}.hex`, FIXTURES), 'utf8')
  const hex = text.split('\n').filter((line) => !line.startsWith('#')).join('').replace(/\s+/g, '')
  assert.ok(/^([0-9a-f]{2})+$/.test(hex), `${name}.hex holds hex`)
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

for (const [type, msg] of Object.entries(samples)) {
  test(`encoding the ${type} sample produces the pinned bytes, records stamped with the cluster tag`, () => {
    assert.equal(Buffer.from(encodeMessage(msg)).toString('hex'), Buffer.from(fixture(`${type}-tagged`)).toString('hex'))
  })

  test(`decoding the pinned ${type} bytes of an older sender (no cluster tag) gives the ${type} sample, even when checking tags`, () => {
    assert.equal(decodeMessage(fixture(type)), { ok: true, message: msg })
    assert.equal(decodeMessage(fixture(type), undefined, { clusterTag: clusterTag('other') }), { ok: true, message: msg })
  })

  test(`the tagged ${type} bytes decode to the ${type} sample for the default cluster, and are foreign to another`, () => {
    assert.equal(decodeMessage(fixture(`${type}-tagged`), undefined, { clusterTag: DEFAULT_CLUSTER_TAG }), { ok: true, message: msg })
    const records = type === 'sync' ? (msg as Sync).entries.length : (msg as { updates: Update[] }).updates.filter((u) => u.type === 'record').length
    const foreign = decodeMessage(fixture(`${type}-tagged`), undefined, { clusterTag: clusterTag('other') })
    if (records === 0) assert.ok(foreign.ok)
    else assert.ok(!foreign.ok && foreign.error.code === 'foreign-cluster')
  })
}

for (const [name, msg] of Object.entries(laterSamples)) {
  test(`encoding the ${name} sample produces its pinned bytes, and they decode back to it`, () => {
    assert.equal(Buffer.from(encodeMessage(msg)).toString('hex'), Buffer.from(fixture(`${name}-tagged`)).toString('hex'))
    assert.equal(decodeMessage(fixture(`${name}-tagged`)), { ok: true, message: msg })
    assert.equal(decodeMessage(fixture(name)), { ok: true, message: msg })
  })
}

test('a ping-req without the timeout field (an older sender) still decodes, with no timeout', () => {
  const decoded = decodeMessage(fixture('ping-req'))
  assert.ok(decoded.ok && decoded.message.type === 'ping-req' && !('timeout' in decoded.message))
})

test('the bytes a record signature covers are still the pinned ones', () => {
  assert.equal(Buffer.from(encodeRecordForSigning(signedRecord)).toString('hex'), Buffer.from(fixture('record-signing')).toString('hex'))
})

test('the pinned bytes start with a body tag that names their message type', () => {
  const tags: Record<string, number> = { ping: 0x0a, ack: 0x12, 'ping-req': 0x1a, nack: 0x22, gossip: 0x2a, sync: 0x32 }
  for (const type of Object.keys(samples)) assert.is(fixture(type)[0], tags[type], type)
})

test.run()
