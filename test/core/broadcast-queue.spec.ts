import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BroadcastQueue } from '../../src/core/broadcast-queue.ts'
import type { Update } from '../../src/core/messages.ts'

const suspect = (id: string, incarnation = 0): Update => ({ type: 'suspect', id, incarnation, from: 'x' })

test('newer news about a member replaces what is queued about it', () => {
  const q = new BroadcastQueue(100)
  q.enqueue('a', suspect('a', 1), 10)
  q.enqueue('a', suspect('a', 2), 10)
  assert.is(q.size, 1)
  assert.equal(q.take(1000, 5), [suspect('a', 2)])
})

test('least-sent updates go first, newest first among equals', () => {
  const q = new BroadcastQueue(100)
  q.enqueue('a', suspect('a'), 10)
  q.enqueue('b', suspect('b'), 10)
  assert.equal(q.take(10, 5).map((u) => (u as { id: string }).id), ['b'], 'newest first')
  assert.equal(q.take(10, 5).map((u) => (u as { id: string }).id), ['a'], 'then the one sent less often')
  q.enqueue('c', suspect('c'), 10)
  const third = q.take(30, 5).map((u) => (u as { id: string }).id)
  assert.is(third[0], 'c', 'the unsent update goes before those sent once')
  assert.is(third.length, 2)
})

test('take respects the byte budget and drops an update after limit transmissions', () => {
  const q = new BroadcastQueue(100)
  for (const id of ['a', 'b', 'c']) q.enqueue(id, suspect(id), 40)
  assert.is(q.take(100, 2).length, 2, 'only two 40-byte updates fit in 100 bytes')
  assert.is(q.take(1000, 2).length, 3)
  assert.is(q.size, 1, 'the two sent twice are gone')
  assert.is(q.take(1000, 2).length, 1)
  assert.is(q.size, 0)
  assert.equal(q.take(1000, 2), [])
})

test('an update larger than the whole budget still goes out, alone', () => {
  const q = new BroadcastQueue(100)
  q.enqueue('big', suspect('big'), 5000)
  q.enqueue('small', suspect('small'), 10)
  assert.equal(q.take(100, 3).map((u) => (u as { id: string }).id), ['small'], 'what fits goes first')
  assert.equal(q.take(100, 3).map((u) => (u as { id: string }).id), ['big'], 'then the oversized one, alone')
  const third = q.take(100, 3).map((u) => (u as { id: string }).id)
  assert.ok(third.length === 1, 'the oversized update never shares a message')
})

test('the queue stays within its bound by dropping the most-sent update', () => {
  const q = new BroadcastQueue(16)
  for (let i = 0; i < 16; i++) q.enqueue(`m${i}`, suspect(`m${i}`), 10)
  q.take(10, 9) // m15 sent once
  q.enqueue('new', suspect('new'), 10)
  assert.is(q.size, 16)
  assert.is(q.peek('m15'), undefined, 'the most-sent update was dropped')
  assert.ok(q.peek('new') != null)
})

test.run()
