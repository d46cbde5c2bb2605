import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Awareness } from '../../src/core/awareness.ts'

test('Awareness stays within 0..max−1 and scales timeouts by score + 1', () => {
  const a = new Awareness(8)
  a.apply(-3)
  assert.is(a.score, 0)
  a.apply(20)
  assert.is(a.score, 7)
  assert.is(a.scale(500), 4000)
})

test('Awareness starts healthy, leaves timeouts alone then, and recovers step by step', () => {
  const a = new Awareness(8)
  assert.is(a.score, 0)
  assert.is(a.scale(500), 500)
  a.apply(2)
  assert.is(a.scale(500), 1500)
  a.apply(-1)
  assert.is(a.score, 1)
  assert.is(a.scale(500), 1000)
})

test('Awareness with a max of 1 never scales a timeout', () => {
  const a = new Awareness(1)
  a.apply(5)
  assert.is(a.score, 0)
  assert.is(a.scale(500), 500)
})

test.run()
