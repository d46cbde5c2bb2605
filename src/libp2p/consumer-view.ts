/**
 * The service's `lookup()` and `quorum()`: the pure ring and quorum tracker of src/consumers,
 * fed by the service's own membership events, plus the one timer the tracker needs (to say
 * `quorum:change` when a view turns stable with no event at that moment).
 *
 * The ring is brought up to date lazily, on the first lookup after a change, so a node that
 * never looks anything up pays nothing, and a burst of joins costs one rebuild.
 */
import { HashRing } from '../consumers/ring.ts'
import { QuorumTracker } from '../consumers/quorum.ts'
import type { QuorumStatus } from '../consumers/quorum.ts'
import { MEMBERSHIP_EVENT_TYPES } from '../core/types.ts'
import type { Member, MembershipEvent } from '../core/types.ts'
import type { TypedEventTarget } from 'main-event'
import type { SwimEvents } from './types.ts'

export interface ConsumerViewOptions {
  self: string
  expect?: number
  stableAfter?: number
  members: () => Member[]
  onQuorumChange: (status: QuorumStatus) => void
  /** @default Date.now */
  now?: () => number
}

export class ConsumerView {
  private readonly options: ConsumerViewOptions
  private readonly now: () => number
  private readonly ring = new HashRing()
  private ringStale = true
  private tracker: QuorumTracker
  private timer?: ReturnType<typeof setTimeout>
  private running = false

  constructor (events: TypedEventTarget<SwimEvents>, options: ConsumerViewOptions) {
    this.options = options
    this.now = options.now ?? Date.now
    this.tracker = this.newTracker()
    const onEvent = (evt: CustomEvent<MembershipEvent>): void => { this.observe(evt.detail) }
    for (const type of MEMBERSHIP_EVENT_TYPES) events.addEventListener(`member:${type}`, onEvent)
  }

  /** A new run of the service: the view starts again from this node alone. */
  start (): void {
    this.running = true
    this.tracker = this.newTracker()
    this.tracker.observeView(this.options.members(), this.now())
    this.ringStale = true
    this.arm()
  }

  stop (): void {
    this.running = false
    clearTimeout(this.timer)
    this.timer = undefined
  }

  lookup (key: string | Uint8Array, n = 1): Member[] {
    if (typeof key !== 'string' && !(key instanceof Uint8Array)) throw new TypeError('Invalid key: expected a string or a Uint8Array')
    this.refreshRing()
    // copies, so a caller changing what it got cannot change the ring's snapshots
    return this.ring.lookup(key, n).map((member) => ({ ...member, addrs: [...member.addrs], meta: { ...member.meta } }))
  }

  /** Each ring member's share of the keys (fractions summing to 1), by member id. */
  shares (): Record<string, number> {
    this.refreshRing()
    return Object.fromEntries(this.ring.shares())
  }

  private refreshRing (): void {
    if (!this.ringStale) return
    this.ring.update(this.options.members())
    this.ringStale = false
  }

  quorum (): QuorumStatus {
    // A view that turned stable since the last event is counted here when we are asked
    // before the timer runs (a late event loop): say so, or quorum:change never would.
    const now = this.now()
    const changed = this.tracker.tick(now)
    if (changed != null) this.options.onQuorumChange(changed)
    return this.tracker.status(now)
  }

  private newTracker (): QuorumTracker {
    return new QuorumTracker({ self: this.options.self, expect: this.options.expect, stableAfter: this.options.stableAfter, now: this.now() })
  }

  private observe (event: MembershipEvent): void {
    this.ringStale = true
    const changed = this.tracker.observe(event.member.id, event.member.state, this.now())
    if (changed != null) this.options.onQuorumChange(changed)
    this.arm()
  }

  private arm (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const at = this.tracker.nextCheck()
    if (!this.running || at === undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      const changed = this.tracker.tick(this.now())
      if (changed != null) this.options.onQuorumChange(changed)
      this.arm()
    }, Math.min(0x7fffffff, Math.max(0, at - this.now())))
    this.timer.unref?.()
  }
}
