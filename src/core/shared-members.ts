import { EntryView, grown, HEARD, isLive, MemberIds, STATE_CODE, STATE_MASK, STATES, type EntryStore, type MemberEntry, type MemberSet, type MemberView } from './members.ts'
import type { MemberRecord } from './messages.ts'
import { digestPartA, digestPartB } from './push-pull.ts'
import { sample, type Random } from './random.ts'
import type { MemberState } from './types.ts'

/** One value (record and incarnation) that tables hold for a member, and how many hold it. */
interface Version {
  record: MemberRecord
  incarnation: number
  holders: number
}

/** Tables that one store serves at most: a table names a member's value by a 16-bit slot. */
export const MAX_SHARED_TABLES = 65_535

/**
 * The values of member records shared between the member tables of many simulated nodes.
 * In a cluster most nodes hold the same record and incarnation for a member; the store keeps
 * each distinct (record, incarnation) of a member once, in a slot, and counts the tables that
 * hold it, and each table keeps per member only its state byte and a 2-byte slot number. A
 * node that learns a newer value moves to (or opens) another slot: the others keep theirs,
 * exactly as their dense tables would. A slot no table holds is freed. Records are compared
 * by content, so equal records decoded from different messages share a slot (and a table
 * hands out the slot's object, equal to the one it was given).
 */
export class SharedMembers {
  readonly ids: MemberIds
  private readonly versions: Array<Array<Version | undefined>> = []
  /** For `formed`: the digest sums of every member of the formed view, and their keys. */
  private formedKeys: Uint32Array = new Uint32Array(0)
  /** One more than the highest formed key, and the lowest. */
  private formedRange = { top: 0, bottom: 0 }
  /** Position in `formedKeys` by key. */
  private formedAt = new Map<number, number>()
  private formedA = 0
  private formedB = 0

  constructor (ids: MemberIds = new MemberIds()) {
    this.ids = ids
  }

  /** A new, empty table over this store. */
  table (): SharedMemberTable {
    return new SharedMemberTable(this)
  }

  /**
   * Declares a formed view: every record alive at its incarnation, as after a long-running
   * join. `formedTable(id)` then gives each member a table holding all the others, at the
   * cost of one state byte and one slot per member, with no per-member work. The registry
   * counts `holders` tables for each record (the tables `formedTable` will make).
   */
  form (records: readonly MemberRecord[], holders = records.length - 1): void {
    this.formedKeys = new Uint32Array(records.length)
    this.formedAt = new Map()
    this.formedA = 0
    this.formedB = 0
    records.forEach((record, i) => {
      const k = this.ids.acquire(record.id)
      this.ids.hold(k, holders - 1)
      this.formedKeys[i] = k
      this.formedAt.set(k, i)
      const slots = this.slotsOf(k)
      if (slots.some((v) => v !== undefined)) throw new Error(`Member ${record.id} is already in a table of this store`)
      slots[0] = { record, incarnation: record.incarnation, holders }
      this.formedA = (this.formedA + digestPartA(record.id, record.incarnation, 'alive')) >>> 0
      this.formedB = (this.formedB + digestPartB(record.id, record.incarnation, 'alive')) >>> 0
    })
    let top = 0
    let bottom = Infinity
    for (const k of this.formedKeys) {
      if (k >= top) top = k + 1
      if (k < bottom) bottom = k
    }
    this.formedRange = { top, bottom }
  }

  /** The table of member `self` of the formed view: every other member alive and heard, since `since`. */
  formedTable (self: string, since: number): SharedMemberTable {
    const k = this.ids.key(self)
    if (k === undefined || this.formedAt.get(k) === undefined) throw new Error(`${self} is not a member of the formed view`)
    const v = this.value(k, 0)
    const a = (this.formedA - digestPartA(self, v.incarnation, 'alive')) >>> 0
    const b = (this.formedB - digestPartB(self, v.incarnation, 'alive')) >>> 0
    return SharedMemberTable.formed(this, this.formedKeys, this.formedRange, k, since, a, b)
  }

  /** @internal The slot holding (record, incarnation) for key `k`, one more holder counted. */
  acquire (k: number, record: MemberRecord, incarnation: number): number {
    const slots = this.slotsOf(k)
    let free = -1
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i]
      if (v === undefined) {
        if (free < 0) free = i
      } else if (v.incarnation === incarnation && sameRecord(v.record, record)) {
        v.holders++
        return i
      }
    }
    if (free < 0) {
      if (slots.length >= MAX_SHARED_TABLES) throw new Error(`More than ${MAX_SHARED_TABLES} values of member ${record.id} at once`)
      free = slots.length
      slots.push(undefined)
    }
    slots[free] = { record, incarnation, holders: 1 }
    return free
  }

  /** @internal One table fewer holds slot `slot` of key `k`. */
  release (k: number, slot: number): void {
    const slots = this.versions[k]
    const v = slots[slot] as Version
    if (--v.holders > 0) return
    slots[slot] = undefined
    while (slots.length > 0 && slots[slots.length - 1] === undefined) slots.pop()
  }

  /** @internal */
  value (k: number, slot: number): Version {
    return this.versions[k][slot] as Version
  }

  /** Distinct values held for key `k` (for tests and figures). */
  valuesHeld (id: string): number {
    const k = this.ids.key(id)
    return k === undefined ? 0 : (this.versions[k] ?? []).filter((v) => v !== undefined).length
  }

  private slotsOf (k: number): Array<Version | undefined> {
    while (this.versions.length <= k) this.versions.push([])
    return this.versions[k]
  }
}

/**
 * A member table over a `SharedMembers` store (the simulator's large runs): per member a
 * state byte (state and the heard flag) and a 2-byte slot of the store, 3 bytes where the
 * dense `MemberTable` costs about 67. `since` is exact: kept sparse for the entries whose
 * `since` differs from the table's base time (a formed table's start), dense (8 bytes) once
 * more than an eighth of the entries do. The order of `values` is the order of the keys,
 * not of insertion; sampling draws among the registry's keys. Same contract otherwise.
 */
export class SharedMemberTable implements MemberView, EntryStore {
  readonly heard: MemberSet
  private readonly store: SharedMembers
  private readonly registry: MemberIds
  private code = new Uint8Array(0)
  private slot = new Uint16Array(0)
  private baseSince = 0
  private sinceMap: Map<number, number> | undefined = new Map()
  private sinceDense: Float64Array | undefined
  private readonly counts: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
  private entries = 0
  private heardLiveCount = 0
  private digestA = 0
  private digestB = 0
  /** Keys of the entries that are dead or left, for `gone` (a handful in a healthy cluster). */
  private readonly goneKeys = new Set<number>()

  constructor (store: SharedMembers) {
    this.store = store
    this.registry = store.ids
    this.heard = {
      has: (id) => { const k = this.keyOf(id); return k >= 0 && (this.code[k] & HEARD) !== 0 },
      add: (id) => {
        const k = this.keyOf(id)
        if (k < 0 || (this.code[k] & HEARD) !== 0) return
        this.code[k] |= HEARD
        if (isLive(this.code[k])) this.heardLiveCount++
      },
      delete: (id) => {
        const k = this.keyOf(id)
        if (k < 0 || (this.code[k] & HEARD) === 0) return
        if (isLive(this.code[k])) this.heardLiveCount--
        this.code[k] &= ~HEARD
      },
      // A copy, in key order: this table keeps no list of them.
      list: () => this.heardIds(),
      [Symbol.iterator]: () => this.heardIds().values()
    }
  }

  /** @internal A table holding every key of `keys` but `self` alive and heard (see SharedMembers.form). */
  static formed (store: SharedMembers, keys: Uint32Array, range: { top: number, bottom: number }, self: number, since: number, digestA: number, digestB: number): SharedMemberTable {
    const t = new SharedMemberTable(store)
    const { top, bottom } = range
    t.code = new Uint8Array(top)
    t.slot = new Uint16Array(top)
    // The keys of a formed view are usually one run (a fresh registry): fill it at once.
    if (top - bottom === keys.length) t.code.fill(STATE_CODE.alive | HEARD, bottom, top)
    else for (const k of keys) t.code[k] = STATE_CODE.alive | HEARD
    t.code[self] = 0
    t.entries = keys.length - 1
    t.counts.alive = t.entries
    t.heardLiveCount = t.entries
    t.baseSince = since
    t.digestA = digestA
    t.digestB = digestB
    return t
  }

  get size (): number {
    return this.entries
  }

  get live (): number {
    return this.counts.alive + this.counts.suspect
  }

  get heardLive (): number {
    return this.heardLiveCount
  }

  get digestSums (): readonly [number, number] {
    return [this.digestA, this.digestB]
  }

  count (state: MemberState): number {
    return this.counts[state]
  }

  get (id: string): MemberEntry | undefined {
    const k = this.keyOf(id)
    return k < 0 ? undefined : new EntryView(this, k)
  }

  /** The id at `key` when this table holds it (for a keyed probe order). */
  memberAt (key: number): string | undefined {
    return key < this.code.length && this.code[key] !== 0 ? this.registry.name(key) : undefined
  }

  /** One more than the highest key this table may hold. */
  get capacity (): number {
    return this.code.length
  }

  add (entry: MemberEntry): void {
    const id = entry.record.id
    if (this.keyOf(id) >= 0) throw new Error(`Member ${id} is already in the table`)
    const k = this.registry.acquire(id)
    if (k >= this.code.length) this.grow(this.registry.capacity)
    this.code[k] = STATE_CODE[entry.state]
    this.slot[k] = this.store.acquire(k, entry.record, entry.incarnation)
    this.writeSince(k, entry.since)
    this.entries++
    this.counts[entry.state]++
    if (entry.state === 'dead' || entry.state === 'left') this.goneKeys.add(k)
    this.count_(k, 1)
  }

  setState (entry: MemberEntry, state: MemberState, incarnation: number, now: number): void {
    const k = this.keyFor(entry)
    const before = this.code[k]
    this.counts[STATES[before & STATE_MASK]]--
    this.counts[state]++
    this.count_(k, -1)
    if ((before & HEARD) !== 0) this.heardLiveCount += (isLive(STATE_CODE[state]) ? 1 : 0) - (isLive(before) ? 1 : 0)
    this.code[k] = (before & HEARD) | STATE_CODE[state]
    if (state === 'dead' || state === 'left') this.goneKeys.add(k)
    else this.goneKeys.delete(k)
    this.move(k, this.recordOf(k), incarnation)
    this.writeSince(k, now)
    this.count_(k, 1)
  }

  setIncarnation (entry: MemberEntry, incarnation: number): void {
    const k = this.keyFor(entry)
    this.count_(k, -1)
    this.move(k, this.recordOf(k), incarnation)
    this.count_(k, 1)
  }

  remove (id: string): void {
    const k = this.keyOf(id)
    if (k < 0) return
    const code = this.code[k]
    if ((code & HEARD) !== 0 && isLive(code)) this.heardLiveCount--
    this.counts[STATES[code & STATE_MASK]]--
    this.count_(k, -1)
    this.entries--
    this.goneKeys.delete(k)
    this.store.release(k, this.slot[k])
    this.writeSince(k, this.baseSince)
    this.code[k] = 0
    this.registry.release(k)
  }

  /** Every entry, in key order. */
  * values (): IterableIterator<MemberEntry> {
    for (let k = 0; k < this.code.length; k++) if (this.code[k] !== 0) yield new EntryView(this, k)
  }

  * gone (): IterableIterator<MemberEntry> {
    for (const k of [...this.goneKeys]) if (this.code[k] !== 0) yield new EntryView(this, k)
  }

  sampleHeard (random: Random, k: number, accept: (id: string) => boolean): string[] {
    if (this.entries === 0) return []
    return sample(random, this.registry.all, k, (id) => this.heard.has(id) && accept(id))
  }

  sampleAll (random: Random, k: number, accept: (id: string) => boolean): string[] {
    if (this.entries === 0) return []
    return sample(random, this.registry.all, k, (id) => this.keyOf(id) >= 0 && accept(id))
  }

  // EntryStore: read and written by EntryView only.
  /** @internal */ stateOf (k: number): MemberState { return STATES[this.code[k] & STATE_MASK] }
  /** @internal */ incarnationOf (k: number): number { return this.store.value(k, this.slot[k]).incarnation }
  /** @internal */ sinceOf (k: number): number {
    if (this.sinceDense !== undefined) return this.sinceDense[k]
    return this.sinceMap?.get(k) ?? this.baseSince
  }

  /** @internal */ setSince (k: number, at: number): void { this.writeSince(k, at) }
  /** @internal */ recordOf (k: number): MemberRecord { return this.store.value(k, this.slot[k]).record }
  /** @internal */ setRecord (k: number, record: MemberRecord): void { this.move(k, record, this.incarnationOf(k)) }

  /** Moves key `k` to the store's slot for (record, incarnation). */
  private move (k: number, record: MemberRecord, incarnation: number): void {
    const old = this.slot[k]
    this.slot[k] = this.store.acquire(k, record, incarnation)
    this.store.release(k, old)
  }

  private writeSince (k: number, at: number): void {
    if (this.sinceDense !== undefined) {
      this.sinceDense[k] = at
      return
    }
    const map = this.sinceMap as Map<number, number>
    if (at === this.baseSince) {
      map.delete(k)
      return
    }
    map.set(k, at)
    // A map entry costs about 40 bytes: past an eighth of the keys, 8 bytes each is less.
    if (map.size > 64 && map.size > this.code.length / 8) {
      const dense = new Float64Array(this.code.length).fill(this.baseSince)
      for (const [key, value] of map) dense[key] = value
      this.sinceDense = dense
      this.sinceMap = undefined
    }
  }

  private heardIds (): string[] {
    const out: string[] = []
    for (let k = 0; k < this.code.length; k++) if ((this.code[k] & HEARD) !== 0) out.push(this.registry.name(k))
    return out
  }

  private keyOf (id: string): number {
    const k = this.registry.key(id)
    return k === undefined || k >= this.code.length || this.code[k] === 0 ? -1 : k
  }

  private keyFor (entry: MemberEntry): number {
    if (entry instanceof EntryView && entry.table === this) return entry.key
    const k = this.keyOf(entry.record.id)
    if (k < 0) throw new Error(`Member ${entry.record.id} is not in the table`)
    return k
  }

  private count_ (k: number, sign: 1 | -1): void {
    const id = this.registry.name(k)
    const state = STATES[this.code[k] & STATE_MASK]
    const incarnation = this.incarnationOf(k)
    this.digestA = (this.digestA + sign * digestPartA(id, incarnation, state)) >>> 0
    this.digestB = (this.digestB + sign * digestPartB(id, incarnation, state)) >>> 0
  }

  private grow (needed: number): void {
    const size = Math.max(needed, this.code.length * 2, 16)
    this.code = grown(this.code, size)
    this.slot = grown(this.slot, size)
    if (this.sinceDense !== undefined) {
      const dense = new Float64Array(this.code.length).fill(this.baseSince)
      dense.set(this.sinceDense)
      this.sinceDense = dense
    }
  }
}

/** Whether two records of one member are the same value (same content, incarnation and signature). */
function sameRecord (a: MemberRecord, b: MemberRecord): boolean {
  if (a === b) return true
  if (a.id !== b.id || a.incarnation !== b.incarnation || a.leaving !== b.leaving || (a.generation ?? 0) !== (b.generation ?? 0)) return false
  if (a.addrs.length !== b.addrs.length) return false
  for (let i = 0; i < a.addrs.length; i++) if (a.addrs[i] !== b.addrs[i]) return false
  const ka = Object.keys(a.meta)
  if (ka.length !== Object.keys(b.meta).length) return false
  for (const key of ka) if (a.meta[key] !== b.meta[key]) return false
  const sa = a.signature
  const sb = b.signature
  if (sa === undefined || sb === undefined) return sa === sb
  if (sa.byteLength !== sb.byteLength) return false
  for (let i = 0; i < sa.byteLength; i++) if (sa[i] !== sb[i]) return false
  return true
}
