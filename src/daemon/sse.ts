/**
 * Server-Sent Events: the framing as a pure function, and a small writer that streams frames
 * over an HTTP response with heartbeats and backpressure.
 * Framing follows the HTML Living Standard, "Server-sent events", section "Parsing an event stream".
 */
import type { ServerResponse } from 'node:http'

export interface SseMessage {
  /** Becomes the client's last event ID (sent back as `Last-Event-ID` on reconnect). */
  id?: string | number
  /** Event type; clients dispatch on it. Without it the type is `message`. */
  event?: string
  /**
   * Payload; may span lines (each becomes a `data:` line). Without data the frame dispatches no
   * event but still sets the client's last event ID: a position marker.
   */
  data?: string
  /** Reconnection delay the client should use, in ms. */
  retry?: number
}

const LINE_BREAK = /\r\n|\r|\n/

/** One SSE frame, ending with the blank line that dispatches it. */
export function formatSse (message: SseMessage): string {
  let frame = ''
  if (message.event !== undefined) frame += `event: ${singleLine('event', message.event)}\n`
  if (message.id !== undefined) {
    const id = singleLine('id', String(message.id))
    if (id.includes('\0')) throw new TypeError('Cannot format SSE field "id": it contains a NUL character')
    frame += `id: ${id}\n`
  }
  if (message.retry !== undefined) {
    if (!Number.isSafeInteger(message.retry) || message.retry < 0) {
      throw new RangeError(`Cannot format SSE field "retry": ${message.retry} is not a non-negative whole number of ms`)
    }
    frame += `retry: ${message.retry}\n`
  }
  if (message.data !== undefined) {
    for (const line of message.data.split(LINE_BREAK)) frame += `data: ${line}\n`
  }
  return `${frame}\n`
}

/** A comment frame: ignored by clients, used to keep idle connections open. */
export function formatSseComment (text = ''): string {
  return text.split(LINE_BREAK).map((line) => line === '' ? ':\n' : `: ${line}\n`).join('') + '\n'
}

function singleLine (field: string, value: string): string {
  if (LINE_BREAK.test(value)) throw new TypeError(`Cannot format SSE field "${field}": ${JSON.stringify(value)} contains a line break`)
  return value
}

export interface SseWriterOptions {
  /** Interval of heartbeat comments. @default 15000 */
  heartbeatMs?: number
}

export const DEFAULT_HEARTBEAT_MS = 15_000

/**
 * Streams SSE frames over `res`. The constructor sends the headers at once, so a client knows
 * it is connected before the first event. `send` resolves only when the frame was accepted by
 * the socket's buffer (waiting for `drain` when it was full), so a slow client slows its reader
 * rather than growing memory. Heartbeats are skipped while the socket is backed up.
 */
export class SseWriter {
  private readonly res: ServerResponse
  private readonly heartbeat: NodeJS.Timeout
  private ended = false
  private readonly finished: Promise<void>

  constructor (res: ServerResponse, options: SseWriterOptions = {}) {
    this.res = res
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no'
    })
    res.flushHeaders()
    res.socket?.setNoDelay(true)
    this.finished = new Promise((resolve) => {
      res.once('close', () => {
        this.ended = true
        clearInterval(this.heartbeat)
        resolve()
      })
    })
    this.heartbeat = setInterval(() => {
      if (!res.writableNeedDrain) this.write(formatSseComment('heartbeat'))
    }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS)
    this.heartbeat.unref()
  }

  /** True once the response is finished or the client went away. */
  get closed (): boolean {
    return this.ended || this.res.destroyed || this.res.writableEnded
  }

  /** Resolves when the connection closes, for whatever reason. */
  get done (): Promise<void> {
    return this.finished
  }

  /** Sends one frame. Resolves to false when the stream is closed (the frame was not sent). */
  async send (message: SseMessage): Promise<boolean> {
    return await this.writeAndWait(formatSse(message))
  }

  /** Ends the stream; the client sees a clean end and may reconnect. */
  close (): void {
    clearInterval(this.heartbeat)
    if (!this.closed) this.res.end()
  }

  private async writeAndWait (frame: string): Promise<boolean> {
    if (this.closed) return false
    if (this.write(frame)) return true
    await new Promise<void>((resolve) => {
      const settle = (): void => {
        this.res.off('drain', settle)
        this.res.off('close', settle)
        resolve()
      }
      this.res.on('drain', settle)
      this.res.on('close', settle)
    })
    return !this.closed
  }

  private write (frame: string): boolean {
    if (this.closed) return false
    return this.res.write(frame)
  }
}
