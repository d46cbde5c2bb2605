/**
 * The fallback probe (`pingProtocol(cluster)`): one ping and its ack on a fresh stream, as
 * memberlist's TCP fallback ping. The core's second direct ping of a probe goes this way
 * when the first one went as a datagram, so a network that drops UDP degrades to probing
 * over libp2p connections instead of declaring healthy members failed.
 *
 *   A opens a stream --ping(seq)--> B
 *   A <--ack(seq)-- B, both close
 *
 * Frames are length-prefixed and bounded by the wire limits; the exchange by a timeout. A
 * refused or unroutable dial is reported: it is evidence about the member. Nothing here
 * throws into the caller or rejects unobserved.
 */
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Ack, Message, Ping } from '../core/messages.ts'
import type { WireError, WireLimits } from '../wire/index.ts'
import { MAX_INBOUND_PING_STREAMS, MAX_OUTBOUND_PING_STREAMS, PING_PROTOCOL } from './constants.ts'
import type { Dialer } from './dialer.ts'
import type { SwimRegistrar } from './probe-protocol.ts'
import { readRequest, request, respond } from './request-response.ts'
import type { ExchangeInit, Expected } from './request-response.ts'

const PING: Expected<Ping> = {
  is: (message: Message): message is Ping => message.type === 'ping',
  otherwise: 'Something other than a ping arrived on the fallback probe protocol'
}

const ACK: Expected<Ack> = {
  is: (message: Message): message is Ack => message.type === 'ack',
  otherwise: 'A fallback probe was answered by something other than an ack'
}

export interface PingProtocolInit {
  /** The protocol id (a function of the cluster name). @default PING_PROTOCOL */
  protocol?: string
  registrar: SwimRegistrar
  dialer: Dialer
  log: Logger
  limits: WireLimits
  /** This node's cluster tag (`clusterTag(cluster)`): records of another cluster are rejected as `foreign-cluster`. */
  clusterTag?: number
  /** Bound of one whole exchange, dial included. */
  timeout: number
  admits: (id: string) => boolean
  /**
   * Reads and checks the stream proof an inbound stream begins with, before anything else
   * is read; a stream without a valid one is reset. Unset: no proof is expected.
   */
  admitStream?: (stream: Stream, from: string, options: { signal: AbortSignal }) => Promise<boolean>
  /** A ping from an authenticated peer; returns the encoded ack, or undefined for none. */
  onPing: (from: string, ping: Ping, bytes: number) => Uint8Array | undefined
  onDecodeError: (from: string, error: WireError | Error) => void
  /** As ProbeProtocolInit's. */
  onUnreachable: (id: string, refused: boolean) => void
  /** The exchange is over (either side): the connection may be idle now. */
  onDone: (id: string) => void
}

export class PingProtocol {
  private readonly init: PingProtocolInit
  private readonly streams = new Set<Stream>()
  private readonly protocol: string
  private readonly exchange: ExchangeInit
  private running = false

  constructor (init: PingProtocolInit) {
    this.init = init
    this.protocol = init.protocol ?? PING_PROTOCOL
    this.exchange = {
      ...init,
      protocol: this.protocol,
      maxDataLength: init.limits.maxMessageBytes,
      maxOutboundStreams: MAX_OUTBOUND_PING_STREAMS,
      streams: this.streams,
      running: () => this.running
    }
  }

  async start (): Promise<void> {
    if (this.running) return
    await this.init.registrar.handle(this.protocol, (stream, connection) => { this.onStream(stream, connection) }, {
      maxInboundStreams: MAX_INBOUND_PING_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_PING_STREAMS
    })
    this.running = true
  }

  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    await this.init.registrar.unhandle(this.protocol).catch(() => {})
    for (const stream of this.streams) stream.abort(new Error('SWIM service stopped'))
    this.streams.clear()
  }

  /** Sends an encoded ping and resolves to its ack, or undefined (never rejects). */
  async ping (to: string, addrs: string[], ping: Uint8Array): Promise<{ message: Ack, bytes: number } | undefined> {
    if (!this.running || !this.init.admits(to)) return undefined
    return await request(this.exchange, to, addrs, ping, ACK)
  }

  private onStream (stream: Stream, connection: Connection): void {
    const from = connection.remotePeer.toString()
    if (!this.running || !this.init.admits(from)) {
      stream.abort(new Error('Not a member of this cluster'))
      return
    }
    this.streams.add(stream)
    this.answer(stream, from)
      .catch((err) => {
        this.init.log.trace('fallback probe from %s failed - %e', from, err)
        stream.abort(err as Error)
      })
      .finally(() => {
        this.streams.delete(stream)
        this.init.onDone(from)
      })
  }

  private async answer (stream: Stream, from: string): Promise<void> {
    const signal = AbortSignal.timeout(this.init.timeout)
    if (this.init.admitStream != null && !await this.init.admitStream(stream, from, { signal })) {
      stream.abort(new Error('No valid cluster key proof'))
      return
    }
    const ping = await readRequest(this.exchange, stream, from, PING, signal)
    if (ping == null || !this.running) return
    await respond(ping.framed, this.init.onPing(from, ping.message, ping.bytes), signal)
  }
}
