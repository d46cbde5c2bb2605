import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatEventLine, formatMembersTable, useColour } from '../../src/cli/format.ts'
import { makeMember } from '../daemon/fake-swim.ts'

test('formatEventLine shows time, type, member id, addresses and metadata', () => {
  const member = makeMember('peer-a', { addrs: ['/ip4/10.0.0.1/tcp/7946', '/ip4/10.0.0.9/tcp/7946'], meta: { role: 'api', zone: 'b' } })
  assert.is(formatEventLine({ type: 'join', at: Date.UTC(2024, 4, 1, 12), member }, false),
    '2024-05-01T12:00:00.000Z join    peer-a /ip4/10.0.0.1/tcp/7946,/ip4/10.0.0.9/tcp/7946 role=api zone=b')
  assert.is(formatEventLine({ type: 'fail', at: 0, member: makeMember('x', { addrs: [], meta: {} }) }, false),
    '1970-01-01T00:00:00.000Z fail    x - -')
})

test('formatEventLine colours the type only when asked', () => {
  const line = formatEventLine({ type: 'fail', at: 0, member: makeMember('x') }, true)
  assert.match(line, '\u001b[31mfail')
})

test('useColour needs a TTY and no NO_COLOR', () => {
  assert.ok(useColour({ isTTY: true }, {}))
  assert.not.ok(useColour({ isTTY: false }, {}))
  assert.not.ok(useColour({}, {}))
  assert.not.ok(useColour({ isTTY: true }, { NO_COLOR: '1' }))
})

test('formatMembersTable pads every column but the last', () => {
  const table = formatMembersTable([makeMember('a'), makeMember('longer-id', { state: 'suspect', incarnation: 12 })], false)
  assert.is(table, [
    'ID         STATE    INCARNATION  SINCE                     ADDRESSES               META',
    'a          alive    0            2023-11-14T22:13:20.000Z  /ip4/10.0.0.1/tcp/7946  -',
    'longer-id  suspect  12           2023-11-14T22:13:20.000Z  /ip4/10.0.0.9/tcp/7946  -',
    ''
  ].join('\n'))
})

test.run()
