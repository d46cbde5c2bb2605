/**
 * Who may take part in the cluster. Two independent layers, both optional:
 *
 * 1. A private network: every node is created with the cluster's pre-shared key, so a node
 *    without it cannot complete a connection at all. libp2p does this below encryption; it
 *    is configured by whoever creates the node, not by this service:
 *
 *    ```ts
 *    import { preSharedKey } from '@libp2p/pnet'
 *    createLibp2p({ connectionProtector: preSharedKey({ psk }), ... })
 *    ```
 *
 *    `clusterKeyProtector(key)` below is that call, accepting the key file's text too.
 *
 * 2. An allow-list of PeerIds (`swim({ allowList })`): the service drops probe and sync
 *    streams from other peers, never sends to them, and rejects their records however they
 *    arrive (gossip, push-pull, gossipsub). `allowListGater(allowList)` additionally refuses
 *    their connections at the libp2p level; pass it as `connectionGater` when creating the
 *    node (it applies to every protocol of the node, not just SWIM).
 */
import { preSharedKey } from '@libp2p/pnet'
import type { ConnectionGater, ConnectionProtector, PeerId } from '@libp2p/interface'

/** A membership test over an optional allow-list; everyone is admitted without one. */
export class Admission {
  private readonly allowed?: ReadonlySet<string>

  constructor (allowList?: Iterable<string>) {
    if (allowList != null) this.allowed = new Set(allowList)
  }

  admits (id: string): boolean {
    return this.allowed == null || this.allowed.has(id)
  }
}

/**
 * A connection gater that refuses, in both directions, connections to any peer not in
 * `allowList` (checked as soon as the remote PeerId is authenticated). Other rules can be
 * layered through `base`, whose denials still apply.
 */
export function allowListGater (allowList: Iterable<string>, base: ConnectionGater = {}): ConnectionGater {
  const admission = new Admission(allowList)
  const denied = (peer: PeerId): boolean => !admission.admits(peer.toString())
  return {
    ...base,
    denyDialPeer: async (peer) => denied(peer) || (await base.denyDialPeer?.(peer)) === true,
    denyInboundEncryptedConnection: async (peer, conn) => denied(peer) || (await base.denyInboundEncryptedConnection?.(peer, conn)) === true,
    denyOutboundEncryptedConnection: async (peer, conn) => denied(peer) || (await base.denyOutboundEncryptedConnection?.(peer, conn)) === true
  }
}

/**
 * The libp2p connection protector for a cluster key, given as the key file's bytes or text
 * (PSK v1: the lines `/key/swarm/psk/1.0.0/`, `/base16/` and 64 hex digits; `swimd keygen`
 * writes one, `generateKey` of `@libp2p/pnet` too).
 */
export function clusterKeyProtector (key: Uint8Array | string): () => ConnectionProtector {
  const psk = typeof key === 'string' ? new TextEncoder().encode(key) : key
  return preSharedKey({ psk })
}
