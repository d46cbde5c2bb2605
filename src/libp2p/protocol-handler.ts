/**
 * A stream protocol's registration and the streams it has in progress, for the protocols
 * that open a fresh stream per exchange (ping-protocol.ts, push-pull-protocol.ts): one start,
 * one stop and one way to serve an inbound stream, so the two cannot drift apart on what a
 * stop aborts or what a failed inbound exchange does to its stream.
 *
 * start and stop are idempotent. A stop unregisters the handler and aborts every stream in
 * `streams`, inbound and outbound; the exchanges see their stream fail and settle.
 */
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { SwimRegistrar } from './probe-protocol.ts'
import type { ExchangeInit } from './request-response.ts'

export interface ProtocolHandlerInit {
  registrar: SwimRegistrar
  protocol: string
  maxInboundStreams: number
  maxOutboundStreams: number
  log: Logger
  /** Whether streams from this peer are accepted (admission); others are reset at once. */
  admits: (id: string) => boolean
  /** A stream an admitted peer (`from`) opened, while running. */
  onStream: (stream: Stream, connection: Connection, from: string) => void
}

/** What `ProtocolHandler.exchange` fills in of an ExchangeInit. */
type HandlerFields = 'protocol' | 'maxOutboundStreams' | 'streams' | 'running'

export class ProtocolHandler {
  /** Streams in progress (either side), aborted when the protocol stops. */
  readonly streams = new Set<Stream>()
  private readonly init: ProtocolHandlerInit
  private active = false

  constructor (init: ProtocolHandlerInit) {
    this.init = init
  }

  get running (): boolean {
    return this.active
  }

  async start (): Promise<void> {
    if (this.active) return
    await this.init.registrar.handle(this.init.protocol, (stream, connection) => { this.onStream(stream, connection) }, {
      maxInboundStreams: this.init.maxInboundStreams,
      maxOutboundStreams: this.init.maxOutboundStreams
    })
    this.active = true
  }

  async stop (): Promise<void> {
    if (!this.active) return
    this.active = false
    await this.init.registrar.unhandle(this.init.protocol).catch(() => {})
    for (const stream of this.streams) stream.abort(new Error('SWIM service stopped'))
    this.streams.clear()
  }

  /** The init of `request` for this protocol's outbound exchanges, tracked in `streams`. */
  exchange (init: Omit<ExchangeInit, HandlerFields>): ExchangeInit {
    return {
      ...init,
      protocol: this.init.protocol,
      maxOutboundStreams: this.init.maxOutboundStreams,
      streams: this.streams,
      running: () => this.active
    }
  }

  /**
   * Serves an inbound stream from `from`, tracked in `streams` until `exchange` settles. A
   * failure is logged as `what` and resets the stream; `onDone` runs either way.
   */
  serve (stream: Stream, from: string, what: string, exchange: () => Promise<void>, onDone?: (from: string) => void): void {
    this.streams.add(stream)
    exchange()
      .catch((err) => {
        this.init.log.trace('%s from %s failed - %e', what, from, err)
        stream.abort(err as Error)
      })
      .finally(() => {
        this.streams.delete(stream)
        onDone?.(from)
      })
  }

  private onStream (stream: Stream, connection: Connection): void {
    const from = connection.remotePeer.toString()
    if (!this.active || !this.init.admits(from)) {
      stream.abort(new Error('Not a member of this cluster'))
      return
    }
    this.init.onStream(stream, connection, from)
  }
}
