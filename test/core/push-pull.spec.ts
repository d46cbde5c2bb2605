import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { MemberEntry } from '../../src/core/members.ts'
import type { MemberRecord, SyncEntry } from '../../src/core/messages.ts'
import { digestBytes, digestPartA, digestPartB, sameDigest, syncEntryUpdates, toSyncEntries, viewDigest } from '../../src/core/push-pull.ts'

const record = (id: string, incarnation = 0, leaving = false): MemberRecord => ({ id, incarnation, addrs: [], meta: {}, leaving })
const entry = (id: string, state: MemberEntry['state'], incarnation = 0): MemberEntry => ({ record: record(id), state, incarnation, since: 0 })

test('toSyncEntries puts ourselves first, alive or left, then every member as we know it', () => {
  const members = [entry('a', 'suspect', 2), entry('b', 'dead')]
  assert.equal(toSyncEntries(record('self', 4), members), [
    { record: record('self', 4), state: 'alive', incarnation: 4 },
    { record: record('a'), state: 'suspect', incarnation: 2 },
    { record: record('b'), state: 'dead', incarnation: 0 }
  ])
  assert.is(toSyncEntries(record('self', 1, true), [])[0].state, 'left')
})

test('syncEntryUpdates merges a record, and turns a remote suspect or dead into a suspicion by the sender', () => {
  const alive: SyncEntry = { record: record('a', 1), state: 'alive', incarnation: 1 }
  assert.equal(syncEntryUpdates(alive, 'peer', false), [{ type: 'record', record: record('a', 1) }])
  for (const state of ['suspect', 'dead'] as const) {
    assert.equal(syncEntryUpdates({ record: record('a', 1), state, incarnation: 3 }, 'peer', true), [
      { type: 'record', record: record('a', 1) },
      { type: 'suspect', id: 'a', incarnation: 3, from: 'peer' }
    ], state)
  }
})

test('syncEntryUpdates ignores a dead member we never knew, so a joiner does not revive it', () => {
  assert.equal(syncEntryUpdates({ record: record('z'), state: 'dead', incarnation: 0 }, 'peer', false), [])
  assert.equal(syncEntryUpdates({ record: record('z'), state: 'suspect', incarnation: 0 }, 'peer', false).length, 2)
})

test('viewDigest does not depend on the order of members, and changes with any state or incarnation', () => {
  const self = record('self', 2)
  const members = [entry('a', 'alive', 1), entry('b', 'suspect', 3), entry('c', 'dead')]
  const digest = viewDigest(self, members)
  assert.is(digest.byteLength, 8)
  assert.ok(sameDigest(digest, viewDigest(self, [...members].reverse())))
  assert.not.ok(sameDigest(digest, viewDigest(self, [entry('a', 'alive', 1), entry('b', 'alive', 3), entry('c', 'dead')])), 'a state')
  assert.not.ok(sameDigest(digest, viewDigest(self, [entry('a', 'alive', 2), entry('b', 'suspect', 3), entry('c', 'dead')])), 'an incarnation')
  assert.not.ok(sameDigest(digest, viewDigest(self, members.slice(1))), 'a member fewer')
  assert.not.ok(sameDigest(digest, viewDigest(record('self', 3), members)), 'our own incarnation')
  assert.not.ok(sameDigest(digest, viewDigest(record('self', 2, true), members)), 'our leaving')
})

test('viewDigest is the sum of the per-member parts, so a table can keep it up to date', () => {
  const self = record('self', 2)
  const members = [entry('a', 'alive', 1), entry('b', 'suspect', 3), entry('c', 'left', 2 ** 33)]
  let a = digestPartA('self', 2, 'alive')
  let b = digestPartB('self', 2, 'alive')
  for (const m of members) {
    a = (a + digestPartA(m.record.id, m.incarnation, m.state)) >>> 0
    b = (b + digestPartB(m.record.id, m.incarnation, m.state)) >>> 0
  }
  assert.equal(digestBytes(a, b), viewDigest(self, members))
  assert.is.not(digestPartA('c', 2 ** 33, 'left'), digestPartA('c', 0, 'left'), 'the high bits of an incarnation count')
})

test('sameDigest compares bytes and lengths', () => {
  assert.ok(sameDigest(new Uint8Array([1, 2]), new Uint8Array([1, 2])))
  assert.not.ok(sameDigest(new Uint8Array([1, 2]), new Uint8Array([1, 3])))
  assert.not.ok(sameDigest(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])))
})

test.run()
