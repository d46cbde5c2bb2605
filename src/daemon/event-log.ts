/**
 * The daemon's recent membership events, numbered so that an SSE client can resume.
 *
 * - Every appended event gets the next sequence number, from `firstSeq` on (swimd starts at
 *   the time it started, in ms, so a new run numbers above every id a previous run issued); a
 *   client that resumes from a number this log never issued gets a reset.
 * - The log keeps the newest `capacity` events in a ring. `since(seq)` returns the events after
 *   `seq`, or says that `seq` is outside the retained window; the caller then sends a `reset`
 *   (a snapshot of the members) instead of a silent gap.
 * - Subscribers read through their own cursor into the shared ring: a subscriber's buffer is
 *   the stretch of the ring it has not read yet, bounded by `capacity` (or a smaller `maxLag`),
 *   at no cost per event. A slow subscriber is never dropped silently and never grows memory:
 *   when it falls further behind than that bound, its next read is a `reset` carrying a fresh
 *   snapshot, and it carries on from the newest event.
 */
import type { Member, MembershipEvent } from '../core/types.ts'
import type { StreamedEvent, StreamReset } from './event-frames.ts'

/** A membership event with its place in the log: the log keeps events as they are streamed. */
export type LoggedEvent = StreamedEvent

export type SinceResult =
  | { ok: true, events: LoggedEvent[] }
  /** `too-old`: events after `seq` were dropped from the ring; `unknown`: the log never issued `seq`. */
  | { ok: false, reason: 'too-old' | 'unknown', latest: number }

/** What a subscriber reads next: new events, or a reset when it lost its place. */
export type Delivery =
  | { kind: 'events', events: LoggedEvent[] }
  /** Continue after `seq`; `members` is the snapshot taken at that point (empty without a snapshot function). */
  | ({ kind: 'reset' } & StreamReset)

export interface EventLogOptions {
  /** Events retained for resuming. @default 1024 */
  capacity?: number
  /**
   * The first event's sequence number. A daemon starts above every number a previous run of
   * it could have issued, so a subscriber resuming with an id from before a restart gets a
   * `reset` instead of silently skipping the new run's first events. @default 1
   */
  firstSeq?: number
}

export interface SubscribeOptions {
  /** How far behind the newest event this subscriber may fall before it is reset. @default capacity */
  maxLag?: number
  /** The member snapshot a reset carries, taken at the moment the reset is decided. */
  snapshot?: () => Member[]
  /** Most events handed out per read. @default 256 */
  batch?: number
}

export const DEFAULT_EVENT_LOG_CAPACITY = 1024

export class EventLog {
  readonly capacity: number
  private readonly ring: Array<LoggedEvent | undefined>
  private latest: number
  private readonly first: number
  private isClosed = false
  private readonly subscribers = new Set<Subscription>()

  constructor (options: EventLogOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_EVENT_LOG_CAPACITY
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Invalid event log capacity ${capacity}: it must be a whole number of at least 1`)
    }
    this.capacity = capacity
    this.ring = new Array<LoggedEvent | undefined>(capacity)
    const first = options.firstSeq ?? 1
    if (!Number.isSafeInteger(first) || first < 1) {
      throw new RangeError(`Invalid first sequence number ${first}: it must be a whole number of at least 1`)
    }
    this.first = first
    this.latest = first - 1
  }

  /** Sequence number of the newest event; firstSeq − 1 before the first. */
  get latestSeq (): number {
    return this.latest
  }

  /** Sequence number of the oldest retained event; `latestSeq + 1` while the log is empty. */
  get oldestSeq (): number {
    return Math.max(this.first, this.latest - this.capacity + 1)
  }

  get subscriberCount (): number {
    return this.subscribers.size
  }

  /** Records `event` (a copy) and wakes subscribers. Returns its sequence number. */
  append (event: MembershipEvent): number {
    const seq = ++this.latest
    const logged: LoggedEvent = { seq, type: event.type, at: event.at, member: structuredClone(event.member) }
    if (event.reason !== undefined) logged.reason = event.reason
    this.ring[seq % this.capacity] = logged
    for (const subscriber of this.subscribers) subscriber.wake()
    return seq
  }

  /**
   * Where reading after `seq` starts: 0 asks for everything this log holds (no event ever has
   * id 0), whatever its first sequence number.
   */
  resumePoint (seq: number): number {
    return seq === 0 ? this.first - 1 : seq
  }

  /** The events after `seq`, oldest first, at most `limit` of them. */
  since (seq: number, limit = Number.POSITIVE_INFINITY): SinceResult {
    seq = this.resumePoint(seq)
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > this.latest) {
      return { ok: false, reason: 'unknown', latest: this.latest }
    }
    if (seq < this.oldestSeq - 1) return { ok: false, reason: 'too-old', latest: this.latest }
    const events: LoggedEvent[] = []
    const end = Math.min(this.latest, seq + limit)
    for (let next = seq + 1; next <= end; next++) {
      const event = this.ring[next % this.capacity]
      if (event != null) events.push(event)
    }
    return { ok: true, events }
  }

  /**
   * A reader that starts after `after` (use `latestSeq` for new events only). Its first read
   * is a reset when `after` is outside the retained window.
   */
  subscribe (after: number, options: SubscribeOptions = {}): Subscription {
    const subscription = new Subscription(this, after, options, () => this.subscribers.delete(subscription))
    if (this.isClosed) subscription.close()
    else this.subscribers.add(subscription)
    return subscription
  }

  /** Ends every subscription: their pending and future reads return `undefined`. Appending still works. */
  close (): void {
    this.isClosed = true
    for (const subscriber of [...this.subscribers]) subscriber.close()
  }
}

export class Subscription {
  private readonly log: EventLog
  private readonly maxLag: number
  private readonly batch: number
  private readonly snapshot: () => Member[]
  private readonly onClose: () => void
  private cursor: number
  private isClosed = false
  private waiting: (() => void) | undefined

  constructor (log: EventLog, after: number, options: SubscribeOptions, onClose: () => void) {
    this.log = log
    this.cursor = log.resumePoint(after)
    this.maxLag = Math.min(options.maxLag ?? log.capacity, log.capacity)
    this.batch = options.batch ?? 256
    this.snapshot = options.snapshot ?? (() => [])
    this.onClose = onClose
  }

  get closed (): boolean {
    return this.isClosed
  }

  /**
   * The next delivery: waits until there is something after the cursor. Resolves to
   * `undefined` once the subscription or the log is closed. One read at a time.
   */
  async next (): Promise<Delivery | undefined> {
    while (!this.isClosed) {
      const delivery = this.read()
      if (delivery != null) return delivery
      await new Promise<void>((resolve) => { this.waiting = resolve })
    }
    return undefined
  }

  close (): void {
    if (this.isClosed) return
    this.isClosed = true
    this.onClose()
    this.wake()
  }

  /** Called by the log when an event is appended. */
  wake (): void {
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.()
  }

  private read (): Delivery | undefined {
    const latest = this.log.latestSeq
    const result = this.log.since(this.cursor, this.batch)
    if (!result.ok || latest - this.cursor > this.maxLag) {
      this.cursor = latest
      return { kind: 'reset', seq: latest, members: this.snapshot() }
    }
    if (result.events.length === 0) return undefined
    this.cursor = result.events[result.events.length - 1].seq
    return { kind: 'events', events: result.events }
  }
}
