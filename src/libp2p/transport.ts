/**
 * The transport between the driver of the protocol core and the network, split as
 * memberlist's `Transport` is: packets and streams.
 *
 * - Packets are datagrams: unordered, lossy, bounded in size, no connection. Probes, acks,
 *   indirect probes, nacks and gossip go this way when both ends have a datagram address,
 *   so a member's cost does not depend on how many members there are.
 * - Streams are libp2p streams over a libp2p connection: reliable, authenticated by the
 *   connection, costly to set up. Push-pull (joins and periodic state sync), the fallback
 *   probe, messages too large for a datagram and members without a datagram address use them.
 *
 * The driver decides which one a message takes; neither knows about the protocol's state.
 */
import type { Ack, Message, Ping, Sync } from '../core/messages.ts'

/** Where a datagram came from (the socket's view: not trusted, never used as a reply address). */
export interface PacketSource {
  address: string
  port: number
}

/** Datagrams. Implementations never throw from `send` and never reject from callbacks. */
export interface PacketTransport {
  /** Largest datagram sent or accepted, in bytes. */
  readonly maxPacketSize: number
  /** The datagram address to advertise (`/ip4/H/udp/P` or `/ip6/H/udp/P`), once started. */
  readonly address: string | undefined
  /** Binds the socket; `onPacket` gets every datagram of at most maxPacketSize bytes. */
  start: (onPacket: (packet: Uint8Array, source: PacketSource) => void) => Promise<void>
  /** Sends one datagram to an advertised datagram address; false when it could not be sent. */
  send: (to: string, packet: Uint8Array) => boolean
  stop: () => Promise<void>
}

/** What arrives on streams, for the driver to handle. */
export interface StreamHandlers {
  /** A packet-like message on a member's long-lived probe stream. */
  onMessage: (from: string, message: Exclude<Message, Sync>, bytes: number) => void
  /** A fallback probe: returns the encoded ack for the same stream, or undefined for none. */
  onPing: (from: string, ping: Ping, bytes: number) => Uint8Array | undefined
  /**
   * A push-pull request: returns the encoded response, undefined for none, or 'reset' when
   * the request was bad (a record with a bad signature): the stream is reset and the peer's
   * sync streams are refused for a while.
   */
  onSync: (from: string, request: Sync, bytes: number) => SyncAnswer | Promise<SyncAnswer>
  /**
   * The part of a large push-pull request decoded so far (the whole of it comes to onSync
   * after): resolves to false at a record with a bad signature, and the rest of the request
   * is not decoded. Lets a flood of bad signatures cost one part of a frame, not all of it.
   */
  checkSyncPart?: (from: string, part: Sync) => Promise<boolean>
}

/** What a push-pull request gets: a response, none, or 'reset' (the request was bad). */
export type SyncAnswer = Uint8Array | undefined | 'reset'

/** libp2p streams to members. Nothing here rejects: failures resolve to false or undefined. */
export interface StreamTransport {
  start: (handlers: StreamHandlers) => Promise<void>
  stop: () => Promise<void>
  /** One frame on the member's long-lived probe stream (members without datagrams). */
  send: (to: string, addrs: string[], bytes: Uint8Array) => Promise<boolean>
  /** A ping on a stream of its own, answered on it: memberlist's TCP fallback probe. */
  ping: (to: string, addrs: string[], bytes: Uint8Array) => Promise<{ message: Ack, bytes: number } | undefined>
  /** A push-pull exchange; `join`: our join through a seed (given longer to answer). */
  exchange: (to: string, addrs: string[], bytes: Uint8Array, join?: boolean) => Promise<{ message: Sync, bytes: number } | undefined>
  /** The member's connection went away: drop what is kept for it. */
  forget: (id: string) => void
  /** `id` sent a record with a bad signature: its push-pull streams are refused for a while. */
  penalise: (id: string) => void
}

/** What the driver sends through. `packets` is absent when datagrams are turned off. */
export interface Transport {
  packets?: PacketTransport
  streams: StreamTransport
}

/**
 * Authenticates (and, with a cluster key, encrypts) datagrams: `PacketCrypto`. `open` costs
 * at most one AEAD check, and what it refuses is dropped: never answered.
 */
export interface PacketSealer {
  /** Bytes `seal` adds to a message. */
  readonly overhead: number
  /** The datagram carrying `payload` to member `to`, or undefined when it cannot be sealed. */
  seal: (to: string, payload: Uint8Array) => Uint8Array | undefined
  /** The sender and the payload of a datagram, or why it was refused. */
  open: (packet: Uint8Array) => { from: string, payload: Uint8Array } | { error: string }
  /** A member entered the view: its datagrams may now be opened. */
  know: (id: string) => void
  /** A member left the view. */
  forget: (id: string) => void
}
