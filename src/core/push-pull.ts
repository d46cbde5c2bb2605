import type { MemberEntry } from './members.ts'
import type { MemberRecord, SyncEntry, Update } from './messages.ts'

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
