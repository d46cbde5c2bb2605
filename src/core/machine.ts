import { Awareness } from './awareness.ts'
import { BroadcastQueue } from './broadcast-queue.ts'
import type { SwimConfig } from './config.ts'
import { FlapDamper } from './damping.ts'
import type { Effect } from './effects.ts'
import { pushPullScale, retransmitLimit, suspicionBounds, suspicionConfirmationsNeeded } from './formulas.ts'
import { MemberTable, sameContent, toMember, type MemberEntry, type MemberIds, type MemberTables, type MemberView } from './members.ts'
import type { Ack, Message, MemberRecord, Nack, Ping, PingReq, Sync, SyncEntry, Update } from './messages.ts'
import { ProbeOrder, type ProbeRotation } from './probe-order.ts'
import { digestBytes, digestPartA, digestPartB, sameDigest, syncEntryUpdates, toSyncEntries } from './push-pull.ts'
import { randomInt, type Random } from './random.ts'
import { SenderBudget } from './sender-budget.ts'
import { Suspicion } from './suspicion.ts'
import type { Member, MembershipEvent, MembershipEventType } from './types.ts'
import { estimateUpdateSize } from './update-size.ts'

export type UnsignedRecord = Omit<MemberRecord, 'signature'>

export interface SwimMachineInit {
  /** This member's id (its PeerId in a real cluster). */
  id: string
  addrs: string[]
  meta?: Record<string, string>
  /** Start above any incarnation a previous run of this member may have used. @default 0 */
  incarnation?: number
  /**
   * When this run of the member started (ms since the epoch): set once per process start and
   * kept nowhere, so observers can tell a restart from a refutation. @default 0 (unknown)
   */
  generation?: number
  config: SwimConfig
  random: Random
  now: number
  /** Signs this member's own records (a real cluster signs with the libp2p key). */
  sign?: (record: UnsignedRecord) => Uint8Array
  /** Checks another member's record; a record it rejects is dropped and counted. */
  verify?: (record: MemberRecord) => boolean
  /** Exact encoded size of an update, where the shell knows the encoding. */
  sizeOf?: (update: Update) => number
  /** The id registry of the member table, shared by many machines in one process (the simulator's). */
  memberIds?: MemberIds
  /**
   * Makes the member table and probe rotations instead of the dense defaults (the
   * simulator's shared tables for large runs); `memberIds` is then unused.
   */
  tables?: MemberTables
}

/** Counters of what the machine did, for metrics. */
export interface MachineStats {
  probesSent: number
  probesFailed: number
  indirectProbesSent: number
  nacksReceived: number
  suspicionsRaised: number
  suspicionsRefuted: number
  refutations: number
  fails: number
  recordsRejected: number
  claimsRejected: number
  staleUpdates: number
  misdirectedPings: number
  messagesIgnored: number
  /** New members turned away: table full (maxMembers) or the sender's budget spent. */
  membersRejected: number
  /** Own records that could not be signed (the change was not made; see the error effect). */
  signFailures: number
  /** Records left unchecked because their sender's verification budget was spent. */
  budgetExceeded: number
}

/** All counters at zero; also what a shell sums several machines' stats into. */
export function emptyMachineStats (): MachineStats {
  return {
    probesSent: 0,
    probesFailed: 0,
    indirectProbesSent: 0,
    nacksReceived: 0,
    suspicionsRaised: 0,
    suspicionsRefuted: 0,
    refutations: 0,
    fails: 0,
    recordsRejected: 0,
    claimsRejected: 0,
    staleUpdates: 0,
    misdirectedPings: 0,
    messagesIgnored: 0,
    membersRejected: 0,
    signFailures: 0,
    budgetExceeded: 0
  }
}

interface Probe {
  seq: number
  target: string
  /**
   * The target's incarnation when the probe began. A failed probe is evidence only against
   * that life of the member: one that restarted meanwhile (a higher incarnation, announced
   * by the new process) never received the pings sent to the old one.
   */
  incarnation: number
  indirectAt: number
  deadline: number
  acked: boolean
  indirectSent: boolean
  relays: string[]
  nacks: number
  /** Whether the probe's phase was given its time again after a stall of ours (once). */
  waited: boolean
}

interface Relay {
  origin: string
  originSeq: number
  target: string
  nackAt: number
}

/** A dead member we tried in vain waits at most this many reconnect intervals for the next try. */
const RECONNECT_BACKOFF_MAX = 8

/** Lifeguard: a relay nacks after this fraction of the time the origin still waits. */
const NACK_FRACTION = 0.8

/**
 * Indirect probes we run for others at once. Each member asks a few relays per failed
 * probe, so this is far above honest load; it bounds what a flood of requests can cost.
 */
const MAX_RELAYS = 256

/**
 * At most this many members a push-pull view holds dead (while we hold them alive) hear of it
 * from us per push-pull; the next push-pull with that view tells the next ones.
 */
const SYNC_NOTICES = 16

/** At most this many members get a leaving member's farewell directly; gossip does the rest. */
const LEAVE_FANOUT = 64

/**
 * After joining, push-pull (digest first) with a random member at these multiples of
 * probeInterval. When many members join at once, the seed's first answer holds only those
 * that came before; bulk state moves far more cheaply by push-pull than by gossip, and a
 * view that is already complete costs only a digest.
 */
const JOIN_CATCH_UP = [1, 2, 4, 8, 16, 32]

/**
 * For this many probe intervals after a member is new to us (not from our own join's answer:
 * a member that joins after us), a probe it leaves unanswered proves nothing about it. A
 * process that has just joined is often slow to answer for seconds: it is busy with its own
 * start (the first connections, code run for the first time), and on a machine where many
 * start at once it gets a small share of the CPU; suspecting it then costs a suspicion, its
 * gossip and a refutation per prober. A member that dies that young is suspected this much
 * later; members that sat in our view before are probed as ever.
 */
const NEWCOMER_GRACE = 8

/**
 * Probes a node starts per probe interval to see for itself a member someone else suspects.
 * One suspicion brings a probe from every member that hears it (the suspect hears of it and
 * refutes, the probers become parties to it); a storm of them (a partition, a starved host)
 * must not multiply each member's probing by the number of suspects.
 */
const CHECKS_PER_INTERVAL = 3

/**
 * SWIM with the Lifeguard extensions as a pure state machine. It knows no sockets, timers
 * or clocks: the shell feeds it time (`tick`), messages (`receive`) and commands, and
 * carries out the effects each call returns. Random choices come from the injected
 * generator, so a seed fixes a run.
 *
 * Invariants:
 * - only a member raises its own incarnation (to refute, to change its record, to leave),
 *   and only one step above its own last signed record: incarnations move through
 *   signatures, never to a number somebody else wrote into a claim;
 * - news about a member is accepted only if it is newer: a higher incarnation, or at equal
 *   incarnation a stronger state (alive < suspect < dead); records must pass `verify`;
 * - suspect/dead claims are accepted only from members we consider alive or suspect, and
 *   only at an incarnation no higher than the member's newest signed record we hold;
 * - a claim counts as a Lifeguard confirmation (or refusal evidence) only when it came
 *   straight from its accuser (`from` of `receive` is the claim's `from`), once per
 *   accuser; a dead claim is a verdict only when a second authenticated party already
 *   stands behind the suspicion, so no single sender can fail a member that answers;
 * - claims about ourselves are answered by refuting, at most once per probe interval,
 *   and only from senders in our table;
 * - the table holds at most `maxMembers`; each sender's claims, new members and
 *   verifications are budgeted per probe interval (`sender-budget.ts`), and members new to
 *   us come only from the member itself, from live members, or from the seed answering
 *   our own join;
 * - members that never spoke to us are probed in a rotation of their own beside the
 *   regular one, so a flood of fake members cannot slow the detection of real ones.
 */
export class SwimMachine {
  readonly id: string
  readonly config: SwimConfig
  readonly stats: MachineStats = emptyMachineStats()

  private readonly random: Random
  private readonly signHook?: (record: UnsignedRecord) => Uint8Array
  private readonly verifyHook?: (record: MemberRecord) => boolean
  private readonly sizeOf: (update: Update) => number
  private readonly table: MemberView
  private readonly order: ProbeRotation
  private readonly queue: BroadcastQueue
  private readonly awareness: Awareness
  private readonly damper: FlapDamper
  private readonly suspicions = new Map<string, Suspicion>()
  private readonly probes = new Map<number, Probe>()
  private readonly relays = new Map<number, Relay>()
  private self: MemberRecord
  private selfSince: number
  private leaving = false
  private now: number
  private seq = 0
  private out: Effect[] = []
  private nextProbeAt: number
  /** Probes left this interval to see suspected members for ourselves (CHECKS_PER_INTERVAL). */
  private checksLeft = CHECKS_PER_INTERVAL
  private nextGossipAt: number
  private lastGossipAt = -Infinity
  private nextPushPullAt: number
  private nextReconnectAt: number
  private nextReapAt: number
  private catchUps: number[] = []
  private seeds: Array<{ id: string, addrs: string[] }> = []
  /** Set while merging a push-pull entry about a member new to us (see handleSync). */
  private quietJoin = false
  /** Members we sent a digest-only push-pull and whose answer has not come yet. */
  private readonly digestRequests = new Set<string>()
  /** Reconnect attempts per dead member (`since`: the death they belong to). */
  private readonly reconnectBackoff = new Map<string, { since: number, tries: number, nextAt: number }>()
  /** Tries of join seeds that are not live in our view (see reconnectSeeds). */
  private readonly seedBackoff = new Map<string, { tries: number, nextAt: number }>()
  private readonly budget: SenderBudget
  /** Members that spoke to us directly (or acked a probe): the regular probe rotation. */
  private readonly heard: MemberView['heard']
  /** The rotation of members that never did (learned from others; maybe fakes). */
  private readonly unheardOrder: ProbeRotation
  /** Seeds we sent a join to: their answer brings the whole cluster and is not budgeted. */
  private readonly joinRequests = new Set<string>()
  /** Set while merging a seed's answer to our join. */
  private trustedSender = false
  /** Earliest time of the next refutation; claims before it wait for it. */
  private nextRefuteAt = -Infinity
  private refutePending = false
  /** Accusers whose claims wait for the deferred refutation (at most LEAVE_FANOUT). */
  private readonly waitingAccusers = new Set<string>()
  /** Accusers we sent our record this probe interval (since `answeredSince`), and its incarnation. */
  private readonly answered = new Map<string, number>()
  private answeredSince = -Infinity
  /** Members new to us (not from our join's answer) in the last NEWCOMER_GRACE intervals, in the order they came: when. */
  private readonly newcomers = new Map<string, number>()

  constructor (init: SwimMachineInit) {
    this.id = init.id
    this.config = init.config
    this.random = init.random
    this.signHook = init.sign
    this.verifyHook = init.verify
    this.sizeOf = init.sizeOf ?? estimateUpdateSize
    this.now = init.now
    const tables = init.tables
    this.table = tables?.table(init.id) ?? new MemberTable(init.memberIds)
    this.heard = this.table.heard
    this.order = tables?.order(init.id, this.random, this.table) ?? new ProbeOrder(this.random)
    this.unheardOrder = tables?.unheardOrder(init.id, this.random, this.table) ?? new ProbeOrder(this.random)
    this.budget = new SenderBudget(this.config.probeInterval)
    this.queue = new BroadcastQueue(this.config.maxQueuedUpdates)
    this.awareness = new Awareness(this.config.awarenessMaxMultiplier)
    this.damper = new FlapDamper({ penalty: this.config.flapPenalty, suppress: this.config.flapSuppress, reuse: this.config.flapReuse, halfLife: this.config.flapHalfLife, capacity: this.config.maxMembers })
    const generation = init.generation ?? 0
    if (!Number.isSafeInteger(generation) || generation < 0) throw new RangeError(`Invalid generation: ${generation} is not a whole number of ms since the epoch`)
    this.self = this.signed({ id: init.id, incarnation: init.incarnation ?? 0, addrs: [...init.addrs], meta: { ...init.meta }, leaving: false, generation })
    this.selfSince = init.now
    // Spread the periodic work of many nodes started together over one period each.
    const c = this.config
    this.nextProbeAt = init.now + randomInt(this.random, c.probeInterval)
    this.nextGossipAt = c.gossipInterval > 0 ? init.now + randomInt(this.random, c.gossipInterval) : Infinity
    this.nextPushPullAt = init.now + c.pushPullInterval + randomInt(this.random, Math.max(1, c.pushPullInterval))
    this.nextReconnectAt = init.now + c.reconnectInterval + randomInt(this.random, Math.max(1, c.reconnectInterval))
    this.nextReapAt = init.now + Math.min(c.reapTime, 60_000)
  }

  // ---------------------------------------------------------------- queries

  /** Every known member, self first. Snapshots. */
  members (): Member[] {
    const out = [this.localMember()]
    for (const e of this.table.values()) out.push(toMember(e))
    return out
  }

  /**
   * The members as consumers (ring, quorum) see them: like `members`, except that a member
   * held by flap damping keeps the state its last event gave them (dead or left).
   */
  consumerMembers (): Member[] {
    const out = this.members()
    for (const m of out) {
      const shown = this.damper.held(m.id)
      if (shown !== undefined) m.state = shown
    }
    return out
  }

  member (id: string): Member | undefined {
    if (id === this.id) return this.localMember()
    const e = this.table.get(id)
    return e == null ? undefined : toMember(e)
  }

  localMember (): Member {
    return {
      id: this.id,
      addrs: [...this.self.addrs],
      state: this.leaving ? 'left' : 'alive',
      incarnation: this.self.incarnation,
      meta: { ...this.self.meta },
      since: this.selfSince,
      generation: this.self.generation ?? 0
    }
  }

  /** This member's own current record (signed). */
  get record (): MemberRecord {
    return this.self
  }

  /**
   * Whether merging `record` would have its signature checked: it is new to us or newer
   * than what we hold. A shell may check those ahead of `receive` (in slices, between
   * other work) and have its verify hook answer from the results.
   */
  needsCheck (record: MemberRecord): boolean {
    if (record.id === this.id) return record.incarnation >= this.self.incarnation
    const entry = this.table.get(record.id)
    return entry == null || record.incarnation > entry.incarnation
  }

  /** Addresses known for a member (its record's), or none. */
  addrsOf (id: string): string[] {
    return this.table.get(id)?.record.addrs ?? []
  }

  /** Members alive or suspect, self included: the N of the formulas. */
  get clusterSize (): number {
    return this.table.live + 1
  }

  get awarenessScore (): number {
    return this.awareness.score
  }

  get pendingBroadcasts (): number {
    return this.queue.size
  }

  get hasLeft (): boolean {
    return this.leaving
  }

  // ---------------------------------------------------------------- inputs

  /** Advances time: runs whatever deadlines have passed. */
  tick (now: number): Effect[] {
    this.begin(now)
    for (const [seq, relay] of this.relays) {
      if (now >= relay.nackAt) {
        this.relays.delete(seq)
        this.send(relay.origin, { type: 'nack', seq: relay.originSeq, updates: this.piggyback() })
      }
    }
    for (const probe of this.probes.values()) {
      if (!probe.waited && this.ranLate(!probe.indirectSent ? probe.indirectAt : probe.deadline)) this.waitAfterStall(probe)
      if (!probe.acked && !probe.indirectSent && now >= probe.indirectAt) this.probeIndirectly(probe)
      if (now >= probe.deadline) this.concludeProbe(probe)
    }
    for (const [id, suspicion] of this.suspicions) {
      if (suspicion.privateUntil > 0 && now >= suspicion.privateUntil) this.publish(id, suspicion)
      if (now >= suspicion.deadline) this.declareDead(id)
    }
    if (this.refutePending && now >= this.nextRefuteAt) this.refuteNow()
    if (now >= this.damper.nextRelease()) this.releaseDamped()
    if (now >= this.nextProbeAt) {
      this.nextProbeAt = now + this.awareness.scale(this.config.probeInterval)
      this.checksLeft = CHECKS_PER_INTERVAL
      this.pruneNewcomers()
      if (!this.leaving) {
        this.probeNext()
        this.probeUnheard()
      }
    }
    if (this.config.gossipInterval > 0 && now >= this.nextGossipAt) {
      this.nextGossipAt = now + this.config.gossipInterval
      this.gossipRound()
    }
    if (this.config.pushPullInterval > 0 && now >= this.nextPushPullAt) {
      this.nextPushPullAt = now + pushPullScale(this.config.pushPullInterval, this.clusterSize)
      if (!this.leaving) this.pushPullRandom()
    }
    if (this.catchUps.length > 0 && now >= this.catchUps[0]) {
      this.catchUps.shift()
      if (this.table.size === 0) this.retryJoin()
      else if (!this.leaving) this.pushPullRandom()
    }
    if (this.config.reconnectInterval > 0 && now >= this.nextReconnectAt) {
      this.nextReconnectAt = now + this.config.reconnectInterval
      if (!this.leaving) {
        this.reconnectRandom()
        this.reconnectSeeds()
      }
    }
    if (now >= this.nextReapAt) {
      this.nextReapAt = now + Math.min(this.config.reapTime, 60_000)
      this.reap()
    }
    return this.end()
  }

  /** A message from member `from` (authenticated by the shell). */
  receive (from: string, message: Message, now: number): Effect[] {
    this.begin(now)
    if (from === this.id) {
      this.stats.messagesIgnored++
      return this.end()
    }
    this.heardFrom(from)
    if (message.type === 'sync') {
      this.handleSync(from, message)
    } else {
      this.applyUpdates(from, message.updates)
      switch (message.type) {
        case 'ping': this.handlePing(from, message); break
        case 'ack': this.handleAck(from, message); break
        case 'ping-req': this.handlePingReq(from, message); break
        case 'nack': this.handleNack(from, message); break
        case 'gossip': break
      }
    }
    return this.end()
  }

  /** Starts a push-pull with each seed; their answers bring the cluster's state. */
  join (seeds: Array<{ id: string, addrs: string[] }>, now: number): Effect[] {
    this.begin(now)
    this.seeds = seeds.filter((seed) => seed.id !== this.id)
    this.seedBackoff.clear()
    for (const seed of this.seeds) this.joinRequests.add(seed.id)
    this.retryJoin()
    // We announce ourselves, as memberlist's joiners do: the seed also gossips our record,
    // but when many join at once its queue holds all of them and passes each on slowly;
    // the joiners' own gossip spreads them in parallel (three times faster at 1,000 joining
    // together, and with less push-pull).
    this.enqueue(this.id, { type: 'record', record: this.self })
    this.catchUps = JOIN_CATCH_UP.map((m) => now + m * this.config.probeInterval)
    return this.end()
  }

  /**
   * Leaves gracefully: a final signed record marks this member as leaving; it goes directly
   * to up to LEAVE_FANOUT members and into the broadcast queue. Probing stops; the machine
   * still answers pings so nobody suspects it while the news spreads.
   */
  leave (now: number): Effect[] {
    this.begin(now)
    if (this.leaving) return this.end()
    const farewell = this.signedNext({ ...this.self, leaving: true })
    if (farewell == null) return this.end()
    this.leaving = true
    this.selfSince = now
    this.self = farewell
    const update: Update = { type: 'record', record: this.self }
    this.enqueue(this.id, update)
    this.probes.clear()
    const targets = this.sampleMembers(LEAVE_FANOUT, (id) => this.isLive(id))
    for (const to of targets) this.send(to, { type: 'gossip', updates: [update] })
    return this.end()
  }

  /**
   * Forgets a dead or departed member now instead of after reapTime, and tells the cluster (an
   * operator's forced removal, Serf's `force-leave -prune`). Throws a RangeError, with no
   * change, for this member, an unknown one, or one held alive or suspect: a live member is
   * never removed by hand, and should it be alive after all, its next signed record (a higher
   * incarnation than the one forgotten) brings it back everywhere.
   */
  forget (id: string, now: number): Effect[] {
    const entry = this.table.get(id)
    if (id === this.id) throw new RangeError('Cannot forget this member itself: use leave')
    if (entry == null) throw new RangeError(`Cannot forget ${id}: no such member`)
    if (this.isLive(id)) throw new RangeError(`Cannot forget ${id}: it is ${entry.state}; only failed or departed members can be removed`)
    this.begin(now)
    const claim: Update = { type: 'forget', id, incarnation: entry.incarnation, from: this.id }
    this.drop(id)
    this.enqueue(id, claim)
    return this.end()
  }

  /** Announces new metadata with a higher incarnation. */
  setMetadata (meta: Record<string, string>, now: number): Effect[] {
    return this.announce({ meta: { ...meta } }, now)
  }

  /** Announces new addresses with a higher incarnation. */
  setAddrs (addrs: string[], now: number): Effect[] {
    return this.announce({ addrs: [...addrs] }, now)
  }

  /**
   * A hint from the transport (a member's connection closed): probe it now instead of
   * waiting for its turn. A hint never changes state by itself.
   */
  probeNow (id: string, now: number): Effect[] {
    this.begin(now)
    if (!this.leaving && this.isLive(id) && !this.isProbing(id)) this.startProbe(id)
    return this.end()
  }

  /**
   * The transport could not reach `id` at all (connection refused, no route): the direct
   * probe has failed, so ask others at once instead of waiting out the probe timeout. A
   * refusal is an answer from the member's own host that nothing listens there: we suspect
   * at once (privately first, as always), and the suspicion carries that evidence.
   */
  unreachable (id: string, now: number, options: { refused?: boolean } = {}): Effect[] {
    this.begin(now)
    for (const probe of this.probes.values()) {
      if (probe.target === id && !probe.acked && !probe.indirectSent) this.probeIndirectly(probe)
    }
    const entry = this.table.get(id)
    if (options.refused === true && entry != null && this.isLive(id) && !this.leaving && !this.probedEarlierLife(id, entry.incarnation)) {
      this.applySuspect({ type: 'suspect', id, incarnation: entry.incarnation, from: this.id, refused: true }, true)
    }
    return this.end()
  }

  /**
   * Whether the probes in flight to `id` all began before it announced `incarnation`: then a
   * refusal answers the dial to its previous process (restarted since), not to this one.
   */
  private probedEarlierLife (id: string, incarnation: number): boolean {
    let earlier = false
    for (const probe of this.probes.values()) {
      if (probe.target !== id) continue
      if (probe.incarnation >= incarnation) return false
      earlier = true
    }
    return earlier
  }

  // ---------------------------------------------------------------- probing

  private probeNext (): void {
    const id = this.order.next(
      (id) => this.isLive(id) && !this.isProbing(id) && this.heard.has(id),
      (id) => this.table.get(id) != null
    )
    if (id != null) this.startProbe(id)
  }

  /**
   * One probe per period among the members that never spoke to us: a real one answers and
   * joins the regular rotation; a fake one is suspected and fails. However many of them
   * there are, the regular rotation of real members keeps its pace.
   */
  private probeUnheard (): void {
    const id = this.unheardOrder.next(
      (id) => this.isLive(id) && !this.isProbing(id) && !this.heard.has(id),
      (id) => this.table.get(id) != null && !this.heard.has(id)
    )
    if (id != null) this.startProbe(id)
  }

  /**
   * Up to `k` members that `accept` takes, chosen among those that spoke to us first: a
   * relay, gossip target or push-pull partner nobody ever heard from may be a fake that
   * swallows the message (and, as a relay, sends no nack, which would raise our Lifeguard
   * score). The others fill in only when too few are left.
   */
  private sampleMembers (k: number, accept: (id: string) => boolean): string[] {
    const heard = this.table.sampleHeard(this.random, k, accept)
    if (heard.length >= k) return heard
    return heard.concat(this.table.sampleAll(this.random, k - heard.length, (id) => !this.heard.has(id) && accept(id)))
  }

  /** Live members that spoke to us, self included. */
  private heardLive (): number {
    return this.table.heardLive + 1
  }

  /** Whether `id` came to our view less than NEWCOMER_GRACE probe intervals ago (see there). */
  private isNewcomer (id: string): boolean {
    this.pruneNewcomers()
    return this.newcomers.has(id)
  }

  /** Drops the newcomers past their grace (the map is in the order they came, oldest first). */
  private pruneNewcomers (): void {
    const until = this.now - NEWCOMER_GRACE * this.config.probeInterval
    for (const [id, at] of this.newcomers) {
      if (at > until) break
      this.newcomers.delete(id)
    }
  }

  private heardFrom (id: string): void {
    if (this.heard.has(id) || this.table.get(id) == null) return
    this.heard.add(id)
  }

  private startProbe (target: string): void {
    const seq = ++this.seq
    const timeout = this.awareness.scale(this.config.probeTimeout)
    const interval = this.awareness.scale(this.config.probeInterval)
    const entry = this.table.get(target)
    this.probes.set(seq, { seq, target, incarnation: entry?.incarnation ?? 0, indirectAt: this.now + timeout, deadline: this.now + interval, acked: false, indirectSent: false, relays: [], nacks: 0, waited: false })
    // Buddy system: a suspect hears of its suspicion from its prober first, and can refute.
    const buddy: Update[] = entry?.state === 'suspect'
      ? [{ type: 'suspect', id: target, incarnation: entry.incarnation, from: this.id }]
      : []
    const ping: Ping = { type: 'ping', seq, target, updates: [...buddy, ...this.piggyback(buddy)] }
    this.stats.probesSent++
    this.send(target, ping)
  }

  /**
   * Whether this tick comes more than a probe timeout after `due`: the time this node asked
   * to be woken for it. Then this node did not run meanwhile (a pause, a long garbage
   * collection, a starved host or thread), and what it has not heard yet proves nothing. A
   * loop merely running late (a loaded host) is below this and probes as ever.
   */
  private ranLate (due: number): boolean {
    return this.now - due > this.config.probeTimeout
  }

  /**
   * The probe's current phase gets its time again, once, after a stall of ours: the answer
   * may come only now, from a target that did not run either (nodes that share a host or a
   * thread stall together). Otherwise every stall would send a fallback ping, which costs a
   * connection, and ping-reqs for every probe in flight, and a host that is short of CPU
   * would spend what it has left on them.
   */
  private waitAfterStall (probe: Probe): void {
    probe.waited = true
    if (!probe.indirectSent) {
      probe.indirectAt = this.now + this.awareness.scale(this.config.probeTimeout)
      probe.deadline = Math.max(probe.deadline, probe.indirectAt + this.indirectTime())
    } else {
      probe.deadline = this.now + this.indirectTime()
    }
  }

  /** How long a probe's indirect phase lasts: the rest of the probe interval, scaled by our health. */
  private indirectTime (): number {
    return this.awareness.scale(this.config.probeInterval - this.config.probeTimeout)
  }

  private probeIndirectly (probe: Probe): void {
    probe.indirectSent = true
    // The indirect phase always gets its full time, even when we ourselves were frozen
    // past the deadline: our own stall must not become a suspicion of someone else.
    const indirectTime = this.indirectTime()
    probe.deadline = Math.max(probe.deadline, this.now + indirectTime)
    const relays = this.sampleMembers(this.config.indirectChecks,
      (id) => id !== probe.target && this.table.get(id)?.state === 'alive')
    probe.relays = relays
    // One more direct attempt beside the indirect ones (memberlist's TCP fallback ping does
    // this job): a single lost ping or ack must not be enough to suspect a member.
    this.send(probe.target, { type: 'ping', seq: probe.seq, target: probe.target, updates: [] })
    const targetAddrs = this.addrsOf(probe.target)
    // The relays learn how long we still wait, so that their nacks come in time to count.
    const timeout = Math.max(0, Math.round(probe.deadline - this.now))
    for (const relay of relays) {
      const req: PingReq = { type: 'ping-req', seq: probe.seq, target: probe.target, targetAddrs, updates: this.piggyback(), timeout }
      this.stats.indirectProbesSent++
      this.send(relay, req)
    }
  }

  private concludeProbe (probe: Probe): void {
    this.probes.delete(probe.seq)
    if (probe.acked) return
    // A newcomer's silence says nothing about it yet, nor about our own health.
    if (this.isNewcomer(probe.target)) {
      this.stats.probesFailed++
      return
    }
    // When relays were asked and not one nack came back in time, we heard nobody, and our
    // own input (a starved process, a backlog) is as likely the silent party as the target:
    // the probe proves nothing about the target, until our patience is at its cap (timeouts
    // at their longest) and a node really cut off from everyone may conclude again.
    const inconclusive = probe.relays.length > 0 && probe.nacks === 0 &&
      this.awareness.score < this.config.awarenessMaxMultiplier - 1
    // Lifeguard: missing nacks mean our own links may be the problem, so be more patient.
    // Without relays there is nobody to vouch for us, and any failure counts. A member that
    // never spoke to us says nothing about our health when silent (it may be a fake).
    if (this.heard.has(probe.target)) this.awareness.apply(probe.relays.length > 0 ? probe.relays.length - probe.nacks : 1)
    this.stats.probesFailed++
    if (inconclusive) return
    const entry = this.table.get(probe.target)
    if (entry == null || !this.isLive(probe.target) || entry.incarnation > probe.incarnation) return
    this.applySuspect({ type: 'suspect', id: probe.target, incarnation: entry.incarnation, from: this.id }, true)
  }

  private handlePing (from: string, ping: Ping): void {
    if (ping.target !== this.id) {
      this.stats.misdirectedPings++
      return
    }
    const ack: Ack = { type: 'ack', seq: ping.seq, updates: this.piggyback() }
    this.send(from, ack)
  }

  private handleAck (from: string, ack: Ack): void {
    const probe = this.probes.get(ack.seq)
    if (probe != null && (from === probe.target || probe.relays.includes(from))) {
      this.probes.delete(ack.seq)
      probe.acked = true
      this.heardFrom(probe.target)
      if (!probe.indirectSent) this.awareness.apply(-1)
      return
    }
    const relay = this.relays.get(ack.seq)
    if (relay != null && from === relay.target) {
      this.relays.delete(ack.seq)
      this.send(relay.origin, { type: 'ack', seq: relay.originSeq, updates: this.piggyback() })
    }
  }

  private handlePingReq (from: string, req: PingReq): void {
    // No reflection: we probe only on behalf of live members, only members we know, and
    // only at the addresses of their own signed records; the request's addresses are
    // never used (an attacker would name a third party's).
    if (!this.isLive(from)) {
      this.stats.messagesIgnored++
      return
    }
    if (req.target === this.id) {
      // Asked to probe ourselves: we are evidently alive; answer as the target would.
      this.send(from, { type: 'ack', seq: req.seq, updates: this.piggyback() })
      return
    }
    const target = this.table.get(req.target)
    if (target == null || this.relays.size >= MAX_RELAYS) {
      // Not ours to probe; the nack still tells the requester that its links to us work.
      this.stats.messagesIgnored++
      this.send(from, { type: 'nack', seq: req.seq, updates: [] })
      return
    }
    const seq = ++this.seq
    this.relays.set(seq, { origin: from, originSeq: req.seq, target: req.target, nackAt: this.now + this.nackDelay(req) })
    const addrs = target.record.addrs
    this.out.push({ type: 'send', to: req.target, addrs, message: { type: 'ping', seq, target: req.target, updates: this.piggyback() } })
  }

  /**
   * Lifeguard: nack at 80% of the time the origin still waits, so the nack arrives before
   * its probe ends. A request without the field (an older sender) gets our own indirect
   * window. The sender's figure is capped at the longest window an honest origin can have
   * (a full probe interval at the highest health multiplier), so a request cannot make us
   * hold its relay state longer.
   */
  private nackDelay (req: PingReq): number {
    const longest = this.config.probeInterval * this.config.awarenessMaxMultiplier
    const window = Math.min(req.timeout ?? this.config.probeInterval - this.config.probeTimeout, longest)
    return Math.floor(window * NACK_FRACTION)
  }

  private handleNack (from: string, nack: Nack): void {
    const probe = this.probes.get(nack.seq)
    if (probe != null && probe.relays.includes(from)) {
      probe.nacks++
      this.stats.nacksReceived++
    }
  }

  // ---------------------------------------------------------------- dissemination

  private gossipRound (): void {
    if (this.queue.size === 0) return
    this.lastGossipAt = this.now
    const targets = this.sampleMembers(this.config.gossipNodes, (id) => this.isGossipTarget(id))
    for (const to of targets) {
      const updates = this.piggyback()
      if (updates.length === 0) break
      this.send(to, { type: 'gossip', updates })
    }
  }

  /**
   * Periodic anti-entropy, digest first: we send only the digest of our view; a peer whose
   * view matches answers with no entries. Only when the views differ do full states cross.
   */
  private pushPullRandom (): void {
    const [to] = this.sampleMembers(1, (id) => this.table.get(id)?.state === 'alive')
    if (to == null) return
    this.sendDigestRequest(to)
  }

  /**
   * A join seed that is not live in our view (failed, or failed and forgotten) gets a digest
   * now and then, for ever: after a partition longer than reapTime neither side remembers
   * the other, and the seeds are what both sides still share. Each try in vain doubles the
   * wait, up to RECONNECT_BACKOFF_MAX intervals, so a seed that is really gone costs each
   * member a few bytes every few minutes; a live seed costs nothing extra.
   */
  private reconnectSeeds (): void {
    for (const seed of this.seeds) {
      if (this.isLive(seed.id)) {
        this.seedBackoff.delete(seed.id)
        continue
      }
      const before = this.seedBackoff.get(seed.id)
      if (before != null && this.now < before.nextAt) continue
      const tries = (before?.tries ?? 0) + 1
      this.seedBackoff.set(seed.id, { tries, nextAt: this.now + this.config.reconnectInterval * Math.min(2 ** (tries - 1), RECONNECT_BACKOFF_MAX) })
      const known = this.addrsOf(seed.id)
      this.sendDigestRequest(seed.id, known.length > 0 ? known : seed.addrs)
    }
  }

  private sendDigestRequest (to: string, addrs = this.addrsOf(to)): void {
    if (this.digestRequests.size >= 64) this.digestRequests.clear() // answers that never came
    this.digestRequests.add(to)
    this.out.push({ type: 'send', to, addrs, message: { type: 'sync', join: false, response: false, entries: [], digest: this.digest() } })
  }

  /**
   * Tries one failed member again, so a healed partition merges back on its own. Serf's
   * rule: we try only with probability dead/alive, so the whole cluster makes about one
   * attempt per failed member per interval, whatever its size. The attempt is a digest: a
   * member that is really gone costs a few bytes, and one that is back answers with its
   * state (and then gets ours). Each member we tried in vain waits twice as long before we
   * try it again, up to RECONNECT_BACKOFF_MAX intervals.
   */
  private reconnectRandom (): void {
    const dead = this.table.count('dead')
    if (dead === 0) return
    if (this.random.next() >= dead / this.clusterSize) return
    const [to] = this.table.sampleAll(this.random, 1, (id) => {
      const e = this.table.get(id)
      if (e?.state !== 'dead') return false
      const b = this.reconnectBackoff.get(id)
      return b == null || b.since !== e.since || this.now >= b.nextAt
    })
    if (to == null) return
    const since = this.table.get(to)?.since ?? this.now
    const before = this.reconnectBackoff.get(to)
    const tries = before != null && before.since === since ? before.tries + 1 : 1
    const wait = this.config.reconnectInterval * Math.min(2 ** (tries - 1), RECONNECT_BACKOFF_MAX)
    this.reconnectBackoff.set(to, { since, tries, nextAt: this.now + wait })
    this.sendDigestRequest(to)
  }

  /** Sends our state to the join seeds; repeated at each catch-up while nobody has answered. */
  private retryJoin (): void {
    const entries = toSyncEntries(this.self, this.table.values())
    for (const seed of this.seeds) {
      this.out.push({ type: 'send', to: seed.id, addrs: seed.addrs, message: { type: 'sync', join: true, response: false, entries } })
    }
  }

  private sendSync (to: string, join: boolean): void {
    // With our digest after merging theirs: a peer whose view then equals ours answers with none.
    const sync: Sync = { type: 'sync', join, response: false, entries: toSyncEntries(this.self, this.table.values()), digest: this.digest() }
    this.send(to, sync)
  }

  private handleSync (from: string, sync: Sync): void {
    if (!sync.response && sync.entries.length === 0 && sync.digest !== undefined) {
      // A digest-only request: send our state only if our views differ.
      const mine = this.digest()
      const entries = sameDigest(mine, sync.digest) ? [] : toSyncEntries(this.self, this.table.values())
      this.send(from, { type: 'sync', join: false, response: true, entries, digest: mine })
      return
    }
    this.mergeSyncEntries(from, sync)
    if (!sync.response) {
      // A request that carries the sender's digest (the second half of a digest exchange:
      // it has merged our state already) needs no entries back when our views now agree.
      // A join always gets the whole state.
      const mine = this.digest()
      const agree = !sync.join && sync.digest !== undefined && sameDigest(mine, sync.digest)
      this.send(from, { type: 'sync', join: sync.join, response: true, entries: agree ? [] : toSyncEntries(this.self, this.table.values()), digest: mine })
      return
    }
    if (this.digestRequests.delete(from) && sync.entries.length > 0 &&
        (sync.digest === undefined || !sameDigest(this.digest(), sync.digest))) {
      // Our digest-only request found different views, and theirs alone did not make them
      // equal: they need ours too.
      this.sendSync(from, false)
    }
  }

  /**
   * A push-pull view holds dead or suspect a member we hold alive, at the incarnation we
   * hold: tell the member (that view wins over ours where it spreads, and only the member can
   * end it, by refuting once). A member that is really gone fails the probe rotation.
   */
  private noticeHearsay (entry: SyncEntry, from: string): boolean {
    const held = this.table.get(entry.record.id)
    if (held == null || held.state !== 'alive' || entry.incarnation < held.incarnation) return false
    if (this.leaving || !this.spend(from, 'claims')) return false
    this.send(entry.record.id, { type: 'gossip', updates: [{ type: 'suspect', id: entry.record.id, incarnation: entry.incarnation, from }] })
    return true
  }

  private mergeSyncEntries (from: string, sync: Sync): void {
    // The seed answering our own join brings the whole cluster at once: it is the member we
    // chose to trust, so its answer is not budgeted.
    this.trustedSender = sync.response && sync.join && this.joinRequests.delete(from)
    // Whether the sender was a live member before this message: only then does it introduce
    // third parties (its own record, wherever it sits in the message, comes first).
    const wasLive = this.isLive(from) || this.trustedSender
    const own = sync.entries.find((e) => e.record.id === from)
    const entries = own == null ? sync.entries : [own, ...sync.entries.filter((e) => e !== own)]
    let notices = 0
    try {
      for (const entry of entries) {
        const known = entry.record.id === this.id || this.table.get(entry.record.id) != null
        if (!known && entry.record.id !== from && !wasLive) {
          this.stats.membersRejected++
          continue
        }
        if (!known && (entry.state === 'dead' || entry.state === 'left')) {
          if (!this.rememberGone(entry.record, entry.state, entry.incarnation, from)) break
          continue
        }
        // A member we first hear of through push-pull is old news to the cluster (the peer
        // already knew it), except the peer itself: gossiping each of them again would cost
        // N × retransmits messages per join for nothing. Changes to members we knew are news.
        this.quietJoin = !known && entry.record.id !== from
        const updates = syncEntryUpdates(entry, from, known)
        // A view that holds dead or suspect a member we hold alive is the sender's, not news:
        // after a partition, or from a member that was cut off, it holds most of the cluster
        // so, and turned into suspicions it would have every member suspect (and gossip) each
        // of them. We take the record and tell the member instead (see noticeHearsay).
        const hearsay = updates.length > 1 && this.table.get(entry.record.id)?.state === 'alive'
        if (!this.applyUpdates(from, hearsay ? updates.slice(0, 1) : updates, false)) break
        this.quietJoin = false
        if (hearsay && notices < SYNC_NOTICES && this.noticeHearsay(entry, from)) notices++
      }
    } finally {
      this.quietJoin = false
      this.trustedSender = false
    }
  }

  private digest (): Uint8Array {
    // The table keeps its sums as entries change; only our own terms are added here.
    const [a, b] = this.table.digestSums
    const state = this.self.leaving ? 'left' : 'alive'
    return digestBytes((a + digestPartA(this.id, this.self.incarnation, state)) >>> 0, (b + digestPartB(this.id, this.self.incarnation, state)) >>> 0)
  }

  /** Updates to piggyback: as many queued ones as fit the byte budget. */
  private piggyback (already: Update[] = []): Update[] {
    let budget = this.config.maxPiggybackBytes
    for (const u of already) budget -= this.sizeOf(u)
    return this.queue.take(budget, retransmitLimit(this.config.retransmitMult, this.clusterSize))
  }

  private enqueue (id: string, update: Update): void {
    this.queue.enqueue(id, update, this.sizeOf(update))
    if (this.config.gossipInterval === 0) return // gossip is off: piggybacking alone spreads it
    // Fresh news goes out soon rather than at the next regular round; the delay lets
    // a burst of news share messages.
    const soon = Math.max(this.now, this.lastGossipAt + this.config.eagerGossipDelay)
    if (soon < this.nextGossipAt) this.nextGossipAt = soon
  }

  // ---------------------------------------------------------------- merging news

  /**
   * Merges one message's updates. Returns false, having stopped, at the first record whose
   * signature fails: a sender that relays a forgery gets no more of our time for it.
   * `firstHand` false: the sender's claims may be hearsay even where they name it as the
   * accuser (a push-pull view's suspicions come from wherever the sender heard them).
   */
  private applyUpdates (from: string, updates: Update[], firstHand = true): boolean {
    for (const u of updates) {
      if (u.type === 'record') {
        if (!this.applyRecord(u.record, from)) return false
      } else if (u.id === this.id) {
        this.claimAboutUs(u.incarnation, from, firstHand && u.from === from)
      } else if (!this.isLive(from) || !this.spend(from, 'claims')) {
        this.stats.claimsRejected++
      } else if (u.type === 'suspect') {
        this.applySuspect(u, firstHand && u.from === from)
      } else if (u.type === 'forget') {
        this.applyForget(u)
      } else {
        this.applyDead(u, firstHand && u.from === from)
      }
    }
    return true
  }

  /** False only when the record's signature failed (or the sender's verifications ran out). */
  private applyRecord (record: MemberRecord, from: string): boolean {
    if (record.id === this.id) {
      // Our own record from elsewhere: a stale copy, or one from a previous run of this
      // member that got further than we have. Either way, announce a newer one, but only
      // over a record we really signed: its incarnation is then ours to move past.
      if (record.incarnation > this.self.incarnation ||
          (record.incarnation === this.self.incarnation && (!sameContent(record, this.self) || generationOf(record) !== generationOf(this.self)))) {
        if (!this.verified(record, from)) return false
        this.refute(record.incarnation)
      }
      return true
    }
    const entry = this.table.get(record.id)
    if (entry == null) {
      if (record.leaving) return this.rememberGone(record, 'left', record.incarnation, from)
      if (!this.roomFor(record, from)) return true
      if (!this.verified(record, from)) return false
      const added: MemberEntry = { record, state: 'alive', incarnation: record.incarnation, since: this.now }
      this.table.add(added)
      this.order.add(record.id)
      this.unheardOrder.add(record.id)
      // The member itself, or the seed we chose answering our join, vouches for it.
      if (record.id === from || this.trustedSender) this.heard.add(record.id)
      if (!this.trustedSender) {
        this.newcomers.delete(record.id)
        this.newcomers.set(record.id, this.now)
      }
      this.emit('join', added)
      if (!this.quietJoin) this.enqueue(record.id, { type: 'record', record })
      return true
    }
    if (record.incarnation <= entry.incarnation) {
      this.stats.staleUpdates++
      return true
    }
    if (!this.verified(record, from)) return false
    const before = entry.state
    const changed = !sameContent(record, entry.record)
    // A newer run of the member than the one we hold live: it restarted before anyone failed
    // it (its new process announced itself above the old incarnation).
    const restarted = generationOf(record) > generationOf(entry.record) && generationOf(entry.record) > 0
    entry.record = record
    this.suspicions.delete(record.id)
    if (record.leaving) {
      this.table.setState(entry, 'left', record.incarnation, before === 'left' ? entry.since : this.now)
      if (before !== 'left') this.emit('leave', entry)
    } else if (before === 'alive') {
      this.table.setIncarnation(entry, record.incarnation)
      if (restarted) this.emit('update', entry, 'restart')
      else if (changed) this.emit('update', entry)
    } else {
      this.table.setState(entry, 'alive', record.incarnation, this.now)
      if (before === 'suspect') {
        this.stats.suspicionsRefuted++
        this.emit('alive', entry, restarted ? 'restart' : undefined)
      } else {
        this.emit('join', entry)
      }
    }
    this.enqueue(record.id, { type: 'record', record })
    return true
  }

  /**
   * A member that failed or left before we heard of it, as the others hold it: we keep it
   * too (no event, no gossip: it is news to nobody), so our view and its digest agree with
   * theirs after churn, and periodic push-pull compares digests instead of moving full
   * states, until reapTime forgets it everywhere. Only a state the member's own signed
   * record proves (dead at that record's incarnation, or its farewell) is kept, and only
   * while the table has room: a gone member never displaces another.
   * False only when the record's signature failed.
   */
  private rememberGone (record: MemberRecord, state: 'dead' | 'left', incarnation: number, from: string): boolean {
    if (incarnation !== record.incarnation || record.leaving !== (state === 'left')) {
      this.stats.staleUpdates++
      return true
    }
    if (this.table.size >= this.config.maxMembers) {
      this.stats.membersRejected++
      return true
    }
    if (!this.roomFor(record, from)) return true
    if (!this.verified(record, from)) return false
    // Hearsay of an old change, not a fresh one: no gossip to it as to the newly dead.
    const since = this.now - this.config.gossipToTheDeadTime
    this.table.add({ record, state, incarnation, since })
    this.order.add(record.id)
    this.unheardOrder.add(record.id)
    return true
  }

  /**
   * Whether a member new to us may enter the table: within the sender's budget, and within
   * maxMembers (making room by forgetting a dead or departed member; a member introducing
   * itself may also displace one that never spoke to us, so a flood of fakes cannot keep
   * real joiners out).
   */
  private roomFor (record: MemberRecord, from: string): boolean {
    if (!this.spend(from, 'members')) {
      this.stats.membersRejected++
      return false
    }
    if (this.table.size < this.config.maxMembers) return true
    // Forget first a gone member that never spoke to us, then (for a member introducing
    // itself) one that never spoke to us at all, then any gone member.
    let victim: string | undefined
    let rank = 0
    for (const e of this.table.values()) {
      const gone = e.state === 'dead' || e.state === 'left'
      const heard = this.heard.has(e.record.id)
      const r = gone && !heard ? 3 : !heard && record.id === from ? 2 : gone ? 1 : 0
      if (r > rank) {
        rank = r
        victim = e.record.id
        if (r === 3) break
      }
    }
    if (victim == null) {
      this.stats.membersRejected++
      return false
    }
    this.drop(victim)
    return true
  }

  /** Takes one unit of a sender's budget; the seed answering our join is not budgeted. */
  private spend (from: string, kind: 'claims' | 'members' | 'verifications'): boolean {
    return this.trustedSender || this.budget.take(from, kind, this.now)
  }

  /**
   * `firstHand`: the claim came straight from its accuser (the sender is the claim's
   * `from`), so the accuser is authenticated and may count as a confirmation.
   */
  private applySuspect (claim: Extract<Update, { type: 'suspect' }>, firstHand: boolean): void {
    const entry = this.table.get(claim.id)
    if (entry == null || claim.incarnation < entry.incarnation) {
      this.stats.staleUpdates++
      return
    }
    if (claim.incarnation > entry.record.incarnation) {
      // Beyond any record the member signed: a number somebody chose, not a state we know.
      this.stats.claimsRejected++
      if (firstHand && entry.state === 'suspect') this.renewSuspicion(claim)
      return
    }
    if (entry.state === 'dead' || entry.state === 'left') return
    if (entry.state === 'suspect') {
      const suspicion = this.suspicions.get(claim.id)
      // A new independent confirmation shortens the timeout; spread the suspicion again.
      if (firstHand && suspicion?.confirm(claim.from, claim.refused === true) === true) {
        suspicion.privateUntil = 0
        this.enqueue(claim.id, this.claimToPass(claim, suspicion))
      }
      return
    }
    // N of the suspicion bounds: members that never spoke to us count at most as many as
    // those that did, so a flood of fakes cannot stretch the timeouts of real members, and
    // an honest view still about to hear from everyone is not undercounted.
    const heard = this.heardLive()
    const n = Math.min(this.clusterSize, 2 * heard)
    const { min, max } = suspicionBounds(n, this.config.suspicionMult, this.config.suspicionMaxTimeoutMult, this.config.probeInterval)
    const needed = suspicionConfirmationsNeeded(n, this.config.suspicionMult)
    const suspicion = new Suspicion(this.now, firstHand ? claim.from : '', needed, min, max, firstHand && claim.refused === true, this.config.refusedSuspicionTimeout)
    this.suspicions.set(claim.id, suspicion)
    this.table.setState(entry, 'suspect', claim.incarnation, this.now)
    this.stats.suspicionsRaised++
    this.emit('suspect', entry)
    if (claim.from !== this.id || this.config.suspicionGrace === 0) {
      this.enqueue(claim.id, claim)
      // Somebody else's suspicion: see for ourselves. The ping tells the member (which
      // refutes if it is alive), and a failed probe makes us a party to the suspicion, the
      // only way another's dead claim becomes a verdict here. (Dials toward members that
      // never answered are rate-limited by the shell, so fakes cannot turn this into a
      // flood toward somebody's chosen addresses.)
      if (claim.from !== this.id && !this.leaving && !this.isProbing(claim.id) && this.checksLeft > 0) {
        this.checksLeft--
        this.startProbe(claim.id)
      }
      return
    }
    // Our own probe failed. Buddy system: tell the suspect first and probe it again (the
    // ping carries the claim too); keep the suspicion to ourselves during the grace, so a
    // live member refutes before anyone else hears of it.
    // At most half the minimum timeout, so the cluster always hears the suspicion before
    // the verdict, even with the short timings of small or test clusters.
    suspicion.privateUntil = this.now + Math.min(this.config.suspicionGrace, suspicion.min / 2)
    this.send(claim.id, { type: 'gossip', updates: [claim] })
    if (!this.isProbing(claim.id)) this.startProbe(claim.id)
  }

  /**
   * What we gossip about a suspicion we hold: receivers count a claim as a confirmation only
   * from its own accuser, so once we stand behind the suspicion ourselves we pass on our own
   * claim (with our own refusal, if any) instead of relaying someone else's, which the queue
   * would otherwise put in its place (it keeps one update per member).
   */
  private claimToPass (claim: Extract<Update, { type: 'suspect' }>, suspicion: Suspicion): Update {
    if (claim.from === this.id || !suspicion.vouchedBy(this.id)) return claim
    const own: Update = { type: 'suspect', id: claim.id, incarnation: claim.incarnation, from: this.id }
    if (suspicion.refusedBy(this.id)) own.refused = true
    return own
  }

  /**
   * A live accuser tells us, first-hand, that it suspects a member we suspect at an
   * incarnation above any record of it we hold. That is what we see when the member refuted
   * our suspicion (its new record has not reached us, or was overtaken in a queue by the new
   * suspicion) and was suspected again: ours may be void, and its deadline would fail a
   * member that answered. The claim's incarnation stays unproven, so it never becomes our
   * view; our suspicion starts over at its full length instead, once, so no accuser can hold
   * a verdict off for longer than one more timeout.
   */
  private renewSuspicion (claim: Extract<Update, { type: 'suspect' }>): void {
    const old = this.suspicions.get(claim.id)
    if (old == null || old.renewed) return
    const renewed = new Suspicion(this.now, claim.from, old.needed, old.min, old.max, false, this.config.refusedSuspicionTimeout)
    renewed.renewed = true
    this.suspicions.set(claim.id, renewed)
  }

  /** The grace is over and the member has not refuted: the suspicion goes to everyone. */
  private publish (id: string, suspicion: Suspicion): void {
    suspicion.privateUntil = 0
    const entry = this.table.get(id)
    if (entry?.state === 'suspect') {
      const claim: Update = { type: 'suspect', id, incarnation: entry.incarnation, from: this.id }
      if (suspicion.refused) claim.refused = true
      this.enqueue(id, claim)
    }
  }

  /**
   * A dead claim is a verdict only when our own probe of the member failed during the
   * suspicion, or when a second authenticated accuser (one that told us directly) stands
   * behind it beside the claim's own; otherwise it is a suspicion the member gets to
   * refute. So one sender, member or not, can at most make a member that answers refute.
   */
  private applyDead (claim: Extract<Update, { type: 'dead' }>, firstHand: boolean): void {
    const entry = this.table.get(claim.id)
    if (entry == null || claim.incarnation < entry.incarnation) {
      this.stats.staleUpdates++
      return
    }
    if (claim.incarnation > entry.record.incarnation) {
      this.stats.claimsRejected++
      return
    }
    if (entry.state === 'dead' || entry.state === 'left') return
    const suspicion = this.suspicions.get(claim.id)
    if (entry.state === 'suspect' && suspicion != null &&
        (suspicion.vouchedBy(this.id) || (firstHand && suspicion.parties(claim.from) >= 2))) {
      this.markDead(entry, claim)
      return
    }
    this.applySuspect({ type: 'suspect', id: claim.id, incarnation: claim.incarnation, from: claim.from }, firstHand)
  }

  private declareDead (id: string): void {
    const entry = this.table.get(id)
    this.suspicions.delete(id)
    if (entry == null || entry.state !== 'suspect') return
    // A verdict reached with our Lifeguard score at its cap is ours alone: we heard nobody
    // for a long time, so we are the likely party cut off, and gossiped at the heal it would
    // have the cluster suspect every member we failed. Members that really died fail the
    // others' own probes.
    const gossip = this.awareness.score < this.config.awarenessMaxMultiplier - 1
    this.markDead(entry, { type: 'dead', id, incarnation: entry.incarnation, from: this.id }, gossip)
  }

  /**
   * A member's forced removal: accepted (and passed on) only for a member we hold dead or
   * departed at the claim's incarnation or below. One we hold alive or suspect stays: what a
   * member says about itself outweighs what others say about it.
   */
  private applyForget (claim: Extract<Update, { type: 'forget' }>): void {
    const entry = this.table.get(claim.id)
    if (entry == null || claim.incarnation < entry.incarnation || this.isLive(claim.id)) {
      this.stats.staleUpdates++
      return
    }
    this.drop(claim.id)
    this.enqueue(claim.id, claim)
  }

  private markDead (entry: MemberEntry, claim: Extract<Update, { type: 'dead' }>, gossip = true): void {
    this.suspicions.delete(claim.id)
    this.table.setState(entry, 'dead', claim.incarnation, this.now)
    this.stats.fails++
    this.emit('fail', entry)
    if (gossip) this.enqueue(claim.id, claim)
  }

  /**
   * A suspect or dead claim about us. Only a claim at our own signed incarnation is
   * refuted: a lower one is old news, a higher one names an incarnation we never signed
   * (refuting it would let anybody push our incarnation to the end of the number line).
   * Claims from senders we do not know are ignored. At most one refutation per probe
   * interval: a flood costs one refutation per interval, and moves our Lifeguard score
   * at most once per interval.
   */
  private claimAboutUs (incarnation: number, from: string, firstHand: boolean): void {
    if (this.table.get(from) == null || !this.spend(from, 'claims')) {
      this.stats.claimsRejected++
      return
    }
    if (incarnation > this.self.incarnation) {
      this.stats.claimsRejected++
      return
    }
    if (this.leaving) return
    if (incarnation < this.self.incarnation) {
      // We refuted already, but the accuser tells us itself that it still suspects us: it
      // missed our refutation (its claim was in flight, or gossip passed it by), and its
      // suspicion would end in a verdict. Tell it, at most once per interval.
      if (firstHand) this.answerAccuser(from)
      return
    }
    if (this.now < this.nextRefuteAt) {
      this.refutePending = true
      if (this.waitingAccusers.size < LEAVE_FANOUT) this.waitingAccusers.add(from)
      return
    }
    if (!this.refuteNow()) return
    // Answer the accuser directly too: it may still hold the suspicion privately.
    this.answerAccuser(from)
  }

  /** Sends our record straight to an accuser, once per sender, record and probe interval. */
  private answerAccuser (to: string): void {
    if (this.now >= this.answeredSince + this.config.probeInterval) {
      this.answered.clear()
      this.answeredSince = this.now
    }
    if (this.answered.get(to) === this.self.incarnation) return
    this.answered.set(to, this.self.incarnation)
    this.send(to, { type: 'gossip', updates: [{ type: 'record', record: this.self }] })
  }

  private refuteNow (): boolean {
    this.refutePending = false
    this.nextRefuteAt = this.now + this.config.probeInterval
    const accusers = [...this.waitingAccusers]
    this.waitingAccusers.clear()
    if (!this.refute(this.self.incarnation)) return false
    // The accusers whose claims waited for this refutation hear it first-hand too.
    for (const to of accusers) if (this.table.get(to) != null) this.answerAccuser(to)
    return true
  }

  /**
   * Announces ourselves one step above `signed`, the incarnation of a record we signed
   * ourselves. Lifeguard: we may be the slow one.
   */
  private refute (signed: number): boolean {
    if (this.leaving) return false
    const record = this.signedNext(this.self, Math.max(signed, this.self.incarnation))
    if (record == null) return false
    this.stats.refutations++
    this.awareness.apply(1)
    this.self = record
    this.enqueue(this.id, { type: 'record', record: this.self })
    return true
  }

  private announce (change: Partial<UnsignedRecord>, now: number): Effect[] {
    this.begin(now)
    if (!this.leaving) {
      const record = this.signedNext({ ...this.self, ...change })
      if (record != null) {
        this.self = record
        this.enqueue(this.id, { type: 'record', record: this.self })
      }
    }
    return this.end()
  }

  /**
   * Our record at one incarnation above `above` (default: our current one), signed; or,
   * when it cannot be (incarnations exhausted, the signer fails), undefined after an
   * error effect that tells the caller why. Nothing changes then.
   */
  private signedNext (record: UnsignedRecord, above = this.self.incarnation): MemberRecord | undefined {
    const incarnation = above + 1
    try {
      if (!Number.isSafeInteger(incarnation)) {
        throw new Error(`incarnation ${above} is the last one (restart with a new identity)`)
      }
      return this.signed({ ...record, incarnation })
    } catch (err) {
      this.stats.signFailures++
      const error = err instanceof Error ? err : new Error(String(err))
      this.out.push({ type: 'error', error })
      return undefined
    }
  }

  // ---------------------------------------------------------------- upkeep

  /** Flapping members whose hold ends: consumers hear their current state where it changed. */
  private releaseDamped (): void {
    for (const { id, shown } of this.damper.release(this.now)) {
      const entry = this.table.get(id)
      if (entry == null) continue // forgotten: consumers heard it fail or leave
      const type: MembershipEventType | undefined = entry.state === 'alive' || entry.state === 'suspect'
        ? 'join'
        : entry.state === 'left' && shown !== 'left' ? 'leave' : undefined
      if (type === undefined) continue
      this.damper.shown(id, entry.state)
      this.out.push({ type: 'emit', event: { type, member: toMember(entry), at: this.now } })
    }
  }

  private reap (): void {
    const expired: string[] = []
    for (const e of this.table.gone()) {
      if (this.now - e.since >= this.config.reapTime) expired.push(e.record.id)
    }
    for (const id of expired) this.drop(id)
    this.damper.prune(this.now)
    for (const id of this.reconnectBackoff.keys()) {
      if (this.table.get(id)?.state !== 'dead') this.reconnectBackoff.delete(id)
    }
  }

  /** Drops everything we hold about a member (reaped, evicted or forgotten). */
  private drop (id: string): void {
    this.table.remove(id)
    this.heard.delete(id)
    this.suspicions.delete(id)
  }

  // ---------------------------------------------------------------- helpers

  private isLive (id: string): boolean {
    const state = this.table.get(id)?.state
    return state === 'alive' || state === 'suspect'
  }

  private isGossipTarget (id: string): boolean {
    const e = this.table.get(id)
    if (e == null) return false
    if (e.state === 'alive' || e.state === 'suspect') return true
    return e.state === 'dead' && this.now - e.since < this.config.gossipToTheDeadTime
  }

  private isProbing (id: string): boolean {
    for (const p of this.probes.values()) if (p.target === id) return true
    return false
  }

  private verified (record: MemberRecord, from: string): boolean {
    if (this.verifyHook == null) return true
    if (!this.spend(from, 'verifications')) {
      this.stats.budgetExceeded++
      return false
    }
    if (this.verifyHook(record)) return true
    this.stats.recordsRejected++
    return false
  }

  private signed (record: UnsignedRecord): MemberRecord {
    const unsigned: UnsignedRecord = { id: record.id, incarnation: record.incarnation, addrs: record.addrs, meta: record.meta, leaving: record.leaving }
    if (record.generation !== undefined && record.generation > 0) unsigned.generation = record.generation
    return this.signHook == null ? unsigned : { ...unsigned, signature: this.signHook(unsigned) }
  }

  /** An event for consumers, unless flap damping holds the member (see damping.ts). */
  private emit (type: MembershipEventType, entry: MemberEntry, reason?: 'restart'): void {
    if (this.damper.observe(entry.record.id, type, this.now) === 'hold') return
    const event: MembershipEvent = { type, member: toMember(entry), at: this.now }
    if (reason !== undefined) event.reason = reason
    this.out.push({ type: 'emit', event })
  }

  private send (to: string, message: Message): void {
    this.out.push({ type: 'send', to, addrs: this.addrsOf(to), message })
  }

  private begin (now: number): void {
    if (now > this.now) this.now = now
    this.out = []
  }

  private end (): Effect[] {
    let at = this.nextProbeAt
    if (this.config.gossipInterval > 0 && this.queue.size > 0 && this.nextGossipAt < at) at = this.nextGossipAt
    if (this.config.pushPullInterval > 0 && this.nextPushPullAt < at) at = this.nextPushPullAt
    if (this.config.reconnectInterval > 0 && this.nextReconnectAt < at) at = this.nextReconnectAt
    if (this.nextReapAt < at) at = this.nextReapAt
    if (this.catchUps.length > 0 && this.catchUps[0] < at) at = this.catchUps[0]
    if (this.refutePending && this.nextRefuteAt < at) at = this.nextRefuteAt
    const release = this.damper.nextRelease()
    if (release < at) at = release
    for (const p of this.probes.values()) {
      const next = !p.acked && !p.indirectSent ? p.indirectAt : p.deadline
      if (next < at) at = next
    }
    for (const r of this.relays.values()) if (r.nackAt < at) at = r.nackAt
    for (const s of this.suspicions.values()) {
      if (s.deadline < at) at = s.deadline
      if (s.privateUntil > 0 && s.privateUntil < at) at = s.privateUntil
    }
    const out = this.out
    out.push({ type: 'schedule', at })
    this.out = []
    return out
  }
}

/** A record's generation; 0 when unknown. */
function generationOf (record: MemberRecord): number {
  return record.generation ?? 0
}
