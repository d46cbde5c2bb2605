import type { MemberEntry } from './members.ts'
import type { MemberRecord, SyncEntry, Update } from './messages.ts'
import { mix32 } from './random.ts'

/** Our full state as push-pull entries: ourselves first, then every member we remember. */
export function toSyncEntries (self: MemberRecord, entries: Iterable<MemberEntry>): SyncEntry[] {
  const out: SyncEntry[] = [{ record: self, state: self.leaving ? 'left' : 'alive', incarnation: self.incarnation }]
  for (const e of entries) out.push({ record: e.record, state: e.state, incarnation: e.incarnation })
  return out
}

/**
 * Turns one remote push-pull entry into the updates it implies, merged by the normal rules.
 * A remote `dead` becomes a suspicion, not a verdict (as memberlist does): the member gets
 * a chance to refute, which is what lets a healed partition merge instead of both sides
 * killing each other. Dead members we never knew (`known` false) are ignored, so a joiner
 * does not resurrect them as alive.
 */
export function syncEntryUpdates (entry: SyncEntry, sender: string, known: boolean): Update[] {
  if (entry.state === 'dead' && !known) return []
  const updates: Update[] = [{ type: 'record', record: entry.record }]
  if (entry.state === 'suspect' || entry.state === 'dead') {
    updates.push({ type: 'suspect', id: entry.record.id, incarnation: entry.incarnation, from: sender })
  }
  return updates
}

const STATE_CODE = { alive: 1, suspect: 2, dead: 3, left: 4 } as const

/**
 * An order-independent digest of a view: the sums of two 32-bit hashes of every member's
 * (id, incarnation, state), self included. Two members with the same view get the same
 * 8 bytes, so a periodic push-pull can first ask whether anything differs and skip the
 * full exchange when nothing does (the usual case in a stable cluster).
 */
export function viewDigest (self: MemberRecord, entries: Iterable<MemberEntry>): Uint8Array {
  let a = 0
  let b = 0
  const add = (id: string, incarnation: number, state: keyof typeof STATE_CODE): void => {
    a = (a + digestPartA(id, incarnation, state)) >>> 0
    b = (b + digestPartB(id, incarnation, state)) >>> 0
  }
  add(self.id, self.incarnation, self.leaving ? 'left' : 'alive')
  for (const e of entries) add(e.record.id, e.incarnation, e.state)
  return digestBytes(a, b)
}

/**
 * One member's two terms of the digest. The digest is their sum modulo 2^32, so a table can
 * keep it up to date as entries change (subtract the old terms, add the new) instead of
 * hashing every member for every push-pull.
 */
export function digestPartA (id: string, incarnation: number, state: keyof typeof STATE_CODE): number {
  return memberHash(id, incarnation, STATE_CODE[state], 0x811c9dc5)
}

export function digestPartB (id: string, incarnation: number, state: keyof typeof STATE_CODE): number {
  return memberHash(id, incarnation, STATE_CODE[state], 0x9747b28c)
}

export function digestBytes (a: number, b: number): Uint8Array {
  const out = new Uint8Array(8)
  const view = new DataView(out.buffer)
  view.setUint32(0, a)
  view.setUint32(4, b)
  return out
}

export function sameDigest (x: Uint8Array, y: Uint8Array): boolean {
  if (x.byteLength !== y.byteLength) return false
  for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return false
  return true
}

/** FNV-1a over the id's UTF-16 units, the incarnation and the state, then murmur3's finalizer. */
function memberHash (id: string, incarnation: number, state: number, seed: number): number {
  let h = seed
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  h = Math.imul(h ^ (incarnation >>> 0), 0x01000193)
  h = Math.imul(h ^ Math.floor(incarnation / 4294967296), 0x01000193)
  h = Math.imul(h ^ state, 0x01000193)
  return mix32(h)
}
