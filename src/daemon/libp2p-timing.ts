/**
 * How long the daemon's libp2p connections stay open with nothing on them.
 *
 * yamux pings every connection from both ends, every 30 s by default: three TCP segments per
 * frame (noise's length prefix and its ciphertext are written apart, then the ACK), so on the
 * few connections the daemon keeps (its watch ring) they were most of its steady TCP traffic.
 * SWIM's own probes are the liveness check; the keepalive is only left to clear, rarely, a
 * kept connection that died silently (a NAT or firewall forgetting it).
 */
export const YAMUX_KEEPALIVE_INTERVAL = 300_000

/**
 * libp2p's TCP transport closes a socket that carried nothing for 2 minutes by default. A
 * watch connection carries nothing between keepalives, so with the keepalive above, every
 * watch connection of a cluster was closed 2 minutes after it opened and redialed at once: a
 * storm of handshakes through the whole cluster every 2 minutes (each close also a hint that
 * makes the watcher probe). Twice the keepalive: a socket stays idle that long only when both
 * ends' keepalives went missing.
 */
export const SOCKET_INACTIVITY_TIMEOUT = 2 * YAMUX_KEEPALIVE_INTERVAL
