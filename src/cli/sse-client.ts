/**
 * Follows swimd's `GET /v1/events` stream for as long as asked, across disconnects.
 *
 * - Reconnects with exponential backoff and jitter, capped; a successful connection resets it.
 * - Resumes with `Last-Event-ID` = the last seq seen, so swimd replays what was missed.
 * - Drops any event whose seq is not above the last seen: nothing is handed out twice.
 * - A `reset` (the resume point is no longer retained, or swimd restarted and never issued
 *   it) is handed to `onReset` with the member snapshot; counting continues from its seq.
 * - A stream that stays silent longer than `idleTimeoutMs` (swimd sends heartbeats every 15 s)
 *   is treated as dead and reopened.
 */
import { CliError, errorText } from './api-client.ts'
import { SseParser } from './sse-parser.ts'
import { RESET_EVENT } from '../daemon/event-frames.ts'
import type { StreamedEvent, StreamReset } from '../daemon/event-frames.ts'

export interface BackoffOptions {
  /** First delay. @default 250 */
  initialMs?: number
  /** Cap of the delay. @default 10000 */
  maxMs?: number
  /** @default 2 */
  factor?: number
}

export interface FollowOptions {
  /** URL of the event stream, e.g. `http://127.0.0.1:7947/v1/events`. */
  url: string
  /** Resume after this seq; without it, only events from now on. */
  since?: number
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string
  signal?: AbortSignal
  backoff?: BackoffOptions
  /** @default 45000 */
  idleTimeoutMs?: number
  /** For tests. @default Math.random */
  random?: () => number
  onEvent: (event: StreamedEvent) => void
  onReset: (reset: StreamReset) => void
  /** A connection was established (after a failure, too). */
  onConnect?: () => void
  /** The connection failed or ended; the next attempt comes after `delayMs`. */
  onDisconnect?: (err: unknown, delayMs: number) => void
}

/**
 * The delay before reconnection attempt `attempt` (0-based): exponential, capped, with "equal
 * jitter" (half fixed, half random) so that many clients do not reconnect in step.
 */
export function backoffDelay (attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 250
  const max = options.maxMs ?? 10_000
  const factor = options.factor ?? 2
  const ceiling = Math.min(max, initial * factor ** Math.min(attempt, 64))
  return Math.round(ceiling / 2 + random() * ceiling / 2)
}

/**
 * Follows the stream until `signal` aborts (resolves) or swimd refuses the request with a 4xx
 * (rejects with a `CliError`). Network failures and 5xx answers are retried.
 */
export async function followEvents (options: FollowOptions): Promise<void> {
  const signal = options.signal ?? new AbortController().signal
  let lastSeq = options.since
  let attempt = 0
  while (!signal.aborted) {
    const connection = new AbortController()
    const abort = (): void => { connection.abort() }
    signal.addEventListener('abort', abort, { once: true })
    let idle: NodeJS.Timeout | undefined
    const touch = (): void => {
      clearTimeout(idle)
      idle = setTimeout(() => { connection.abort(new Error('stream idle for too long')) }, options.idleTimeoutMs ?? 45_000)
    }
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' }
      if (lastSeq != null) headers['last-event-id'] = String(lastSeq)
      if (options.token != null) headers.authorization = `Bearer ${options.token}`
      touch()
      const res = await fetch(options.url, { headers, signal: connection.signal })
      if (res.status >= 400 && res.status < 500) {
        throw new CliError(`swimd answered ${res.status}: ${errorText(await res.text(), res.statusText)}`)
      }
      if (!res.ok || res.body == null) throw new Error(`swimd answered ${res.status}`)
      attempt = 0
      options.onConnect?.()
      const parser = new SseParser()
      const decoder = new TextDecoder()
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        touch()
        for (const event of parser.push(decoder.decode(chunk, { stream: true }))) {
          const seq = Number(event.lastEventId)
          if (event.lastEventId === '' || !Number.isSafeInteger(seq)) continue
          if (event.type === RESET_EVENT) {
            lastSeq = seq
            options.onReset({ seq, members: (JSON.parse(event.data) as StreamReset).members })
          } else if (lastSeq == null || seq > lastSeq) {
            lastSeq = seq
            options.onEvent(JSON.parse(event.data) as StreamedEvent)
          }
        }
        // a data-less `id:` frame marks where a new-events-only stream started
        if (lastSeq == null && /^\d+$/.test(parser.lastEventId)) lastSeq = Number(parser.lastEventId)
      }
      throw new Error('stream ended')
    } catch (err) {
      if (signal.aborted) return
      if (err instanceof CliError) throw err
      const delay = backoffDelay(attempt++, options.backoff, options.random)
      options.onDisconnect?.(err, delay)
      await sleep(delay, signal)
    } finally {
      clearTimeout(idle)
      signal.removeEventListener('abort', abort)
      connection.abort()
    }
  }
}

async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    function done (): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
