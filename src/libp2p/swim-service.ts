/**
 * The libp2p service: drives a `SwimMachine` with real time, real streams and libp2p's
 * connection events, and carries out the effects it returns.
 *
 * - time is `Date.now()`; one timer is re-armed to the latest `schedule.at`;
 * - `send` effects go out on the probe protocol (one frame each), or as a push-pull
 *   exchange for sync requests; inbound frames go to `receive` under the sender's
 *   authenticated PeerId;
 * - `emit` effects become `member:*` events, in the order the core produced them;
 * - connection events are hints, never verdicts: when the last connection to a member
 *   closes, it is probed at once; a dial refused means the direct probe failed, so the
 *   indirect probes start at once;
 * - records are signed with the node's key and verified against the key in their id.
 *
 * Nothing that happens on the network can throw out of an event handler or timer, or leave
 * a rejected promise unobserved.
 */
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { CODE_P2P, multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import type { ComponentLogger, Connection, Libp2pEvents, Logger, Metrics, PeerId, PeerStore, PrivateKey, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { TypedEventTarget } from 'main-event'
import { CONFIG_KEYS, resolveConfig } from '../core/config.ts'
import type { SwimConfig } from '../core/config.ts'
import type { Effect } from '../core/effects.ts'
import { SwimMachine, emptyMachineStats } from '../core/machine.ts'
import type { MachineStats, UnsignedRecord } from '../core/machine.ts'
import type { MemberRecord, Message, Sync, Update } from '../core/messages.ts'
import { seededRandom } from '../core/random.ts'
import type { Member, MemberState, MembershipEvent } from '../core/types.ts'
import { encodeMessage, updateSize, validateRecord } from '../wire/codec.ts'
import { DEFAULT_LIMITS, syncLimits } from '../wire/limits.ts'
import type { WireError, WireLimits } from '../wire/index.ts'
import { Admission } from './admission.ts'
import { ConsumerView } from './consumer-view.ts'
import type { QuorumStatus } from '../consumers/quorum.ts'
import { DEFAULT_CLUSTER, JOIN_RETRY_MAX, JOIN_RETRY_MIN, LISTEN_WAIT, checkClusterName, dialTimeout, gossipsubTopic, leaveTimeout, probeProtocol, syncProtocol, syncTimeout } from './constants.ts'
import { Dialer } from './dialer.ts'
import type { SwimConnectionManager } from './dialer.ts'
import { GossipsubBridge, isPubSub } from './gossipsub-bridge.ts'
import { registerSwimMetrics } from './metrics.ts'
import { ProbeProtocol } from './probe-protocol.ts'
import type { SwimRegistrar } from './probe-protocol.ts'
import { PushPullProtocol } from './push-pull-protocol.ts'
import { createRecordSigner, createRecordVerifier } from './signed-record.ts'
import { SENDER_ALLOWANCE } from '../core/sender-budget.ts'
import type { Swim, SwimEvents, SwimInit, SwimStats } from './types.ts'

/** The part of libp2p's address manager the service uses. */
export interface SwimAddressManager {
  getAddresses: () => Multiaddr[]
  getListenAddrs: () => Multiaddr[]
}

/** What the service needs from the node (libp2p's components provide all of it). */
export interface SwimComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: SwimRegistrar
  connectionManager: SwimConnectionManager
  peerStore: Pick<PeerStore, 'merge'>
  addressManager: SwimAddressManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  metrics?: Metrics
}

type Status =
  | { code: 'stopped' }
  | { code: 'starting' }
  | { code: 'started', session: AbortController }
  | { code: 'stopping' }

interface Applied {
  /** Push-pull exchanges started, by member: resolve to whether the member answered. */
  syncs: Map<string, Promise<boolean>>
  /** Frames handed to the probe protocol: resolve to whether they reached the stream. */
  writes: Array<Promise<boolean>>
  /** What the machine could not do (a record it could not sign). */
  errors: Error[]
}

/** Signatures checked between two yields to the event loop while a sync is checked ahead. */
const VERIFY_SLICE = 32

const MEMBER_STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left']
const EVENT_NAMES = {
  join: 'member:join',
  suspect: 'member:suspect',
  alive: 'member:alive',
  fail: 'member:fail',
  leave: 'member:leave',
  update: 'member:update'
} as const satisfies Record<MembershipEvent['type'], keyof SwimEvents>

/** Longest setTimeout delay Node.js accepts. */
const MAX_TIMER_DELAY = 0x7fffffff

export class SwimService extends TypedEventEmitter<SwimEvents> implements Swim, Startable {
  readonly [Symbol.toStringTag] = 'libp2p-swim'
  readonly [serviceCapabilities]: string[] = ['libp2p-swim']
  readonly [serviceDependencies]: string[] = []

  /** The resolved protocol configuration (profile plus overrides). */
  readonly config: SwimConfig

  private readonly components: SwimComponents
  private readonly init: SwimInit
  private readonly id: string
  private readonly log: Logger
  private readonly limits: WireLimits
  private readonly admission: Admission
  private readonly sign: (record: UnsignedRecord) => Uint8Array
  private readonly verify: ReturnType<typeof createRecordVerifier>
  /** Records of a sync checked ahead (in slices), so the machine's verify hook just looks. */
  private readonly checked = new WeakMap<MemberRecord, boolean>()
  private readonly cluster: string
  private readonly dialer: Dialer
  private readonly probe: ProbeProtocol
  private readonly pushPull: PushPullProtocol
  private bridge?: GossipsubBridge
  private readonly consumers: ConsumerView
  private machine: SwimMachine
  private status: Status = { code: 'stopped' }
  private meta: Record<string, string>
  /** Highest incarnation a previous run of the machine reached (restarts start above it). */
  private lastIncarnation: number
  private timer?: ReturnType<typeof setTimeout>
  private timerAt = Infinity
  private readonly counters = {
    messagesIn: {} as Record<string, number>,
    messagesOut: {} as Record<string, number>,
    bytesIn: {} as Record<string, number>,
    bytesOut: {} as Record<string, number>,
    decodeErrors: 0,
    framesDropped: 0,
    unreachable: 0
  }

  /** Counters of previous runs, so stats never go down across a restart. */
  private readonly pastMachineStats: MachineStats = emptyMachineStats()
  private pastDeliveries = 0

  constructor (components: SwimComponents, init: SwimInit = {}) {
    super()
    this.components = components
    this.init = init
    this.id = components.peerId.toString()
    this.log = reportingLogger(components.logger.forComponent('libp2p:swim'), init.onError)
    this.cluster = init.cluster ?? DEFAULT_CLUSTER
    checkClusterName(this.cluster)
    const overrides: Partial<SwimConfig> = {}
    for (const key of CONFIG_KEYS) {
      if (init[key] !== undefined) overrides[key] = init[key]
    }
    this.config = resolveConfig(init.profile ?? 'lan', overrides)
    this.limits = syncLimits({ ...DEFAULT_LIMITS }, this.config.maxMembers)
    this.admission = new Admission(init.allowList)
    this.sign = createRecordSigner(components.privateKey, this.cluster)
    const verify = createRecordVerifier(id => this.admission.admits(id), this.cluster)
    this.verify = record => this.checked.get(record) ?? verify(record)
    this.meta = { ...init.metadata }
    this.checkMetadata(this.meta)
    this.lastIncarnation = (init.incarnation ?? 0) - 1
    this.dialer = new Dialer(components)

    const onDecodeError = (from: string, error: WireError | Error): void => {
      this.counters.decodeErrors++
      this.log.trace('dropped a bad message from %s - %s', from, error.message)
    }
    const onUnreachable = (id: string, refused: boolean): void => {
      this.counters.unreachable++
      this.drive(m => m.unreachable(id, Date.now(), { refused }))
    }
    this.probe = new ProbeProtocol({
      registrar: components.registrar,
      dialer: this.dialer,
      log: this.log,
      limits: this.limits,
      dialTimeout: dialTimeout(this.config.probeInterval),
      protocol: probeProtocol(this.cluster),
      admits: id => this.admission.admits(id),
      onMessage: (from, message, bytes) => {
        count(this.counters.messagesIn, this.counters.bytesIn, message.type, bytes)
        this.drive(m => m.receive(from, message, Date.now()))
      },
      onDecodeError,
      onUnreachable,
      onDropped: () => { this.counters.framesDropped++ }
    })
    this.pushPull = new PushPullProtocol({
      registrar: components.registrar,
      dialer: this.dialer,
      log: this.log,
      limits: this.limits,
      timeout: syncTimeout(this.config.probeTimeout),
      protocol: syncProtocol(this.cluster),
      admits: id => this.admission.admits(id),
      isMember: id => this.machine.member(id) != null,
      onRequest: async (from, request, bytes) => await this.answerSync(from, request, bytes),
      onDecodeError,
      onUnreachable
    })

    this.machine = this.createMachine([])
    this.consumers = new ConsumerView(this, {
      self: this.id,
      expect: init.expect,
      stableAfter: init.stableAfter,
      members: () => this.members(),
      onQuorumChange: status => { this.safeDispatchEvent('quorum:change', { detail: status }) }
    })

    this.onTimer = this.onTimer.bind(this)
    this.onTick = this.onTick.bind(this)
    this.onPeerDisconnect = this.onPeerDisconnect.bind(this)
    this.onConnectionClose = this.onConnectionClose.bind(this)
    this.onSelfUpdate = this.onSelfUpdate.bind(this)

    if (components.metrics != null) registerSwimMetrics(components.metrics, () => this.stats())
  }

  // ------------------------------------------------------------------ lifecycle

  start (): void {
    if (this.status.code !== 'stopped') return
    this.status = { code: 'starting' }
  }

  /**
   * Runs once the transports listen, so that this member's first record carries the
   * node's addresses; then joins the seeds given at creation, in the background.
   */
  async afterStart (): Promise<void> {
    if (this.status.code !== 'starting') return
    await this.waitForAddresses()
    if (this.status.code !== 'starting') return
    this.machine = this.createMachine(this.announcedAddrs())
    const session = new AbortController()
    this.status = { code: 'started', session }
    try {
      await this.probe.start()
      await this.pushPull.start()
    } catch (err) {
      await this.stop()
      throw err
    }
    const events = this.components.events
    events.addEventListener('peer:disconnect', this.onPeerDisconnect)
    events.addEventListener('connection:close', this.onConnectionClose)
    events.addEventListener('self:peer:update', this.onSelfUpdate)
    this.bridge = this.createBridge()
    try {
      this.bridge?.start()
    } catch (err) {
      this.log.error('could not subscribe to the gossipsub topic, continuing without it - %e', err)
      this.bridge = undefined
    }
    this.consumers.start()
    this.drive(m => m.tick(Date.now()))
    const seeds = this.init.seeds ?? []
    if (seeds.length > 0) {
      this.joinInBackground(seeds, session.signal).catch(err => { this.log.error('joining the seeds failed - %e', err) })
    }
  }

  beforeStop (): void {
    if (this.status.code === 'stopped' || this.status.code === 'stopping') return
    if (this.status.code === 'started') this.status.session.abort()
    this.status = { code: 'stopping' }
    clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
    this.consumers.stop()
    const events = this.components.events
    events.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    events.removeEventListener('connection:close', this.onConnectionClose)
    events.removeEventListener('self:peer:update', this.onSelfUpdate)
    if (this.bridge != null) {
      this.bridge.stop()
      this.pastDeliveries += this.bridge.deliveries
      this.bridge = undefined
    }
  }

  /**
   * Stops without announcing anything: to the others this member simply stops answering
   * and is eventually declared failed. Call `leave()` first for a graceful departure.
   */
  async stop (): Promise<void> {
    if (this.status.code === 'stopped') return
    this.beforeStop()
    await this.probe.stop()
    await this.pushPull.stop()
    this.lastIncarnation = Math.max(this.lastIncarnation, this.machine.record.incarnation)
    addMachineStats(this.pastMachineStats, this.machine.stats)
    this.machine = this.createMachine(this.announcedAddrs())
    this.status = { code: 'stopped' }
  }

  // ------------------------------------------------------------------ public API

  members (): Member[] {
    return this.machine.members()
  }

  localMember (): Member {
    return this.machine.localMember()
  }

  lookup (key: string | Uint8Array, n = 1): Member[] {
    return this.consumers.lookup(key, n)
  }

  quorum (): QuorumStatus {
    return this.consumers.quorum()
  }

  /**
   * Joins through `seeds` (multiaddrs; `/p2p/<id>` optional, in which case the address is
   * dialed to learn who is there): a push-pull with each. Resolves to how many distinct
   * seed members answered; seeds that are this node are skipped.
   */
  async join (seeds: string[]): Promise<number> {
    if (this.status.code !== 'started') throw new Error('Cannot join: the SWIM service is not started')
    const machine = this.machine
    const resolved = await Promise.all(seeds.map(async seed => this.resolveSeed(seed)))
    const targets = new Map<string, string[]>()
    for (const t of resolved) {
      if (t == null || t.id === this.id) continue
      targets.set(t.id, [...(targets.get(t.id) ?? []), ...t.addrs])
    }
    if (targets.size === 0 || machine !== this.machine) return 0
    const { syncs } = this.drive(m => m.join([...targets].map(([id, addrs]) => ({ id, addrs })), Date.now()))
    const answers = await Promise.all([...targets.keys()].map(async id => syncs.get(id) ?? false))
    return answers.filter(Boolean).length
  }

  async setMetadata (meta: Record<string, string>): Promise<void> {
    const copy = { ...meta }
    this.checkMetadata(copy)
    if (this.status.code === 'started') {
      const { errors } = this.drive(m => m.setMetadata(copy, Date.now()))
      if (errors.length > 0) throw signingError(errors[0])
      this.meta = copy
    } else {
      this.meta = copy
      this.machine = this.createMachine(this.machine.record.addrs)
    }
  }

  /**
   * Announces the departure (a final signed record, sent directly to up to 64 members and
   * gossiped), waits until those frames are written or leaveTimeout passes, and stops
   * probing. The node keeps answering probes until it is stopped, so nobody suspects it
   * while the news spreads.
   */
  async leave (): Promise<void> {
    if (this.status.code !== 'started' || this.machine.hasLeft) return
    const { writes, errors } = this.drive(m => m.leave(Date.now()))
    if (errors.length > 0) throw signingError(errors[0])
    if (writes.length === 0) return
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<void>(resolve => { timer = setTimeout(resolve, leaveTimeout(this.config.probeInterval)) })
    await Promise.race([Promise.all(writes), timeout])
    clearTimeout(timer)
  }

  stats (): SwimStats {
    const m = this.machine.stats
    const p = this.pastMachineStats
    const membersByState: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
    for (const member of this.machine.members()) membersByState[member.state]++
    const { indirectProbesSent, ...machineStats } = sumMachineStats(p, m)
    return {
      ...machineStats,
      indirectProbes: indirectProbesSent,
      membersByState,
      awarenessScore: this.machine.awarenessScore,
      pendingBroadcasts: this.machine.pendingBroadcasts,
      messagesIn: { ...this.counters.messagesIn },
      messagesOut: { ...this.counters.messagesOut },
      bytesIn: { ...this.counters.bytesIn },
      bytesOut: { ...this.counters.bytesOut },
      decodeErrors: this.counters.decodeErrors,
      gossipsubDeliveries: this.pastDeliveries + (this.bridge?.deliveries ?? 0),
      framesDropped: this.counters.framesDropped,
      unreachable: this.counters.unreachable
    }
  }

  // ------------------------------------------------------------------ effects

  /** Runs one machine input and carries out the effects it returns. Never throws. */
  private drive (input: (machine: SwimMachine) => Effect[]): Applied {
    const applied: Applied = { syncs: new Map(), writes: [], errors: [] }
    if (this.status.code !== 'started') return applied
    let effects: Effect[]
    try {
      effects = input(this.machine)
    } catch (err) {
      this.log.error('the protocol failed to handle an input - %e', err)
      return applied
    }
    this.apply(effects, applied)
    return applied
  }

  private apply (effects: Effect[], applied: Applied): void {
    let originated: Update[] | undefined
    for (const effect of effects) {
      try {
        switch (effect.type) {
          case 'send':
            if (this.bridge != null && effect.message.type !== 'sync') (originated ??= []).push(...effect.message.updates)
            this.send(effect.to, effect.addrs, effect.message, applied)
            break
          case 'emit':
            this.safeDispatchEvent(EVENT_NAMES[effect.event.type], { detail: effect.event })
            break
          case 'schedule':
            this.arm(effect.at)
            break
          case 'error':
            applied.errors.push(effect.error)
            this.log.error('could not sign a new record - %e', effect.error)
            break
        }
      } catch (err) {
        this.log.error('could not carry out a %s effect - %e', effect.type, err)
      }
    }
    if (originated != null) this.bridge?.offer(originated)
  }

  private send (to: string, addrs: string[], message: Message, applied: Applied): void {
    if (message.type === 'sync') {
      // Responses travel on the request's stream (answerSync); a request is an exchange.
      if (!message.response) {
        applied.syncs.set(to, this.exchange(to, addrs, message).catch(err => {
          this.log.error('push-pull with %s failed - %e', to, err)
          return false
        }))
      }
      return
    }
    const bytes = this.encode(message)
    if (bytes == null) return
    count(this.counters.messagesOut, this.counters.bytesOut, message.type, bytes.byteLength)
    applied.writes.push(this.probe.send(to, addrs, bytes))
  }

  /** A push-pull: sends our state, merges the answer. Resolves to whether `to` answered. */
  private async exchange (to: string, addrs: string[], request: Sync): Promise<boolean> {
    const bytes = this.encode(request)
    if (bytes == null) return false
    count(this.counters.messagesOut, this.counters.bytesOut, 'sync', bytes.byteLength)
    const machine = this.machine
    const response = await this.pushPull.exchange(to, addrs, bytes)
    if (response == null || machine !== this.machine) return false
    count(this.counters.messagesIn, this.counters.bytesIn, 'sync', response.bytes)
    // The answer to our own join brings the whole cluster: checked in full, in slices.
    const valid = await this.checkAhead(response.message, request.join ? Infinity : SENDER_ALLOWANCE.verifications)
    if (machine !== this.machine) return false
    if (!valid) this.pushPull.penalise(to)
    this.drive(m => m.receive(to, response.message, Date.now()))
    return true
  }

  /**
   * Checks the signatures a sync would need checked, up to `budget` of them, a slice at a
   * time with a yield between slices, so acks and timers never wait behind a large batch;
   * the machine's verify hook then only looks the results up. False at the first bad
   * signature: the sender gets no more of our time (the caller resets and penalises).
   */
  private async checkAhead (sync: Sync, budget: number): Promise<boolean> {
    let spent = 0
    for (const entry of sync.entries) {
      if (spent >= budget) break
      const record = entry.record
      if (!this.machine.needsCheck(record) || !this.admission.admits(record.id) || this.checked.has(record)) continue
      const valid = this.verify(record)
      this.checked.set(record, valid)
      if (!valid) return false
      if (++spent % VERIFY_SLICE === 0) await new Promise(resolve => setImmediate(resolve))
    }
    return true
  }

  /** Handles an inbound sync request; returns the encoded response for its stream. */
  private async answerSync (from: string, request: Sync, bytes: number): Promise<Uint8Array | undefined | 'reset'> {
    count(this.counters.messagesIn, this.counters.bytesIn, 'sync', bytes)
    if (this.status.code !== 'started') return undefined
    const machine = this.machine
    const valid = await this.checkAhead(request, SENDER_ALLOWANCE.verifications)
    if (this.status.code !== 'started' || machine !== this.machine) return undefined
    if (!valid) {
      // The machine merges up to the bad record (known results, no new checks) and counts it.
      this.drive(m => m.receive(from, request, Date.now()))
      return 'reset'
    }
    let effects: Effect[]
    try {
      effects = this.machine.receive(from, request, Date.now())
    } catch (err) {
      this.log.error('the protocol failed to handle a sync request - %e', err)
      return undefined
    }
    const at = effects.findIndex(e => e.type === 'send' && e.to === from && e.message.type === 'sync' && e.message.response)
    const reply = at >= 0 ? effects.splice(at, 1)[0] : undefined
    this.apply(effects, { syncs: new Map(), writes: [], errors: [] })
    if (reply?.type !== 'send') return undefined
    const encoded = this.encode(reply.message)
    if (encoded != null) count(this.counters.messagesOut, this.counters.bytesOut, 'sync', encoded.byteLength)
    return encoded
  }

  private encode (message: Message): Uint8Array | undefined {
    try {
      return encodeMessage(message)
    } catch (err) {
      this.log.error('could not encode a %s message - %e', message.type, err)
      return undefined
    }
  }

  private arm (at: number): void {
    if (this.status.code !== 'started') return
    if (this.timer != null && this.timerAt === at) return
    clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(this.onTimer, Math.min(MAX_TIMER_DELAY, Math.max(0, at - Date.now())))
  }

  private onTimer (): void {
    // Run the tick after the I/O already waiting (setImmediate runs after the poll phase):
    // when the event loop is late, an ack sitting in a socket buffer is read before the
    // probe waiting for it is concluded as failed.
    this.timer = undefined
    this.timerAt = Infinity
    setImmediate(this.onTick)
  }

  private onTick (): void {
    if (this.status.code !== 'started') return
    this.drive(m => m.tick(Date.now()))
    // Should a tick ever fail, keep the protocol alive rather than silently stopping it.
    if (this.timer == null && this.status.code === 'started') this.arm(Date.now() + this.config.probeInterval)
  }

  // ------------------------------------------------------------------ connection hints

  private onPeerDisconnect (evt: CustomEvent<PeerId>): void {
    this.hint(evt.detail)
  }

  private onConnectionClose (evt: CustomEvent<Connection>): void {
    this.hint(evt.detail.remotePeer)
  }

  /** The last connection to `peer` closed: if it is a member, probe it now. */
  private hint (peer: PeerId): void {
    try {
      if (this.components.connectionManager.getConnections(peer).some(c => c.status === 'open')) return
      const id = peer.toString()
      this.probe.forget(id)
      this.drive(m => m.probeNow(id, Date.now()))
    } catch (err) {
      this.log.error('could not handle a closed connection - %e', err)
    }
  }

  private onSelfUpdate (): void {
    try {
      const addrs = this.announcedAddrs()
      if (addrs.length === 0 || sameList(addrs, this.machine.record.addrs)) return
      this.drive(m => m.setAddrs(addrs, Date.now()))
    } catch (err) {
      this.log.error('could not announce new addresses - %e', err)
    }
  }

  // ------------------------------------------------------------------ helpers

  private createMachine (addrs: string[]): SwimMachine {
    return new SwimMachine({
      id: this.id,
      addrs,
      meta: this.meta,
      incarnation: this.lastIncarnation + 1,
      config: this.config,
      random: seededRandom(this.init.randomSeed ?? Math.floor(Math.random() * 2 ** 32)),
      now: Date.now(),
      sign: this.sign,
      verify: this.verify,
      sizeOf: updateSize
    })
  }

  private createBridge (): GossipsubBridge | undefined {
    if (this.init.pubsub === false) return undefined
    const names = this.init.pubsub != null ? [this.init.pubsub] : ['pubsub', 'gossipsub']
    for (const name of names) {
      let service: unknown
      try {
        // libp2p's components throw for a service that is not configured.
        service = (this.components as unknown as Record<string, unknown>)[name]
      } catch {
        continue
      }
      if (!isPubSub(service)) continue
      return new GossipsubBridge({
        pubsub: service,
        topic: gossipsubTopic(this.cluster),
        selfId: this.id,
        limits: this.limits,
        log: this.log,
        admits: id => this.admission.admits(id),
        verify: this.verify,
        onUpdates: (from, updates, bytes) => {
          count(this.counters.messagesIn, this.counters.bytesIn, 'gossipsub', bytes)
          this.drive(m => m.receive(from, { type: 'gossip', updates }, Date.now()))
        },
        onDecodeError: (from, error) => {
          this.counters.decodeErrors++
          this.log.trace('dropped a bad gossipsub message from %s - %s', from, error.message)
        },
        onPublished: bytes => { count(this.counters.messagesOut, this.counters.bytesOut, 'gossipsub', bytes) }
      })
    }
    return undefined
  }

  /**
   * The node's announced addresses without the `/p2p/<id>` suffix (the member id carries
   * it), within the wire limits every receiver enforces.
   */
  private announcedAddrs (): string[] {
    const out: string[] = []
    for (const ma of this.components.addressManager.getAddresses()) {
      const addr = ma.decapsulateCode(CODE_P2P).toString()
      if (out.includes(addr) || new TextEncoder().encode(addr).byteLength > this.limits.maxAddrBytes) continue
      out.push(addr)
      if (out.length >= this.limits.maxAddrs) break
    }
    return out
  }

  private async waitForAddresses (): Promise<void> {
    const am = this.components.addressManager
    if (am.getAddresses().length > 0 || am.getListenAddrs().length === 0) return
    await new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        this.components.events.removeEventListener('transport:listening', check)
        resolve()
      }
      const check = (): void => { if (am.getAddresses().length > 0) done() }
      const timer = setTimeout(done, LISTEN_WAIT)
      this.components.events.addEventListener('transport:listening', check)
    })
  }

  private async resolveSeed (seed: string): Promise<{ id: string, addrs: string[] } | undefined> {
    let ma: Multiaddr
    try {
      ma = multiaddr(seed)
    } catch {
      this.log.error('ignoring seed %s: not a multiaddr', seed)
      return undefined
    }
    const p2p = ma.getComponents().findLast(c => c.code === CODE_P2P)?.value
    if (p2p != null) return { id: p2p, addrs: [ma.decapsulateCode(CODE_P2P).toString()] }
    if (this.announcedAddrs().includes(seed)) return undefined
    try {
      const connection = await this.components.connectionManager.openConnection(ma, {
        signal: AbortSignal.timeout(dialTimeout(this.config.probeInterval))
      })
      return { id: connection.remotePeer.toString(), addrs: [seed] }
    } catch (err) {
      this.log('seed %s did not answer - %e', seed, err)
      return undefined
    }
  }

  /** Joins the configured seeds, retrying with backoff until one answers or we are found. */
  private async joinInBackground (seeds: string[], signal: AbortSignal): Promise<void> {
    let delay = JOIN_RETRY_MIN
    while (!signal.aborted) {
      const answered = await this.join(seeds).catch(() => 0)
      if (answered > 0 || this.machine.clusterSize > 1 || signal.aborted) return
      this.log('no seed answered; trying again in %d ms', delay)
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, delay)
        signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
      })
      delay = Math.min(delay * 2, JOIN_RETRY_MAX)
    }
  }

  /** Throws a TypeError or RangeError for metadata no member would accept. */
  private checkMetadata (meta: Record<string, string>): void {
    for (const [key, value] of Object.entries(meta)) {
      if (typeof value !== 'string') throw new TypeError(`Invalid metadata "${key}": values must be strings`)
    }
    const probe = { id: this.id, incarnation: 0, addrs: [], meta, leaving: false, signature: new Uint8Array(64) }
    const error = validateRecord(probe, this.limits)
    if (error != null) throw new RangeError(`Invalid metadata: ${error.message}`)
  }
}

/**
 * The service's logger, whose errors also go to `onError` (the daemon logs them as
 * warnings at least): a failure the caller cannot otherwise see is never only a debug line.
 */
function reportingLogger (log: Logger, onError?: (message: string, error?: Error) => void): Logger {
  if (onError == null) return log
  const error = (formatter: string, ...args: unknown[]): void => {
    log.error(formatter, ...args)
    try {
      onError(String(formatter).replace(/ - %e$/, ''), args.find((a): a is Error => a instanceof Error))
    } catch {}
  }
  return Object.assign((formatter: string, ...args: unknown[]) => { log(formatter, ...args) }, log, { error })
}

/** A plain Error (not a RangeError/TypeError: the input was fine, the node could not sign). */
function signingError (cause: Error): Error {
  return new Error(`Cannot sign a new member record: ${cause.message}`, { cause })
}

function count (messages: Record<string, number>, bytes: Record<string, number>, type: string, size: number): void {
  messages[type] = (messages[type] ?? 0) + 1
  bytes[type] = (bytes[type] ?? 0) + size
}

function sameList (a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function addMachineStats (into: MachineStats, from: MachineStats): void {
  for (const key of Object.keys(into) as Array<keyof MachineStats>) into[key] += from[key]
}

function sumMachineStats (a: MachineStats, b: MachineStats): MachineStats {
  const out = { ...a }
  addMachineStats(out, b)
  return out
}
