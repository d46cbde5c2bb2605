import '../../src/polyfill.ts'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { dialFailure, parseAddrs } from '../../src/libp2p/dialer.ts'

const test = suite('dialer')

const coded = (code: string): Error => Object.assign(new Error(code), { code })

test('dialFailure tells a refusal from no route from anything else', () => {
  assert.is(dialFailure(coded('ECONNREFUSED')), 'refused')
  assert.is(dialFailure(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')])), 'refused')
  assert.is(dialFailure(new AggregateError([coded('ECONNREFUSED'), coded('ETIMEDOUT')])), 'unreachable')
  assert.is(dialFailure(coded('EHOSTUNREACH')), 'unreachable')
  assert.is(dialFailure(new Error('wrapped', { cause: coded('ECONNREFUSED') })), 'refused')
  assert.is(dialFailure(coded('ETIMEDOUT')), undefined)
  assert.is(dialFailure(new Error('handshake failed')), undefined)
  assert.is(dialFailure(undefined), undefined)
  assert.is(dialFailure(new AggregateError([])), undefined)
})

test('parseAddrs keeps the addresses that parse', () => {
  assert.equal(parseAddrs(['/ip4/127.0.0.1/tcp/1', 'nonsense', '/dns4/example.com/tcp/7946']).map(String), ['/ip4/127.0.0.1/tcp/1', '/dns4/example.com/tcp/7946'])
})

test.run()
