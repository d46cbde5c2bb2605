import { suspicionTimeout } from './formulas.ts'

/**
 * One suspicion of one member, Lifeguard style: it expires after a timeout that starts at
 * `max` and falls toward `min` as independent members confirm it. The accuser that raised
 * it does not count as a confirmation, nor does anyone twice.
 */
export class Suspicion {
  private readonly confirmers = new Set<string>()
  private refusals = 0
  /**
   * Until this time the suspicion is ours alone (not gossiped), so the suspect can refute
   * before anyone else hears of it; 0 once it is public.
   */
  privateUntil = 0

  constructor (
    readonly startedAt: number,
    private readonly accuser: string,
    /** Confirmations that bring the timeout down to min. */
    readonly needed: number,
    readonly min: number,
    readonly max: number,
    /** The accuser's own evidence: its connection was refused by the member's host. */
    readonly refused = false,
    /** Timeout once `needed` independent members also saw a refusal. */
    private readonly refusedTimeout = Infinity
  ) {}

  get confirmations (): number {
    return this.confirmers.size
  }

  /** Records a confirmation; true if it was new and shortened the suspicion. */
  confirm (from: string, refused = false): boolean {
    if (this.confirmers.size >= this.needed) return false
    if (from === this.accuser || this.confirmers.has(from)) return false
    this.confirmers.add(from)
    if (refused) this.refusals++
    return true
  }

  /** When the member is declared dead unless it refutes first. */
  get deadline (): number {
    const lifeguard = this.startedAt + suspicionTimeout(this.confirmers.size, this.needed, this.min, this.max)
    if (this.refused && this.needed > 0 && this.refusals >= this.needed) {
      return Math.min(lifeguard, this.startedAt + this.refusedTimeout)
    }
    return lifeguard
  }
}
