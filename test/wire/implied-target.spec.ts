import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Ping, PingReq } from '../../src/core/messages.ts'
import { decodeMessage, encodeMessage } from '../../src/wire/index.ts'
import { samples } from './samples.ts'

// A base58 Ed25519 PeerId: the length of a real target id.
const RECEIVER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const OTHER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const ping: Ping = { type: 'ping', seq: 4711, target: RECEIVER, updates: [] }

test('a ping to the member its datagram is sealed for travels without the target id', () => {
  const full = encodeMessage(ping)
  const implied = encodeMessage(ping, undefined, { impliedTarget: RECEIVER })
  // The target field: one tag byte, one length byte, the id.
  assert.is(full.byteLength - implied.byteLength, RECEIVER.length + 2)
  assert.ok(implied.byteLength <= 6, `${implied.byteLength} bytes`)
  const back = decodeMessage(implied, undefined, { impliedTarget: RECEIVER })
  assert.ok(back.ok)
  assert.equal(back.message, ping)
})

test('a ping without a target is rejected where nothing implies one (a stream, or another version)', () => {
  const implied = encodeMessage(ping, undefined, { impliedTarget: RECEIVER })
  const result = decodeMessage(implied)
  assert.not.ok(result.ok)
  if (!result.ok) assert.is(result.error.code, 'invalid')
})

test('a ping to someone else keeps its target, and the receiver reads that target, not itself', () => {
  const toOther: Ping = { ...ping, target: OTHER }
  const bytes = encodeMessage(toOther, undefined, { impliedTarget: RECEIVER })
  assert.equal(bytes, encodeMessage(toOther))
  const back = decodeMessage(bytes, undefined, { impliedTarget: RECEIVER })
  assert.ok(back.ok)
  if (back.ok && back.message.type === 'ping') assert.is(back.message.target, OTHER)
})

test('only pings lose their target: a ping-req still names the member to probe, other kinds are unchanged', () => {
  const req: PingReq = { ...(samples['ping-req'] as PingReq), target: RECEIVER }
  for (const msg of [...Object.values(samples), req]) {
    if (msg.type === 'ping') continue
    const bytes = encodeMessage(msg, undefined, { impliedTarget: RECEIVER })
    assert.equal(bytes, encodeMessage(msg), msg.type)
    const back = decodeMessage(bytes, undefined, { impliedTarget: RECEIVER })
    assert.ok(back.ok, msg.type)
    if (back.ok) assert.equal(back.message, msg, msg.type)
  }
})

test.run()
