import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { dials, watchedBy } from '../../src/libp2p/watch.ts'

const ids = Array.from({ length: 50 }, (_, i) => `member-${i}`)

test('watching is mutual, WATCHERS per member, and one end of each pair dials', () => {
  const sets = new Map(ids.map((id) => [id, watchedBy(id, ids, 4)]))
  for (const [id, set] of sets) {
    assert.is(set.size, 4, `${id} watches 4`)
    assert.not.ok(set.has(id))
    for (const other of set) {
      assert.ok(sets.get(other)?.has(id), `${other} watches ${id} back`)
      assert.is(dials(id, other), !dials(other, id), 'exactly one end dials')
    }
  }
  // connections in the cluster: half the pairs' ends
  let pairs = 0
  for (const [id, set] of sets) for (const other of set) if (dials(id, other)) pairs++
  assert.is(pairs, ids.length * 2)
})

test('small views: everyone else, never self', () => {
  assert.equal([...watchedBy('a', ['a'], 4)], [])
  assert.equal(watchedBy('a', ['a', 'b'], 4), new Set(['b']))
  assert.equal(watchedBy('a', ['b', 'c', 'd'], 4), new Set(['b', 'c', 'd']))
  assert.is(watchedBy('a', ['b', 'c', 'd', 'e', 'f'], 4).size, 4)
})

test.run()
