import type { Update } from './messages.ts'

interface Entry {
  key: string
  update: Update
  size: number
  transmits: number
  prev: Entry | null
  next: Entry | null
}

/** A doubly linked list: newest at head. */
class Bucket {
  head: Entry | null = null
  tail: Entry | null = null
  /**
   * No entry in the bucket is smaller (a lower bound, made exact by every full scan): lets
   * `take` skip a bucket none of whose updates can fit, instead of walking all of it.
   */
  minSize = Infinity

  pushHead (e: Entry): void {
    if (e.size < this.minSize) this.minSize = e.size
    e.prev = null
    e.next = this.head
    if (this.head != null) this.head.prev = e
    this.head = e
    if (this.tail == null) this.tail = e
  }

  remove (e: Entry): void {
    if (e.prev != null) e.prev.next = e.next
    else this.head = e.next
    if (e.next != null) e.next.prev = e.prev
    else this.tail = e.prev
    e.prev = null
    e.next = null
  }
}

/** Below this many bytes of budget, nothing more can fit in a message. */
const SMALLEST_UPDATE = 16

/**
 * Transmit-limited broadcast queue (memberlist's TransmitLimitedQueue): every update is
 * piggybacked a limited number of times; updates sent least often go first (among unsent
 * ones, newest first); newer news about a member replaces what is queued about it. Selection is
 * O(updates taken), not O(queue), by keeping one list per transmit count.
 */
export class BroadcastQueue {
  private readonly byKey = new Map<string, Entry>()
  private readonly buckets: Bucket[] = []

  constructor (private readonly maxEntries: number) {}

  get size (): number {
    return this.byKey.size
  }

  /** Queues `update` under `key` (a member id), replacing older news about that member. */
  enqueue (key: string, update: Update, size: number): void {
    const old = this.byKey.get(key)
    if (old != null) this.unlink(old)
    const entry: Entry = { key, update, size, transmits: 0, prev: null, next: null }
    this.byKey.set(key, entry)
    this.bucket(0).pushHead(entry)
    if (this.byKey.size > this.maxEntries) this.dropMostSent()
  }

  /** The queued update about `key`, if any. */
  peek (key: string): Update | undefined {
    return this.byKey.get(key)?.update
  }

  /**
   * Takes updates that fit in `budget` bytes, least-sent first, and counts a transmission
   * for each; an update sent `limit` times leaves the queue. If nothing fits but the queue
   * holds an oversized update, that one goes alone, so nothing is stuck forever.
   */
  take (budget: number, limit: number): Update[] {
    // The usual case in a stable cluster, on every ping and ack: nothing to send.
    if (this.byKey.size === 0) return []
    const out: Update[] = []
    const moved: Entry[] = []
    let used = 0
    const room = (): boolean => out.length === 0 || budget - used >= SMALLEST_UPDATE
    for (let t = 0; t < this.buckets.length && room(); t++) {
      const bucket = this.buckets[t]
      let e = bucket.head
      // Entries still in the bucket after a full walk, to make minSize exact again.
      let smallest = Infinity
      while (e != null && room()) {
        // Once something is taken, nothing smaller than the bucket's smallest can still fit:
        // what is left of the walk would take nothing (a bucket of updates sent `limit` times
        // or more is walked anyway, to drop them).
        if (out.length > 0 && t < limit && budget - used < bucket.minSize) { smallest = -1; break }
        const next = e.next
        if (e.transmits >= limit) {
          this.unlink(e)
        } else if (used + e.size <= budget || (out.length === 0 && e.size > budget)) {
          out.push(e.update)
          used += e.size
          this.buckets[t].remove(e)
          e.transmits++
          if (e.transmits >= limit) this.byKey.delete(e.key)
          else moved.push(e)
        } else if (e.size < smallest) {
          smallest = e.size
        }
        e = next
      }
      if (e == null && smallest >= 0) bucket.minSize = smallest
    }
    // Re-insert in reverse so the newest stays at the head of its new bucket.
    for (let i = moved.length - 1; i >= 0; i--) this.bucket(moved[i].transmits).pushHead(moved[i])
    return out
  }

  private bucket (transmits: number): Bucket {
    while (this.buckets.length <= transmits) this.buckets.push(new Bucket())
    return this.buckets[transmits]
  }

  private unlink (e: Entry): void {
    this.buckets[e.transmits].remove(e)
    this.byKey.delete(e.key)
  }

  private dropMostSent (): void {
    for (let t = this.buckets.length - 1; t >= 0; t--) {
      const victim = this.buckets[t].tail
      if (victim != null) {
        this.unlink(victim)
        return
      }
    }
  }
}
