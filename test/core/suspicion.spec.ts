import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Suspicion } from '../../src/core/suspicion.ts'

test('Suspicion ignores its accuser and repeated confirmers, and shortens with each new one', () => {
  const s = new Suspicion(1000, 'accuser', 2, 8000, 48000)
  assert.is(s.deadline, 49000)
  assert.not.ok(s.confirm('accuser'))
  assert.ok(s.confirm('b'))
  assert.not.ok(s.confirm('b'))
  const afterOne = s.deadline
  assert.ok(afterOne < 49000 && afterOne > 9000)
  assert.ok(s.confirm('c'))
  assert.is(s.deadline, 9000)
  assert.not.ok(s.confirm('d'), 'no more confirmations are needed')
})

test('Suspicion ends after the refused timeout once suspicionMult − 1 members saw refusals', () => {
  const refused = new Suspicion(0, 'accuser', 2, 8000, 48000, true, 2000)
  refused.confirm('b', true)
  assert.ok(refused.deadline > 2000, 'one refusal is not enough')
  refused.confirm('c', true)
  assert.is(refused.deadline, 2000)
  const mixed = new Suspicion(0, 'accuser', 2, 8000, 48000, true, 2000)
  mixed.confirm('b', true)
  mixed.confirm('c', false)
  assert.is(mixed.deadline, 8000, 'a silent confirmation counts for Lifeguard, not for the refused path')
  const silentAccuser = new Suspicion(0, 'accuser', 2, 8000, 48000, false, 2000)
  silentAccuser.confirm('b', true)
  silentAccuser.confirm('c', true)
  assert.is(silentAccuser.deadline, 8000)
  silentAccuser.confirm('d', true)
  assert.is(silentAccuser.deadline, 2000, 'three refusals end it, whoever raised the suspicion')
  const capped = new Suspicion(0, 'accuser', 2, 8000, 48000, true, 2000)
  capped.confirm('b', false)
  capped.confirm('c', false)
  assert.ok(capped.confirm('d', true), 'a refusal still counts after the Lifeguard confirmations are used up')
  capped.confirm('e', true)
  assert.is(capped.deadline, 2000)
})

test('Suspicion without confirmations expires after max, and one needing none after min', () => {
  const unconfirmed = new Suspicion(500, 'accuser', 3, 2000, 10000)
  assert.is(unconfirmed.deadline, 10500)
  const none = new Suspicion(500, 'accuser', 0, 2000, 10000)
  assert.is(none.deadline, 2500)
  assert.not.ok(none.confirm('b'), 'a suspicion that needs no confirmation is not shortened')
  assert.is(none.deadline, 2500)
})

test('Suspicion knows who stands behind it: its accuser and first-hand confirmers', () => {
  const s = new Suspicion(0, 'accuser', 2, 8000, 48000)
  assert.ok(s.vouchedBy('accuser'))
  assert.not.ok(s.vouchedBy('b'))
  assert.is(s.parties(), 1)
  assert.is(s.parties('b'), 2, 'a party about to confirm counts')
  assert.is(s.parties('accuser'), 1, 'but not twice')
  s.confirm('b')
  assert.ok(s.vouchedBy('b'))
  assert.is(s.parties(), 2)
})

test('Suspicion raised by a relayed claim has no authenticated accuser', () => {
  const s = new Suspicion(0, '', 2, 8000, 48000, true, 2000)
  assert.is(s.parties(), 0)
  assert.not.ok(s.vouchedBy(''))
  s.confirm('b', true)
  s.confirm('c', true)
  assert.ok(s.deadline > 2000, 'with no accuser of its own, two refusals are not enough')
  s.confirm('d', true)
  assert.is(s.deadline, 2000)
})

test.run()
