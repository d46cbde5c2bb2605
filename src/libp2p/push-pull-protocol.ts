/**
 * Push-pull state sync (SYNC_PROTOCOL) as request/response on a fresh stream per exchange:
 *
 *   A opens a stream --sync(entries, response=false)--> B
 *   A <--sync(entries, response=true)-- B, both close
 *
 * Each frame is length-prefixed and bounded by the wire limit for sync messages; the whole
 * exchange is bounded by an AbortSignal timeout. A malformed request or response is
 * counted and the stream reset. Nothing here throws into the caller or rejects unobserved.
 */
import { lpStream } from '@libp2p/utils'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Message, Sync } from '../core/messages.ts'
import { decodeMessage } from '../wire/codec.ts'
import type { WireError, WireLimits } from '../wire/index.ts'
import { MAX_INBOUND_SYNC_STREAMS, MAX_OUTBOUND_SYNC_STREAMS, SYNC_PROTOCOL } from './constants.ts'
import { dialFailure } from './dialer.ts'
import type { Dialer } from './dialer.ts'
import type { SwimRegistrar } from './probe-protocol.ts'

export interface PushPullProtocolInit {
  registrar: SwimRegistrar
  dialer: Dialer
  log: Logger
  limits: WireLimits
  /** Bound of one whole exchange, dial included. */
  timeout: number
  admits: (id: string) => boolean
  /**
   * Reads and checks the stream proof an inbound stream begins with, before anything else
   * is read; a stream without a valid one is reset. Unset: no proof is expected.
   */
  admitStream?: (stream: Stream, from: string, options: { signal: AbortSignal }) => Promise<boolean>
  /**
   * A sync request from an authenticated peer; returns the encoded response, or undefined to
   * send none.
   */
  onRequest: (from: string, request: Sync, bytes: number) => Uint8Array | undefined
  onDecodeError: (from: string, error: WireError | Error) => void
  /** As ProbeProtocolInit's. */
  onUnreachable: (id: string, refused: boolean) => void
  /** The exchange is over (either side): the connection may be idle now. */
  onDone?: (id: string) => void
  /**
   * A join was answered on a connection the joiner opened: a seed lets it go at once, so a
   * burst of joiners does not hold its connection slots (the joiner dials again if needed).
   */
  onJoinAnswered?: (connection: Connection) => void
  /**
   * An exchange failed after its stream was open (reset, closed early, timed out): the
   * error, for a caller that says why a join failed. A reset before any answer is what a
   * member does to a stream whose cluster key proof it rejects.
   */
  onExchangeFailed?: (to: string, err: unknown) => void
}

export class PushPullProtocol {
  private readonly init: PushPullProtocolInit
  private readonly streams = new Set<Stream>()
  private running = false

  constructor (init: PushPullProtocolInit) {
    this.init = init
  }

  async start (): Promise<void> {
    if (this.running) return
    await this.init.registrar.handle(SYNC_PROTOCOL, (stream, connection) => { this.onStream(stream, connection) }, {
      maxInboundStreams: MAX_INBOUND_SYNC_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_SYNC_STREAMS
    })
    this.running = true
  }

  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    await this.init.registrar.unhandle(SYNC_PROTOCOL).catch(() => {})
    for (const stream of this.streams) stream.abort(new Error('SWIM service stopped'))
    this.streams.clear()
  }

  /**
   * Sends an encoded sync request to `to` and returns its response with its size, or
   * undefined when the exchange failed in any way (never rejects).
   */
  async exchange (to: string, addrs: string[], request: Uint8Array): Promise<{ message: Sync, bytes: number } | undefined> {
    if (!this.running || !this.init.admits(to)) return undefined
    const signal = AbortSignal.timeout(this.init.timeout)
    let stream: Stream
    try {
      stream = await this.init.dialer.openStream(to, addrs, SYNC_PROTOCOL, { signal, maxOutboundStreams: MAX_OUTBOUND_SYNC_STREAMS })
    } catch (err) {
      this.init.log.trace('could not open sync stream to %s - %e', to, err)
      const failure = dialFailure(err)
      if (this.running && failure != null) this.init.onUnreachable(to, failure === 'refused')
      return undefined
    }
    this.streams.add(stream)
    try {
      const framed = lpStream(stream, { maxDataLength: this.init.limits.maxSyncBytes })
      await framed.write(request, { signal })
      const raw = await framed.read({ signal })
      const result = decodeMessage(raw, this.init.limits)
      if (!result.ok) {
        this.init.onDecodeError(to, result.error)
        stream.abort(new Error(`Bad sync response: ${result.error.message}`))
        return undefined
      }
      if (!isSync(result.message, true)) {
        this.init.onDecodeError(to, { code: 'invalid', message: 'A sync request was answered by something other than a sync response' })
        stream.abort(new Error('Bad sync response'))
        return undefined
      }
      await framed.unwrap().close({ signal }).catch(() => {})
      return { message: result.message, bytes: raw.byteLength }
    } catch (err) {
      this.init.log.trace('sync exchange with %s failed - %e', to, err)
      this.init.onExchangeFailed?.(to, err)
      stream.abort(err as Error)
      return undefined
    } finally {
      this.streams.delete(stream)
      this.init.onDone?.(to)
    }
  }

  private onStream (stream: Stream, connection: Connection): void {
    const from = connection.remotePeer.toString()
    if (!this.running || !this.init.admits(from)) {
      stream.abort(new Error('Not a member of this cluster'))
      return
    }
    this.streams.add(stream)
    this.answer(stream, from)
      .then(join => { if (join) this.init.onJoinAnswered?.(connection) })
      .catch(err => {
        this.init.log.trace('sync request from %s failed - %e', from, err)
        stream.abort(err as Error)
      })
      .finally(() => {
        this.streams.delete(stream)
        this.init.onDone?.(from)
      })
  }

  /** Answers one request; resolves to whether it was a join. */
  private async answer (stream: Stream, from: string): Promise<boolean> {
    const signal = AbortSignal.timeout(this.init.timeout)
    if (this.init.admitStream != null && !await this.init.admitStream(stream, from, { signal })) {
      stream.abort(new Error('No valid cluster key proof'))
      return false
    }
    const framed = lpStream(stream, { maxDataLength: this.init.limits.maxSyncBytes })
    let raw
    try {
      raw = await framed.read({ signal })
    } catch (err) {
      // An oversized, garbled or truncated frame is the peer's fault; a reset stream is not.
      if (isFramingError(err)) this.init.onDecodeError(from, err as Error)
      throw err
    }
    const result = decodeMessage(raw, this.init.limits)
    if (!result.ok) {
      this.init.onDecodeError(from, result.error)
      stream.abort(new Error(`Bad sync request: ${result.error.message}`))
      return false
    }
    if (!isSync(result.message, false)) {
      this.init.onDecodeError(from, { code: 'invalid', message: 'Something other than a sync request arrived on the sync protocol' })
      stream.abort(new Error('Bad sync request'))
      return false
    }
    if (!this.running) return false
    const response = this.init.onRequest(from, result.message, raw.byteLength)
    if (response != null) await framed.write(response, { signal })
    await framed.unwrap().close({ signal })
    return result.message.join
  }
}

function isSync (message: Message, response: boolean): message is Sync {
  return message.type === 'sync' && message.response === response
}

function isFramingError (err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name
  return name === 'InvalidMessageLengthError' || name === 'InvalidDataLengthError' ||
    name === 'InvalidDataLengthLengthError' || name === 'UnexpectedEOFError'
}
