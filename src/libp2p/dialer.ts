/**
 * Opening streams to members: over an existing connection when there is one, otherwise by
 * dialing the addresses the member announced (which are added to the peer store first, so
 * libp2p's dialer sees them; datagram addresses are left out, they are not libp2p's).
 *
 * SWIM keeps no connection per member: a connection this dialer opened is closed once it
 * has carried no stream for IDLE_CONNECTION_TIMEOUT, unless the member is one this node
 * watches (see watch.ts). Connections the other side opened are its to close. A stream of a
 * protocol that rides every connection (gossipsub's) does not count as carrying one.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { AbortOptions, Connection, PeerId, PeerStore, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { IDLE_CONNECTION_TIMEOUT, MAX_CACHED_KEYS } from './constants.ts'
import { isDatagramAddr } from './datagram-address.ts'

/** The part of libp2p's connection manager the service uses. */
export interface SwimConnectionManager {
  getConnections: (peerId?: PeerId) => Connection[]
  openConnection: (peer: PeerId | Multiaddr | Multiaddr[], options?: AbortOptions) => Promise<Connection>
}

export interface DialerComponents {
  connectionManager: SwimConnectionManager
  peerStore: Pick<PeerStore, 'merge'>
}

/** Writes the first bytes of every stream this dialer opens (the stream proof). */
export type StreamPreamble = (stream: Stream, to: string) => void

export interface OpenStreamOptions extends AbortOptions {
  maxOutboundStreams?: number
}

/**
 * Dials toward members we never had a connection with (they never answered: perhaps fakes
 * at somebody's chosen addresses) are rate-limited, so no gossip can make this node dial a
 * third party again and again: one per member per UNANSWERED_REDIAL ms, and
 * UNANSWERED_DIALS_PER_SECOND in all. A member that connects or answers once is exempt, and
 * so are the seeds we are told to join through (configuration, not gossip: a seed still
 * busy with a cluster that starts together is tried again at the join's own pace).
 */
export const UNANSWERED_REDIAL = 10_000
export const UNANSWERED_DIALS_PER_SECOND = 32

/**
 * A dial toward a never-answering member that its host reset (it accepted the connection,
 * then dropped it) is tried once more after RESET_REDIAL ms, without waiting UNANSWERED_REDIAL.
 * A libp2p node that stops without leaving does this: SWIM there stops answering at once, but
 * its listener closes only once libp2p's other components have stopped, and until then it
 * resets what it accepts. The retry, refused by then, is the evidence Lifeguard's suspicion
 * waits for; without it a survivor whose one dial was reset has none for 10 s. One retry per
 * regular dial: a third party that resets is dialed at most twice per UNANSWERED_REDIAL.
 */
export const RESET_REDIAL = 1000

/**
 * Protocols whose streams ride whatever connection exists instead of asking for one: gossipsub
 * (and floodsub) open a long-lived stream on every connection to a subscribed peer. Were those
 * streams counted, every connection SWIM opened for a join, a push-pull or a fallback probe
 * would be kept for good, each with its muxer's keepalives (a seed kept one per joiner).
 * gossipsub then meshes over the connections that are kept: the watch ring.
 */
const RIDER_PROTOCOLS = ['/meshsub/', '/floodsub/']

/** Whether the connection carries an open stream of its own (not only riders'). */
export function carriesStreams (connection: Pick<Connection, 'streams'>): boolean {
  return connection.streams.some((s) => s.status === 'open' && !RIDER_PROTOCOLS.some((prefix) => s.protocol?.startsWith(prefix) === true))
}

/**
 * The peer-store tag on watched members, and its value (libp2p's range is 0 to 100). Not a
 * `keep-alive` tag: libp2p would redial a crashed member on its own, several times, and SWIM
 * chooses what to dial itself.
 */
export const WATCH_TAG = 'swim-watch'
export const WATCH_TAG_VALUE = 100

export class Dialer {
  private readonly components: DialerComponents
  private readonly peerIds = new Map<string, PeerId>()
  /** Members that had a connection with us (exempt from the limits above). */
  private readonly answeredBy = new Set<string>()
  /** Seeds we join through (exempt too; as many as the operator gave). */
  private readonly seeds = new Set<string>()
  private readonly lastDial = new Map<string, number>()
  /** Members whose last regular dial was reset: one retry allowed once RESET_REDIAL has passed. */
  private readonly resetRetries = new Set<string>()
  private windowStart = 0
  private windowDials = 0
  /** Dials not made because of the limits above. */
  heldBack = 0
  /** Addresses already merged into the peer store, per member, so a dial does not rewrite them. */
  private readonly stored = new Map<string, string>()
  /** Connections this dialer opened, by member. */
  private readonly dialed = new Map<string, Connection>()
  /** Idle checks pending, by member. */
  private readonly idleTimers = new Map<string, ReturnType<typeof setTimeout>>()
  /** Members whose connection is kept (watched), whoever opened it. */
  private kept = new Set<string>()
  private readonly idleTimeout: number

  private readonly preamble?: StreamPreamble
  private readonly now: () => number

  constructor (components: DialerComponents, options: { idleTimeout?: number, preamble?: StreamPreamble, now?: () => number } = {}) {
    this.components = components
    this.idleTimeout = options.idleTimeout ?? IDLE_CONNECTION_TIMEOUT
    this.preamble = options.preamble
    this.now = options.now ?? Date.now
  }

  /** The PeerId of a member id. Throws for an id that is not a PeerId. */
  peerId (id: string): PeerId {
    let peer = this.peerIds.get(id)
    if (peer == null) {
      peer = peerIdFromString(id)
      if (this.peerIds.size >= MAX_CACHED_KEYS) this.peerIds.clear()
      this.peerIds.set(id, peer)
    }
    return peer
  }

  /** Whether this node has an open connection to the member. */
  connected (id: string): boolean {
    return this.openConnection(this.peerId(id)) != null
  }

  /** Opens a stream for `protocol` to member `id`, dialing `addrs` if not connected. */
  async openStream (id: string, addrs: string[], protocol: string, options: OpenStreamOptions = {}): Promise<Stream> {
    const peer = this.peerId(id)
    let connection = this.openConnection(peer)
    if (connection == null) connection = await this.dial(peer, id, addrs, options)
    else this.answered(id)
    const stream = await connection.newStream(protocol, options)
    if (this.preamble != null) {
      try {
        this.preamble(stream, id)
      } catch (err) {
        stream.abort(err as Error)
        throw err
      }
    }
    return stream
  }

  /** Opens (or finds) a connection to the member and keeps it until `keep` says otherwise. */
  async connect (id: string, addrs: string[], options: AbortOptions = {}): Promise<void> {
    const peer = this.peerId(id)
    if (this.openConnection(peer) != null) {
      this.answered(id)
      return
    }
    await this.dial(peer, id, addrs, options)
  }

  /**
   * The members whose connections are kept; any other idle connection this dialer opened may
   * go. Kept members are tagged in the peer store (WATCH_TAG), so libp2p's pruner, which closes
   * the connections of the lowest tag value first and then those with the fewest streams,
   * spares them: a watch connection carries no stream, and untagged it would be the first
   * pruned whenever transient connections push the node over maxConnections, and a crash of
   * its member would go unseen by its watchers.
   */
  keep (ids: Set<string>): void {
    const before = this.kept
    this.kept = ids
    for (const id of before) {
      if (ids.has(id)) continue
      this.idle(id)
      this.tag(id, false)
    }
    for (const id of ids) if (!before.has(id)) this.tag(id, true)
  }

  /** Sets or removes the watch tag of `id` (best effort: an untagged connection may be pruned, then redialed). */
  private tag (id: string, on: boolean): void {
    let peer: PeerId
    try {
      peer = this.peerId(id)
    } catch {
      return
    }
    this.components.peerStore.merge(peer, { tags: { [WATCH_TAG]: on ? { value: WATCH_TAG_VALUE } : undefined } })
      .catch(() => {})
  }

  /**
   * A stream to or from `id` ended: if this dialer opened the connection, it is not kept,
   * and it still carries no stream after idleTimeout, it is closed.
   */
  idle (id: string): void {
    if (!this.dialed.has(id) || this.idleTimers.has(id)) return
    const timer = setTimeout(() => {
      this.idleTimers.delete(id)
      const connection = this.dialed.get(id)
      if (connection == null) return
      if (connection.status !== 'open') {
        this.dialed.delete(id)
        return
      }
      if (this.kept.has(id)) return
      if (carriesStreams(connection)) {
        this.idle(id)
        return
      }
      this.dialed.delete(id)
      connection.close().catch((err) => { connection.abort(err) })
    }, this.idleTimeout)
    timer.unref?.()
    this.idleTimers.set(id, timer)
  }

  /**
   * Closes an inbound connection that carries no other stream, unless its member is kept:
   * a seed's answer to a joiner needs no connection after it.
   */
  release (connection: Connection): void {
    const id = connection.remotePeer.toString()
    if (connection.direction !== 'inbound' || this.kept.has(id) || connection.status !== 'open') return
    if (carriesStreams(connection)) return
    connection.close().catch((err) => { connection.abort(err) })
  }

  /** Connections this dialer opened that are still open (for stats). */
  get openedConnections (): number {
    let n = 0
    for (const c of this.dialed.values()) if (c.status === 'open') n++
    return n
  }

  /** Cancels idle checks (the service stops; libp2p closes its connections itself). */
  stop (): void {
    for (const timer of this.idleTimers.values()) clearTimeout(timer)
    this.idleTimers.clear()
    this.dialed.clear()
    for (const id of this.kept) this.tag(id, false)
    this.kept = new Set()
  }

  private async dial (peer: PeerId, id: string, addrs: string[], options: AbortOptions): Promise<Connection> {
    const limited = !this.answeredBy.has(id) && !this.seeds.has(id) ? this.limitUnanswered(id) : undefined
    await this.remember(peer, id, addrs, options)
    let connection: Connection
    try {
      connection = await this.components.connectionManager.openConnection(peer, options)
    } catch (err) {
      // only a regular dial earns a retry: a reset retry waits for the next regular dial
      if (limited === 'regular' && dialWasReset(err)) {
        if (this.resetRetries.size >= MAX_CACHED_KEYS) this.resetRetries.clear()
        this.resetRetries.add(id)
      }
      throw err
    }
    this.resetRetries.delete(id)
    this.answered(id)
    if (!this.dialed.has(id) && this.dialed.size < MAX_CACHED_KEYS) this.dialed.set(id, connection)
    else if (this.dialed.has(id)) this.dialed.set(id, connection)
    this.idle(id)
    return connection
  }

  /** `id` is a seed we join through: its dials are not rate-limited. */
  seed (id: string): void {
    if (this.seeds.size >= MAX_CACHED_KEYS) this.seeds.clear()
    this.seeds.add(id)
  }

  /** `id` had a connection with us: its dials are no longer rate-limited. */
  private answered (id: string): void {
    if (this.answeredBy.has(id)) return
    if (this.answeredBy.size >= MAX_CACHED_KEYS) this.answeredBy.clear()
    this.answeredBy.add(id)
  }

  /**
   * Throws (before any dial) when a dial toward a never-answering member is over its limits;
   * otherwise says whether the dial is a regular one or the retry after a reset.
   */
  private limitUnanswered (id: string): 'regular' | 'retry' {
    const now = this.now()
    const sinceLast = now - (this.lastDial.get(id) ?? -Infinity)
    if (now - this.windowStart >= 1000) {
      this.windowStart = now
      this.windowDials = 0
    }
    const regular = sinceLast >= UNANSWERED_REDIAL
    const retry = !regular && sinceLast >= RESET_REDIAL && this.resetRetries.has(id)
    if ((!regular && !retry) || this.windowDials >= UNANSWERED_DIALS_PER_SECOND) {
      this.heldBack++
      const err = new Error(`Not dialing ${id} again yet: it never answered`)
      err.name = 'DialRateLimitedError'
      throw err
    }
    this.windowDials++
    this.resetRetries.delete(id)
    if (retry) return 'retry'
    if (this.lastDial.size >= MAX_CACHED_KEYS) this.lastDial.clear()
    this.lastDial.set(id, now)
    return 'regular'
  }

  /** Forgets what was stored for members no longer known. */
  forget (id: string): void {
    this.stored.delete(id)
    this.dialed.delete(id)
    clearTimeout(this.idleTimers.get(id))
    this.idleTimers.delete(id)
  }

  private openConnection (peer: PeerId): Connection | undefined {
    return this.components.connectionManager.getConnections(peer).find((c) => c.status === 'open')
  }

  private async remember (peer: PeerId, id: string, addrs: string[], options: AbortOptions): Promise<void> {
    addrs = addrs.filter((a) => !isDatagramAddr(a))
    if (addrs.length === 0) return
    const key = addrs.join(' ')
    if (this.stored.get(id) === key) return
    const multiaddrs = parseAddrs(addrs)
    if (multiaddrs.length === 0) return
    await this.components.peerStore.merge(peer, { multiaddrs }, options)
    if (this.stored.size >= MAX_CACHED_KEYS) this.stored.clear()
    this.stored.set(id, key)
  }
}

/** The addresses that parse as multiaddrs; others are skipped. */
export function parseAddrs (addrs: string[]): Multiaddr[] {
  const out: Multiaddr[] = []
  for (const a of addrs) {
    try {
      out.push(multiaddr(a))
    } catch {}
  }
  return out
}

/**
 * Why a dial failed, when that says something about the member:
 * - `refused`: every address tried was refused by its host (nothing listens there: the
 *   process is gone though the host is up);
 * - `unreachable`: some address was refused or had no route, the rest failed otherwise;
 * - undefined: anything else (a timeout, a failed handshake): no evidence either way.
 */
export function dialFailure (err: unknown): 'refused' | 'unreachable' | undefined {
  const codes = innermostErrors(err).map((e) => typeof e.code === 'string' ? e.code : 'UNKNOWN')
  if (codes.length === 0) return undefined
  if (codes.every((code) => code === 'ECONNREFUSED')) return 'refused'
  if (codes.some((code) => UNREACHABLE_CODES.has(code))) return 'unreachable'
  return undefined
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH'])

/**
 * Whether the host reset the dial: at connect (the socket's ECONNRESET) or during the
 * handshake (noise's EncryptionFailedError, which carries only the socket's message).
 */
export function dialWasReset (err: unknown): boolean {
  return innermostErrors(err).some((e) => e.code === 'ECONNRESET' || (typeof e.message === 'string' && /\bECONNRESET$/.test(e.message)))
}

interface ErrorLike { code?: unknown, message?: unknown, errors?: unknown, cause?: unknown }

/** The innermost errors: an AggregateError's errors, or an error's cause, down to four levels. */
function innermostErrors (err: unknown, out: ErrorLike[] = [], depth = 0): ErrorLike[] {
  if (err == null || typeof err !== 'object' || depth > 4) return out
  const e = err as ErrorLike
  if (Array.isArray(e.errors) && e.errors.length > 0) {
    for (const inner of e.errors) innermostErrors(inner, out, depth + 1)
    return out
  }
  if (e.cause != null && typeof e.cause === 'object') {
    const before = out.length
    innermostErrors(e.cause, out, depth + 1)
    if (out.length > before) return out
  }
  out.push(e)
  return out
}
