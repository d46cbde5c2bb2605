/**
 * The public data model: what a node knows about each member, and the events it
 * emits when that knowledge changes. These shapes are part of the contract that
 * the library, the daemon's HTTP API and the CLI all expose unchanged.
 */

/**
 * Every member state, in the order they are listed (flags, errors, metrics). The one list:
 * `MemberState` and every table keyed by state derive from it.
 */
export const MEMBER_STATES = ['alive', 'suspect', 'dead', 'left'] as const

/** A member's state in one node's view. */
export type MemberState = typeof MEMBER_STATES[number]

export interface Member {
  /** Stable identity: the libp2p PeerId (base58) in a real cluster. */
  id: string
  /** Addresses the member announced for itself (multiaddrs in a real cluster). */
  addrs: string[]
  state: MemberState
  /** Only the member itself raises its incarnation, to refute suspicion or announce changes. */
  incarnation: number
  meta: Record<string, string>
  /** When this node last saw the member's state change (ms, on the node's clock). */
  since: number
  /**
   * When the member's current process started (ms since the epoch, from its signed record);
   * 0 when unknown (a member of an older version). A newer one means it restarted.
   */
  generation: number
}

/**
 * Every membership event type, in the order they are listed (flags, help, metrics). The one
 * list: `MembershipEventType`, the service's `member:<type>` events and every table keyed by
 * event type derive from it.
 *
 * - `join`: a member appears in this view, including one that comes back after `fail` or `leave`
 * - `suspect`: a member did not answer probes and is suspected
 * - `alive`: a suspected member refuted the suspicion
 * - `fail`: a suspected member was declared dead
 * - `leave`: a member left gracefully
 * - `update`: an alive member changed its metadata or addresses, or restarted (`reason: 'restart'`)
 */
export const MEMBERSHIP_EVENT_TYPES = ['join', 'suspect', 'alive', 'fail', 'leave', 'update'] as const

export type MembershipEventType = typeof MEMBERSHIP_EVENT_TYPES[number]

/** The name the service dispatches an event type under: `member:join`, `member:suspect`, ... */
export type MembershipEventName = `member:${MembershipEventType}`

export interface MembershipEvent {
  type: MembershipEventType
  /** A snapshot of the member as it is after the change; never live state. */
  member: Member
  at: number
  /**
   * Why, where the type alone does not say: `restart` on an `update` (or an `alive`) when
   * the member's record carries a newer generation than the one this node held for it
   * alive or suspect: it restarted before anyone failed it.
   */
  reason?: 'restart'
}
