import type { Message } from './messages.ts'
import type { MembershipEvent } from './types.ts'

/**
 * What the core asks its shell to do. The core never performs I/O: every call returns
 * the effects it produced, in the order they must be carried out.
 */
export type Effect =
  /**
   * Deliver `message` to member `to`, best effort. `addrs` are the addresses the core
   * knows for it (the shell may know better ones). A sync request expects a sync response.
   */
  | { type: 'send'; to: string; addrs: string[]; message: Message }
  /** Tell subscribers about a change in this node's view. */
  | { type: 'emit'; event: MembershipEvent }
  /** Call `tick` again no later than `at`. Only the latest schedule effect counts. */
  | { type: 'schedule'; at: number }
  /**
   * What the call asked for could not be done, and nothing changed: this member's record
   * could not be signed (incarnations exhausted, the signer failed). The caller must hear
   * it (a command rejects; otherwise it is logged as a warning at least).
   */
  | { type: 'error'; error: Error }
