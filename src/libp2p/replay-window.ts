/**
 * Anti-replay for one sender's datagrams: the highest counter accepted so far plus a
 * bitmap of which of the REPLAY_WINDOW counters up to it have been seen (RFC 6479's
 * scheme, as IPsec and WireGuard keep it). A counter above the highest is new; one within
 * the window is new if its bit is clear; one below the window is refused, as it cannot be
 * told from a replay. So datagrams reordered by up to REPLAY_WINDOW counter values are
 * still accepted, and each is accepted at most once.
 */

/**
 * Counters behind the highest still accepted. A sender's counter moves on with every
 * datagram it sends to anyone, so this is how many datagrams it may send to others between
 * two to us that arrive swapped: SWIM sends a few a second per member, and a datagram
 * reordered by more than a hundred others is stale anyway (its probe has timed out).
 */
export const REPLAY_WINDOW = 128

const WORDS = REPLAY_WINDOW / 32

export class ReplayWindow {
  /** Highest counter accepted, −1 before the first. */
  highest = -1
  private readonly bits = new Uint32Array(WORDS)

  /** Whether `counter` may be accepted: not seen before and not below the window. */
  fresh (counter: number): boolean {
    if (counter > this.highest) return true
    if (this.highest - counter >= REPLAY_WINDOW) return false
    return !this.has(counter)
  }

  /**
   * Records `counter` as seen. Call only for a datagram that authenticated, after `fresh`
   * said yes, so that forgeries never move the window.
   */
  accept (counter: number): void {
    if (counter > this.highest) {
      if (counter - this.highest >= REPLAY_WINDOW) {
        this.bits.fill(0)
      } else {
        for (let c = this.highest + 1; c < counter; c++) this.clear(c)
      }
      this.highest = counter
    }
    this.set(counter)
  }

  private has (counter: number): boolean {
    const bit = counter % REPLAY_WINDOW
    return (this.bits[bit >>> 5] & (1 << (bit & 31))) !== 0
  }

  private set (counter: number): void {
    const bit = counter % REPLAY_WINDOW
    this.bits[bit >>> 5] |= 1 << (bit & 31)
  }

  private clear (counter: number): void {
    const bit = counter % REPLAY_WINDOW
    this.bits[bit >>> 5] &= ~(1 << (bit & 31))
  }
}
