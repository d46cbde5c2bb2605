/**
 * An incremental parser of `text/event-stream`, per the HTML Living Standard, "Server-sent
 * events", "Interpreting an event stream": lines end with CRLF, LF or CR (a CR at the end of a
 * chunk waits for the next one); `:` starts a comment; an empty line dispatches the event.
 */

export interface SseEvent {
  /** `message` when the stream gave no `event:` field. */
  type: string
  data: string
  /** The last event ID in force when the event was dispatched. */
  lastEventId: string
}

export class SseParser {
  private buffer = ''
  private data: string[] = []
  private type = ''
  private idBuffer = ''
  private lastId = ''
  private retryMs: number | undefined

  /**
   * The stream's last event ID: set by `id:` fields as events are dispatched, including by frames
   * that carry no data (position markers), which dispatch nothing.
   */
  get lastEventId (): string {
    return this.lastId
  }

  /** The reconnection time the server asked for with `retry:`, if any. */
  get retry (): number | undefined {
    return this.retryMs
  }

  /** Feeds decoded text; returns the events completed by it, in order. */
  push (text: string): SseEvent[] {
    this.buffer += text
    const events: SseEvent[] = []
    let start = 0
    for (;;) {
      const lf = this.buffer.indexOf('\n', start)
      const cr = this.buffer.indexOf('\r', start)
      if (lf === -1 && cr === -1) break
      let end: number
      let next: number
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        if (cr === this.buffer.length - 1) break // could be the first half of CRLF
        end = cr
        next = this.buffer[cr + 1] === '\n' ? cr + 2 : cr + 1
      } else {
        end = lf
        next = lf + 1
      }
      const event = this.line(this.buffer.slice(start, end))
      if (event != null) events.push(event)
      start = next
    }
    this.buffer = this.buffer.slice(start)
    return events
  }

  private line (line: string): SseEvent | undefined {
    if (line === '') return this.dispatch()
    if (line.startsWith(':')) return undefined
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    switch (field) {
      case 'event': this.type = value; break
      case 'data': this.data.push(value); break
      case 'id': if (!value.includes('\0')) this.idBuffer = value; break
      case 'retry': if (/^\d+$/.test(value)) this.retryMs = Number(value); break
      default: break
    }
    return undefined
  }

  private dispatch (): SseEvent | undefined {
    this.lastId = this.idBuffer
    const data = this.data
    const type = this.type
    this.data = []
    this.type = ''
    if (data.length === 0) return undefined
    return { type: type === '' ? 'message' : type, data: data.join('\n'), lastEventId: this.lastId }
  }
}
