import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Message } from '../../src/core/messages.ts'
import { decodeMessage, encodeMessage, encodedSize, updateSize } from '../../src/wire/index.ts'
import type { DecodeResult } from '../../src/wire/index.ts'
import { messageArb, mutate, mutationArb } from './arbitraries.ts'

const RUNS = 5000
const CODES = new Set(['too-large', 'malformed', 'invalid', 'unsupported'])

/**
 * What must hold for any input: decoding does not throw, a failure carries a known code,
 * and a success is a message that encodes and decodes back to itself, canonically.
 */
function checkDecodes (bytes: Uint8Array): DecodeResult {
  let result: DecodeResult
  try {
    result = decodeMessage(bytes)
  } catch (err) {
    throw new Error(`decodeMessage threw on ${Buffer.from(bytes).toString('hex')}: ${String(err)}`)
  }
  if (!result.ok) {
    assert.ok(CODES.has(result.error.code), `unknown code ${result.error.code}`)
    assert.type(result.error.message, 'string')
    return result
  }
  const again = encodeMessage(result.message)
  const back = decodeMessage(again)
  assert.equal(back, { ok: true, message: result.message })
  assert.equal(encodeMessage((back as { message: Message }).message), again)
  return result
}

test('5,000 arbitrary valid messages decode to equal messages, with exact size estimates', () => {
  fc.assert(fc.property(messageArb, (msg) => {
    const bytes = encodeMessage(msg)
    assert.equal(decodeMessage(bytes), { ok: true, message: msg })
    assert.is(encodedSize(msg), bytes.byteLength)
    if (msg.type !== 'sync') {
      // Everything but the updates, plus each update's own size, plus the length prefixes'
      // growth (the body's and the envelope's, at most 2 bytes each below 2 MiB).
      const bare = encodeMessage({ ...msg, updates: [] }).byteLength
      const sum = msg.updates.reduce((total, update) => total + updateSize(update), 0)
      const slack = bytes.byteLength - bare - sum
      assert.ok(slack >= 0 && slack <= 4, `slack ${slack}`)
    }
  }), { numRuns: RUNS })
})

test('5,000 random byte arrays never make decodeMessage throw', () => {
  const bodyTag = fc.constantFrom(0x0a, 0x12, 0x1a, 0x22, 0x2a, 0x32)
  const raw = fc.uint8Array({ maxLength: 256 })
  // half behind a well-formed body header, so the body decoders see garbage too
  const framed = fc.tuple(bodyTag, fc.uint8Array({ maxLength: 126 })).map(([tag, body]) => Uint8Array.from([tag, body.length, ...body]))
  let ok = 0
  fc.assert(fc.property(fc.oneof(raw, framed), (bytes) => {
    if (checkDecodes(bytes).ok) ok++
  }), { numRuns: RUNS })
  assert.ok(ok > 0, 'some framed garbage happens to be a valid message')
})

test('5,000 mutated valid encodings never make decodeMessage throw', () => {
  const encoded = messageArb.map((msg) => encodeMessage(msg))
  let failed = 0
  fc.assert(fc.property(encoded, fc.array(mutationArb(encoded), { minLength: 1, maxLength: 4 }), (bytes, mutations) => {
    const mutated = mutations.reduce(mutate, bytes)
    if (!checkDecodes(mutated).ok) failed++
  }), { numRuns: RUNS })
  assert.ok(failed > RUNS / 4, 'most mutations are caught')
})

test.run()
