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
import type { Connection, Stream } from '@libp2p/interface'
import type { Ack, Message, Ping } from '../core/messages.ts'
import { MAX_INBOUND_PING_STREAMS, MAX_OUTBOUND_PING_STREAMS, PING_PROTOCOL } from './constants.ts'
import { ProtocolHandler } from './protocol-handler.ts'
import type { RequestResponseInit } from './protocol-handler.ts'
import { readRequest, request, respond } from './request-response.ts'
import type { ExchangeInit, Expected } from './request-response.ts'
import { patientTimeout } from './timeout.ts'

const PING: Expected<Ping> = {
  is: (message: Message): message is Ping => message.type === 'ping',
  otherwise: 'Something other than a ping arrived on the fallback probe protocol'
}

const ACK: Expected<Ack> = {
  is: (message: Message): message is Ack => message.type === 'ack',
  otherwise: 'A fallback probe was answered by something other than an ack'
}

export interface PingProtocolInit extends RequestResponseInit {
  /** The protocol id (a function of the cluster name). @default PING_PROTOCOL */
  protocol?: string
  /** A ping from an authenticated peer; returns the encoded ack, or undefined for none. */
  onPing: (from: string, ping: Ping, bytes: number) => Uint8Array | undefined
  /** The exchange is over (either side): the connection may be idle now. */
  onDone: (id: string) => void
}

export class PingProtocol extends ProtocolHandler {
  private readonly init: PingProtocolInit
  private readonly exchange: ExchangeInit

  constructor (init: PingProtocolInit) {
    super({
      ...init,
      protocol: init.protocol ?? PING_PROTOCOL,
      maxInboundStreams: MAX_INBOUND_PING_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_PING_STREAMS
    })
    this.init = init
    this.exchange = this.exchangeInit({ ...init, maxDataLength: init.limits.maxMessageBytes })
  }

  /** Sends an encoded ping and resolves to its ack, or undefined (never rejects). */
  async ping (to: string, addrs: string[], ping: Uint8Array): Promise<{ message: Ack, bytes: number } | undefined> {
    if (!this.running || !this.init.admits(to)) return undefined
    return await request(this.exchange, to, addrs, ping, ACK)
  }

  protected onStream (stream: Stream, connection: Connection, from: string): void {
    this.serveInbound(stream, from, 'fallback probe', async () => { await this.answer(stream, from) }, (id) => { this.init.onDone(id) })
  }

  private async answer (stream: Stream, from: string): Promise<void> {
    const signal = patientTimeout(this.init.timeout)
    if (this.init.admitStream != null && !await this.init.admitStream(stream, from, { signal })) {
      stream.abort(new Error('No valid cluster key proof'))
      return
    }
    const ping = await readRequest(this.exchange, stream, from, PING, signal)
    if (ping == null || !this.running) return
    await respond(ping.framed, this.init.onPing(from, ping.message, ping.bytes), signal)
  }
}
