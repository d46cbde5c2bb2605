import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MemberIds, MemberTable, type MemberEntry } from '../../src/core/members.ts'
import type { MemberRecord } from '../../src/core/messages.ts'
import { viewDigest } from '../../src/core/push-pull.ts'

const record = (id: string, incarnation = 0): MemberRecord => ({ id, incarnation, addrs: [`/dns/${id}/tcp/1`], meta: {}, leaving: false })
const entry = (id: string, since = 0): MemberEntry => ({ record: record(id), state: 'alive', incarnation: 0, since })
const self = record('self')

test('iterates in insertion order and samples from a dense array, across removals and re-adds', () => {
  const t = new MemberTable()
  for (const id of ['a', 'b', 'c', 'd']) t.add(entry(id))
  t.remove('b')
  t.add(entry('b'))
  t.remove('a')
  assert.equal([...t.values()].map((e) => e.record.id), ['c', 'd', 'b'])
  assert.equal([...t.allIds()].sort(), ['b', 'c', 'd'])
  assert.is(t.size, 3)
  assert.is(t.get('a'), undefined)
  assert.throws(() => t.add(entry('c')), /already in the table/)
})

test('a view reads and writes the table: state, incarnation, since, record, counts and digest', () => {
  const t = new MemberTable()
  t.add(entry('a', 5))
  t.add(entry('b', 6))
  const a = t.get('a') as MemberEntry
  t.setState(a, 'suspect', 3, 10)
  assert.equal([a.state, a.incarnation, a.since], ['suspect', 3, 10])
  a.record = record('a', 3)
  assert.is(t.get('a')?.record.incarnation, 3)
  assert.is(t.live, 2)
  t.setState(a, 'dead', 3, 11)
  assert.is(t.count('dead'), 1)
  assert.is(t.live, 1)
  const [x, y] = t.digestSums
  const sums = viewDigest(self, t.values())
  const fresh = new MemberTable()
  fresh.add({ record: record('b'), state: 'alive', incarnation: 0, since: 6 })
  fresh.add({ record: record('a', 3), state: 'dead', incarnation: 3, since: 11 })
  assert.equal(fresh.digestSums, [x, y], 'the kept sums do not depend on the path that led there')
  assert.equal(viewDigest(self, fresh.values()), sums)
})

test('tables sharing a registry hold their own state; a key is freed only when no table holds it', () => {
  const ids = new MemberIds()
  const t1 = new MemberTable(ids)
  const t2 = new MemberTable(ids)
  t1.add(entry('a'))
  t2.add(entry('a'))
  t2.setState(t2.get('a') as MemberEntry, 'dead', 0, 1)
  assert.is(t1.get('a')?.state, 'alive')
  t1.remove('a')
  assert.is(ids.key('a') !== undefined, true, 'still held by the other table')
  assert.is(t1.get('a'), undefined)
  t2.remove('a')
  assert.is(ids.key('a'), undefined)
  // The freed key goes to a new id; neither table mistakes it for the old one.
  t1.add(entry('z'))
  assert.is(t2.get('z'), undefined)
  assert.is(t1.get('z')?.record.id, 'z')
  assert.is(ids.capacity, 1)
})

test('heard is a set over the table, in the order members were added to it, and leaves with the member', () => {
  const t = new MemberTable()
  for (const id of ['a', 'b', 'c']) t.add(entry(id))
  t.heard.add('c')
  t.heard.add('a')
  t.heard.add('c')
  t.heard.add('nobody')
  assert.equal([...t.heard.list()], ['c', 'a'])
  assert.ok(t.heard.has('a') && !t.heard.has('b') && !t.heard.has('nobody'))
  t.remove('c')
  assert.equal([...t.heard], ['a'])
  t.add(entry('c'))
  assert.not.ok(t.heard.has('c'), 'a member back in the table has not spoken to us yet')
  t.heard.delete('a')
  assert.equal([...t.heard], [])
})

test.run()
