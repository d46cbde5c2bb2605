/**
 * A stand-in for the `swim()` service: a member table and an event target that emits
 * `member:*` events when a test says so. Enough for the daemon and the CLI, no protocol.
 */
import { TypedEventEmitter } from 'main-event'
import { HashRing } from '../../src/consumers/ring.ts'
import type { QuorumStatus } from '../../src/consumers/quorum.ts'
import type { Member, MembershipEvent, MembershipEventType, MemberState } from '../../src/core/types.ts'
import { Keyring } from '../../src/libp2p/keyring.ts'
import type { Swim, SwimEvents, SwimStats } from '../../src/libp2p/types.ts'

const STATE_AFTER: Record<MembershipEventType, MemberState | undefined> = {
  join: 'alive',
  alive: 'alive',
  suspect: 'suspect',
  fail: 'dead',
  leave: 'left',
  update: undefined
}

export function makeMember (id: string, overrides: Partial<Member> = {}): Member {
  return {
    id,
    addrs: [`/ip4/10.0.0.${id.length}/tcp/7946`],
    state: 'alive',
    incarnation: 0,
    meta: {},
    since: 1_700_000_000_000,
    generation: 0,
    ...overrides
  }
}

export class FakeSwim extends TypedEventEmitter<SwimEvents> implements Swim {
  readonly keys = new Keyring()
  readonly self: Member
  private readonly others = new Map<string, Member>()
  leaveCalls = 0
  /** When set, `setMetadata` rejects with it. */
  setMetadataError: Error | undefined
  /** What `quorum()` answers; `setQuorum` changes it and says `quorum:change`. */
  quorumStatus: QuorumStatus = { state: 'forming', alive: 1, expected: 0, since: 1_700_000_000_000 }
  private readonly ring = new HashRing()

  constructor (selfId = '12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelfSelf') {
    super()
    this.self = makeMember(selfId, { addrs: ['/ip4/127.0.0.1/tcp/7946'], meta: { role: 'test' } })
  }

  members (): Member[] {
    return [this.self, ...this.others.values()].map((member) => structuredClone(member))
  }

  localMember (): Member {
    return structuredClone(this.self)
  }

  async join (seeds: string[]): Promise<number> {
    return seeds.length
  }

  async setMetadata (meta: Record<string, string>): Promise<void> {
    if (this.setMetadataError != null) throw this.setMetadataError
    this.self.meta = { ...meta }
    this.self.incarnation++
  }

  async leave (): Promise<void> {
    this.leaveCalls++
  }

  /** Members forgotten through `forget` (the API refuses live ones before calling it). */
  readonly forgotten: string[] = []

  forget (id: string): void {
    this.forgotten.push(id)
  }

  stats (): SwimStats {
    return fakeStats(this)
  }

  lookup (key: string | Uint8Array, n = 1): Member[] {
    this.ring.update(this.members())
    return this.ring.lookup(key, n)
  }

  shares (): Record<string, number> {
    this.ring.update(this.members())
    return Object.fromEntries(this.ring.shares())
  }

  quorum (): QuorumStatus {
    return { ...this.quorumStatus }
  }

  setQuorum (status: Partial<QuorumStatus>): void {
    this.quorumStatus = { ...this.quorumStatus, ...status }
    this.dispatchEvent(new CustomEvent('quorum:change', { detail: this.quorum() }))
  }

  /** Applies `type` to member `id` in the table and dispatches `member:<type>`. */
  emit (type: MembershipEventType, id: string, overrides: Partial<Member> = {}, at = Date.now(), reason?: MembershipEvent['reason']): MembershipEvent {
    const previous = this.others.get(id) ?? makeMember(id)
    const member: Member = { ...previous, ...overrides, state: STATE_AFTER[type] ?? previous.state, since: at }
    this.others.set(id, member)
    const event: MembershipEvent = { type, member: structuredClone(member), at }
    if (reason !== undefined) event.reason = reason
    this.dispatchEvent(new CustomEvent(`member:${type}`, { detail: event }))
    return event
  }
}

/** Stats as the service would report them; member counts from the fake's table, fixed counters. */
export function fakeStats (swim: FakeSwim): SwimStats {
  const membersByState: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
  for (const member of swim.members()) membersByState[member.state]++
  return {
    membersByState,
    probesSent: 120,
    probesFailed: 3,
    indirectProbesSent: 9,
    suspicionsRaised: 2,
    suspicionsRefuted: 1,
    fails: 1,
    awarenessScore: 2,
    messagesIn: { ping: 100, ack: 98 },
    messagesOut: { ping: 120, 'ping-req': 9 },
    bytesIn: { ping: 4000, ack: 3900 },
    bytesOut: { ping: 4800, 'ping-req': 500 },
    decodeErrors: 4,
    foreignCluster: 31,
    gossipsubDeliveries: 7,
    nacksReceived: 5,
    refutations: 6,
    recordsRejected: 8,
    claimsRejected: 10,
    membersRejected: 19,
    signFailures: 20,
    budgetExceeded: 21,
    staleUpdates: 11,
    misdirectedPings: 12,
    messagesIgnored: 13,
    framesDropped: 14,
    unreachable: 15,
    dialsHeldBack: 22,
    streamsRejected: 16,
    pendingBroadcasts: 17,
    connections: 18
  }
}
