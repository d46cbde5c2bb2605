import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { DATAGRAM_HEADER_BYTES, DATAGRAM_OVERHEAD, MAX_COUNTER, readDatagramHeader, writeDatagramHeader } from '../../src/wire/datagram.ts'
import type { DatagramHeader } from '../../src/wire/datagram.ts'

const test = suite('datagram header')

const headerArb: fc.Arbitrary<DatagramHeader> = fc.record({
  keyed: fc.boolean(),
  hint: fc.integer({ min: 0, max: 255 }),
  sender: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  epoch: fc.integer({ min: 0, max: 0xffff }),
  counter: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 }), fc.maxSafeNat())
})

test('the header layout is pinned: version|keyed, hint, tag, epoch, counter big-endian', () => {
  const out = new Uint8Array(DATAGRAM_OVERHEAD)
  writeDatagramHeader(out, { keyed: true, hint: 0xab, sender: 0x01020304, epoch: 0xbeef, counter: 0x0006_0504_0302_01 })
  assert.is(Buffer.from(out.subarray(0, DATAGRAM_HEADER_BYTES)).toString('hex'), '81' + 'ab' + '01020304' + 'beef' + '0000060504030201')
  writeDatagramHeader(out, { keyed: false, hint: 0, sender: 0xffffffff, epoch: 1, counter: 2 ** 32 + 5 })
  assert.is(Buffer.from(out.subarray(0, DATAGRAM_HEADER_BYTES)).toString('hex'), '01' + '00' + 'ffffffff' + '0001' + '0000000100000005')
})

test('headers read back as written', () => {
  fc.assert(fc.property(headerArb, fc.nat({ max: 64 }), (header, extra) => {
    const out = new Uint8Array(DATAGRAM_OVERHEAD + extra)
    writeDatagramHeader(out, header)
    assert.equal(readDatagramHeader(out), { ok: true, header: { ...header } })
  }), { numRuns: 2000 })
})

test('too short, another version, or a counter of 2^53 or more is refused', () => {
  const out = new Uint8Array(DATAGRAM_OVERHEAD)
  writeDatagramHeader(out, { keyed: false, hint: 0, sender: 1, epoch: 2, counter: MAX_COUNTER })
  assert.ok(readDatagramHeader(out).ok)
  for (let n = 0; n < DATAGRAM_OVERHEAD; n++) assert.equal(readDatagramHeader(out.subarray(0, n)), { ok: false, error: 'short' })
  for (const first of [0x00, 0x02, 0x7f, 0x80, 0x82, 0xff]) {
    const other = out.slice()
    other[0] = first
    assert.equal(readDatagramHeader(other), { ok: false, error: 'version' })
  }
  const big = out.slice()
  big[8] = 0x00
  big[9] = 0x20 // 2^53
  assert.equal(readDatagramHeader(big), { ok: false, error: 'counter' })
  assert.throws(() => writeDatagramHeader(out, { keyed: false, hint: 0, sender: 1, epoch: 2, counter: MAX_COUNTER + 1 }), /counter/)
  assert.throws(() => writeDatagramHeader(new Uint8Array(15), { keyed: false, hint: 0, sender: 1, epoch: 2, counter: 0 }), /16 bytes/)
})

test('a header inside a larger buffer is read at its own offset', () => {
  const buffer = new Uint8Array(100).fill(0xee)
  const view = buffer.subarray(10, 10 + DATAGRAM_OVERHEAD)
  const header = { keyed: false, hint: 0, sender: 42, epoch: 7, counter: 123456789 }
  writeDatagramHeader(view, header)
  assert.equal(readDatagramHeader(view), { ok: true, header })
  assert.is(buffer[9], 0xee)
  assert.is(buffer[10 + DATAGRAM_HEADER_BYTES], 0xee)
})

test.run()
