/**
 * Protocol ids, stream limits and timeouts of the libp2p binding. Timing knobs of the
 * protocol itself live in `src/core/config.ts`; wire size caps in `src/wire/limits.ts`.
 */

/** Version of the stream protocols; bumped only for an incompatible wire change. */
export const PROTOCOL_VERSION = '1.0.0'

/**
 * Packet-like protocol: ping, ack, ping-req, nack and gossip, each as one length-prefixed
 * frame on a long-lived stream per peer and direction. Replies travel on the replier's own
 * outbound stream, as datagrams would.
 */
export const PROBE_PROTOCOL = `/swim/${PROTOCOL_VERSION}/probe`

/**
 * Fallback probe: one ping and its ack on a fresh stream, for a probe whose datagram ping
 * got no answer (memberlist's TCP fallback ping).
 */
export const PING_PROTOCOL = `/swim/${PROTOCOL_VERSION}/ping`

/** Concurrent fallback probes per connection and direction: one per probe period is honest. */
export const MAX_INBOUND_PING_STREAMS = 4
export const MAX_OUTBOUND_PING_STREAMS = 4

/** Push-pull state sync: one request and one response on a fresh stream per exchange. */
export const SYNC_PROTOCOL = `/swim/${PROTOCOL_VERSION}/sync`

/** The three stream protocols, by the last segment of their ids. */
export type StreamProtocolName = 'probe' | 'ping' | 'sync'

/**
 * The protocol id of `name` in a named cluster: the default cluster keeps the ids above (so
 * nodes of earlier versions still talk to it); any other cluster's ids carry its name, so
 * nodes of two clusters sharing a network (or a key) never even open a stream to each other.
 */
export function clusterProtocol (name: StreamProtocolName, cluster: string = DEFAULT_CLUSTER): string {
  return cluster === DEFAULT_CLUSTER ? `/swim/${PROTOCOL_VERSION}/${name}` : `/swim/${cluster}/${PROTOCOL_VERSION}/${name}`
}

export const probeProtocol = (cluster?: string): string => clusterProtocol('probe', cluster)
export const pingProtocol = (cluster?: string): string => clusterProtocol('ping', cluster)
export const syncProtocol = (cluster?: string): string => clusterProtocol('sync', cluster)

/**
 * A cluster name: 1-64 letters, digits, '.', '_' or '-' (it is part of protocol ids, a
 * gossipsub topic and the record signature domain). Throws a RangeError naming the fix.
 */
export function checkClusterName (cluster: string): void {
  if (typeof cluster !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(cluster)) {
    throw new RangeError(`Invalid cluster name ${JSON.stringify(cluster)}: use 1 to 64 letters, digits, '.', '_' or '-'`)
  }
}

/**
 * Inbound probe streams per connection. A peer keeps one; a few more cover the moments
 * where it reopens a stream before this side has noticed the old one closing.
 */
export const MAX_INBOUND_PROBE_STREAMS = 4

/** Outbound probe streams per connection: one in use, spares for reopening. */
export const MAX_OUTBOUND_PROBE_STREAMS = 4

/**
 * Concurrent inbound push-pull exchanges per connection. A member starts one every
 * pushPullInterval (or on join), so more than a few at once is not an honest peer.
 */
export const MAX_INBOUND_SYNC_STREAMS = 4

/** Concurrent outbound push-pull exchanges per connection. */
export const MAX_OUTBOUND_SYNC_STREAMS = 4

/**
 * Frames queued for a peer while its stream is being opened. Beyond this, new frames are
 * dropped, as a full socket buffer drops datagrams: SWIM tolerates loss, not unbounded
 * memory.
 */
export const MAX_PENDING_FRAMES = 64

/**
 * Longest a dial plus stream negotiation may take for a probe-protocol frame. Beyond a
 * probe interval the frame is useless anyway (the probe has concluded), so the bound is
 * derived from it: max(DIAL_TIMEOUT_MIN, 2 × probeInterval).
 */
export const DIAL_TIMEOUT_MIN = 2000

/** See DIAL_TIMEOUT_MIN. */
export function dialTimeout (probeInterval: number): number {
  return Math.max(DIAL_TIMEOUT_MIN, 2 * probeInterval)
}

/**
 * A whole push-pull exchange (dial, request, response) must finish within
 * max(SYNC_TIMEOUT_MIN, SYNC_TIMEOUT_PROBE_MULT × probeTimeout): a full state transfer takes
 * a few round trips more than a probe, and a peer that cannot answer in that time is
 * treated as not answering.
 */
export const SYNC_TIMEOUT_MIN = 2000
export const SYNC_TIMEOUT_PROBE_MULT = 4

/** See SYNC_TIMEOUT_MIN. */
export function syncTimeout (probeTimeout: number): number {
  return Math.max(SYNC_TIMEOUT_MIN, SYNC_TIMEOUT_PROBE_MULT * probeTimeout)
}

/**
 * A join's exchange with a seed may take JOIN_TIMEOUT_MIN (memberlist's TCP timeout), or the
 * push-pull timeout when that is longer: when a cluster starts together its seed handshakes
 * with every joiner at once, and a join cut short throws away the handshake both sides paid
 * for, only to start it again on the retry.
 */
export const JOIN_TIMEOUT_MIN = 10_000

/** See JOIN_TIMEOUT_MIN. */
export function joinTimeout (probeTimeout: number): number {
  return Math.max(JOIN_TIMEOUT_MIN, syncTimeout(probeTimeout))
}

/**
 * `leave()` waits for the farewell frames to be written, at most
 * max(LEAVE_TIMEOUT_MIN, 2 × probeInterval): a member that cannot be reached by then learns
 * of the departure through gossip, push-pull or its own failure detection.
 */
export const LEAVE_TIMEOUT_MIN = 1000

/** See LEAVE_TIMEOUT_MIN. */
export function leaveTimeout (probeInterval: number): number {
  return Math.max(LEAVE_TIMEOUT_MIN, 2 * probeInterval)
}

/**
 * On start the service waits this long at most for the transports to report their listen
 * addresses, so that its first record carries them.
 */
export const LISTEN_WAIT = 2000

/**
 * Seeds given at start that do not answer are tried again with exponential backoff from
 * JOIN_RETRY_MIN up to JOIN_RETRY_MAX, until one answers or another member finds us.
 */
export const JOIN_RETRY_MIN = 1000
export const JOIN_RETRY_MAX = 30_000

/**
 * Signed-envelope domain of member records (libp2p RFC 0002 / `@libp2p/peer-record`
 * RecordEnvelope): a signature made for a SWIM record can never pass as one over another
 * payload type signed with the same key.
 */
export const RECORD_DOMAIN = 'libp2p-swim-record'

/**
 * The signature domain of a cluster's records: a record signed for one cluster never
 * verifies in another, even when the same key runs in both. The default cluster keeps
 * RECORD_DOMAIN, so its records stay valid for earlier versions.
 */
export function recordDomain (cluster: string = DEFAULT_CLUSTER): string {
  return cluster === DEFAULT_CLUSTER ? RECORD_DOMAIN : `${RECORD_DOMAIN}/${cluster}`
}

/**
 * Envelope payload type of member records. There is no multicodec code for them, so the
 * type is a readable string's UTF-8 bytes, as RFC 0002 allows for application types.
 */
export const RECORD_PAYLOAD_TYPE: Uint8Array = new TextEncoder().encode('/swim/member-record')

/** The gossipsub topic carrying a cluster's membership updates. */
export function gossipsubTopic (cluster: string): string {
  return `/swim/${cluster}/updates`
}

/** Cluster name when none is given. */
export const DEFAULT_CLUSTER = 'default'

/**
 * Updates this node has already published through gossipsub, remembered so each is
 * published once (the core re-sends a fresh update several times over SWIM).
 */
export const MAX_PUBLISHED_REMEMBERED = 4096

/**
 * Largest SWIM datagram by default, in bytes: below the 1,500-byte Ethernet MTU with room
 * for IP and UDP headers and tunnels (memberlist's UDPBufferSize is 1,400 too).
 */
export const DEFAULT_DATAGRAM_SIZE = 1400

/**
 * Smallest datagram size accepted: a ping with its headers and seal, plus the smallest
 * piggyback budget the protocol allows (256 bytes).
 */
export const MIN_DATAGRAM_SIZE = 512

/**
 * Bytes of a datagram kept for everything but the piggybacked updates: the message header
 * (type, sequence number, a target id of up to 128 bytes), protobuf framing, and the seal
 * (sender id, nonce, tag). The default piggyback budget shrinks to fit maxSize − this.
 */
export const DATAGRAM_RESERVE = 256

/**
 * Datagram pings to one member lost in a row, each time with the stream fallback acked,
 * before everything to that member goes on streams for STREAM_ONLY_TIME; then datagrams are
 * tried again.
 */
export const DATAGRAM_MISSES = 2
export const STREAM_ONLY_TIME = 30_000

/**
 * A datagram ping leaves its target out (the seal names the receiver), which a node of an
 * earlier version cannot read. A member that missed one while a stream reached it gets its
 * datagram pings with their target for this long, so a mixed cluster costs one fallback probe
 * per such member and node, not one every probe; then the short form is tried again.
 */
export const NAMED_TARGET_TIME = 600_000

/**
 * Connections this node dialed for SWIM and that carry no stream are closed after this long
 * idle: SWIM keeps no connection per member.
 */
export const IDLE_CONNECTION_TIMEOUT = 1000

/**
 * Each member is watched over a kept connection by this many others, its ring neighbours
 * chosen deterministically from the view (as Rapid's K observers), half on either side, and
 * watches them in turn over the same connections: when one closes, the watcher probes at
 * once, so a killed process is suspected within a round trip by WATCHERS members (enough
 * refusals for refusedSuspicionTimeout: suspicionMult − 1 with lan's 4), while every node
 * keeps WATCHERS connections whatever the cluster size. Even.
 */
export const WATCHERS = 4

/** Public keys derived from member ids, cached for record verification. */
export const MAX_CACHED_KEYS = 10_000
