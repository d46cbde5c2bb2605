import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ProbeOrder } from '../../src/core/probe-order.ts'
import { seededRandom } from '../../src/core/random.ts'

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

test('ProbeOrder shuffles each round afresh, and equal seeds give equal orders', () => {
  const ids = Array.from({ length: 20 }, (_, i) => `m${i}`)
  const rounds = (seed: number): string[][] => {
    const order = new ProbeOrder(seededRandom(seed))
    for (const id of ids) order.add(id)
    return Array.from({ length: 3 }, () => ids.map(() => order.next(() => true, () => true) as string))
  }
  const [first, second, third] = rounds(9)
  assert.not.equal(second, third, 'a new round is a new order')
  assert.not.equal(first, ids, 'the first round is not the order of joining')
  assert.equal(rounds(9), [first, second, third])
})

test('ProbeOrder forgets a member that is gone for good, and a duplicate add, at the next round', () => {
  const order = new ProbeOrder(seededRandom(3))
  for (const id of ['a', 'b', 'c']) order.add(id)
  order.add('a')
  for (let i = 0; i < 4; i++) order.next(() => true, () => true)
  const seen = Array.from({ length: 6 }, () => order.next(() => true, (id) => id !== 'b'))
  assert.equal([...new Set(seen)].sort(), ['a', 'c'])
  assert.is(seen.filter((id) => id === 'a').length, 3, 'a comes once a round, not twice')
})

test('ProbeOrder of no members has nothing to probe', () => {
  assert.is(new ProbeOrder(seededRandom(1)).next(() => true, () => true), undefined)
})

test.run()
