import type { QuorumStatus } from '../consumers/quorum.ts'
import type { SwimConfig, ProfileName } from '../core/config.ts'
import type { MachineStats } from '../core/machine.ts'
import type { Member, MemberState, MembershipEvent, MembershipEventName } from '../core/types.ts'
import type { JoinErrorDetail } from './join-errors.ts'
import type { TypedEventTarget } from 'main-event'
import type { Keyring } from './keyring.ts'

/** Options of the `swim()` service. All optional; timing knobs override the profile's. */
export interface SwimInit extends Partial<SwimConfig> {
  /** Multiaddrs of members to join through on start (`/p2p/<id>` optional, `/dns4/` allowed). */
  seeds?: string[]
  /** Timing profile. @default 'lan' */
  profile?: ProfileName
  /** This member's metadata, disseminated with its signed record. */
  metadata?: Record<string, string>
  /**
   * Cluster name (1-64 letters, digits, '.', '_', '-'): part of the protocol ids, the gossipsub
   * topic `/swim/<cluster>/updates` and every record's signature domain, so two clusters
   * sharing a network or a key never merge. @default 'default'
   */
  cluster?: string
  /**
   * Cluster keys (32 bytes each; the first is the primary): every SWIM stream begins with a
   * proof of one, every datagram is sealed with keys derived from it, so only holders of a
   * key are members. `node.services.swim.keys` rotates them. Unset or []: a keyless
   * cluster (datagrams are still authenticated by the members' identity keys).
   */
  clusterKeys?: Uint8Array[]
  /**
   * Told of every error the service logs (a record it cannot sign, a failed effect), so the
   * application can surface it. @default none
   */
  onError?: (message: string, error?: Error) => void
  /** Only these PeerIds may be members (admission control). Unset: anyone who can connect. */
  allowList?: string[]
  /**
   * Longest wait between two attempts of the background join through `seeds` (the wait
   * doubles from 1 s up to this). Serf's `-retry-interval`. @default 30000
   */
  joinRetryInterval?: number
  /**
   * Attempts of the background join before giving up (a `join:error` with cause `gave-up`);
   * 0 retries until a seed answers or another member finds this one. Serf's `-retry-max`.
   * @default 0
   */
  joinRetryMax?: number
  /** First incarnation; a daemon passes a persisted value so a restart starts above it. @default 0 */
  incarnation?: number
  /** Seed for the protocol's random choices (tests). @default random */
  randomSeed?: number
  /**
   * Name of the node's pubsub (gossipsub) service to use as an extra dissemination path, or
   * `false` for none. @default the service named `pubsub`, else `gossipsub`, when present
   */
  pubsub?: string | false
  /** A fixed expected cluster size for `quorum()`; learned from stable views when unset. */
  expect?: number
  /** How long (ms) a view must stay unchanged to count as stable for `quorum()`. @default 20000 */
  stableAfter?: number
  /**
   * SWIM datagrams (UDP): probes, acks, indirect probes, nacks and gossip travel as
   * datagrams between members that both have them; push-pull, joins, the fallback probe and
   * anything larger go over libp2p streams. `listen` is a `/ip4/H/udp/P` (or `/ip6/`)
   * address to bind (port 0: a port of its own); `maxSize` the largest datagram in bytes.
   * `false`: streams only, as for a browser or a relayed node.
   * @default { listen: host and port of the first TCP listen address, maxSize: 1400 }
   */
  datagram?: false | DatagramOptions
}

export interface DatagramOptions {
  listen?: string
  maxSize?: number
}

/**
 * Figures the service keeps about itself, for metrics. Counters are totals since the
 * service was created and never decrease. Message and byte counts are by message type
 * (`ping`, `ack`, `ping-req`, `nack`, `gossip`, `sync`, and `gossipsub` for what goes
 * through gossipsub); bytes are encoded SWIM messages with their length prefix, without the
 * stream, encryption and TCP overhead below them.
 */
export interface SwimStats extends MachineStats {
  /** Members of this node's view by state, self included. */
  membersByState: Record<MemberState, number>
  /** Lifeguard local health score, 0 (healthy) up to awarenessMaxMultiplier − 1. */
  awarenessScore: number
  /** Updates waiting in the broadcast queue to be piggybacked or gossiped (the service always sets it). */
  pendingBroadcasts?: number
  messagesIn: Record<string, number>
  messagesOut: Record<string, number>
  bytesIn: Record<string, number>
  bytesOut: Record<string, number>
  /** Inbound messages (or stream framing) that failed to decode or validate. */
  decodeErrors: number
  /**
   * Inbound messages dropped because they held member records stamped with another
   * cluster's tag (a node of another cluster sharing the network or key), counted apart from
   * decodeErrors and from recordsRejected (forgeries).
   */
  foreignCluster: number
  /** Gossip messages received through gossipsub and handed to the protocol. */
  gossipsubDeliveries: number
  /** Outbound messages dropped before reaching a stream (no connection, full buffers). */
  framesDropped: number
  /** Dials answered by a refusal or no route: each is a failed direct probe at once. */
  unreachable: number
  /**
   * Dials toward members that never answered, held back by the limits that keep gossip from
   * making this node dial a third party (`src/libp2p/dialer.ts`: UNANSWERED_REDIAL,
   * RESET_REDIAL, UNANSWERED_DIALS_PER_SECOND).
   */
  dialsHeldBack?: number
  /** Datagram figures (sizes as sent and received, sealed, without IP and UDP headers). */
  datagrams?: {
    in: number
    out: number
    bytesIn: number
    bytesOut: number
    /** Datagrams dropped unanswered: forged, replayed, truncated, foreign, not admitted. */
    rejected: number
    /** The same by reason: short, version, unknown-sender, foreign-key, forged, replay, not-admitted. */
    rejectedBy: Record<string, number>
    /** Second direct pings sent over a stream after a datagram ping went unanswered. */
    fallbackProbes: number
    /** Fallback probes that were acked. */
    fallbackAcks: number
  }
  /** Inbound SWIM streams reset for want of a valid cluster key proof. */
  streamsRejected?: number
  /** Connections this node opened for SWIM that are still open (watched members included). */
  connections?: number
}

/** One `member:<type>` event per membership event type of the contract. */
export type MembershipEvents = {
  [name in MembershipEventName]: CustomEvent<MembershipEvent>
}

/** The typed events of the service: the membership events, then the service's own. */
export interface SwimEvents extends MembershipEvents {
  /** The quorum object changed (its state, the alive count or the expected size). */
  'quorum:change': CustomEvent<QuorumStatus>
  /** A seed could not be joined through, and why (one event per seed and attempt). */
  'join:error': CustomEvent<JoinErrorDetail>
}

/** The public face of the service: `node.services.swim`. */
export interface Swim extends TypedEventTarget<SwimEvents> {
  /** Every known member, self included (snapshots). */
  members: () => Member[]
  localMember: () => Member
  /** Joins through `seeds`; resolves to how many seeds answered. */
  join: (seeds: string[]) => Promise<number>
  setMetadata: (meta: Record<string, string>) => Promise<void>
  /** Announces the departure, waits for it to be disseminated, stops probing. */
  leave: () => Promise<void>
  /**
   * Forgets a failed or departed member now instead of after reapTime, cluster-wide (the
   * claim is gossiped). Throws a RangeError for a member held alive or suspect, or unknown.
   */
  forget: (id: string) => void
  /** Counters and gauges for metrics (a snapshot). */
  stats: () => SwimStats
  /**
   * The `n` distinct live (alive or suspect) members owning `key` on the consistent-hash
   * ring, owner first; every member with the same view gives the same answer. @default n = 1
   */
  lookup: (key: string | Uint8Array, n?: number) => Member[]
  /** Each live member's share of the keys on that ring (fractions summing to 1), by member id. */
  shares: () => Record<string, number>
  /** Whether this node's side of the cluster holds a quorum (see src/consumers/quorum.ts). */
  quorum: () => QuorumStatus
  /** The cluster keys (install, use, remove: rotation without a restart). */
  readonly keys: Keyring
}
