import type { MemberRecord } from './messages.ts'
import type { ProbeRotation } from './probe-order.ts'
import { digestPartA, digestPartB } from './push-pull.ts'
import { sample, type Random } from './random.ts'
import type { Member, MemberState } from './types.ts'

/** What one node keeps about another member. */
export interface MemberEntry {
  /** The member's latest own (signed) record. */
  record: MemberRecord
  /** Changed only through the table (`setState`), which keeps the view digest. */
  readonly state: MemberState
  /** The incarnation the state refers to; >= record.incarnation. Changed only through the table. */
  readonly incarnation: number
  /** When our view of its state last changed. */
  since: number
}

/**
 * What the machine needs of a member table. `MemberTable` is the table of a real node (and
 * of the simulator by default); the simulator's large runs use `SharedMemberTable`
 * (shared-members.ts), which keeps the values many nodes hold alike once for all of them.
 * Both hold other members only: the machine keeps itself apart.
 */
export interface MemberView {
  readonly size: number
  /** Members currently alive or suspect: the cluster size used by the formulas (without self). */
  readonly live: number
  /** Members in `heard` that are alive or suspect. */
  readonly heardLive: number
  /** Members that spoke to us directly, as a set over the table (cleared when one leaves it). */
  readonly heard: MemberSet
  /** The digest sums of the entries (`viewDigest` adds the local member's own terms). */
  readonly digestSums: readonly [number, number]
  get: (id: string) => MemberEntry | undefined
  count: (state: MemberState) => number
  add: (entry: MemberEntry) => void
  setState: (entry: MemberEntry, state: MemberState, incarnation: number, now: number) => void
  /** A newer incarnation for the same state (a newer record or claim). */
  setIncarnation: (entry: MemberEntry, incarnation: number) => void
  remove: (id: string) => void
  /** Every entry, in the table's order (stable between changes). */
  values: () => IterableIterator<MemberEntry>
  /** The entries that are dead or left, in the table's order. */
  gone: () => IterableIterator<MemberEntry>
  /** Up to `k` distinct members in `heard` that `accept` takes, chosen at random. */
  sampleHeard: (random: Random, k: number, accept: (id: string) => boolean) => string[]
  /** Up to `k` distinct members that `accept` takes, chosen at random. */
  sampleAll: (random: Random, k: number, accept: (id: string) => boolean) => string[]
}

/**
 * Makes a machine's member table and probe rotations (`SwimMachineInit.tables`); without
 * it, a machine has a dense `MemberTable` and two `ProbeOrder`s. The simulator's large runs
 * pass tables over one `SharedMembers` store and keyed probe orders.
 */
export interface MemberTables {
  table: (self: string) => MemberView
  /** The rotation of members that spoke to us. */
  order: (self: string, random: Random, table: MemberView) => ProbeRotation
  /** The rotation of members that never did. */
  unheardOrder: (self: string, random: Random, table: MemberView) => ProbeRotation
}

/**
 * Interned member ids: each id gets a small integer key, which member tables use to index
 * their typed arrays instead of holding one object and map entries per member. One registry
 * may be shared by many tables (the simulator shares one between all its nodes, so each id
 * string is held once); a key is freed when no table holds it any more, so ids that come
 * and go (a flood of fakes, churn) do not accumulate.
 */
export class MemberIds {
  private readonly keys = new Map<string, number>()
  private readonly names: string[] = []
  private holders = new Uint32Array(64)
  private readonly free: number[] = []

  /** One more than the highest key handed out. */
  get capacity (): number {
    return this.names.length
  }

  /** Every id by key ('' for a free key); the registry's own array, not a copy. */
  get all (): readonly string[] {
    return this.names
  }

  key (id: string): number | undefined {
    return this.keys.get(id)
  }

  name (key: number): string {
    return this.names[key]
  }

  /** The key of `id`, interned if new, counting one more table that holds it. */
  acquire (id: string): number {
    let key = this.keys.get(id)
    if (key === undefined) {
      key = this.free.pop() ?? this.names.length
      if (key === this.names.length) this.names.push(id)
      else this.names[key] = id
      this.keys.set(id, key)
      if (key >= this.holders.length) this.holders = grown(this.holders, key + 1)
    }
    this.holders[key]++
    return key
  }

  /** `count` more tables hold `key` at once (tables filled in bulk). */
  hold (key: number, count: number): void {
    this.holders[key] += count
  }

  /** One table fewer holds `key`; with none left, the key is freed for reuse. */
  release (key: number): void {
    if (--this.holders[key] > 0) return
    this.keys.delete(this.names[key])
    this.names[key] = ''
    this.free.push(key)
  }
}

/** Per-key state codes of the tables (0: no entry), and the flag of a member that spoke to us. @internal */
export const STATES: readonly MemberState[] = ['alive', 'alive', 'suspect', 'dead', 'left']
/** @internal */
export const STATE_CODE: Record<MemberState, number> = { alive: 1, suspect: 2, dead: 3, left: 4 }
/** @internal */
export const STATE_MASK = 7
/** @internal */
export const HEARD = 8
const NONE = -1

/**
 * The member table: for every member, indexed by its interned key, its state, incarnation,
 * since and record in flat arrays, plus a dense array of ids for O(1) random sampling,
 * insertion order for iteration, and live counts per state: about 67 bytes a member, where
 * one object and three map entries cost about 150. Holds other members only; the machine
 * keeps itself apart. `get` and `values` hand out views over the arrays. The default table
 * of every machine; the simulator's large runs share theirs (shared-members.ts).
 */
export class MemberTable implements MemberView {
  private readonly registry: MemberIds
  /** Per key: 0 when absent, else the state code, with HEARD set once the member spoke to us. */
  private code = new Uint8Array(0)
  private incarnation = new Float64Array(0)
  private since = new Float64Array(0)
  private records: Array<MemberRecord | undefined> = []
  /** Insertion order (what `values` walks), as a doubly linked list of keys. */
  private prev = new Int32Array(0)
  private next = new Int32Array(0)
  private head = NONE
  private tail = NONE
  /** Position in `ids` per key; `ids` and `keyAt` are the dense arrays sampling uses. */
  private position = new Int32Array(0)
  private readonly ids: string[] = []
  private readonly keyAt: number[] = []
  private readonly counts: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
  private heardLiveCount = 0
  /** The sums of `viewDigest` over the table's entries, kept as they change. */
  private digestA = 0
  private digestB = 0
  /** Members that spoke to us directly, as a set over the table (cleared when one leaves it). */
  readonly heard: MemberSet

  constructor (registry: MemberIds = new MemberIds()) {
    this.registry = registry
    const heardIds: string[] = []
    this.heardIds = heardIds
    this.heard = {
      has: (id) => { const k = this.keyOf(id); return k !== NONE && (this.code[k] & HEARD) !== 0 },
      add: (id) => {
        const k = this.keyOf(id)
        if (k === NONE || (this.code[k] & HEARD) !== 0) return
        this.code[k] |= HEARD
        if (isLive(this.code[k])) this.heardLiveCount++
        heardIds.push(id)
      },
      delete: (id) => {
        const k = this.keyOf(id)
        if (k !== NONE && (this.code[k] & HEARD) !== 0) this.unhear(k)
      },
      list: () => heardIds,
      [Symbol.iterator]: () => heardIds.values()
    }
  }

  private readonly heardIds: string[]

  /** Rare (a member leaves the table), so a linear search is fine. */
  private unhear (k: number): void {
    if (isLive(this.code[k])) this.heardLiveCount--
    this.code[k] &= ~HEARD
    this.heardIds.splice(this.heardIds.indexOf(this.registry.name(k)), 1)
  }

  get size (): number {
    return this.ids.length
  }

  get (id: string): MemberEntry | undefined {
    const k = this.keyOf(id)
    return k === NONE ? undefined : new EntryView(this, k)
  }

  /** Members currently alive or suspect: the cluster size used by the formulas (without self). */
  get live (): number {
    return this.counts.alive + this.counts.suspect
  }

  get heardLive (): number {
    return this.heardLiveCount
  }

  count (state: MemberState): number {
    return this.counts[state]
  }

  add (entry: MemberEntry): void {
    const id = entry.record.id
    if (this.keyOf(id) !== NONE) throw new Error(`Member ${id} is already in the table`)
    const k = this.registry.acquire(id)
    if (k >= this.code.length) this.grow(this.registry.capacity)
    this.code[k] = STATE_CODE[entry.state]
    this.incarnation[k] = entry.incarnation
    this.since[k] = entry.since
    this.records[k] = entry.record
    this.prev[k] = this.tail
    this.next[k] = NONE
    if (this.tail === NONE) this.head = k
    else this.next[this.tail] = k
    this.tail = k
    this.position[k] = this.ids.length
    this.ids.push(id)
    this.keyAt.push(k)
    this.counts[entry.state]++
    this.count_(k, 1)
  }

  setState (entry: MemberEntry, state: MemberState, incarnation: number, now: number): void {
    const k = this.keyFor(entry)
    this.counts[entry.state]--
    this.counts[state]++
    this.count_(k, -1)
    if ((this.code[k] & HEARD) !== 0) this.heardLiveCount += (isLive(STATE_CODE[state]) ? 1 : 0) - (isLive(this.code[k]) ? 1 : 0)
    this.code[k] = (this.code[k] & HEARD) | STATE_CODE[state]
    this.incarnation[k] = incarnation
    this.since[k] = now
    this.count_(k, 1)
  }

  /** A newer incarnation for the same state (a newer record or claim). */
  setIncarnation (entry: MemberEntry, incarnation: number): void {
    const k = this.keyFor(entry)
    this.count_(k, -1)
    this.incarnation[k] = incarnation
    this.count_(k, 1)
  }

  /** The digest sums of the entries (`viewDigest` adds the local member's own terms). */
  get digestSums (): readonly [number, number] {
    return [this.digestA, this.digestB]
  }

  remove (id: string): void {
    const k = this.keyOf(id)
    if (k === NONE) return
    if ((this.code[k] & HEARD) !== 0) this.unhear(k)
    this.counts[STATES[this.code[k] & STATE_MASK]]--
    this.count_(k, -1)
    const p = this.prev[k]
    const n = this.next[k]
    if (p === NONE) this.head = n
    else this.next[p] = n
    if (n === NONE) this.tail = p
    else this.prev[n] = p
    const at = this.position[k]
    const lastId = this.ids.pop() as string
    const lastKey = this.keyAt.pop() as number
    if (lastKey !== k) {
      this.ids[at] = lastId
      this.keyAt[at] = lastKey
      this.position[lastKey] = at
    }
    this.code[k] = 0
    this.records[k] = undefined
    this.registry.release(k)
  }

  /** Ids in table order (stable between changes); for sampling and iteration. */
  allIds (): readonly string[] {
    return this.ids
  }

  /** Every entry, in the order they were added. */
  * values (): IterableIterator<MemberEntry> {
    for (let k = this.head; k !== NONE; k = this.next[k]) yield new EntryView(this, k)
  }

  * gone (): IterableIterator<MemberEntry> {
    for (let k = this.head; k !== NONE; k = this.next[k]) if ((this.code[k] & STATE_MASK) >= STATE_CODE.dead) yield new EntryView(this, k)
  }

  sampleHeard (random: Random, k: number, accept: (id: string) => boolean): string[] {
    return sample(random, this.heardIds, k, accept)
  }

  sampleAll (random: Random, k: number, accept: (id: string) => boolean): string[] {
    return sample(random, this.ids, k, accept)
  }

  // Read and written by EntryView only.
  /** @internal */ stateOf (k: number): MemberState { return STATES[this.code[k] & STATE_MASK] }
  /** @internal */ incarnationOf (k: number): number { return this.incarnation[k] }
  /** @internal */ sinceOf (k: number): number { return this.since[k] }
  /** @internal */ setSince (k: number, at: number): void { this.since[k] = at }
  /** @internal */ recordOf (k: number): MemberRecord { return this.records[k] as MemberRecord }
  /** @internal */ setRecord (k: number, record: MemberRecord): void { this.records[k] = record }

  private keyOf (id: string): number {
    const k = this.registry.key(id)
    return k === undefined || k >= this.code.length || this.code[k] === 0 ? NONE : k
  }

  private keyFor (entry: MemberEntry): number {
    if (entry instanceof EntryView && entry.table === this) return entry.key
    const k = this.keyOf(entry.record.id)
    if (k === NONE) throw new Error(`Member ${entry.record.id} is not in the table`)
    return k
  }

  private count_ (k: number, sign: 1 | -1): void {
    const id = this.registry.name(k)
    const state = STATES[this.code[k] & STATE_MASK]
    this.digestA = (this.digestA + sign * digestPartA(id, this.incarnation[k], state)) >>> 0
    this.digestB = (this.digestB + sign * digestPartB(id, this.incarnation[k], state)) >>> 0
  }

  private grow (needed: number): void {
    const size = Math.max(needed, this.code.length * 2, 16)
    this.code = grown(this.code, size)
    this.incarnation = grown(this.incarnation, size)
    this.since = grown(this.since, size)
    this.prev = grown(this.prev, size)
    this.next = grown(this.next, size)
    this.position = grown(this.position, size)
  }
}

/**
 * A set of ids of table members (a member that leaves the table leaves the set). In a
 * `MemberTable`, in the order they were added, like a Set, and `list` is that order as an
 * array, without a copy; a `SharedMemberTable` keeps no list, and `list` is a copy in key order.
 */
export interface MemberSet extends Iterable<string> {
  has: (id: string) => boolean
  /** Ignored for an id that is not in the table. */
  add: (id: string) => void
  delete: (id: string) => void
  list: () => readonly string[]
}

/** What an entry view reads and writes through (a table, by key). @internal */
export interface EntryStore {
  stateOf: (k: number) => MemberState
  incarnationOf: (k: number) => number
  sinceOf: (k: number) => number
  setSince: (k: number, at: number) => void
  recordOf: (k: number) => MemberRecord
  setRecord: (k: number, record: MemberRecord) => void
}

/** A live view of one table entry: reads and writes go to the table's arrays. @internal */
export class EntryView implements MemberEntry {
  constructor (readonly table: EntryStore, readonly key: number) {}
  get record (): MemberRecord { return this.table.recordOf(this.key) }
  set record (record: MemberRecord) { this.table.setRecord(this.key, record) }
  get state (): MemberState { return this.table.stateOf(this.key) }
  get incarnation (): number { return this.table.incarnationOf(this.key) }
  get since (): number { return this.table.sinceOf(this.key) }
  set since (at: number) { this.table.setSince(this.key, at) }
}

/** Whether a state code (flags ignored) is alive or suspect. @internal */
export function isLive (code: number): boolean {
  const state = code & STATE_MASK
  return state === STATE_CODE.alive || state === STATE_CODE.suspect
}

type Grown = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array

/** A copy of `from` at least `size` long (and at least twice as long). @internal */
export function grown<T extends Grown> (from: T, size: number): T {
  const to = new (from.constructor as new (n: number) => T)(Math.max(size, from.length * 2))
  to.set(from)
  return to
}

/** A snapshot for the outside world; never the live entry. */
export function toMember (entry: MemberEntry): Member {
  return {
    id: entry.record.id,
    addrs: [...entry.record.addrs],
    state: entry.state,
    incarnation: entry.incarnation,
    meta: { ...entry.record.meta },
    since: entry.since,
    generation: entry.record.generation ?? 0
  }
}

/** Whether two records of one member announce the same addresses and metadata. */
export function sameContent (a: MemberRecord, b: MemberRecord): boolean {
  if (a.leaving !== b.leaving || a.addrs.length !== b.addrs.length) return false
  for (let i = 0; i < a.addrs.length; i++) if (a.addrs[i] !== b.addrs[i]) return false
  const ka = Object.keys(a.meta)
  if (ka.length !== Object.keys(b.meta).length) return false
  for (const k of ka) if (a.meta[k] !== b.meta[k]) return false
  return true
}
