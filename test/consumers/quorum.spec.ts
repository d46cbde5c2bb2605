import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { QuorumTracker } from '../../src/consumers/quorum.ts'
import type { QuorumStatus } from '../../src/consumers/quorum.ts'

const S = 20_000

function cluster (others: string[], options: { expect?: number, self?: string } = {}): QuorumTracker {
  const q = new QuorumTracker({ self: options.self ?? 'a', expect: options.expect, now: 0 })
  for (const id of others) q.observe(id, 'alive', 0)
  return q
}

test('forming until the view has been unchanged for stableAfter, then quorum with the learned size', () => {
  const q = cluster(['b', 'c', 'd'])
  assert.is(q.status(S - 1).state, 'forming')
  assert.is(q.nextCheck(), S)
  const changed = q.tick(S)
  assert.equal(changed, { state: 'quorum', alive: 4, expected: 4, since: S })
  assert.is(q.nextCheck(), undefined)
})

test('a late tick dates the stable view to when it became stable', () => {
  const q = cluster(['b', 'c'])
  assert.equal(q.status(S * 5), { state: 'quorum', alive: 3, expected: 3, since: S })
})

test('a view that keeps changing stays forming', () => {
  const q = cluster(['b'])
  q.observe('c', 'alive', S - 10)
  q.observe('d', 'alive', 2 * S - 20)
  assert.is(q.status(2 * S).state, 'forming')
  assert.is(q.status(3 * S).state, 'quorum')
})

test('a failure does not lower the expected size; a graceful leave does', () => {
  const q = cluster(['b', 'c', 'd', 'e', 'f'])
  q.tick(S)
  q.observe('f', 'suspect', S + 1)
  q.observe('f', 'dead', S + 5000)
  q.tick(S * 10)
  assert.equal(q.status(S * 10), { state: 'quorum', alive: 5, expected: 6, since: S })
  q.observe('e', 'left', S * 11)
  assert.is(q.status(S * 11).expected, 5)
  // 3 of 6 would be a tie; 3 of 5 is a majority
  q.observe('d', 'dead', S * 12)
  assert.equal(q.status(S * 12), { state: 'quorum', alive: 3, expected: 5, since: S })
  q.observe('c', 'dead', S * 13)
  assert.equal(q.status(S * 13), { state: 'minority', alive: 2, expected: 5, since: S * 13 })
})

test('exact half: only the side holding the lowest id of the expected set keeps quorum', () => {
  // a and b and c on one side, d e f on the other: 'a' is the lowest id
  const left = cluster(['b', 'c', 'd', 'e', 'f'])
  const right = cluster(['a', 'b', 'c', 'e', 'f'], { self: 'd' })
  left.tick(S)
  right.tick(S)
  for (const id of ['d', 'e', 'f']) left.observe(id, 'suspect', S + 100)
  for (const id of ['a', 'b', 'c']) right.observe(id, 'suspect', S + 100)
  assert.is(left.status(S + 100).state, 'quorum')
  assert.is(right.status(S + 100).state, 'minority')
  assert.is(right.status(S + 100).since, S + 100)
})

test('a larger stable view raises the expected size; a fixed expect stays fixed', () => {
  const q = cluster(['b', 'c'])
  q.tick(S)
  for (const id of ['d', 'e', 'f', 'g']) q.observe(id, 'alive', S + 1)
  assert.is(q.status(S + 2).expected, 3, 'not stable yet')
  assert.is(q.status(2 * S + 1).expected, 7)
  const fixed = cluster(['b', 'c'], { expect: 7 })
  assert.equal(fixed.status(S), { state: 'minority', alive: 3, expected: 7, since: S })
  fixed.observe('x', 'left', S + 1)
  assert.is(fixed.status(S + 1).expected, 7)
})

test('observeView applies a whole view: members missing from it no longer count as alive', () => {
  const q = cluster(['b', 'c', 'd'])
  q.tick(S)
  const m = (id: string, state: 'alive' | 'dead'): { id: string, state: 'alive' | 'dead', addrs: string[], incarnation: number, meta: Record<string, string>, since: number, generation: number } =>
    ({ id, state, addrs: [], incarnation: 0, meta: {}, since: 0, generation: 0 })
  const changed = q.observeView([m('a', 'alive'), m('b', 'dead')], S + 1) as QuorumStatus
  assert.equal(changed, { state: 'minority', alive: 1, expected: 4, since: S + 1 })
})

test('bad options are refused', () => {
  assert.throws(() => new QuorumTracker({ self: 'a', now: 0, expect: 0 }), /Invalid expect 0/)
  assert.throws(() => new QuorumTracker({ self: 'a', now: 0, expect: 2.5 }), /Invalid expect/)
  assert.throws(() => new QuorumTracker({ self: 'a', now: 0, stableAfter: -1 }), /Invalid stableAfter/)
})

test.run()
