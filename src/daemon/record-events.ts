/**
 * Feeds the service's membership events into the daemon's event log, in the order the service
 * emits them.
 */
import type { EventLog } from './event-log.ts'
import { MEMBERSHIP_EVENT_TYPES } from '../core/types.ts'
import type { MembershipEvent, MembershipEventName } from '../core/types.ts'

/** The part of the `Swim` service this needs: a target of `member:*` CustomEvents. */
export interface MembershipEventSource {
  addEventListener: (type: MembershipEventName, listener: (evt: CustomEvent<MembershipEvent>) => void) => void
  removeEventListener: (type: MembershipEventName, listener: (evt: CustomEvent<MembershipEvent>) => void) => void
}

/** Appends every `member:*` event of `source` to `log`. Returns a function that stops it. */
export function recordMembershipEvents (source: MembershipEventSource, log: EventLog): () => void {
  const listener = (evt: CustomEvent<MembershipEvent>): void => {
    log.append(evt.detail)
  }
  for (const type of MEMBERSHIP_EVENT_TYPES) source.addEventListener(`member:${type}`, listener)
  return () => {
    for (const type of MEMBERSHIP_EVENT_TYPES) source.removeEventListener(`member:${type}`, listener)
  }
}
