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

export class Dialer {
  private readonly components: DialerComponents
  private readonly peerIds = new Map<string, PeerId>()
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
      await this.remember(peer, id, addrs, options)
      connection = await this.components.connectionManager.openConnection(peer, options)
    }
    return connection.newStream(protocol, options)
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

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH'])

/**
 * Whether a dial failed because the member's host answered that nothing listens there, or
 * that it cannot be routed to: evidence the direct probe failed, as opposed to a timeout.
 */
export function isUnreachable (err: unknown, depth = 0): boolean {
  if (err == null || typeof err !== 'object' || depth > 4) return false
  const e = err as { code?: unknown; errors?: unknown; cause?: unknown }
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true
  if (Array.isArray(e.errors) && e.errors.some(inner => isUnreachable(inner, depth + 1))) return true
  return isUnreachable(e.cause, depth + 1)
}
