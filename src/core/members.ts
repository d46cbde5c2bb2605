import type { MemberRecord } from './messages.ts'
import { digestPartA, digestPartB } from './push-pull.ts'
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
 * The member table: entries by id, plus a dense array of ids for O(1) random sampling,
 * plus live counts per state. Holds other members only; the machine keeps itself apart.
 */
export class MemberTable {
  private readonly entries = new Map<string, MemberEntry>()
  private readonly ids: string[] = []
  private readonly slot = new Map<string, number>()
  private readonly counts: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
  /** The sums of `viewDigest` over the table's entries, kept as they change. */
  private digestA = 0
  private digestB = 0

  get size (): number {
    return this.ids.length
  }

  get (id: string): MemberEntry | undefined {
    return this.entries.get(id)
  }

  /** Members currently alive or suspect: the cluster size used by the formulas (without self). */
  get live (): number {
    return this.counts.alive + this.counts.suspect
  }

  count (state: MemberState): number {
    return this.counts[state]
  }

  add (entry: MemberEntry): void {
    const id = entry.record.id
    if (this.entries.has(id)) throw new Error(`Member ${id} is already in the table`)
    this.entries.set(id, entry)
    this.slot.set(id, this.ids.length)
    this.ids.push(id)
    this.counts[entry.state]++
    this.count_(entry, 1)
  }

  setState (entry: MemberEntry, state: MemberState, incarnation: number, now: number): void {
    this.counts[entry.state]--
    this.counts[state]++
    this.count_(entry, -1)
    const e = entry as Mutable
    e.state = state
    e.incarnation = incarnation
    e.since = now
    this.count_(entry, 1)
  }

  /** A newer incarnation for the same state (a newer record or claim). */
  setIncarnation (entry: MemberEntry, incarnation: number): void {
    this.count_(entry, -1);
    (entry as Mutable).incarnation = incarnation
    this.count_(entry, 1)
  }

  /** The digest sums of the entries (`viewDigest` adds the local member's own terms). */
  get digestSums (): readonly [number, number] {
    return [this.digestA, this.digestB]
  }

  private count_ (entry: MemberEntry, sign: 1 | -1): void {
    const id = entry.record.id
    this.digestA = (this.digestA + sign * digestPartA(id, entry.incarnation, entry.state)) >>> 0
    this.digestB = (this.digestB + sign * digestPartB(id, entry.incarnation, entry.state)) >>> 0
  }

  remove (id: string): void {
    const entry = this.entries.get(id)
    const at = this.slot.get(id)
    if (entry == null || at == null) return
    this.counts[entry.state]--
    this.count_(entry, -1)
    this.entries.delete(id)
    this.slot.delete(id)
    const last = this.ids.pop() as string
    if (last !== id) {
      this.ids[at] = last
      this.slot.set(last, at)
    }
  }

  /** Ids in table order (stable between changes); for sampling and iteration. */
  allIds (): readonly string[] {
    return this.ids
  }

  values (): IterableIterator<MemberEntry> {
    return this.entries.values()
  }
}

type Mutable = { -readonly [K in keyof MemberEntry]: MemberEntry[K] }

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
