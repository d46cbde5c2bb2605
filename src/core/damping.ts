import type { MembershipEventType, MemberState } from './types.ts'

/**
 * Flap damping (ringpop's damp score), between the membership view and its consumers. Each
 * join, fail or leave of a member adds `penalty` to its score, which halves every
 * `halfLife` ms. A member whose score reaches `suppress` is held: consumers heard it fail
 * (or leave) and hear nothing more of it, joins, fails, suspicions and updates alike, so a
 * member that comes and goes every few seconds stays out of their view (the ring, the
 * quorum) instead of moving keys to it and away each time. Once its score has decayed to
 * `reuse`, consumers hear its current state: a `join` if it is live then, nothing if it is
 * dead (they heard that already), a `leave` if it left.
 *
 * A real failure is never hidden: the hold starts with the member out of the consumers'
 * view (the fail that crossed `suppress` is passed on; a join that did is kept back, after
 * a fail or leave they heard), so a held member that then dies has been reported failed
 * already. The score is capped at twice `suppress`, which bounds the hold to
 * halfLife × log2(2 × suppress / reuse) after the last flap.
 */
export interface DampingOptions {
  /** Score added per join, fail or leave; 0 turns damping off. */
  penalty: number
  suppress: number
  reuse: number
  /** ms */
  halfLife: number
  /** Most members tracked at once (beyond it new ones are not damped). */
  capacity: number
}

/** What the consumers should hear instead of an event (the same event, or nothing). */
export type DampingVerdict = 'pass' | 'hold'

interface Score {
  value: number
  at: number
  held: boolean
  /** The state consumers last heard for the member. */
  shown: MemberState
}

/** Events that move a member into or out of the consumers' view: each one is a flap. */
const FLAPS: ReadonlySet<MembershipEventType> = new Set(['join', 'fail', 'leave'])

const STATE_OF: Record<MembershipEventType, MemberState> = {
  join: 'alive',
  alive: 'alive',
  update: 'alive',
  suspect: 'suspect',
  fail: 'dead',
  leave: 'left'
}

export class FlapDamper {
  private readonly scores = new Map<string, Score>()
  /** Cached `nextRelease`; undefined when a hold began, grew or ended since. */
  private next: number | undefined = Infinity

  constructor (private readonly options: DampingOptions) {}

  get enabled (): boolean {
    return this.options.penalty > 0
  }

  /** Whether consumers hear of `type` about `id` now; charges the member for a flap. */
  observe (id: string, type: MembershipEventType, now: number): DampingVerdict {
    if (!this.enabled) return 'pass'
    let score = this.scores.get(id)
    if (!FLAPS.has(type)) {
      if (score?.held === true) return 'hold'
      if (score != null) score.shown = type === 'suspect' ? 'suspect' : 'alive'
      return 'pass'
    }
    if (score == null) {
      // A member's first appearance is no flap: only one that failed or left can flap back.
      // Charging it would keep a score for every member that joined (N per node for minutes
      // after a join wave, the largest thing a node held), to damp one flap earlier.
      if (type === 'join') return 'pass'
      if (this.scores.size >= this.options.capacity) return 'pass'
      score = { value: 0, at: now, held: false, shown: 'alive' }
      this.scores.set(id, score)
    }
    score.value = Math.min(this.decayed(score, now) + this.options.penalty, 2 * this.options.suppress)
    score.at = now
    if (score.held) {
      this.next = undefined
      return 'hold'
    }
    if (score.value >= this.options.suppress) {
      score.held = true
      this.next = undefined
      // Out of the consumers' view for the hold: a fail goes to them, a join stays back.
      if (type === 'join') return 'hold'
    }
    score.shown = STATE_OF[type]
    return 'pass'
  }

  /** Whether the member is held out of the consumers' view; then they last heard `shown`. */
  held (id: string): MemberState | undefined {
    const score = this.scores.get(id)
    return score?.held === true ? score.shown : undefined
  }

  /**
   * Members whose hold ends by `now`, with the state consumers heard for them: the caller
   * tells consumers the member's current state where it differs.
   */
  release (now: number): Array<{ id: string, shown: MemberState }> {
    const out: Array<{ id: string, shown: MemberState }> = []
    for (const [id, score] of this.scores) {
      // (the tolerance absorbs the rounding of nextRelease)
      if (score.held && this.decayed(score, now) <= this.options.reuse * (1 + 1e-9)) {
        score.held = false
        this.next = undefined
        out.push({ id, shown: score.shown })
      }
    }
    return out
  }

  /** Records what consumers were told at a release. */
  shown (id: string, state: MemberState): void {
    const score = this.scores.get(id)
    if (score != null) score.shown = state
  }

  /** When the next hold ends (Infinity when none is held). */
  nextRelease (): number {
    if (this.next !== undefined) return this.next
    let at = Infinity
    for (const score of this.scores.values()) {
      if (!score.held) continue
      // value × 2^(−t / halfLife) = reuse
      const t = score.value > this.options.reuse ? this.options.halfLife * Math.log2(score.value / this.options.reuse) : 0
      at = Math.min(at, Math.ceil(score.at + t))
    }
    this.next = at
    return at
  }

  /** Forgets members that are not held and whose score has decayed below one eighth of a penalty. */
  prune (now: number): void {
    for (const [id, score] of this.scores) {
      if (!score.held && this.decayed(score, now) < this.options.penalty / 8) this.scores.delete(id)
    }
  }

  get size (): number {
    return this.scores.size
  }

  private decayed (score: Score, now: number): number {
    const dt = Math.max(0, now - score.at)
    return score.value * 2 ** (-dt / this.options.halfLife)
  }
}
