import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { classifyExchangeError, classifyJoinError } from '../../src/libp2p/join-errors.ts'

const named = (name: string, message: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(message), { name }, extra)

test('classifyJoinError maps the errors libp2p dials end with to causes an operator can act on', () => {
  const cases: Array<[unknown, string]> = [
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'refused'],
    [Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' }), 'unreachable'],
    [named('TimeoutError', 'The operation was aborted due to timeout'), 'timeout'],
    [named('EncryptionFailedError', 'read ECONNRESET'), 'key-mismatch'],
    [named('UnexpectedPeerError', 'Unexpected peer'), 'wrong-peer'],
    [named('UnsupportedProtocolError', 'protocol selection failed'), 'protocol'],
    [named('InvalidPeerIdError', 'Can not dial self'), 'self'],
    [new Error('something new\nwith a second line'), 'other']
  ]
  for (const [err, cause] of cases) {
    const result = classifyJoinError(err)
    assert.is(result.cause, cause, String((err as Error).message))
    assert.not.match(result.message, /\n/, 'one line')
  }
})

test('classifyExchangeError: a sync stream the seed reset unanswered is a key it rejected; anything else, no answer', () => {
  // what the joiner's read ends with when the seed resets a stream whose key proof fails
  assert.is(classifyExchangeError(named('StreamResetError', 'The stream has been reset')).cause, 'key-mismatch')
  assert.is(classifyExchangeError(named('EncryptionFailedError', 'read ECONNRESET')).cause, 'key-mismatch')
  for (const err of [undefined, named('TimeoutError', 'The operation was aborted due to timeout'), named('UnsupportedProtocolError', 'protocol selection failed'), new Error('unexpected end of input')]) {
    const result = classifyExchangeError(err)
    assert.is(result.cause, 'no-answer', String(err))
    assert.match(result.message, /another --cluster label/)
  }
})

test.run()
