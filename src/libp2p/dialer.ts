/**
 * Opening streams to members: over an existing connection when there is one, otherwise by
 * dialing the addresses the member announced (which are added to the peer store first, so
 * libp2p's dialer sees them).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { AbortOptions, Connection, PeerId, PeerStore, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { MAX_CACHED_KEYS } from './constants.ts'

/** The part of libp2p's connection manager the service uses. */
export interface SwimConnectionManager {
  getConnections: (peerId?: PeerId) => Connection[]
  openConnection: (peer: PeerId | Multiaddr | Multiaddr[], options?: AbortOptions) => Promise<Connection>
}

export interface DialerComponents {
  connectionManager: SwimConnectionManager
  peerStore: Pick<PeerStore, 'merge'>
}

export interface OpenStreamOptions extends AbortOptions {
  maxOutboundStreams?: number
}

/**
 * Dials toward members we never had a connection with (they never answered: perhaps fakes
 * at somebody's chosen addresses) are rate-limited, so no gossip can make this node dial a
 * third party again and again: one per member per UNANSWERED_REDIAL ms, and
 * UNANSWERED_DIALS_PER_SECOND in all. A member that connects or answers once is exempt.
 */
export const UNANSWERED_REDIAL = 10_000
export const UNANSWERED_DIALS_PER_SECOND = 32

export class Dialer {
  private readonly components: DialerComponents
  private readonly peerIds = new Map<string, PeerId>()
  private readonly answered = new Set<string>()
  private readonly lastDial = new Map<string, number>()
  private windowStart = 0
  private windowDials = 0
  /** Dials not made because of the limits above. */
  rateLimited = 0
  /** Addresses already merged into the peer store, per member, so a dial does not rewrite them. */
  private readonly stored = new Map<string, string>()

  constructor (components: DialerComponents) {
    this.components = components
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
    if (connection == null) {
      if (!this.answered.has(id)) this.limitUnanswered(id)
      await this.remember(peer, id, addrs, options)
      connection = await this.components.connectionManager.openConnection(peer, options)
    }
    if (this.answered.size >= MAX_CACHED_KEYS) this.answered.clear()
    this.answered.add(id)
    return connection.newStream(protocol, options)
  }

  /** Throws (before any dial) when a dial toward a never-answering member is over its limits. */
  private limitUnanswered (id: string): void {
    const now = Date.now()
    const last = this.lastDial.get(id)
    if (now - this.windowStart >= 1000) {
      this.windowStart = now
      this.windowDials = 0
    }
    if ((last !== undefined && now - last < UNANSWERED_REDIAL) || this.windowDials >= UNANSWERED_DIALS_PER_SECOND) {
      this.rateLimited++
      const err = new Error(`Not dialing ${id} again yet: it never answered`)
      err.name = 'DialRateLimitedError'
      throw err
    }
    this.windowDials++
    if (this.lastDial.size >= MAX_CACHED_KEYS) this.lastDial.clear()
    this.lastDial.set(id, now)
  }

  /** Forgets what was stored for members no longer known. */
  forget (id: string): void {
    this.stored.delete(id)
  }

  private openConnection (peer: PeerId): Connection | undefined {
    return this.components.connectionManager.getConnections(peer).find(c => c.status === 'open')
  }

  private async remember (peer: PeerId, id: string, addrs: string[], options: AbortOptions): Promise<void> {
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
  const codes: string[] = []
  collectCodes(err, codes, 0)
  if (codes.length === 0) return undefined
  if (codes.every(code => code === 'ECONNREFUSED')) return 'refused'
  if (codes.some(code => UNREACHABLE_CODES.has(code))) return 'unreachable'
  return undefined
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH'])

/** The codes of the innermost errors (an AggregateError's errors, or an error's cause). */
function collectCodes (err: unknown, codes: string[], depth: number): void {
  if (err == null || typeof err !== 'object' || depth > 4) return
  const e = err as { code?: unknown, errors?: unknown, cause?: unknown }
  if (Array.isArray(e.errors) && e.errors.length > 0) {
    for (const inner of e.errors) collectCodes(inner, codes, depth + 1)
    return
  }
  if (e.cause != null && typeof e.cause === 'object') {
    const before = codes.length
    collectCodes(e.cause, codes, depth + 1)
    if (codes.length > before) return
  }
  codes.push(typeof e.code === 'string' ? e.code : 'UNKNOWN')
}
