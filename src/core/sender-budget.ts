/**
 * What one sender may make this node do per window (one probe interval): claims it gets to
 * make, members it gets to introduce, signatures it gets us to verify. An honest member
 * stays far below each allowance; a flood is cut off at it, so the cost of any one peer
 * to a node is bounded whatever it sends.
 */
export interface Allowance {
  /** Suspect and dead claims. */
  claims: number
  /** Members new to this node's table. */
  members: number
  /** Record signatures checked. */
  verifications: number
}

/** The allowance of each sender per probe interval. */
export const SENDER_ALLOWANCE: Readonly<Allowance> = Object.freeze({
  // A failure wave of many members at once is the most claims an honest sender piggybacks.
  claims: 64,
  // A joiner's answer from its seed is exempt; a join storm passes a few hundred new
  // members a second through one gossiping member.
  members: 256,
  // Ed25519 verification costs ~60 µs: 128 are under 8 ms of CPU per sender and interval.
  verifications: 128
})

export class SenderBudget {
  private windowStart = -Infinity
  /** Emptied every window, so it holds only the senders of one window. */
  private readonly used = new Map<string, Allowance>()

  constructor (private readonly window: number, private readonly allowance: Readonly<Allowance> = SENDER_ALLOWANCE) {}

  /** Takes one unit of `kind` from `sender`'s allowance; false when it is spent. */
  take (sender: string, kind: keyof Allowance, now: number): boolean {
    if (now >= this.windowStart + this.window) {
      this.used.clear()
      this.windowStart = now
    }
    let used = this.used.get(sender)
    if (used == null) {
      used = { claims: 0, members: 0, verifications: 0 }
      this.used.set(sender, used)
    }
    if (used[kind] >= this.allowance[kind]) return false
    used[kind]++
    return true
  }
}
