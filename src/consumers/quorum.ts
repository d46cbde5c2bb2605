/**
 * Split-brain awareness: is this node's side of the cluster the one that may act?
 * Pure: fed membership changes and the time; it keeps no timer (`nextCheck()` says when the
 * shell should call `tick`, and a late tick dates what it finds to when it happened).
 *
 * - `expected` is the fixed `expect` when given. Otherwise it is learned: the largest number
 *   of members seen alive at once in a view that stayed unchanged for `stableAfter` (Akka's
 *   stable-after, 20 s by default). A graceful leave lowers it (the member said it is gone);
 *   a failure does not (a member we cannot reach may be alive on the other side).
 * - `quorum` when alive > expected / 2. On an exact half, the side holding the lowest member id
 *   of the expected set keeps quorum (Akka's keep-majority tie-break), so exactly one side of a
 *   clean split can act. Otherwise `minority`.
 * - `forming` until the first stable view: at start a node has not heard of everyone yet.
 *
 * Alive means state `alive`, this node included: a suspect does not count, so a node cut off
 * from the majority learns it within a probe round or two, not after the suspicion timeout.
 */
import type { Member, MemberState } from '../core/types.ts'

export type QuorumState = 'forming' | 'quorum' | 'minority'

export interface QuorumStatus {
  state: QuorumState
  /** Members alive in this view, this node included. */
  alive: number
  /** The expected cluster size (0 while forming without `expect`). */
  expected: number
  /** When `state` last changed (the clock of the caller: ms epoch in the library). */
  since: number
}

export interface QuorumOptions {
  /** A fixed expected cluster size (swimd `--expect`); learned when unset. */
  expect?: number
  /** How long a view must stay unchanged to count as stable. @default 20000 */
  stableAfter?: number
  /** This node's id (always alive in its own view while it runs). */
  self: string
  /** The time the tracker starts at. */
  now: number
}

/** Akka's split-brain resolver default. */
export const DEFAULT_STABLE_AFTER = 20_000

export class QuorumTracker {
  readonly expect?: number
  readonly stableAfter: number
  private readonly alive = new Set<string>()
  /** Members of the largest stable view, less those that left since. */
  private expectedSet = new Set<string>()
  /** When the alive set last changed. */
  private viewSince: number
  private stableSeen = false
  /** Whether the current view has already been counted as stable. */
  private viewCounted = false
  private current: QuorumStatus

  constructor (options: QuorumOptions) {
    if (options.expect !== undefined && (!Number.isInteger(options.expect) || options.expect < 1)) {
      throw new RangeError(`Invalid expect ${options.expect}: need a whole number of members >= 1`)
    }
    const stableAfter = options.stableAfter ?? DEFAULT_STABLE_AFTER
    if (!Number.isFinite(stableAfter) || stableAfter < 0) {
      throw new RangeError(`Invalid stableAfter ${stableAfter}: need a number of ms >= 0`)
    }
    this.expect = options.expect
    this.stableAfter = stableAfter
    this.alive.add(options.self)
    this.viewSince = options.now
    this.current = { state: 'forming', alive: 1, expected: options.expect ?? 0, since: options.now }
  }

  /** The status as of `now` (ticks first). */
  status (now: number): QuorumStatus {
    this.tick(now)
    return { ...this.current }
  }

  /**
   * A member's new state in this view (from a membership event, or from a full view with
   * `observeView`). Returns the new status when it changed, else undefined.
   */
  observe (id: string, state: MemberState, now: number): QuorumStatus | undefined {
    const before = this.tick(now)
    let changed = false
    if (state === 'alive') {
      if (!this.alive.has(id)) {
        this.alive.add(id)
        changed = true
      }
    } else if (this.alive.delete(id)) {
      changed = true
    }
    if (state === 'left' && this.expectedSet.delete(id)) changed = true
    if (changed) {
      this.viewSince = now
      this.viewCounted = false
    }
    return this.evaluate(now) ?? before
  }

  /** Brings the tracker to a full view at once (a restart, a reset of the event stream). */
  observeView (members: readonly Member[], now: number): QuorumStatus | undefined {
    let last = this.tick(now)
    const listed = new Set<string>()
    for (const member of members) {
      listed.add(member.id)
      last = this.observe(member.id, member.state, now) ?? last
    }
    for (const id of [...this.alive]) {
      if (!listed.has(id)) last = this.observe(id, 'dead', now) ?? last
    }
    return last
  }

  /**
   * Counts the view as stable once it has been unchanged for `stableAfter`, dated to when it
   * became so even when the call comes late. Returns the new status when it changed.
   */
  tick (now: number): QuorumStatus | undefined {
    if (this.viewCounted) return undefined
    const stableAt = this.viewSince + this.stableAfter
    if (now < stableAt) return undefined
    this.viewCounted = true
    this.stableSeen = true
    if (this.alive.size >= this.expectedSet.size) this.expectedSet = new Set(this.alive)
    return this.evaluate(stableAt)
  }

  /** When `tick` next has something to do (the view turning stable), if ever. */
  nextCheck (): number | undefined {
    return this.viewCounted ? undefined : this.viewSince + this.stableAfter
  }

  private evaluate (now: number): QuorumStatus | undefined {
    const alive = this.alive.size
    const expected = this.expect ?? this.expectedSet.size
    let state: QuorumState
    if (!this.stableSeen) state = 'forming'
    else if (alive * 2 > expected) state = 'quorum'
    else if (alive * 2 === expected && this.holdsLowest()) state = 'quorum'
    else state = 'minority'
    const previous = this.current
    if (state === previous.state && alive === previous.alive && expected === previous.expected) return undefined
    this.current = { state, alive, expected, since: state === previous.state ? previous.since : now }
    return { ...this.current }
  }

  /** Whether the lowest id of the expected set is alive on this side. */
  private holdsLowest (): boolean {
    let lowest: string | undefined
    for (const id of this.expectedSet) if (lowest === undefined || id < lowest) lowest = id
    return lowest !== undefined && this.alive.has(lowest)
  }
}
