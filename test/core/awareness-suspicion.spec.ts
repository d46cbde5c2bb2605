import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Awareness } from '../../src/core/awareness.ts'
import { Suspicion } from '../../src/core/suspicion.ts'
import { ProbeOrder } from '../../src/core/probe-order.ts'
import { seededRandom, sample } from '../../src/core/random.ts'

test('Awareness stays within 0..max−1 and scales timeouts by score + 1', () => {
  const a = new Awareness(8)
  a.apply(-3)
  assert.is(a.score, 0)
  a.apply(20)
  assert.is(a.score, 7)
  assert.is(a.scale(500), 4000)
})

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

test('ProbeOrder visits every member exactly once per round', () => {
  const order = new ProbeOrder(seededRandom(7))
  const ids = Array.from({ length: 20 }, (_, i) => `m${i}`)
  for (const id of ids) order.add(id)
  for (let round = 0; round < 3; round++) {
    const seen: string[] = []
    for (let i = 0; i < ids.length; i++) seen.push(order.next(() => true, () => true) as string)
    assert.equal([...seen].sort(), [...ids].sort(), `round ${round}`)
  }
})

test('ProbeOrder drops members that are gone and returns nothing when none is eligible', () => {
  const order = new ProbeOrder(seededRandom(1))
  order.add('a')
  order.add('b')
  assert.is(order.next((id) => id === 'b', () => true), 'b')
  assert.is(order.next(() => false, () => false), undefined)
})

test('seededRandom repeats its sequence for a seed and sample never repeats an item', () => {
  const a = seededRandom(42)
  const b = seededRandom(42)
  for (let i = 0; i < 100; i++) assert.is(a.next(), b.next())
  const items = Array.from({ length: 50 }, (_, i) => i)
  const picked = sample(seededRandom(3), items, 10, (n) => n % 2 === 0)
  assert.is(picked.length, 10)
  assert.is(new Set(picked).size, 10)
  assert.ok(picked.every((n) => n % 2 === 0))
  assert.is(sample(seededRandom(3), items, 10, () => false).length, 0)
})

test.run()
