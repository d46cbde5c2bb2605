import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { randomInt, sample, seededRandom, shuffle } from '../../src/core/random.ts'

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

test('seededRandom gives other sequences for other seeds, within [0, 1)', () => {
  const a = seededRandom(1)
  const b = seededRandom(2)
  const xs = Array.from({ length: 100 }, () => a.next())
  const ys = Array.from({ length: 100 }, () => b.next())
  assert.not.equal(xs, ys)
  assert.ok([...xs, ...ys].every((x) => x >= 0 && x < 1))
})

test('randomInt stays in [0, n) and reaches every value', () => {
  const random = seededRandom(5)
  const seen = new Set<number>()
  for (let i = 0; i < 1000; i++) {
    const n = randomInt(random, 7)
    assert.ok(Number.isInteger(n) && n >= 0 && n < 7, `${n}`)
    seen.add(n)
  }
  assert.is(seen.size, 7)
})

test('shuffle permutes in place and keeps every item', () => {
  const items = Array.from({ length: 30 }, (_, i) => i)
  const shuffled = shuffle(seededRandom(11), [...items])
  assert.not.equal(shuffled, items)
  assert.equal([...shuffled].sort((x, y) => x - y), items)
  const same = [1, 2, 3]
  assert.is(shuffle(seededRandom(1), same), same, 'the array itself is shuffled')
})

test('sample returns every accepted item when fewer than k pass, and nothing for k of 0', () => {
  const items = Array.from({ length: 40 }, (_, i) => i)
  const picked = sample(seededRandom(2), items, 10, (n) => n % 10 === 0)
  assert.equal([...picked].sort((x, y) => x - y), [0, 10, 20, 30])
  assert.equal(sample(seededRandom(2), items, 0, () => true), [])
  assert.equal(sample(seededRandom(2), [], 3, () => true), [])
})

test.run()
