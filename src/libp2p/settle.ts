/**
 * A task run once a burst of changes settles: `quiet` ms after the last change, and no later
 * than `longest` ms after the first change it has not run for yet, so a view that never stops
 * changing still gets it. Used for the watch connections: while a cluster forms, a member's
 * ring neighbours change with nearly every join, and dialing each set as it comes costs a
 * connection (a noise handshake, identify, gossipsub's stream, at both ends) per change, most
 * of them closed again a moment later.
 */

export interface SettleOptions {
  /** How long the changes must stop before the task runs (ms). */
  quiet: number
  /** How long after the first change the task runs at the latest (ms). */
  longest: number
  /** @default Date.now */
  now?: () => number
  /** @default setTimeout, unref'd (a pending run never keeps the process alive) */
  setTimer?: (fn: () => void, ms: number) => unknown
  /** @default clearTimeout */
  clearTimer?: (timer: unknown) => void
}

export class Settle {
  private readonly task: () => void
  private readonly options: Required<SettleOptions>
  private timer: unknown
  private at = Infinity
  /** The first change the task has not run for yet. */
  private firstAt: number | undefined

  constructor (task: () => void, options: SettleOptions) {
    this.task = task
    this.options = {
      now: Date.now,
      setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
      clearTimer: (timer) => { clearTimeout(timer as ReturnType<typeof setTimeout>) },
      ...options
    }
  }

  /** Whether a run is pending. */
  get pending (): boolean {
    return this.at !== Infinity
  }

  /** A change: the task runs once changes stop for `quiet` ms (or `longest` after the first). */
  changed (): void {
    const now = this.options.now()
    this.firstAt ??= now
    this.arm(Math.min(now + this.options.quiet, this.firstAt + this.options.longest))
  }

  /** The task runs within `delay` ms, or sooner if it was due sooner. */
  within (delay: number): void {
    const now = this.options.now()
    this.firstAt ??= now
    this.arm(Math.min(this.at, now + delay))
  }

  /** Nothing runs until the next change. */
  cancel (): void {
    if (this.timer !== undefined) this.options.clearTimer(this.timer)
    this.timer = undefined
    this.at = Infinity
    this.firstAt = undefined
  }

  private arm (at: number): void {
    if (at === this.at) return
    if (this.timer !== undefined) this.options.clearTimer(this.timer)
    this.at = at
    this.timer = this.options.setTimer(() => {
      this.timer = undefined
      this.at = Infinity
      this.firstAt = undefined
      this.task()
    }, Math.max(0, at - this.options.now()))
  }
}
