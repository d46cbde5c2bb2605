import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { HashRing, MAX_WEIGHT, memberWeight } from '../../src/consumers/ring.ts'
import type { Member, MemberState } from '../../src/core/types.ts'

function member (id: string, meta: Record<string, string> = {}, state: MemberState = 'alive'): Member {
  return { id, addrs: [`/ip4/10.0.0.1/tcp/${id.length}`], state, incarnation: 0, meta, since: 0, generation: 0 }
}

const ids = (n: number, prefix = 'm'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}-12D3KooW`)
const KEYS = Array.from({ length: 5000 }, (_, i) => `key:${i}`)

function owners (ring: HashRing, keys = KEYS, n = 1): string[] {
  return keys.map((key) => ring.lookup(key, n).map((m) => m.id).join(','))
}

function ringOf (members: Member[], pointsPerMember?: number): HashRing {
  const ring = new HashRing({ pointsPerMember })
  ring.update(members)
  return ring
}

// arbitrary member ids: PeerId-like strings, distinct
const idSet = (min: number, max: number): fc.Arbitrary<string[]> =>
  fc.uniqueArray(fc.string({ minLength: 4, maxLength: 52, unit: fc.constantFrom(...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz') }), { minLength: min, maxLength: max })

test('the ring does not depend on the order of the view, and an updated ring equals a fresh one', () => {
  fc.assert(fc.property(idSet(3, 30), fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 8 }), (start, ops) => {
    const current = new Set(start)
    const ring = ringOf([...current].map((id) => member(id)), 200)
    let extra = 0
    for (const [join, pick] of ops) {
      if (join || current.size < 2) current.add(`joiner-${extra++}`)
      else current.delete([...current][pick % current.size])
      ring.update([...current].map((id) => member(id)))
    }
    const fresh = ringOf([...current].reverse().map((id) => member(id)), 200)
    const sample = KEYS.slice(0, 500)
    assert.equal(owners(ring, sample, 3), owners(fresh, sample, 3))
    assert.is(ring.pointCount, fresh.pointCount)
  }), { numRuns: 40 })
})

test('balance: with 100 equal members the largest share of the hash space is at most 1.10 × the mean', () => {
  fc.assert(fc.property(idSet(100, 100), (list) => {
    const shares = ringOf(list.map((id) => member(id))).shares()
    assert.is(shares.size, 100)
    const max = Math.max(...shares.values())
    assert.ok(max <= 1.10 / 100, `largest share ${(max * 100).toFixed(3)}% of the ring`)
  }), { numRuns: 8 })
})

test('movement: a member joining takes at most 1.1/N of the keys and only for itself; leaving gives back only its own', () => {
  fc.assert(fc.property(idSet(10, 60), fc.string({ minLength: 1, maxLength: 52 }), (list, joinerId) => {
    fc.pre(!list.includes(joinerId))
    const before = list.map((id) => member(id))
    const ring = ringOf(before)
    const was = owners(ring)
    ring.update([...before, member(joinerId)])
    const now = owners(ring)
    for (let i = 0; i < KEYS.length; i++) {
      if (was[i] !== now[i]) assert.is(now[i], joinerId, `key ${KEYS[i]} moved from ${was[i]} to ${now[i]}, not to the joiner`)
    }
    const share = ring.shares().get(joinerId) ?? 0
    assert.ok(share <= 1.1 / (list.length + 1), `the joiner took ${(share * 100).toFixed(2)}% of the ring with N=${list.length + 1}`)
    ring.update(before)
    assert.equal(owners(ring), was, 'leaving restores every key to its previous owner')
  }), { numRuns: 25 })
})

test('a member leaving moves only its own keys, to the next owners in ring order', () => {
  const list = ids(40).map((id) => member(id))
  const ring = ringOf(list)
  const was = KEYS.map((key) => ring.lookup(key, 2).map((m) => m.id))
  const leaver = list[7].id
  ring.update(list.filter((m) => m.id !== leaver))
  KEYS.forEach((key, i) => {
    const owner = ring.lookup(key)[0].id
    if (was[i][0] === leaver) assert.is(owner, was[i][1], 'a key of the leaver goes to its second owner')
    else assert.is(owner, was[i][0], 'keys of other members stay')
  })
})

test('weight scales ownership; 0 owns nothing; large and invalid weights are bounded', () => {
  const list = ids(20).map((id) => member(id))
  list[0] = member(list[0].id, { weight: '3' })
  list[1] = member(list[1].id, { weight: '0' })
  const ring = ringOf(list)
  const shares = ring.shares()
  const mean = 1 / (19 + 2)
  const heavy = shares.get(list[0].id) ?? 0
  assert.ok(heavy > 2.6 * mean && heavy < 3.4 * mean, `weight 3 owns ${(heavy / mean).toFixed(2)} × a weight-1 share`)
  assert.not.ok(shares.has(list[1].id), 'weight 0: no points')
  assert.is(ring.size, 19)
  assert.is(memberWeight({ weight: '1e9' }), MAX_WEIGHT)
  assert.is(memberWeight({ weight: 'lots' }), 1)
  assert.is(memberWeight({ weight: '-2' }), 1)
  assert.is(memberWeight({ weight: 'Infinity' }), 1)
  assert.is(memberWeight({}), 1)
  const greedy = ringOf([member('a'), member('b', { weight: '1e12' })], 10)
  assert.is(greedy.pointCount, 10 + 10 * MAX_WEIGHT, 'a claimed weight of 10^12 costs at most MAX_WEIGHT × the points')
})

test('zone: the n owners of a key come from distinct zones while zones remain, then in ring order', () => {
  const zones = ['a', 'b', 'c']
  const list = ids(12).map((id, i) => member(id, { zone: zones[i % 3] }))
  const ring = ringOf(list)
  const zoneOf = new Map(list.map((m) => [m.id, m.meta.zone]))
  for (const key of KEYS.slice(0, 1000)) {
    const three = ring.lookup(key, 3)
    assert.is(new Set(three.map((m) => zoneOf.get(m.id))).size, 3, 'three owners, three zones')
    assert.is(three[0].id, ring.lookup(key)[0].id, 'the owner comes first')
    const five = ring.lookup(key, 5)
    assert.is(new Set(five.map((m) => m.id)).size, 5)
    assert.equal(five.slice(0, 3), three, 'more owners extend the list')
  }
  const twoZones = ringOf(ids(6).map((id, i) => member(id, { zone: i < 2 ? 'x' : 'y' })))
  for (const key of KEYS.slice(0, 200)) {
    const picked = twoZones.lookup(key, 3)
    assert.is(picked.length, 3)
    assert.is(new Set(picked.slice(0, 2).map((m) => m.meta.zone)).size, 2, 'the first two cover both zones')
  }
})

test('lookup answers n distinct live members at most, counts suspects, skips dead and departed', () => {
  const list = [member('a'), member('b', {}, 'suspect'), member('c', {}, 'dead'), member('d', {}, 'left')]
  const ring = ringOf(list)
  assert.is(ring.size, 2)
  const all = ring.lookup('k', 10).map((m) => m.id).sort()
  assert.equal(all, ['a', 'b'])
  assert.equal(new HashRing().lookup('k', 3), [], 'an empty ring owns nothing')
  assert.throws(() => ring.lookup('k', 0), /Invalid n 0/)
  assert.throws(() => ring.lookup('k', 1.5), /Invalid n/)
  assert.throws(() => new HashRing({ pointsPerMember: 0 }), /Invalid pointsPerMember/)
})

test('a byte key and the string of the same UTF-8 bytes have the same owner', () => {
  const ring = ringOf(ids(30).map((id) => member(id)))
  for (const key of ['user:42', 'ünïcødé', '']) {
    assert.equal(ring.lookup(new TextEncoder().encode(key), 3), ring.lookup(key, 3))
  }
})

test('a metadata-only change updates the snapshots without moving points', () => {
  const list = ids(5).map((id) => member(id))
  const ring = ringOf(list)
  const changed = list.map((m) => ({ ...m, meta: { role: 'db' } }))
  assert.is(ring.update(changed), false)
  assert.is(ring.lookup('k')[0].meta.role, 'db')
})

test.run()
