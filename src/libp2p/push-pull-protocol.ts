/**
 * Push-pull state sync (SYNC_PROTOCOL) as request/response on a fresh stream per exchange:
 *
 *   A opens a stream --sync(entries, response=false)--> B
 *   A <--sync(entries, response=true)-- B, both close
 *
 * Each frame is length-prefixed and bounded by the wire limit for sync messages; the whole
 * exchange is bounded by an AbortSignal timeout. A large frame is decoded in parts of
 * SYNC_PART_BYTES with a yield to the event loop between them (`decodeInParts`), so a peer's
 * full state, or an attacker's flood of large syncs, never holds acks and timers back for
 * longer than one part takes. A malformed request or response is
 * counted and the stream reset. Nothing here throws into the caller or rejects unobserved.
 *
 * What a peer can make this node hold is bounded per node, not per connection: at most
 * MAX_INBOUND_SYNCS exchanges at once (MAX_STRANGER_SYNCS of them from peers that are not
 * members, whose frames may not exceed MAX_STRANGER_SYNC_BYTES), so partial frames never
 * hold more than MAX_INBOUND_SYNCS × maxSyncBytes. A slot is taken only once the stream's
 * proof of the cluster key holds, so outsiders cannot hold the slots joiners need. A peer the
 * service penalises (a bad signature) is refused for SYNC_PENALTY ms.
 */
import type { Connection, Stream } from '@libp2p/interface'
import type { Message, Sync } from '../core/messages.ts'
import type { DecodeResult, WireLimits } from '../wire/index.ts'
import { decodeInParts } from '../wire/sync-frames.ts'
import { MAX_INBOUND_SYNC_STREAMS, MAX_OUTBOUND_SYNC_STREAMS, SYNC_PROTOCOL } from './constants.ts'
import { ProtocolHandler } from './protocol-handler.ts'
import type { RequestResponseInit } from './protocol-handler.ts'
import { readRequest, request, respond } from './request-response.ts'
import type { ExchangeInit, Expected } from './request-response.ts'
import type { SyncAnswer } from './transport.ts'

/** Inbound push-pull exchanges in progress at once, over all connections. */
export const MAX_INBOUND_SYNCS = 8

/** Of those, from peers that are not members (joiners). */
export const MAX_STRANGER_SYNCS = 2

/** A joiner's request carries its own record and little else. */
export const MAX_STRANGER_SYNC_BYTES = 64 * 1024

/** How long a penalised peer's sync streams are refused. */
export const SYNC_PENALTY = 30_000

/** Penalised peers remembered at once (the oldest is forgotten first). */
const MAX_PENALISED = 4096

const SYNC_REQUEST: Expected<Sync> = {
  is: (message: Message): message is Sync => message.type === 'sync' && !message.response,
  otherwise: 'Something other than a sync request arrived on the sync protocol'
}

const SYNC_RESPONSE: Expected<Sync> = {
  is: (message: Message): message is Sync => message.type === 'sync' && message.response,
  otherwise: 'A sync request was answered by something other than a sync response'
}

export interface PushPullProtocolInit extends RequestResponseInit {
  /** How long our own join's exchange may take (ms). @default the `timeout` of every exchange */
  joinTimeout?: number
  /** Whether `id` is in this node's member table (strangers get smaller allowances). */
  isMember?: (id: string) => boolean
  /** The protocol id (a function of the cluster name). @default SYNC_PROTOCOL */
  protocol?: string
  /**
   * A sync request from an authenticated peer; returns the encoded response, undefined to
   * send none, or 'reset' to reset the stream (and penalise the peer).
   */
  onRequest: (from: string, request: Sync, bytes: number) => SyncAnswer | Promise<SyncAnswer>
  /**
   * Checks the part of a large request decoded so far; false (a bad signature) stops the
   * decoding, and onRequest gets the request as decoded up to there (to count and reset it).
   */
  checkPart?: (from: string, part: Sync) => Promise<boolean>
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

export class PushPullProtocol extends ProtocolHandler {
  private readonly init: PushPullProtocolInit
  private readonly outbound: ExchangeInit
  private readonly penalised = new Map<string, number>()
  private inbound = 0
  private inboundStrangers = 0
  /** Inbound streams refused: node-wide cap reached, or a penalised peer. */
  refused = 0

  constructor (init: PushPullProtocolInit) {
    super({
      ...init,
      protocol: init.protocol ?? SYNC_PROTOCOL,
      maxInboundStreams: MAX_INBOUND_SYNC_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_SYNC_STREAMS
    })
    this.init = init
    this.outbound = this.exchangeInit({ ...init, maxDataLength: init.limits.maxSyncBytes, decode: async (raw) => await decodeSync(raw, init.limits, init.clusterTag) })
  }

  /** Inbound exchanges in progress now (at most MAX_INBOUND_SYNCS): for tests and metrics. */
  get inboundExchanges (): number {
    return this.inbound
  }

  /** Refuses `peer`'s sync streams for SYNC_PENALTY ms. */
  penalise (peer: string): void {
    this.penalised.delete(peer)
    if (this.penalised.size >= MAX_PENALISED) {
      const oldest = this.penalised.keys().next().value
      if (oldest !== undefined) this.penalised.delete(oldest)
    }
    this.penalised.set(peer, Date.now() + SYNC_PENALTY)
  }

  private isPenalised (peer: string): boolean {
    const until = this.penalised.get(peer)
    if (until === undefined) return false
    if (Date.now() < until) return true
    this.penalised.delete(peer)
    return false
  }

  /**
   * Sends an encoded sync request to `to` and returns its response with its size, or
   * undefined when the exchange failed in any way (never rejects).
   */
  async exchange (to: string, addrs: string[], sync: Uint8Array, join = false): Promise<{ message: Sync, bytes: number } | undefined> {
    if (!this.running || !this.init.admits(to)) return undefined
    const init = join && this.init.joinTimeout != null ? { ...this.outbound, timeout: this.init.joinTimeout } : this.outbound
    return await request(init, to, addrs, sync, SYNC_RESPONSE, this.init.onExchangeFailed == null ? undefined : (err) => { this.init.onExchangeFailed?.(to, err) })
  }

  protected onStream (stream: Stream, connection: Connection, from: string): void {
    if (this.isPenalised(from)) {
      this.refused++
      stream.abort(new Error('Push-pull refused for a while: a record with a bad signature'))
      return
    }
    this.serveInbound(stream, from, 'sync request', async () => { await this.serve(stream, connection, from) }, (id) => { this.init.onDone?.(id) })
  }

  /**
   * The stream proof first (a stream waiting for its 17 bytes holds next to nothing, and a
   * peer without the key never takes an exchange slot), then a slot under the node-wide
   * caps, which bound what partial frames may hold, then the exchange.
   */
  private async serve (stream: Stream, connection: Connection, from: string): Promise<void> {
    const signal = AbortSignal.timeout(this.init.timeout)
    if (this.init.admitStream != null && !await this.init.admitStream(stream, from, { signal })) {
      stream.abort(new Error('No valid cluster key proof'))
      return
    }
    if (!this.running) return
    const stranger = this.init.isMember != null && !this.init.isMember(from)
    if (this.inbound >= MAX_INBOUND_SYNCS || (stranger && this.inboundStrangers >= MAX_STRANGER_SYNCS)) {
      this.refused++
      stream.abort(new Error('Too many push-pull exchanges at once'))
      return
    }
    this.inbound++
    if (stranger) this.inboundStrangers++
    try {
      if (await this.answer(stream, from, stranger, signal)) this.init.onJoinAnswered?.(connection)
    } finally {
      this.inbound--
      if (stranger) this.inboundStrangers--
    }
  }

  /** Answers one request; resolves to whether it was a join. */
  private async answer (stream: Stream, from: string, stranger: boolean, signal: AbortSignal): Promise<boolean> {
    const maxDataLength = stranger ? Math.min(MAX_STRANGER_SYNC_BYTES, this.init.limits.maxSyncBytes) : this.init.limits.maxSyncBytes
    const check = this.init.checkPart
    const decode = async (raw: Uint8Array): Promise<DecodeResult> => await decodeSync(raw, this.init.limits, this.init.clusterTag, check == null ? undefined : async (part) => await check(from, part))
    const sync = await readRequest({ ...this.init, maxDataLength, countFramingErrors: true, decode }, stream, from, SYNC_REQUEST, signal)
    if (sync == null || !this.running) return false
    const response = await this.init.onRequest(from, sync.message, sync.bytes)
    if (response === 'reset') {
      this.penalise(from)
      stream.abort(new Error('Bad sync request: a record with a bad signature'))
      return false
    }
    await respond(sync.framed, response, signal)
    return sync.message.join
  }
}

/**
 * Decodes a sync frame a part at a time, yielding to the event loop between parts (after
 * the I/O already waiting, as setImmediate runs after the poll phase). `check` sees the sync
 * decoded so far after each part; when it answers false, decoding stops there and that
 * partial sync is the result. The exchange's timeout does not cut it short: the frame has
 * arrived, and how long decoding takes on a busy node is not the peer's fault (the caller
 * looks whether the service stopped meanwhile).
 */
async function decodeSync (raw: Uint8Array, limits: WireLimits, clusterTag: number | undefined, check?: (part: Sync) => Promise<boolean>): Promise<DecodeResult> {
  const steps = decodeInParts(raw, limits, undefined, { clusterTag })
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
    if (check != null && !await check(step.value)) return { ok: true, message: step.value }
    await new Promise((resolve) => setImmediate(resolve))
  }
}
