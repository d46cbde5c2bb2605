/**
 * The base of the protocols that open a fresh stream per exchange (ping-protocol.ts,
 * push-pull-protocol.ts): their registration, the streams they have in progress, one start,
 * one stop and one way to admit and serve an inbound stream, so the two cannot drift apart
 * on what a stop aborts or what a failed inbound exchange does to its stream.
 *
 * start and stop are idempotent. A stop unregisters the handler and aborts every stream in
 * `streams`, inbound and outbound; the exchanges see their stream fail and settle.
 */
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { WireError, WireLimits } from '../wire/index.ts'
import type { Dialer } from './dialer.ts'
import type { SwimRegistrar } from './probe-protocol.ts'
import type { ExchangeInit } from './request-response.ts'

/** What both protocols are given, beside their own handlers. */
export interface RequestResponseInit {
  registrar: SwimRegistrar
  dialer: Dialer
  log: Logger
  limits: WireLimits
  /** This node's cluster tag (`clusterTag(cluster)`): records of another cluster are rejected as `foreign-cluster`. */
  clusterTag?: number
  /** Bound of one whole exchange, dial included. */
  timeout: number
  /** Whether streams from this peer are accepted (admission); others are reset at once. */
  admits: (id: string) => boolean
  /**
   * Reads and checks the stream proof an inbound stream begins with, before anything else
   * is read; a stream without a valid one is reset. Unset: no proof is expected.
   */
  admitStream?: (stream: Stream, from: string, options: { signal: AbortSignal }) => Promise<boolean>
  onDecodeError: (from: string, error: WireError | Error) => void
  /** As ProbeProtocolInit's. */
  onUnreachable: (id: string, refused: boolean) => void
}

export interface ProtocolHandlerInit extends Pick<RequestResponseInit, 'registrar' | 'log' | 'admits'> {
  protocol: string
  maxInboundStreams: number
  maxOutboundStreams: number
}

/** What `ProtocolHandler.exchangeInit` fills in of an ExchangeInit. */
type HandlerFields = 'protocol' | 'maxOutboundStreams' | 'streams' | 'running'

export abstract class ProtocolHandler {
  /** Streams in progress (either side), aborted when the protocol stops. */
  protected readonly streams = new Set<Stream>()
  private readonly handling: ProtocolHandlerInit
  private active = false

  constructor (init: ProtocolHandlerInit) {
    this.handling = init
  }

  get running (): boolean {
    return this.active
  }

  /** A stream an admitted peer (`from`) opened, while running. */
  protected abstract onStream (stream: Stream, connection: Connection, from: string): void

  async start (): Promise<void> {
    if (this.active) return
    await this.handling.registrar.handle(this.handling.protocol, (stream, connection) => { this.admit(stream, connection) }, {
      maxInboundStreams: this.handling.maxInboundStreams,
      maxOutboundStreams: this.handling.maxOutboundStreams
    })
    this.active = true
  }

  async stop (): Promise<void> {
    if (!this.active) return
    this.active = false
    await this.handling.registrar.unhandle(this.handling.protocol).catch(() => {})
    for (const stream of this.streams) stream.abort(new Error('SWIM service stopped'))
    this.streams.clear()
  }

  /** The init of `request` for this protocol's outbound exchanges, tracked in `streams`. */
  protected exchangeInit (init: Omit<ExchangeInit, HandlerFields>): ExchangeInit {
    return {
      ...init,
      protocol: this.handling.protocol,
      maxOutboundStreams: this.handling.maxOutboundStreams,
      streams: this.streams,
      running: () => this.active
    }
  }

  /**
   * Serves an inbound stream from `from`, tracked in `streams` until `exchange` settles. A
   * failure is logged as `what` and resets the stream; `onDone` runs either way.
   */
  protected serveInbound (stream: Stream, from: string, what: string, exchange: () => Promise<void>, onDone?: (from: string) => void): void {
    this.streams.add(stream)
    exchange()
      .catch((err) => {
        this.handling.log.trace('%s from %s failed - %e', what, from, err)
        stream.abort(err as Error)
      })
      .finally(() => {
        this.streams.delete(stream)
        onDone?.(from)
      })
  }

  private admit (stream: Stream, connection: Connection): void {
    const from = connection.remotePeer.toString()
    if (!this.active || !this.handling.admits(from)) {
      stream.abort(new Error('Not a member of this cluster'))
      return
    }
    this.onStream(stream, connection, from)
  }
}
