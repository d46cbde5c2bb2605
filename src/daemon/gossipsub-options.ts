/**
 * The daemon's gossipsub settings (gossipsub is the extra dissemination path: SWIM never
 * waits for it, and its publications go out at once either way).
 */
import type { GossipsubOpts } from '@libp2p/gossipsub'

/**
 * Loopback peers are exempt from gossipsub's IP colocation penalty. That penalty (−5 per peer
 * squared beyond 10 on one IP) guards an open network against sybils from one host; peers on
 * loopback are on this host already. Without the exemption, a node holding more than ten
 * gossipsub peers on 127.0.0.1 (daemons sharing a host, a local cluster) scores every one of
 * them below zero and prunes it from its mesh; the pruned peer grafts again once its backoff
 * is over (60 s, cleared every 15 heartbeats: every 90 s), and is pruned again.
 */
export const LOOPBACK_IPS = ['127.0.0.1', '::1']

export function daemonGossipsubOptions (): Partial<GossipsubOpts> {
  return {
    allowPublishToZeroTopicPeers: true,
    // Heartbeat and score decay every 2 s rather than every second: each is a wakeup of its
    // own, and a calm daemon's wakeups are most of its CPU.
    heartbeatInterval: 2000,
    scoreParams: { decayInterval: 2000, IPColocationFactorWhitelist: new Set(LOOPBACK_IPS) }
  }
}
