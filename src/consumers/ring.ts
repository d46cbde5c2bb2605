/**
 * A consistent-hash ring over the live members of one view: `lookup(key, n)` gives the n
 * distinct members that own a key, owner first. Pure: no I/O, no clock; the same members
 * give the same ring, whatever order they come in and whoever builds it.
 *
 * The scheme (chosen by measurement, see bench/ring.ts): a ring with `pointsPerMember` virtual
 * points per member (2,000 by default, scaled by its `weight`), each point at
 * xxHash32(member id, seed = point number). A key is owned by the member of the first point at
 * or after xxHash32(key), wrapping around. Why this one:
 * - movement is minimal by construction: a member joining takes only the arcs before its own
 *   points, a member leaving gives only its own arcs away, and nobody else's keys move;
 * - with 2,000 points per member the busiest of 100 members owns about 1.06× the mean of
 *   10^6 keys (1,000 points give about 1.08×, sometimes over 1.10×; ringpop's 100 about 1.3×);
 * - a lookup is one hash and a search inside one of 65,536 buckets (a few steps), whatever N;
 * - a view change is a merge of the joiner's points into the sorted array (or a filter of the
 *   leaver's) by block copies, a few ms at 1,000 members (2 million points, 16 MB).
 * Rendezvous hashing balances as well and moves as little, but costs N hashes per lookup;
 * Maglev looks up as fast, but moves keys between members that did not change.
 *
 * Metadata: `weight` (a number ≥ 0, default 1, capped at MAX_WEIGHT) scales a member's points,
 * so its share; 0 gives it none. `zone` spreads the n owners of a key over distinct zones
 * while there are zones left: walking the ring from the key, a member of a zone already
 * chosen is passed over until every zone has one owner, then the ones passed over fill the
 * rest in ring order.
 *
 * Live members are those alive or suspect: a suspicion is often refuted within a second,
 * and moving keys away and back on each one would churn the consumers' state for nothing.
 * A member leaves the ring when it is declared dead or leaves.
 */
import { hashKey, hashString } from './hash.ts'
import type { Member } from '../core/types.ts'

/** Virtual points per member of weight 1. */
export const DEFAULT_POINTS_PER_MEMBER = 2000
/** Largest weight honoured: a member claiming more cannot make every ring grow without bound. */
export const MAX_WEIGHT = 16
/** Positions are bucketed by their top 16 bits, so a search covers a bucket, not the ring. */
const BUCKET_BITS = 16
const BUCKETS = 1 << BUCKET_BITS
/** Ties of equal positions are sorted by member id; ranks below 2^20 keep keys exact doubles. */
const RANK_SPACE = 2 ** 20

export interface RingOptions {
  /** Points of a member of weight 1. @default 2000 */
  pointsPerMember?: number
}

interface Slot {
  id: string
  member: Member
  points: number
  /** A small integer per distinct zone of this ring, for the spread over zones. */
  zone: number
  zoneName: string
}

/** A member's weight from its metadata: a finite number ≥ 0, else 1; at most MAX_WEIGHT. */
export function memberWeight (meta: Record<string, string>): number {
  const raw = meta.weight
  if (raw == null || raw.trim() === '') return 1
  const weight = Number(raw)
  if (!Number.isFinite(weight) || weight < 0) return 1
  return Math.min(weight, MAX_WEIGHT)
}

/** A member's zone from its metadata ('' when it names none). */
export function memberZone (meta: Record<string, string>): string {
  return meta.zone ?? ''
}

/** Members that own keys: alive or suspect. */
export function isRingMember (member: Member): boolean {
  return member.state === 'alive' || member.state === 'suspect'
}

export class HashRing {
  readonly pointsPerMember: number
  /** Sorted positions of every point, and the slot owning each. */
  private positions = new Uint32Array(0)
  private owners = new Uint32Array(0)
  /** Points in use at the front of `positions` and `owners` (the rest is spare capacity). */
  private length = 0
  /**
   * bucketStart[b] = first index whose position's top bits are >= b; one extra at the end.
   * Allocated (256 KB) by the first update that puts points in the ring: every node holds a
   * ring, most never look anything up.
   */
  private bucketStart = new Uint32Array(0)
  private slots: Array<Slot | undefined> = []
  private readonly byId = new Map<string, number>()
  private freeSlots: number[] = []
  private zones = new Map<string, number>()
  /** Per-slot marks for a lookup walk (compared with `walk`, so never cleared). */
  private seen = new Uint32Array(0)
  private walk = 0

  constructor (options: RingOptions = {}) {
    const points = options.pointsPerMember ?? DEFAULT_POINTS_PER_MEMBER
    if (!Number.isInteger(points) || points < 1 || points > 100_000) {
      throw new RangeError(`Invalid pointsPerMember ${points}: need a whole number from 1 to 100000`)
    }
    this.pointsPerMember = points
  }

  /** Members in the ring (those with at least one point). */
  get size (): number {
    return this.byId.size
  }

  /** Points in the ring. */
  get pointCount (): number {
    return this.length
  }

  /**
   * Brings the ring to this view (any members; those not alive or suspect are left out).
   * Only members that joined, left or changed weight move points. Returns whether any
   * point moved. Throws a RangeError for a view larger than the ring can rank (2^20).
   */
  update (members: readonly Member[]): boolean {
    const wanted = new Map<string, { member: Member, points: number }>()
    for (const member of members) {
      if (!isRingMember(member)) continue
      const points = Math.round(this.pointsPerMember * memberWeight(member.meta))
      if (points > 0) wanted.set(member.id, { member, points })
    }
    if (wanted.size >= RANK_SPACE) throw new RangeError(`Cannot build a ring of ${wanted.size} members: at most ${RANK_SPACE - 1}`)
    const removed = new Set<number>()
    for (const [id, index] of this.byId) {
      const want = wanted.get(id)
      const slot = this.slots[index] as Slot
      if (want == null || want.points !== slot.points) removed.add(index)
    }
    const added: Array<{ member: Member, points: number }> = []
    for (const [id, want] of wanted) {
      const index = this.byId.get(id)
      if (index == null || removed.has(index)) {
        added.push(want)
      } else {
        const slot = this.slots[index] as Slot
        slot.member = want.member
        slot.zoneName = memberZone(want.member.meta)
      }
    }
    // points leave while their slots still name their members (the order of ties needs ids)
    if (removed.size > 0) this.removePoints(removed)
    for (const index of removed) {
      const slot = this.slots[index] as Slot
      this.byId.delete(slot.id)
      this.slots[index] = undefined
      this.freeSlots.push(index)
    }
    const addedSlots: number[] = []
    for (const { member, points } of added) {
      const index = this.freeSlots.pop() ?? this.slots.length
      this.slots[index] = { id: member.id, member, points, zone: 0, zoneName: memberZone(member.meta) }
      this.byId.set(member.id, index)
      addedSlots.push(index)
    }
    if (this.freeSlots.length > 0 && this.freeSlots.length === this.slots.length) {
      this.slots = []
      this.freeSlots = []
    }
    this.renumberZones()
    if (this.seen.length < this.slots.length) this.seen = new Uint32Array(Math.max(16, this.slots.length * 2))
    if (removed.size === 0 && addedSlots.length === 0) return false
    if (addedSlots.length > 0) this.merge(addedSlots)
    this.indexBuckets()
    return true
  }

  /**
   * The n distinct members owning `key`, owner first (fewer when the ring has fewer). Members
   * are the snapshots given to the last `update`.
   */
  lookup (key: string | Uint8Array, n = 1): Member[] {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Invalid n ${n}: need a whole number >= 1`)
    const total = this.length
    if (total === 0) return []
    const start = this.search(hashKey(key) >>> 0)
    if (n === 1) return [(this.slots[this.owners[start]] as Slot).member]
    const target = Math.min(n, this.byId.size)
    const zoneTarget = Math.min(target, this.zones.size)
    const mark = this.nextWalk()
    const usedZones = new Set<number>()
    const picked: Member[] = []
    const passed: Member[] = []
    let i = start
    let steps = 0
    // first: one owner per zone, passing over members of zones already chosen
    for (; steps < total && usedZones.size < zoneTarget; steps++, i = i + 1 === total ? 0 : i + 1) {
      const index = this.owners[i]
      if (this.seen[index] === mark) continue
      this.seen[index] = mark
      const slot = this.slots[index] as Slot
      if (usedZones.has(slot.zone)) {
        passed.push(slot.member)
      } else {
        usedZones.add(slot.zone)
        picked.push(slot.member)
      }
    }
    // then: the members passed over, then the next ones in ring order
    for (const member of passed) {
      if (picked.length === target) return picked
      picked.push(member)
    }
    for (; steps < total && picked.length < target; steps++, i = i + 1 === total ? 0 : i + 1) {
      const index = this.owners[i]
      if (this.seen[index] === mark) continue
      this.seen[index] = mark
      picked.push((this.slots[index] as Slot).member)
    }
    return picked
  }

  /** Each member's share of the hash space (fractions summing to 1), for benchmarks and tests. */
  shares (): Map<string, number> {
    const shares = new Map<string, number>()
    const total = this.length
    for (let i = 0; i < total; i++) {
      const prev = i === 0 ? this.positions[total - 1] - 2 ** 32 : this.positions[i - 1]
      const id = (this.slots[this.owners[i]] as Slot).id
      shares.set(id, (shares.get(id) ?? 0) + (this.positions[i] - prev) / 2 ** 32)
    }
    return shares
  }

  // ----------------------------------------------------------------

  /** Index of the first point at or after `h`, wrapping to 0. */
  private search (h: number): number {
    const bucket = h >>> (32 - BUCKET_BITS)
    let lo = this.bucketStart[bucket]
    let hi = this.bucketStart[bucket + 1]
    const positions = this.positions
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (positions[mid] < h) lo = mid + 1
      else hi = mid
    }
    return lo === this.length ? 0 : lo
  }

  private nextWalk (): number {
    if (++this.walk === 0xffffffff) {
      this.seen.fill(0)
      this.walk = 1
    }
    return this.walk
  }

  private renumberZones (): void {
    const names = new Set<string>()
    for (const slot of this.slots) if (slot != null) names.add(slot.zoneName)
    const zones = new Map<string, number>()
    for (const name of [...names].sort()) zones.set(name, zones.size)
    for (const slot of this.slots) if (slot != null) slot.zone = zones.get(slot.zoneName) as number
    this.zones = zones
  }

  /** Order of two points at the same position: by member id, so every builder agrees. */
  private before (slotA: number, slotB: number): boolean {
    return (this.slots[slotA] as Slot).id < (this.slots[slotB] as Slot).id
  }

  /**
   * Drops the removed slots' points. A few members' points (the usual view change) are found
   * by search and cut out with block copies (memmove), much faster than a pass over a
   * million points in JavaScript; many are filtered out in one pass.
   */
  private removePoints (removed: Set<number>): void {
    const positions = this.positions
    const owners = this.owners
    const length = this.length
    let count = 0
    for (const index of removed) count += (this.slots[index] as Slot).points
    if (count * 8 > length) {
      const gone = new Uint8Array(this.slots.length)
      for (const index of removed) gone[index] = 1
      let out = 0
      for (let i = 0; i < length; i++) {
        const owner = owners[i]
        if (gone[owner] === 1) continue
        positions[out] = positions[i]
        owners[out++] = owner
      }
      this.length = out
      return
    }
    const [keys, byId] = this.pointKeys([...removed])
    let out = 0
    let from = 0
    for (let j = 0; j < keys.length; j++) {
      const position = Math.floor(keys[j] / RANK_SPACE)
      const owner = byId[keys[j] % RANK_SPACE]
      const at = this.lowerBound(from, length, position, owner)
      if (at >= length || positions[at] !== position || owners[at] !== owner) continue // not there: nothing to cut
      if (at > from) {
        positions.copyWithin(out, from, at)
        owners.copyWithin(out, from, at)
        out += at - from
      }
      from = at + 1
    }
    positions.copyWithin(out, from, length)
    owners.copyWithin(out, from, length)
    this.length = out + (length - from)
  }

  /** The slots' points as sorted keys position × RANK_SPACE + rank, ranks by member id. */
  private pointKeys (slots: number[]): [Float64Array, number[]] {
    const byId = slots.sort((a, b) => this.before(a, b) ? -1 : 1)
    let count = 0
    for (const index of byId) count += (this.slots[index] as Slot).points
    const keys = new Float64Array(count)
    let k = 0
    for (let rank = 0; rank < byId.length; rank++) {
      const slot = this.slots[byId[rank]] as Slot
      for (let p = 0; p < slot.points; p++) keys[k++] = (hashString(slot.id, p) >>> 0) * RANK_SPACE + rank
    }
    keys.sort()
    return [keys, byId]
  }

  /** First index in [lo, hi) whose point is not before (position, owner). */
  private lowerBound (lo: number, hi: number, position: number, owner: number): number {
    const positions = this.positions
    const owners = this.owners
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (positions[mid] < position || (positions[mid] === position && owners[mid] !== owner && this.before(owners[mid], owner))) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Merges the added slots' points into the sorted arrays, from the back, in place. */
  private merge (added: number[]): void {
    const [keys, byId] = this.pointKeys([...added])
    const count = keys.length
    const length = this.length
    if (length + count > this.positions.length) {
      const capacity = Math.ceil((length + count) * 1.25)
      const positions = new Uint32Array(capacity)
      const owners = new Uint32Array(capacity)
      positions.set(this.positions.subarray(0, length))
      owners.set(this.owners.subarray(0, length))
      this.positions = positions
      this.owners = owners
    }
    const positions = this.positions
    const owners = this.owners
    // from the last added point down: the old points after it move up as one block
    let end = length
    for (let j = count - 1; j >= 0; j--) {
      const position = Math.floor(keys[j] / RANK_SPACE)
      const owner = byId[keys[j] % RANK_SPACE]
      const lo = this.lowerBound(0, end, position, owner)
      if (end > lo) {
        positions.copyWithin(lo + j + 1, lo, end)
        owners.copyWithin(lo + j + 1, lo, end)
      }
      positions[lo + j] = position
      owners[lo + j] = owner
      end = lo
    }
    this.length = length + count
  }

  /** bucketStart[b] = the first point whose top bits are >= b, found by galloping from the last. */
  private indexBuckets (): void {
    if (this.bucketStart.length === 0) this.bucketStart = new Uint32Array(BUCKETS + 1)
    const positions = this.positions
    const length = this.length
    let from = 0
    for (let b = 0; b < BUCKETS; b++) {
      const threshold = b * 2 ** (32 - BUCKET_BITS)
      let step = 1
      let hi = from
      while (hi < length && positions[hi] < threshold) {
        from = hi + 1
        hi = from + step
        step *= 2
      }
      if (hi > length) hi = length
      let lo = from
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (positions[mid] < threshold) lo = mid + 1
        else hi = mid
      }
      this.bucketStart[b] = lo
      from = lo
    }
    this.bucketStart[BUCKETS] = length
  }
}
