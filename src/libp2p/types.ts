import type { SwimConfig, ProfileName } from '../core/config.ts'
import type { Member, MembershipEvent } from '../core/types.ts'
import type { TypedEventTarget } from 'main-event'

/** Options of the `swim()` service. All optional; timing knobs override the profile's. */
export interface SwimInit extends Partial<SwimConfig> {
  /** Multiaddrs of members to join through on start (`/p2p/<id>` optional, `/dns4/` allowed). */
  seeds?: string[]
  /** Timing profile. @default 'lan' */
  profile?: ProfileName
  /** This member's metadata, disseminated with its signed record. */
  metadata?: Record<string, string>
  /** Cluster name: scopes the gossipsub topic `/swim/<cluster>/updates`. @default 'default' */
  cluster?: string
  /** Only these PeerIds may be members (admission control). Unset: anyone who can connect. */
  allowList?: string[]
  /** First incarnation; a daemon passes a persisted value so a restart starts above it. @default 0 */
  incarnation?: number
  /** Seed for the protocol's random choices (tests). @default random */
  randomSeed?: number
}

/** The typed events of the service: one per membership event type of the contract. */
export interface SwimEvents {
  'member:join': CustomEvent<MembershipEvent>
  'member:suspect': CustomEvent<MembershipEvent>
  'member:alive': CustomEvent<MembershipEvent>
  'member:fail': CustomEvent<MembershipEvent>
  'member:leave': CustomEvent<MembershipEvent>
  'member:update': CustomEvent<MembershipEvent>
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
}
