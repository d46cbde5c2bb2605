/**
 * The libp2p service: lifecycle and the public API. The driver (driver.ts) runs the
 * protocol core over a transport of packets (datagram-transport.ts) and streams
 * (stream-transport.ts); this file builds them, joins seeds, and turns connection events
 * into hints.
 *
 * - connection events are hints, never verdicts, and only about a bounded set: the members
 *   this node watches (watch.ts) and members probed over streams; when the last connection
 *   to one closes it is probed at once. A dial refused means the direct probe failed, so the
 *   indirect probes start at once;
 * - records are signed with the node's key and verified against the key in their id; a
 *   member's datagram address is one of its record's addresses, so it is signed too. The
 *   cluster name is part of the signature domain and of every protocol id;
 * - a record that cannot be signed makes `setMetadata` and `leave` reject; every error the
 *   service logs also goes to `onError`.
 *
 * Nothing that happens on the network can throw out of an event handler or timer, or leave
 * a rejected promise unobserved.
 */
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { CODE_P2P, multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import type { ComponentLogger, Connection, Libp2pEvents, Logger, Metrics, PeerId, PeerStore, PrivateKey, Startable, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { TypedEventTarget } from 'main-event'
import { CONFIG_KEYS, resolveConfig } from '../core/config.ts'
import type { SwimConfig } from '../core/config.ts'
import { SwimMachine, emptyMachineStats } from '../core/machine.ts'
import type { MachineStats, UnsignedRecord } from '../core/machine.ts'
import { seededRandom } from '../core/random.ts'
import type { Member, MemberState, MembershipEvent } from '../core/types.ts'
import { clusterTag } from '../wire/cluster-tag.ts'
import { updateSize } from '../wire/size.ts'
import { validateRecord } from '../wire/validate.ts'
import { DEFAULT_LIMITS, syncLimits } from '../wire/limits.ts'
import type { WireLimits } from '../wire/index.ts'
import { Admission } from './admission.ts'
import { ConsumerView } from './consumer-view.ts'
import type { QuorumStatus } from '../consumers/quorum.ts'
import { DATAGRAM_RESERVE, DEFAULT_CLUSTER, DEFAULT_DATAGRAM_SIZE, JOIN_RETRY_MAX, JOIN_RETRY_MIN, LISTEN_WAIT, MIN_DATAGRAM_SIZE, WATCHERS, checkClusterName, dialTimeout, gossipsubTopic, joinTimeout, leaveTimeout, syncTimeout } from './constants.ts'
import { datagramAddrOf, isDatagramAddr, isWildcard, parseListenAddr, tcpHostPort } from './datagram-address.ts'
import type { DatagramAddress } from './datagram-address.ts'
import { DatagramTransport } from './datagram-transport.ts'
import { dialFailure, Dialer } from './dialer.ts'
import type { SwimConnectionManager } from './dialer.ts'
import { count, Driver } from './driver.ts'
import { GossipsubBridge, isPubSub } from './gossipsub-bridge.ts'
import { GossipsubSeal } from './gossipsub-seal.ts'
import { classifyExchangeError, classifyJoinError } from './join-errors.ts'
import type { JoinErrorCause } from './join-errors.ts'
import { registerSwimMetrics } from './metrics.ts'
import { Keyring } from './keyring.ts'
import { PacketCrypto } from './packet-crypto.ts'
import { createStreamGuard } from './stream-guard.ts'
import type { SwimRegistrar } from './probe-protocol.ts'
import { createRecordSigner, createRecordVerifier } from './signed-record.ts'
import { Libp2pStreams } from './stream-transport.ts'
import { patientTimeout } from './timeout.ts'
import type { PacketSealer, Transport } from './transport.ts'
import type { Swim, SwimEvents, SwimInit, SwimStats } from './types.ts'
import { dials, mayChangeWatch, watchedBy } from './watch.ts'

/** The part of libp2p's address manager the service uses. */

/**
 * This process's start (ms since the epoch), the generation of every record it signs: set
 * once per process start and kept nowhere, so a restarted member has a newer one, which
 * its observers report (an `update` with reason `restart`).
 */
const PROCESS_STARTED_AT = Date.now()

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
  private readonly cluster: string
  /** Stamped on every record this node sends; records stamped otherwise are foreign. */
  private readonly clusterTag: number
  private readonly dialer: Dialer
  /** Seeds being joined, by id: the error their state exchange failed with, if any. */
  private readonly joinFailures = new Map<string, unknown>()
  /** Cluster keys: the primary seals datagrams and proves streams; the others are accepted too. */
  readonly keys: Keyring
  private readonly sealer?: PacketSealer
  private datagramSize: number | undefined
  private packets?: DatagramTransport
  private readonly transport: Transport
  private readonly driver: Driver
  private bridge?: GossipsubBridge
  private readonly consumers: ConsumerView
  private machine: SwimMachine
  private status: Status = { code: 'stopped' }
  private meta: Record<string, string>
  /** Highest incarnation a previous run of the machine reached (restarts start above it). */
  private lastIncarnation: number
  /** Members watched over a kept connection (see watch.ts). */
  private watched = new Set<string>()
  private watchDirty = false

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
    this.clusterTag = clusterTag(this.cluster)
    this.datagramSize = init.datagram === false ? undefined : checkDatagramSize(init.datagram?.maxSize)
    if (init.datagram !== false && init.datagram?.listen != null && parseListenAddr(init.datagram.listen) == null) {
      throw new RangeError(`Invalid datagram listen address "${init.datagram.listen}": expected /ip4/HOST/udp/PORT or /ip6/HOST/udp/PORT`)
    }
    const overrides: Partial<SwimConfig> = {}
    for (const key of CONFIG_KEYS) {
      if (init[key] !== undefined) overrides[key] = init[key]
    }
    const profile = resolveConfig(init.profile ?? 'lan', overrides)
    // The piggybacked updates of a datagram must fit in it with the message's header and seal.
    if (this.datagramSize != null && init.maxPiggybackBytes === undefined) {
      overrides.maxPiggybackBytes = Math.min(profile.maxPiggybackBytes, this.datagramSize - DATAGRAM_RESERVE)
    }
    this.config = resolveConfig(init.profile ?? 'lan', overrides)
    // The sync caps follow maxMembers, so no table a node may hold makes push-pull stop.
    this.limits = syncLimits({ ...DEFAULT_LIMITS }, this.config.maxMembers)
    this.admission = new Admission(init.allowList)
    this.sign = createRecordSigner(components.privateKey, this.cluster)
    this.verify = createRecordVerifier((id) => this.admission.admits(id), this.cluster)
    this.meta = { ...init.metadata }
    this.checkMetadata(this.meta)
    for (const key of ['joinRetryInterval', 'joinRetryMax'] as const) {
      const value = init[key]
      if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) throw new RangeError(`Invalid ${key} ${String(value)}: expected a whole number >= 0`)
    }
    this.lastIncarnation = (init.incarnation ?? 0) - 1
    this.keys = new Keyring(init.clusterKeys ?? [])
    const cluster = this.cluster
    const guard = createStreamGuard(this.keys, cluster, this.id)
    this.dialer = new Dialer(components, { preamble: guard.prove })
    if (this.datagramSize != null) {
      if (components.privateKey.type === 'Ed25519') {
        this.sealer = new PacketCrypto({ privateKey: components.privateKey, cluster, keyring: this.keys })
      } else {
        // Datagram keys come from Ed25519 identities; other members reach this one over streams.
        this.log('the node\'s %s identity cannot seal datagrams; probing over streams only', components.privateKey.type)
        this.datagramSize = undefined
      }
    }
    const admitStream = async (stream: Stream, from: string, options: { signal: AbortSignal }): Promise<boolean> => {
      const ok = await guard.admit(stream, from, options)
      if (!ok) {
        this.driver.counters.streamsRejected++
        this.log('reset a stream from %s: no valid cluster key proof', from)
      }
      return ok
    }

    const admits = (id: string): boolean => this.admission.admits(id)
    const streams = new Libp2pStreams({
      cluster,
      registrar: components.registrar,
      dialer: this.dialer,
      log: this.log,
      limits: this.limits,
      clusterTag: this.clusterTag,
      dialTimeout: dialTimeout(this.config.probeInterval),
      pingTimeout: this.config.probeInterval,
      syncTimeout: syncTimeout(this.config.probeTimeout),
      joinTimeout: joinTimeout(this.config.probeTimeout),
      admits,
      isMember: (id) => this.machine.member(id) != null,
      admitStream,
      checkProof: (from, proof) => {
        const ok = guard.check(from, proof)
        if (!ok) this.driver.counters.streamsRejected++
        return ok
      },
      onDecodeError: (from, error) => { this.driver.decodeError(from, error) },
      onUnreachable: (id, refused) => { this.driver.unreachable(id, refused) },
      onDropped: () => { this.driver.dropped() },
      onExchangeFailed: (to, err) => { if (this.joinFailures.has(to)) this.joinFailures.set(to, err) }
    })
    this.transport = { streams }
    this.driver = new Driver({
      config: this.config,
      log: this.log,
      limits: this.limits,
      selfId: this.id,
      clusterTag: this.clusterTag,
      transport: this.transport,
      sealer: this.sealer ?? NO_SEALER,
      admits,
      verify: this.verify,
      onEvent: (event) => { this.onEvent(event) },
      onSent: (updates) => { this.bridge?.offer(updates) }
    })

    this.machine = this.createMachine([])
    this.consumers = new ConsumerView(this, {
      self: this.id,
      expect: init.expect,
      stableAfter: init.stableAfter,
      members: () => this.machine.consumerMembers(),
      onQuorumChange: (status) => { this.safeDispatchEvent('quorum:change', { detail: status }) }
    })

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
   * node's addresses (its datagram address among them); then joins the seeds given at
   * creation, in the background.
   */
  async afterStart (): Promise<void> {
    if (this.status.code !== 'starting') return
    await this.waitForAddresses()
    if (this.status.code !== 'starting') return
    this.packets = this.createPackets()
    this.transport.packets = this.packets
    const session = new AbortController()
    this.status = { code: 'started', session }
    try {
      await this.driver.start()
    } catch (err) {
      await this.stop()
      throw err
    }
    if (this.status.code !== 'started') return
    // The socket is bound: the first record carries its address.
    this.machine = this.createMachine(this.announcedAddrs())
    this.driver.run(this.machine)
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
    this.driver.drive((m) => m.tick(Date.now()))
    const seeds = this.init.seeds ?? []
    if (seeds.length > 0) {
      this.joinInBackground(seeds, session.signal).catch((err) => { this.log.error('joining the seeds failed - %e', err) })
    }
  }

  beforeStop (): void {
    if (this.status.code === 'stopped' || this.status.code === 'stopping') return
    if (this.status.code === 'started') this.status.session.abort()
    this.status = { code: 'stopping' }
    this.consumers.stop()
    this.driver.halt()
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
    await this.driver.stop()
    this.packets = undefined
    this.transport.packets = undefined
    this.dialer.stop()
    this.watched = new Set()
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

  shares (): Record<string, number> {
    return this.consumers.shares()
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
    return await this.joinAttempt(seeds, 0)
  }

  /** `join`, reporting every seed that failed as a `join:error` of `attempt`. */
  private async joinAttempt (seeds: string[], attempt: number): Promise<number> {
    if (this.status.code !== 'started') throw new Error('Cannot join: the SWIM service is not started')
    const machine = this.machine
    const fail = (seed: string, cause: JoinErrorCause, message: string): void => {
      this.safeDispatchEvent('join:error', { detail: { seed, cause, message, attempt } })
    }
    const resolved = await Promise.all(seeds.map(async (seed) => this.resolveSeed(seed, fail)))
    const targets = new Map<string, string[]>()
    const seedOf = new Map<string, string>()
    resolved.forEach((t, i) => {
      if (t == null) return
      if (t.id === this.id) {
        fail(seeds[i], 'self', 'the seed is this node itself')
        return
      }
      targets.set(t.id, [...(targets.get(t.id) ?? []), ...t.addrs])
      if (!seedOf.has(t.id)) seedOf.set(t.id, seeds[i])
    })
    if (targets.size === 0 || machine !== this.machine) return 0
    // Why an exchange with a seed failed is kept for the seeds being joined, and only them.
    for (const id of targets.keys()) if (!this.joinFailures.has(id)) this.joinFailures.set(id, undefined)
    const { syncs } = this.driver.drive((m) => m.join([...targets].map(([id, addrs]) => ({ id, addrs })), Date.now()))
    const answers = await Promise.all([...targets.keys()].map(async (id) => {
      const answered = await (syncs.get(id) ?? false)
      const err = this.joinFailures.get(id)
      this.joinFailures.delete(id)
      if (!answered && machine === this.machine) {
        const { cause, message } = classifyExchangeError(err)
        fail(seedOf.get(id) ?? id, cause, message)
      }
      return answered
    }))
    return answers.filter(Boolean).length
  }

  forget (id: string): void {
    if (this.status.code !== 'started') throw new Error('Cannot forget a member: the SWIM service is not started')
    // the machine throws a RangeError for a live or unknown member, before changing anything
    const effects = this.machine.forget(id, Date.now())
    this.dialer.forget(id)
    this.driver.forget(id)
    this.driver.drive(() => effects)
  }

  async setMetadata (meta: Record<string, string>): Promise<void> {
    const copy = { ...meta }
    this.checkMetadata(copy)
    if (this.status.code === 'started') {
      const { errors } = this.driver.drive((m) => m.setMetadata(copy, Date.now()))
      if (errors.length > 0) throw signingError(errors[0])
      this.meta = copy
    } else {
      this.meta = copy
      this.machine = this.createMachine(this.machine.record.addrs)
    }
  }

  /**
   * Announces the departure (a final signed record, sent directly to up to 64 members and
   * gossiped), waits until those messages are sent or leaveTimeout passes, and stops
   * probing. The node keeps answering probes until it is stopped, so nobody suspects it
   * while the news spreads.
   */
  async leave (): Promise<void> {
    if (this.status.code !== 'started' || this.machine.hasLeft) return
    const { writes, errors } = this.driver.drive((m) => m.leave(Date.now()))
    if (errors.length > 0) throw signingError(errors[0])
    if (writes.length === 0) return
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, leaveTimeout(this.config.probeInterval)) })
    await Promise.race([Promise.all(writes), timeout])
    clearTimeout(timer)
  }

  stats (): SwimStats {
    const m = this.machine.stats
    const p = this.pastMachineStats
    const membersByState: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
    for (const member of this.machine.members()) membersByState[member.state]++
    const machineStats = sumMachineStats(p, m)
    const c = this.driver.counters
    return {
      ...machineStats,
      membersByState,
      awarenessScore: this.machine.awarenessScore,
      pendingBroadcasts: this.machine.pendingBroadcasts,
      messagesIn: { ...c.messagesIn },
      messagesOut: { ...c.messagesOut },
      bytesIn: { ...c.bytesIn },
      bytesOut: { ...c.bytesOut },
      decodeErrors: c.decodeErrors,
      foreignCluster: c.foreignCluster,
      gossipsubDeliveries: this.pastDeliveries + (this.bridge?.deliveries ?? 0),
      framesDropped: c.framesDropped,
      unreachable: c.unreachable,
      dialsHeldBack: this.dialer.heldBack,
      datagrams: {
        in: c.datagramsIn,
        out: c.datagramsOut,
        bytesIn: c.datagramBytesIn,
        bytesOut: c.datagramBytesOut,
        rejected: c.datagramsRejected,
        rejectedBy: { ...c.rejectedBy },
        fallbackProbes: c.fallbackProbes,
        fallbackAcks: c.fallbackAcks
      },
      streamsRejected: c.streamsRejected,
      connections: this.dialer.openedConnections
    }
  }

  /** The datagram address this node advertises, if it has a socket. */
  get datagramAddress (): string | undefined {
    return this.packets?.address
  }

  // ------------------------------------------------------------------ events and hints

  private onEvent (event: MembershipEvent): void {
    if (event.type === 'join') this.sealer?.know(event.member.id)
    if (event.type !== 'update' && !this.watchDirty && mayChangeWatch(this.id, this.watched, event.member.id, WATCHERS)) {
      // Recomputed once per burst of changes (a join brings many at once), and only for a
      // change next to us on the ring: a forming cluster of hundreds brings a change every
      // few ms, and each recomputation walks the whole view.
      this.watchDirty = true
      queueMicrotask(() => { this.refreshWatch() })
    }
    this.safeDispatchEvent(`member:${event.type}`, { detail: event })
  }

  /** Keeps connections to the members this node watches, and only to them. */
  private refreshWatch (): void {
    this.watchDirty = false
    if (this.status.code !== 'started') return
    try {
      const live = this.machine.members().filter((m) => m.state === 'alive' || m.state === 'suspect')
      const next = watchedBy(this.id, live.map((m) => m.id), WATCHERS)
      this.watched = next
      this.dialer.keep(next)
      const signal = this.status.session.signal
      for (const member of live) {
        // one connection per watching pair: the other end keeps it
        if (!next.has(member.id) || !dials(this.id, member.id)) continue
        this.dialer.connect(member.id, member.addrs, { signal: AbortSignal.any([signal, patientTimeout(dialTimeout(this.config.probeInterval))]) })
          .catch((err) => {
            const failure = dialFailure(err)
            if (this.status.code !== 'started') return
            if (failure != null) this.driver.unreachable(member.id, failure === 'refused')
            // A watch dial that failed with the member's host reachable (its end at its
            // connection limit while the cluster forms, say) is tried again, or the pair would
            // stay unwatched until the next change next to us on the ring. A refused or
            // unreachable host is evidence: the probes take it from there.
            if (failure == null) this.refreshWatchSoon()
          })
      }
    } catch (err) {
      this.log.error('could not choose the members to watch - %e', err)
    }
  }

  /** One probe interval from now, the watch connections are checked again (once, however many ask). */
  private refreshWatchSoon (): void {
    if (this.watchDirty) return
    this.watchDirty = true
    setTimeout(() => { this.refreshWatch() }, this.config.probeInterval).unref?.()
  }

  private onPeerDisconnect (evt: CustomEvent<PeerId>): void {
    this.hint(evt.detail)
  }

  private onConnectionClose (evt: CustomEvent<Connection>): void {
    this.hint(evt.detail.remotePeer)
  }

  /**
   * The last connection to `peer` closed: if it is a member this node watches, or one it
   * probes over streams, probe it now. Other members' connections come and go (idle ones
   * are closed, the connection manager prunes) and say nothing about them.
   */
  private hint (peer: PeerId): void {
    try {
      if (this.components.connectionManager.getConnections(peer).some((c) => c.status === 'open')) return
      const id = peer.toString()
      this.driver.forget(id)
      const member = this.machine.member(id)
      if (member == null) return
      const overStreams = this.packets?.address == null || datagramAddrOf(member.addrs) == null
      if (!overStreams && !this.watched.has(id)) return
      // Over a stream: a killed process's host refuses the dial at once, which is evidence
      // now rather than a datagram unanswered after probeTimeout.
      this.driver.probeOverStream(id)
      if (this.watched.has(id)) this.refreshWatchSoon()
    } catch (err) {
      this.log.error('could not handle a closed connection - %e', err)
    }
  }

  private onSelfUpdate (): void {
    try {
      const addrs = this.announcedAddrs()
      if (addrs.length === 0 || sameList(addrs, this.machine.record.addrs)) return
      this.driver.drive((m) => m.setAddrs(addrs, Date.now()))
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
      generation: PROCESS_STARTED_AT,
      config: this.config,
      random: seededRandom(this.init.randomSeed ?? Math.floor(Math.random() * 2 ** 32)),
      now: Date.now(),
      sign: this.sign,
      verify: this.driver.verified,
      sizeOf: updateSize
    })
  }

  /** The datagram socket the options ask for, bound by the driver's start. */
  private createPackets (): DatagramTransport | undefined {
    if (this.datagramSize == null || this.init.datagram === false) return undefined
    const listen = this.init.datagram?.listen
    let bind: DatagramAddress | undefined
    if (listen != null) {
      bind = parseListenAddr(listen)
    } else {
      for (const ma of this.components.addressManager.getListenAddrs()) {
        bind = tcpHostPort(ma.toString())
        if (bind != null) break
      }
    }
    if (bind == null) {
      this.log('no TCP listen address to bind datagrams beside; probing over streams only')
      return undefined
    }
    const family = bind.family
    return new DatagramTransport({
      bind,
      maxPacketSize: this.datagramSize,
      log: this.log,
      announceHost: () => {
        for (const ma of this.components.addressManager.getAddresses()) {
          const hp = tcpHostPort(ma.decapsulateCode(CODE_P2P).toString())
          if (hp != null && hp.family === family && !isWildcard(hp.host)) return hp.host
        }
        return undefined
      }
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
        clusterTag: this.clusterTag,
        log: this.log,
        admits: (id) => this.admission.admits(id),
        verify: this.verify,
        seal: new GossipsubSeal({ keyring: this.keys, cluster: this.cluster }),
        onUpdates: (from, updates, bytes) => {
          count(this.driver.counters.messagesIn, this.driver.counters.bytesIn, 'gossipsub', bytes)
          this.driver.drive((m) => m.receive(from, { type: 'gossip', updates }, Date.now()))
        },
        onDecodeError: (from, error) => { this.driver.decodeError(from, error) },
        onPublished: (bytes) => { count(this.driver.counters.messagesOut, this.driver.counters.bytesOut, 'gossipsub', bytes) }
      })
    }
    return undefined
  }

  /**
   * The node's announced addresses without the `/p2p/<id>` suffix (the member id carries
   * it), within the wire limits every receiver enforces, and its datagram address last.
   */
  private announcedAddrs (): string[] {
    const out: string[] = []
    const datagram = this.packets?.address
    const room = this.limits.maxAddrs - (datagram != null ? 1 : 0)
    for (const ma of this.components.addressManager.getAddresses()) {
      if (out.length >= room) break
      const addr = ma.decapsulateCode(CODE_P2P).toString()
      if (out.includes(addr) || isDatagramAddr(addr) || new TextEncoder().encode(addr).byteLength > this.limits.maxAddrBytes) continue
      out.push(addr)
    }
    if (datagram != null) out.push(datagram)
    return out
  }

  private async waitForAddresses (): Promise<void> {
    const am = this.components.addressManager
    if (am.getAddresses().length > 0 || am.getListenAddrs().length === 0) return
    await new Promise<void>((resolve) => {
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

  /**
   * The member behind a seed address: its `/p2p/` id, else whoever answers a dial. A seed
   * that cannot be reached is reported through `fail` with the likely cause.
   */
  private async resolveSeed (seed: string, fail: (seed: string, cause: JoinErrorCause, message: string) => void): Promise<{ id: string, addrs: string[] } | undefined> {
    let ma: Multiaddr
    try {
      ma = multiaddr(seed)
    } catch {
      fail(seed, 'invalid', 'not a multiaddr (expected e.g. /ip4/10.0.0.1/tcp/7946)')
      return undefined
    }
    const p2p = ma.getComponents().findLast((c) => c.code === CODE_P2P)?.value
    const addrs = [p2p != null ? ma.decapsulateCode(CODE_P2P).toString() : seed]
    // A member's datagram address (saved with its other addresses) is not one to join through.
    if (isDatagramAddr(addrs[0])) return undefined
    if (p2p === this.id || (p2p == null && this.announcedAddrs().includes(seed))) return { id: this.id, addrs }
    if (p2p != null) this.dialer.seed(p2p)
    // Dial first even when the id is known: a failed dial says why, a failed exchange does not.
    if (p2p != null && this.dialer.connected(p2p)) return { id: p2p, addrs }
    const signal = AbortSignal.timeout(joinTimeout(this.config.probeTimeout))
    try {
      if (p2p != null) {
        // through the dialer, which closes the connection once idle: a seed many members
        // join through must not be left holding a connection to each of them
        await this.dialer.connect(p2p, addrs, { signal })
        return { id: p2p, addrs }
      }
      const connection = await this.components.connectionManager.openConnection(ma, { signal })
      const id = connection.remotePeer.toString()
      this.dialer.seed(id)
      return { id, addrs }
    } catch (err) {
      this.log('seed %s did not answer - %e', seed, err)
      const { cause, message } = classifyJoinError(err)
      fail(seed, cause, message)
      return undefined
    }
  }

  /** Joins the configured seeds, retrying with backoff until one answers or we are found. */
  private async joinInBackground (seeds: string[], signal: AbortSignal): Promise<void> {
    const longest = Math.max(JOIN_RETRY_MIN, this.init.joinRetryInterval ?? JOIN_RETRY_MAX)
    const attempts = this.init.joinRetryMax ?? 0
    let delay = JOIN_RETRY_MIN
    for (let attempt = 1; !signal.aborted; attempt++) {
      const answered = await this.joinAttempt(seeds, attempt).catch(() => 0)
      if (answered > 0 || this.machine.clusterSize > 1 || signal.aborted) return
      if (attempts > 0 && attempt >= attempts) {
        this.safeDispatchEvent('join:error', { detail: { seed: seeds.join(' '), cause: 'gave-up', message: `no seed answered in ${attempt} attempts; giving up (joinRetryMax)`, attempt } })
        return
      }
      this.log('no seed answered; trying again in %d ms', delay)
      await new Promise<void>((resolve) => {
        // Jittered, so that joiners a full seed turned away do not all come back at once.
        const timer = setTimeout(resolve, delay * (0.5 + Math.random()))
        signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
      })
      delay = Math.min(delay * 2, longest)
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

/** For a node without datagrams (nothing is ever sealed or opened). */
const NO_SEALER: PacketSealer = {
  overhead: 0,
  seal: () => undefined,
  open: () => ({ error: 'no datagrams' }),
  know: () => {},
  forget: () => {}
}

function checkDatagramSize (size: number | undefined): number {
  if (size === undefined) return DEFAULT_DATAGRAM_SIZE
  if (!Number.isInteger(size) || size < MIN_DATAGRAM_SIZE || size > 65_507) {
    throw new RangeError(`Invalid datagram maxSize: ${String(size)} must be a whole number of bytes from ${MIN_DATAGRAM_SIZE} to 65507`)
  }
  return size
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
