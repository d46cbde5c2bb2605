import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Message, SyncEntry } from '../../src/core/messages.ts'
import { decodeMessage, encodeMessage } from '../../src/wire/index.ts'
import type { DecodeResult } from '../../src/wire/index.ts'
import { decodeInParts, SYNC_PART_BYTES } from '../../src/wire/sync-frames.ts'
import * as pb from '../../src/wire/swim.ts'
import { messageArb, mutate, mutationArb } from './arbitraries.ts'

/** Runs every step; returns the result and the number of steps. */
function run (bytes: Uint8Array, partBytes?: number): { result: DecodeResult, steps: number } {
  const steps = decodeInParts(bytes, undefined, partBytes)
  for (let n = 1; ; n++) {
    const step = steps.next()
    if (step.done === true) return { result: step.value, steps: n }
  }
}

function entries (n: number, from = 0): SyncEntry[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k
    return { record: { id: `node-${i}`, incarnation: i, addrs: [`/ip4/10.0.${i & 255}.1/tcp/${1 + i}`], meta: { zone: `z${i % 7}` }, leaving: false, signature: new Uint8Array(64).fill(i % 251) }, state: 'alive', incarnation: i }
  })
}

test('a large sync decodes in parts of at most SYNC_PART_BYTES to exactly what decodeMessage gives', () => {
  const message: Message = { type: 'sync', join: true, response: false, entries: entries(3000), digest: new Uint8Array(8).fill(7) }
  const bytes = encodeMessage(message)
  const { result, steps } = run(bytes)
  assert.ok(steps >= Math.floor(bytes.byteLength / SYNC_PART_BYTES), `${steps} steps for ${bytes.byteLength} bytes`)
  assert.equal(result, decodeMessage(bytes))
  assert.ok(result.ok && result.message.type === 'sync' && result.message.entries.length === 3000 && result.message.join)
})

test('each step yields the sync decoded so far, its entries growing', () => {
  const bytes = encodeMessage({ type: 'sync', join: false, response: true, entries: entries(2000) })
  const steps = decodeInParts(bytes)
  const seen: number[] = []
  for (let step = steps.next(); step.done !== true; step = steps.next()) {
    assert.is(step.value.response, true)
    seen.push(step.value.entries.length)
  }
  assert.ok(seen.length > 1)
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1])
  assert.ok(seen[seen.length - 1] < 2000)
})

test('a bad entry in a later part is reported at its index in the whole sync', () => {
  const good = entries(1000).map((e) => ({ record: { id: e.record.id, incarnation: e.record.incarnation, addrs: e.record.addrs, meta: [], leaving: false, signature: new Uint8Array(64).fill(1) }, state: pb.SyncEntry.State.ALIVE, incarnation: e.incarnation }))
  good[900] = { ...good[900], state: pb.SyncEntry.State.STATE_UNSPECIFIED }
  const bytes = pb.SwimMessage.encode({ sync: { join: false, response: false, entries: good, digest: new Uint8Array(0) } })
  const whole = decodeMessage(bytes)
  const { result, steps } = run(bytes)
  assert.ok(steps > 1)
  assert.is(result.ok, false)
  assert.is(whole.ok, false)
  if (!result.ok && !whole.ok) {
    assert.is(result.error.code, whole.error.code)
    assert.is(result.error.field, whole.error.field)
    assert.is(result.error.field, 'entries[900].state')
  }
})

test('too many entries and an entry no record within the cap could fill are refused before decoding', () => {
  const many = encodeMessage({ type: 'sync', join: false, response: false, entries: entries(300) })
  const refused = decodeInParts(many, { maxSyncEntries: 100 }, 1024).next()
  assert.ok(refused.done === true && !refused.value.ok && refused.value.error.code === 'too-large', 'refused in the first step')
  // Entries of about 1.3 kB, against records capped at 8 bytes: past cap + slack (1,032).
  const fat = entries(20).map((e) => ({ ...e, record: { ...e.record, meta: { a: 'x'.repeat(400), b: 'y'.repeat(400), c: 'z'.repeat(400) } } }))
  const big = encodeMessage({ type: 'sync', join: false, response: false, entries: fat })
  const tooBig = decodeInParts(big, { maxRecordBytes: 8 }, 1024).next()
  assert.ok(tooBig.done === true && !tooBig.value.ok && tooBig.value.error.code === 'too-large' && tooBig.value.error.field === 'entries[0]')
})

test('a small sync whose known field has the wrong wire type decodes in parts as it decodes whole (protons reads it by the schema)', () => {
  // join, then `response` tagged as a 64-bit field (0x11 instead of 0x10), then the digest
  const bytes = Uint8Array.from(Buffer.from('3209080111012203000000', 'hex'))
  const whole = decodeMessage(bytes)
  assert.ok(whole.ok)
  assert.equal(run(bytes, 1).result, whole)
})

test('any message, valid or mutated, decodes in parts as decodeMessage decodes it whole', () => {
  const others = messageArb.map((m) => encodeMessage(m))
  fc.assert(fc.property(messageArb, fc.array(mutationArb(others), { maxLength: 3 }), fc.integer({ min: 1, max: 64 }), (message, mutations, partBytes) => {
    let bytes = encodeMessage(message)
    for (const m of mutations) bytes = mutate(bytes, m)
    const whole = decodeMessage(bytes)
    const { result } = run(bytes, partBytes)
    assert.is(result.ok, whole.ok, whole.ok ? 'decodes whole' : `whole: ${whole.error.message}; in parts: ${result.ok ? 'ok' : result.error.message}`)
    if (result.ok) assert.equal(result, whole)
  }), { numRuns: 300 })
})

test.run()
