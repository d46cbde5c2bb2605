import { suspicionTimeout } from './formulas.ts'

/**
 * One suspicion of one member, Lifeguard style: it expires after a timeout that starts at
 * `max` and falls toward `min` as independent members confirm it. The accuser that raised
 * it does not count as a confirmation, nor does anyone twice.
 *
 * Only authenticated accusers count: the machine calls `confirm` for a claim that came
 * straight from the member that made it, never for one relayed by someone else (the
 * claim's `from` is then just a name anybody could write). A suspicion raised by a relayed
 * claim has no authenticated accuser (`accuser` is '').
 */
export class Suspicion {
  private readonly confirmers = new Set<string>()
  /** Authenticated members (the accuser included) that stand behind this suspicion. */
  private readonly vouchers = new Set<string>()
  /** Members (the accuser included) whose connection to the suspect was refused by its host. */
  private readonly refusers = new Set<string>()
  /**
   * Until this time the suspicion is ours alone (not gossiped), so the suspect can refute
   * before anyone else hears of it; 0 once it is public.
   */
  privateUntil = 0
  /** Set on a suspicion that replaced one a newer incarnation voided (it is not renewed again). */
  renewed = false

  constructor (
    readonly startedAt: number,
    private readonly accuser: string,
    /** Confirmations that bring the timeout down to min. */
    readonly needed: number,
    readonly min: number,
    readonly max: number,
    /** The accuser's own evidence: its connection was refused by the member's host. */
    readonly refused = false,
    /** Timeout once `needed` + 1 members saw a refusal. */
    private readonly refusedTimeout = Infinity
  ) {
    if (accuser !== '') this.vouchers.add(accuser)
    if (refused && accuser !== '') this.refusers.add(accuser)
  }

  /** Whether `id` stands behind the suspicion (raised it, or confirmed it first-hand). */
  vouchedBy (id: string): boolean {
    return this.vouchers.has(id)
  }

  /** Whether `id`'s own connection to the suspect was refused by its host. */
  refusedBy (id: string): boolean {
    return this.refusers.has(id)
  }

  /** How many distinct authenticated members stand behind the suspicion, `also` included. */
  parties (also?: string): number {
    return this.vouchers.size + (also != null && !this.vouchers.has(also) ? 1 : 0)
  }

  /**
   * Records a confirmation; true if it was new and shortened the suspicion. Refusals are
   * counted apart (and beyond the Lifeguard cap), whoever raised the suspicion.
   */
  confirm (from: string, refused = false): boolean {
    this.vouchers.add(from)
    let shortened = false
    if (refused && !this.refusers.has(from)) {
      this.refusers.add(from)
      shortened = this.needed > 0 && this.refusers.size <= this.needed + 1
    }
    if (this.confirmers.size < this.needed && from !== this.accuser && !this.confirmers.has(from)) {
      this.confirmers.add(from)
      shortened = true
    }
    return shortened
  }

  /** When the member is declared dead unless it refutes first. */
  get deadline (): number {
    const lifeguard = this.startedAt + suspicionTimeout(this.confirmers.size, this.needed, this.min, this.max)
    if (this.needed > 0 && this.refusers.size >= this.needed + 1) {
      return Math.min(lifeguard, this.startedAt + this.refusedTimeout)
    }
    return lifeguard
  }
}
