/**
 * The protocol's messages as plain data. `src/wire` maps them to bytes and back; the
 * core never sees bytes. Messages are treated as immutable once built: a node may hand
 * the same object to many receivers (the simulator does).
 *
 * Exchanges:
 *
 *   probe          A --ping(seq)--> B --ack(seq)--> A
 *   indirect probe A --ping-req(seq, B)--> C --ping(seq')--> B --ack(seq')--> C --ack(seq)--> A
 *                  (C sends nack(seq) to A when B stays silent, so A learns its own links work)
 *   gossip         A --gossip(updates)--> random members, every gossipInterval while news is queued
 *   push-pull      A --sync(states)--> B --sync(states, response)--> A (on join and periodically)
 *
 * Every message but sync piggybacks `updates` from the sender's broadcast queue.
 */

import type { MemberState } from './types.ts'

/**
 * What a member says about itself. Only the member creates it, and in a real cluster it is
 * signed with the member's own key, so nobody else can forge its liveness, addresses or
 * metadata. `leaving` marks the final record of a member that leaves gracefully.
 */
export interface MemberRecord {
  id: string
  incarnation: number
  addrs: string[]
  meta: Record<string, string>
  leaving: boolean
  /**
   * When the member's process started (ms since the epoch), set once per start: a newer
   * generation means the member restarted. Absent or 0: unknown (an older member).
   */
  generation?: number
  /** Opaque to the core; produced by the `sign` hook and checked by the `verify` hook. */
  signature?: Uint8Array
}

/** News about one member, disseminated by piggybacking, gossip and gossipsub. */
export type Update =
  /** The member's own record: alive (or leaving, when `record.leaving`). */
  | { type: 'record'; record: MemberRecord }
  /**
   * `from` suspects `id` at `incarnation`; `refused` when `from`'s connection was refused by
   * the member's host (no process listens at its address).
   */
  | { type: 'suspect'; id: string; incarnation: number; from: string; refused?: boolean }
  /** `from` declared `id` dead at `incarnation`. */
  | { type: 'dead'; id: string; incarnation: number; from: string }
  /**
   * `from` forgets `id`, which it holds dead or departed at `incarnation`: receivers that hold
   * it dead or departed too, at that incarnation or below, forget it now instead of after
   * reapTime. A member a receiver holds alive or suspect is never forgotten.
   */
  | { type: 'forget'; id: string; incarnation: number; from: string }

/** One member's entry in a push-pull exchange: its latest own record and our view of it. */
export interface SyncEntry {
  record: MemberRecord
  state: MemberState
  /** The incarnation the state refers to (a suspicion may name a newer one than the record). */
  incarnation: number
}

export interface Ping { type: 'ping'; seq: number; /** the id the sender means to reach */ target: string; updates: Update[] }
export interface Ack { type: 'ack'; seq: number; updates: Update[] }
export interface PingReq {
  type: 'ping-req'
  seq: number
  target: string
  targetAddrs: string[]
  updates: Update[]
  /**
   * ms left of the sender's probe when it asked. The relay nacks at 80% of it (Lifeguard),
   * so that the nack arrives while the sender still counts it. Older senders leave it out.
   */
  timeout?: number
}
export interface Nack { type: 'nack'; seq: number; updates: Update[] }
export interface Gossip { type: 'gossip'; updates: Update[] }
export interface Sync {
  type: 'sync'
  join: boolean
  response: boolean
  entries: SyncEntry[]
  /** `viewDigest` of the sender's view; with no entries, a request only compares views. */
  digest?: Uint8Array
}

export type Message = Ping | Ack | PingReq | Nack | Gossip | Sync
export type MessageType = Message['type']
