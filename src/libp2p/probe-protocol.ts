/**
 * The packet-like protocol (PROBE_PROTOCOL): every message but sync is one length-prefixed
 * frame. Each node keeps one long-lived outbound stream per peer and writes all its frames
 * to that peer there; replies come back on the other side's own outbound stream, as
 * datagrams would. Inbound streams are read in a loop; each frame is decoded with the
 * bounded codec, and a bad frame is dropped and counted.
 *
 * Delivery is best effort, as SWIM expects of its transport: a frame that cannot be written
 * soon (no connection yet and the queue is full, a full write buffer, a failed dial) is
 * dropped. Nothing here throws into the caller or rejects unobserved.
 */
import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as lp from 'it-length-prefixed'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { STREAM_PROOF_BYTES } from './stream-auth.ts'
import type { Message } from '../core/messages.ts'
import { decodeMessage } from '../wire/decode.ts'
import type { WireError, WireLimits } from '../wire/index.ts'
import { MAX_INBOUND_PROBE_STREAMS, MAX_OUTBOUND_PROBE_STREAMS, MAX_PENDING_FRAMES, PROBE_PROTOCOL } from './constants.ts'
import { dialFailure } from './dialer.ts'
import type { Dialer } from './dialer.ts'
import { patientTimeout } from './timeout.ts'

/** The part of libp2p's registrar the service uses. */
export interface SwimRegistrar {
  handle: (protocol: string, handler: (stream: Stream, connection: Connection) => void | Promise<void>, options?: { maxInboundStreams?: number, maxOutboundStreams?: number }) => Promise<void>
  unhandle: (protocol: string) => Promise<void>
}

export interface ProbeProtocolInit {
  /** The protocol id (a function of the cluster name). @default PROBE_PROTOCOL */
  protocol?: string
  registrar: SwimRegistrar
  dialer: Dialer
  log: Logger
  limits: WireLimits
  /** This node's cluster tag (`clusterTag(cluster)`): records of another cluster are rejected as `foreign-cluster`. */
  clusterTag?: number
  /** Bound of a dial plus stream negotiation. */
  dialTimeout: number
  /** Whether streams from this peer are accepted (admission). */
  admits: (id: string) => boolean
  /**
   * Reads and checks the stream proof an inbound stream begins with, before anything else
   * is read; a stream without a valid one is reset. Unset: no proof is expected.
   */
  admitStream?: (stream: Stream, from: string, options: { signal: AbortSignal }) => Promise<boolean>
  /** Checks the stream proof (STREAM_PROOF_BYTES) an inbound probe stream begins with. */
  checkProof?: (from: string, proof: Uint8Array) => boolean
  /** A decoded message from an authenticated peer. */
  onMessage: (from: string, message: Message, bytes: number) => void
  /** A frame that could not be decoded (or a stream whose framing broke). */
  onDecodeError: (from: string, error: WireError | Error) => void
  /**
   * A dial to the member failed in a way that is evidence: `refused` when its host answered
   * that nothing listens there, else no route to it.
   */
  onUnreachable: (id: string, refused: boolean) => void
  /** A frame dropped before it reached the stream. */
  onDropped: (id: string) => void
}

interface Channel {
  stream?: Stream
  opening: boolean
  pending: Array<{ frame: Uint8ArrayList, done: (written: boolean) => void }>
}

export class ProbeProtocol {
  private readonly init: ProbeProtocolInit
  private readonly channels = new Map<string, Channel>()
  private readonly inbound = new Set<Stream>()
  private running = false

  constructor (init: ProbeProtocolInit) {
    this.init = init
  }

  async start (): Promise<void> {
    if (this.running) return
    await this.init.registrar.handle(this.init.protocol ?? PROBE_PROTOCOL, (stream, connection) => { this.onStream(stream, connection) }, {
      maxInboundStreams: MAX_INBOUND_PROBE_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_PROBE_STREAMS
    })
    this.running = true
  }

  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    await this.init.registrar.unhandle(this.init.protocol ?? PROBE_PROTOCOL).catch(() => {})
    for (const [id, channel] of this.channels) this.closeChannel(id, channel)
    this.channels.clear()
    for (const stream of this.inbound) stream.abort(new Error('SWIM service stopped'))
    this.inbound.clear()
  }

  /**
   * Sends one encoded message to member `to`. Resolves to whether the frame reached the
   * stream (it never rejects); callers that do not care may ignore the promise.
   */
  async send (to: string, addrs: string[], bytes: Uint8Array): Promise<boolean> {
    if (!this.running || !this.init.admits(to)) {
      this.init.onDropped(to)
      return false
    }
    const frame = lp.encode.single(bytes)
    let channel = this.channels.get(to)
    if (channel == null) {
      channel = { opening: false, pending: [] }
      this.channels.set(to, channel)
    }
    const stream = channel.stream
    if (stream != null) {
      if (stream.writeStatus === 'writable' && stream.status === 'open') {
        if (stream.writableNeedsDrain) {
          // The peer is not keeping up: drop, as a full socket buffer drops datagrams.
          this.init.onDropped(to)
          return false
        }
        try {
          stream.send(frame)
          return true
        } catch {}
      }
      channel.stream = undefined
    }
    if (channel.pending.length >= MAX_PENDING_FRAMES) {
      this.init.onDropped(to)
      return false
    }
    const written = new Promise<boolean>((resolve) => { channel.pending.push({ frame, done: resolve }) })
    if (!channel.opening) {
      this.open(to, addrs, channel).catch((err) => { this.init.log.error('probe stream to %s failed - %e', to, err) })
    }
    return written
  }

  /** Drops the outbound stream to a member (its connection went away). */
  forget (id: string): void {
    const channel = this.channels.get(id)
    if (channel == null || channel.opening) return
    this.closeChannel(id, channel)
    this.channels.delete(id)
  }

  private async open (to: string, addrs: string[], channel: Channel): Promise<void> {
    channel.opening = true
    let stream: Stream | undefined
    try {
      stream = await this.init.dialer.openStream(to, addrs, this.init.protocol ?? PROBE_PROTOCOL, {
        signal: patientTimeout(this.init.dialTimeout),
        maxOutboundStreams: MAX_OUTBOUND_PROBE_STREAMS
      })
    } catch (err) {
      this.init.log.trace('could not open probe stream to %s - %e', to, err)
      channel.opening = false
      const dropped = channel.pending.splice(0)
      for (const p of dropped) {
        this.init.onDropped(to)
        p.done(false)
      }
      const failure = dialFailure(err)
      if (this.running && failure != null) this.init.onUnreachable(to, failure === 'refused')
      if (this.channels.get(to) === channel && channel.pending.length === 0) this.channels.delete(to)
      return
    }
    channel.opening = false
    if (!this.running || this.channels.get(to) !== channel) {
      stream.abort(new Error('SWIM service stopped'))
      for (const p of channel.pending.splice(0)) p.done(false)
      return
    }
    channel.stream = stream
    const opened = stream
    opened.addEventListener('close', () => {
      if (channel.stream === opened) channel.stream = undefined
    })
    // This side never reads its outbound stream; whatever arrives on it is discarded.
    opened.closeRead().catch(() => {})
    for (const p of channel.pending.splice(0)) {
      let ok = false
      try {
        if (opened.writeStatus === 'writable') {
          opened.send(p.frame)
          ok = true
        }
      } catch {}
      if (!ok) this.init.onDropped(to)
      p.done(ok)
    }
  }

  private closeChannel (id: string, channel: Channel): void {
    const stream = channel.stream
    channel.stream = undefined
    for (const p of channel.pending.splice(0)) {
      this.init.onDropped(id)
      p.done(false)
    }
    if (stream != null) stream.close().catch((err) => { stream.abort(err) })
  }

  private onStream (stream: Stream, connection: Connection): void {
    const from = connection.remotePeer.toString()
    if (!this.running || !this.init.admits(from)) {
      stream.abort(new Error('Not a member of this cluster'))
      return
    }
    this.inbound.add(stream)
    this.read(stream, from)
      .catch((err) => { this.init.log.trace('probe stream from %s ended - %e', from, err) })
      .finally(() => { this.inbound.delete(stream) })
  }

  private async read (stream: Stream, from: string): Promise<void> {
    const max = this.init.limits.maxMessageBytes
    // A length prefix is at most 10 bytes; nothing larger than one frame is ever buffered.
    const decoder = new LengthPrefixedDecoder({ maxDataLength: max, maxBufferSize: max + 10 })
    // This side never writes on an inbound stream.
    stream.close().catch(() => {})
    // The stream proof comes first: nothing is decoded before it holds. (Read here rather
    // than through admitStream: the sender may close its side right after its frames.)
    let proof: Uint8ArrayList | undefined = this.init.checkProof != null ? new Uint8ArrayList() : undefined
    try {
      for await (let chunk of stream) {
        if (proof != null) {
          proof.append(chunk)
          if (proof.byteLength < STREAM_PROOF_BYTES) continue
          if (this.init.checkProof?.(from, proof.subarray(0, STREAM_PROOF_BYTES)) !== true) {
            stream.abort(new Error('No valid cluster key proof'))
            return
          }
          chunk = proof.sublist(STREAM_PROOF_BYTES)
          proof = undefined
        }
        for (const frame of decoder.decode(chunk)) {
          if (!this.running) return
          const result = decodeMessage(frame, this.init.limits, { clusterTag: this.init.clusterTag })
          if (!result.ok) {
            this.init.onDecodeError(from, result.error)
          } else if (result.message.type === 'sync') {
            this.init.onDecodeError(from, { code: 'invalid', message: 'A sync message arrived on the probe protocol' })
          } else {
            this.init.onMessage(from, result.message, frame.byteLength)
          }
        }
      }
    } catch (err) {
      if (stream.status === 'open') {
        // The framing itself is broken (an oversized or garbled length): nothing after it
        // can be trusted, so the stream goes.
        this.init.onDecodeError(from, err as Error)
        stream.abort(err as Error)
      }
    }
  }
}
