import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { dials, mayChangeWatch, watchedBy } from '../../src/libp2p/watch.ts'

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

/** The definition: the ring sorted by (hash, id), the nearest on either side of self. */
function bySorting (self: string, all: string[], watchers: number): Set<string> {
  const hash = (s: string): number => {
    let h = 0x811c9dc5
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
    return h >>> 0
  }
  const ring = [...new Set([...all, self])].map((id) => ({ id, h: hash(id) }))
  ring.sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const at = ring.findIndex((e) => e.id === self)
  const out = new Set<string>()
  for (let k = 1; k <= Math.floor(watchers / 2) && out.size < ring.length - 1; k++) {
    out.add(ring[(at - k + ring.length) % ring.length].id)
    if (out.size < ring.length - 1) out.add(ring[(at + k) % ring.length].id)
  }
  return out
}

test('the one-pass choice is the ring\'s: the nearest by (hash, id) on either side, for views of every size', () => {
  let seed = 7
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0)
  for (let round = 0; round < 300; round++) {
    const n = 1 + (next() % 40)
    const view = Array.from({ length: n }, () => `peer-${next() % 60}`)
    const self = view[next() % n]
    for (const watchers of [2, 4, 6]) assert.equal(watchedBy(self, view, watchers), bySorting(self, view, watchers), `${self} in ${view.join(',')}, ${watchers} watchers`)
  }
})

test('a change can change the watched set only when mayChangeWatch says so', () => {
  let changes = 0
  for (const self of ids.slice(0, 10)) {
    for (let n = 1; n < ids.length; n++) {
      const view = ids.slice(0, n)
      const watched = watchedBy(self, view, 4)
      const joiner = ids[n]
      const changed = !sameSet(watchedBy(self, [...view, joiner], 4), watched)
      if (changed) changes++
      if (changed) assert.ok(mayChangeWatch(self, watched, joiner, 4), `${joiner} joining ${n} changes ${self}'s set`)
      for (const gone of view) {
        const after = watchedBy(self, view.filter((id) => id !== gone), 4)
        if (!sameSet(after, watched)) assert.ok(mayChangeWatch(self, watched, gone, 4), `${gone} leaving changes ${self}'s set`)
      }
    }
  }
  assert.ok(changes > 0)
  // Far from self on the ring, a join changes nothing and is not looked at.
  const self = ids[0]
  const watched = watchedBy(self, ids, 4)
  const quiet = Array.from({ length: 200 }, (_, i) => `late-${i}`).filter((id) => !mayChangeWatch(self, watched, id, 4))
  assert.ok(quiet.length > 150, `${quiet.length} of 200 joins skipped`)
  for (const id of quiet) assert.ok(sameSet(watchedBy(self, [...ids, id], 4), watched))
})

function sameSet (a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x))
}

test.run()
