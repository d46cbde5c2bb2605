/**
 * The daemon's account of failed joins: one warn line per seed and cause, naming both, so an
 * unreachable seed, a wrong cluster key or a seed that is this node is visible at the default
 * log level. Rate-limited: a seed failing the same way again within `windowMs` is counted, and
 * the next line after the window says how many were left out. A seed that is this node is
 * said only once per run (listing every member as a seed, this one included, is a common
 * setup; the line is there for the address typed by mistake).
 */
import type { DaemonLogger } from './logger.ts'
import type { JoinErrorDetail } from '../libp2p/join-errors.ts'
import type { Swim } from '../libp2p/types.ts'

export interface JoinLogOptions {
  /** @default 60000 */
  windowMs?: number
  /** @default Date.now */
  now?: () => number
  /** Called once the service gave up joining (joinRetryMax reached). */
  onGaveUp?: (detail: JoinErrorDetail) => void
}

/** Subscribes to `join:error`; returns the unsubscribe function. */
export function logJoinErrors (swim: Pick<Swim, 'addEventListener' | 'removeEventListener'>, logger: Pick<DaemonLogger, 'warn' | 'error'>, options: JoinLogOptions = {}): () => void {
  const windowMs = options.windowMs ?? 60_000
  const now = options.now ?? Date.now
  const last = new Map<string, { at: number, suppressed: number }>()

  const onError = (evt: CustomEvent<JoinErrorDetail>): void => {
    const { seed, cause, message, attempt } = evt.detail
    if (cause === 'gave-up') {
      logger.error({ seeds: seed.split(' '), cause, attempts: attempt }, `cannot join the cluster: ${message}`)
      options.onGaveUp?.(evt.detail)
      return
    }
    const key = `${cause} ${seed}`
    const seen = last.get(key)
    const t = now()
    if (seen != null && (cause === 'self' || t - seen.at < windowMs)) {
      seen.suppressed++
      return
    }
    // bounded: one entry per configured seed and cause, plus what join() callers pass
    if (last.size >= 1024) last.clear()
    last.set(key, { at: t, suppressed: 0 })
    const extra = seen != null && seen.suppressed > 0 ? { repeated: seen.suppressed } : {}
    const line = `cannot join through seed ${seed}: ${message}`
    logger.warn({ seed, cause, attempt, ...extra }, line)
  }
  swim.addEventListener('join:error', onError)
  return () => { swim.removeEventListener('join:error', onError) }
}
