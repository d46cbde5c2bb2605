import { HashRing } from '../consumers/ring.ts'
import { QuorumTracker, type QuorumStatus } from '../consumers/quorum.ts'
import { resolveConfig, type ProfileName, type SwimConfig } from '../core/config.ts'
import type { Effect } from '../core/effects.ts'
import { SwimMachine } from '../core/machine.ts'
import { MemberIds, MemberTable, type MemberTables } from '../core/members.ts'
import type { MemberRecord, Message, MessageType } from '../core/messages.ts'
import { KeyedProbeOrder, ProbeOrder } from '../core/probe-order.ts'
import { seededRandom, type Random } from '../core/random.ts'
import { SharedMembers, type SharedMemberTable } from '../core/shared-members.ts'
import type { Member, MembershipEventType } from '../core/types.ts'
import { estimateUpdateSize } from '../core/update-size.ts'
import { decodeMessage, DEFAULT_CLUSTER_TAG, encodeMessage, updateSize } from '../wire/index.ts'
import { Clock } from './clock.ts'
import { Network, type LatencyRange } from './network.ts'

export interface SimulationOptions {
  /** Nodes at start; all join through ids[0] at t = 0. */
  size: number
  seed?: number
  profile?: ProfileName
  /** Protocol knobs overriding the profile's. */
  config?: Partial<SwimConfig>
  /** Probability that any one message is lost. @default 0 */
  loss?: number
  /** One-way delay, uniform in [min, max] ms. @default { min: 1, max: 5 } */
  latency?: LatencyRange
  /**
   * Pass every message through the wire codec (encode at send, decode at delivery), so the
   * byte counts are real and every message the protocol produces is proven encodable.
   * Turn off only for very large runs where the codec's cost dominates. @default true
   */
  wire?: boolean
  /** Keep the event log (`events`). Off for very large runs. @default true */
  recordEvents?: boolean
  /** Called for every membership event as it happens, recorded or not. */
  onEvent?: (event: SimEvent) => void
  /**
   * Quorum knobs of every node (`sim.quorum`), as the service's `expect` and `stableAfter`;
   * `false`: no quorum trackers (each holds a set of the ids it sees alive: at 10,000 nodes,
   * 10^8 set entries).
   */
  quorum?: { expect?: number, stableAfter?: number } | false
  /**
   * Start from a formed cluster instead of joining through ids[0]: every node holds every
   * other member alive (and as having spoken to it) at incarnation 0, `since` 0, as after a
   * long-running join, with empty broadcast queues; no join events. @default false
   */
  formed?: boolean
  /**
   * Member tables shared between the nodes (`SharedMemberTable`: the values most nodes hold
   * alike are kept once, about 3 bytes per member per node instead of about 67) and probe
   * orders that hold nothing per member (`KeyedProbeOrder`). The protocol rules are the same;
   * the order in which a node walks, samples and probes its members differs, so a seed gives
   * another (equally deterministic) run than with the dense tables. @default size >= 5000
   */
  sharedTables?: boolean
}

export interface JoinOptions {
  /** The seeds to join through, as a real node's configuration lists them; some may be down. */
  seeds?: string[]
}

export interface SimStats {
  messages: number
  bytes: number
  messagesByType: Record<MessageType, number>
  toStopped: Record<MessageType, number>
  /** Member entries carried by push-pull (sync) messages: what join and anti-entropy move. */
  syncEntries: number
}

export interface SimEvent {
  at: number
  observer: string
  type: MembershipEventType
  member: string
  /** As the library's event says: `restart` when the member restarted (see MembershipEvent). */
  reason?: 'restart'
}

type Item =
  | { kind: 'tick', node: SimNode, token: number }
  | { kind: 'deliver', node: SimNode, from: string, message: Message, life: number, waited?: boolean }
  | { kind: 'resume', node: SimNode, life: number }
  | { kind: 'stop', node: SimNode, life: number }
  | { kind: 'refused', node: SimNode, to: string, life: number }

interface SimNode {
  id: string
  index: number
  machine: SwimMachine
  /** Bumped on crash and restart: items addressed to an earlier life are void. */
  life: number
  up: boolean
  /** While down: its host answers connection attempts with a refusal (a killed process). */
  refuses: boolean
  pausedUntil: number
  /** Slow processing (see `slow`): until then, input waits `lag` ms before it is read. */
  slowUntil: number
  lag: number
  /** Messages that arrived while paused, delivered on resume like a socket's buffer. */
  inbox: Array<{ from: string, message: Message }>
  tickAt: number
  tickToken: number
}

const OPTION_KEYS: Array<keyof SimulationOptions> = ['size', 'seed', 'profile', 'config', 'loss', 'latency', 'wire', 'recordEvents', 'onEvent', 'quorum', 'formed', 'sharedTables']

/** From this size on, a simulation shares its member tables unless told otherwise. */
export const SHARED_TABLES_FROM = 5000

/** The wall-clock time virtual time 0 stands for, for the generations of simulated runs. */
const SIM_EPOCH = 1_700_000_000_000

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/**
 * Many protocol cores over a virtual-time network: latency, loss, partitions, crashes,
 * pauses, restarts. Everything random comes from `seed`: the same seed gives the same
 * event log, byte for byte.
 */
export class Simulation {
  readonly ids: string[] = []
  readonly events: SimEvent[] = []
  private readonly clock = new Clock<Item>()
  private readonly network: Network
  private readonly nodes = new Map<string, SimNode>()
  private readonly random: Random
  private readonly config: SwimConfig
  private readonly wire: boolean
  private readonly recordEvents: boolean
  private readonly onEvent?: (event: SimEvent) => void
  private readonly seed: number
  private messages = 0
  private bytes = 0
  private syncEntries = 0
  private readonly byType = emptyCounts()
  private readonly toStopped = emptyCounts()
  /** Per node: the same ring and quorum tracker the library service uses (src/consumers). */
  private readonly consumers = new Map<string, { quorum?: QuorumTracker, ring?: HashRing }>()
  private readonly quorumOptions: { expect?: number, stableAfter?: number } | false
  /** One id registry for every node's member table: each id string is held once. */
  private readonly memberIds = new MemberIds()
  /** How nodes make their tables (undefined: the machine's dense defaults over `memberIds`). */
  private readonly tables?: MemberTables
  /** Set while the constructor creates the nodes of a formed cluster. */
  private forming = false

  constructor (options: SimulationOptions) {
    if (options == null || typeof options !== 'object') throw new TypeError('Simulation needs an options object, e.g. { size: 10 }')
    const unknown = Object.keys(options).filter((key) => !OPTION_KEYS.includes(key as keyof SimulationOptions))
    if (unknown.length > 0) {
      throw new TypeError(`Unknown Simulation option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}: the options are ${OPTION_KEYS.join(', ')}`)
    }
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`Invalid size ${options.size}: need a whole number of nodes >= 1`)
    }
    this.seed = options.seed ?? 1
    this.random = seededRandom(this.seed)
    this.config = resolveConfig(options.profile ?? 'lan', options.config)
    this.network = new Network(seededRandom(this.seed ^ 0x5eed), options.latency ?? { min: 1, max: 5 }, options.loss ?? 0)
    this.wire = options.wire ?? true
    this.recordEvents = options.recordEvents ?? true
    this.onEvent = options.onEvent
    this.quorumOptions = options.quorum ?? {}
    const formed = options.formed ?? false
    const shared = options.sharedTables ?? options.size >= SHARED_TABLES_FROM
    const ids: string[] = []
    for (let i = 0; i < options.size; i++) ids.push(this.newId())
    // The records each node signs at start (see createNode), held by every other node of a formed cluster.
    const records: MemberRecord[] = formed ? ids.map((id, index) => ({ id, incarnation: 0, addrs: [addressOf(index)], meta: {}, leaving: false, generation: SIM_EPOCH })) : []
    if (shared) {
      const store = new SharedMembers(this.memberIds)
      if (formed) store.form(records)
      this.tables = {
        table: (self) => this.forming ? store.formedTable(self, 0) : store.table(),
        order: (_self, random, table) => {
          const t = table as SharedMemberTable
          return new KeyedProbeOrder(random, () => t.capacity, (key) => t.memberAt(key), () => t.size)
        },
        unheardOrder: (_self, random) => new ProbeOrder(random)
      }
    } else if (formed) {
      this.tables = {
        table: (self) => {
          const table = new MemberTable(this.memberIds)
          if (!this.forming) return table
          for (const record of records) {
            if (record.id === self) continue
            table.add({ record, state: 'alive', incarnation: 0, since: 0 })
            table.heard.add(record.id)
          }
          return table
        },
        order: (self, random) => {
          const order = new ProbeOrder(random)
          if (this.forming) for (const id of ids) if (id !== self) order.add(id)
          return order
        },
        unheardOrder: (_self, random) => new ProbeOrder(random)
      }
    }
    this.forming = formed
    for (const id of ids) this.createNode(id)
    this.forming = false
    if (formed) {
      for (const id of ids) {
        const quorum = this.consumers.get(id)?.quorum
        if (quorum != null) for (const other of ids) if (other !== id) quorum.observe(other, 'alive', 0)
      }
    } else {
      const seed = this.nodes.get(this.ids[0]) as SimNode
      for (let i = 1; i < this.ids.length; i++) this.joinThrough(this.nodes.get(this.ids[i]) as SimNode, [seed])
    }
    for (const node of this.nodes.values()) this.apply(node, node.machine.tick(0))
  }

  /**
   * Delivers `message` to node `to` as if sent by `from`, which may be no node at all (an
   * attacker): replies to it go nowhere.
   */
  inject (from: string, to: string, message: Message): void {
    const node = this.node(to)
    if (!node.up || node.pausedUntil > this.now) return
    this.apply(node, node.machine.receive(from, message, this.now))
  }

  /** Virtual ms since the start. */
  get now (): number {
    return this.clock.now
  }

  /** Advances virtual time by `ms`, delivering everything due. */
  runFor (ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`Invalid duration ${ms}: need ms >= 0`)
    const until = this.clock.now + ms
    for (let item = this.clock.next(until); item != null; item = this.clock.next(until)) this.run(item)
    this.clock.now = until
  }

  /**
   * Stops a node at once: no leave, no answers. By default it falls silent, like a host that
   * vanished; with `refused`, its host answers every connection attempt with a refusal, like
   * a killed process on a live host (kill -9), and senders learn so after a round trip.
   */
  crash (id: string, options: { refused?: boolean } = {}): void {
    const node = this.node(id)
    node.up = false
    node.refuses = options.refused === true
    node.life++
    node.inbox = []
  }

  /** Freezes a node for `ms`: it neither runs timers nor reads messages (SIGSTOP), then catches up. */
  pause (id: string, ms: number): void {
    const node = this.node(id)
    if (!node.up) throw new Error(`Cannot pause ${id}: it is not running`)
    node.pausedUntil = Math.max(node.pausedUntil, this.now + ms)
    this.clock.schedule(node.pausedUntil, { kind: 'resume', node, life: node.life })
  }

  /**
   * Starts a crashed or departed node again with fresh state, joining through a live member,
   * or through `seeds` as a real node does: it contacts them all, some may be down, and it
   * tries again while nobody has answered.
   */
  restart (id: string, options: JoinOptions = {}): void {
    this.start(this.node(id), options)
  }

  /** Graceful leave; the node stops one probe interval later, as a daemon exits after leaving. */
  leave (id: string): void {
    const node = this.node(id)
    this.apply(node, node.machine.leave(this.now))
    this.clock.schedule(this.now + this.config.probeInterval, { kind: 'stop', node, life: node.life })
  }

  /**
   * An operator's forced removal on `observer`: it forgets `member` (dead or departed there)
   * and tells the others. Throws, changing nothing, when `observer` holds it live.
   */
  forget (observer: string, member: string): void {
    const node = this.node(observer)
    this.apply(node, node.machine.forget(member, this.now))
  }

  /** A node announces new metadata. */
  setMetadata (id: string, meta: Record<string, string>): void {
    const node = this.node(id)
    this.apply(node, node.machine.setMetadata(meta, this.now))
  }

  /** A new node joining through a live member (or through `seeds`, see `restart`); returns its id. */
  add (options: JoinOptions = {}): string {
    return this.start(undefined, options).id
  }

  partition (groups: string[][]): void {
    for (const g of groups) for (const id of g) this.node(id)
    this.network.partition(groups)
  }

  /**
   * A partial partition: every link between a member of `a` and a member of `b` is cut,
   * both ways; everything else stays as it is. With a = [x], b = [z], x and z cannot talk
   * while both still reach y (non-transitive reachability).
   */
  cut (a: string[], b: string[]): void {
    for (const x of a) {
      for (const y of b) {
        this.setLinkLoss(x, y, 1)
        this.setLinkLoss(y, x, 1)
      }
    }
  }

  /** Ends partitions, cuts and every per-link setting. */
  heal (): void {
    this.network.heal()
  }

  setLoss (p: number): void {
    this.network.setLoss(p)
  }

  /**
   * Loss on the link from `from` to `to` only (one way), replacing the global loss there;
   * `undefined` restores the global loss. 1 cuts the link. Probes and gossip (datagrams)
   * are lost; push-pull (a stream) is delayed by retransmissions, and fails only on a cut link.
   */
  setLinkLoss (from: string, to: string, p: number | undefined): void {
    this.node(from)
    this.node(to)
    this.network.setLinkLoss(from, to, p)
  }

  /** One-way latency from `from` to `to`, replacing the global range there; `undefined` restores it. */
  setLinkLatency (from: string, to: string, latency: LatencyRange | undefined): void {
    this.node(from)
    this.node(to)
    this.network.setLinkLatency(from, to, latency)
  }

  /**
   * Slow processing for `ms` (CPU starvation, an input backlog), unlike `pause`: the node's
   * timers fire on time while every message it receives waits `lag` ms before it is read.
   * Its probes' acks sit unread while their timeouts fire.
   */
  slow (id: string, options: { lag: number, ms: number }): void {
    const node = this.node(id)
    if (!node.up) throw new Error(`Cannot slow ${id}: it is not running`)
    if (!(options.lag >= 0) || !(options.ms >= 0)) throw new RangeError(`Invalid slow processing: need lag >= 0 and ms >= 0 ms (got ${options.lag}, ${options.ms})`)
    node.lag = options.lag
    node.slowUntil = this.now + options.ms
  }

  /** That node's member list, itself included. */
  view (observer: string): Member[] {
    return this.node(observer).machine.members()
  }

  /** The protocol machine of a node, for white-box assertions (awareness, stats). */
  machine (id: string): SwimMachine {
    return this.node(id).machine
  }

  /** The n live owners of `key` in that node's view, owner first (the library's `lookup`). */
  lookup (observer: string, key: string | Uint8Array, n = 1): Member[] {
    // as the service's ring sees it: a member held by flap damping is not in it
    const view = this.node(observer).machine.consumerMembers()
    const consumers = this.consumers.get(observer) as { ring?: HashRing }
    consumers.ring ??= new HashRing()
    consumers.ring.update(view)
    return consumers.ring.lookup(key, n)
  }

  /** That node's quorum status (the library's `quorum()`), in virtual ms. */
  quorum (observer: string): QuorumStatus {
    this.node(observer)
    const quorum = this.consumers.get(observer)?.quorum
    if (quorum == null) throw new Error('This simulation keeps no quorum trackers (option quorum: false)')
    return quorum.status(this.now)
  }

  isUp (id: string): boolean {
    return this.node(id).up
  }

  /**
   * Messages and bytes sent since the start; messages by type; member entries carried by
   * push-pull; and messages by type
   * addressed to nodes that were not running (reconnect attempts, gossip to the dead).
   */
  stats (): SimStats {
    return { messages: this.messages, bytes: this.bytes, messagesByType: { ...this.byType }, toStopped: { ...this.toStopped }, syncEntries: this.syncEntries }
  }

  // ----------------------------------------------------------------

  private newId (): string {
    // PeerId-shaped (Ed25519 ids are 52 base58 characters), so sizes and bytes are realistic.
    let id = '12D3KooW'
    for (let i = 0; i < 44; i++) id += BASE58[Math.floor(this.random.next() * 58)]
    return id
  }

  private createNode (id: string, previous?: SimNode): SimNode {
    const index = previous?.index ?? this.ids.length
    const node: SimNode = {
      id,
      index,
      machine: new SwimMachine({
        id,
        addrs: [addressOf(index)],
        // a restart starts above its last incarnation, as swimd does from its data directory
        incarnation: previous != null ? previous.machine.record.incarnation + 1 : 0,
        // the start of this run, as a real process's clock would give it
        generation: SIM_EPOCH + Math.floor(this.now),
        config: this.config,
        random: seededRandom((this.seed * 1_000_003 + index * 7919 + (previous?.life ?? 0) * 104_729) >>> 0),
        now: this.now,
        sizeOf: this.wire ? updateSize : undefined,
        memberIds: this.memberIds,
        tables: this.tables
      }),
      life: (previous?.life ?? 0) + 1,
      up: true,
      refuses: false,
      pausedUntil: 0,
      slowUntil: 0,
      lag: 0,
      inbox: [],
      tickAt: Infinity,
      tickToken: 0
    }
    if (previous == null) this.ids.push(id)
    this.nodes.set(id, node)
    this.consumers.set(id, this.quorumOptions === false ? {} : { quorum: new QuorumTracker({ self: id, ...this.quorumOptions, now: this.now }) })
    return node
  }

  private node (id: string): SimNode {
    const node = this.nodes.get(id)
    if (node == null) throw new Error(`Unknown node ${id}`)
    return node
  }

  /**
   * Starts a node: a new one (`previous` undefined), or `previous` again with fresh state
   * (crashing it first if it runs), then joins it through `options.seeds` or a live member.
   */
  private start (previous: SimNode | undefined, options: JoinOptions): SimNode {
    if (previous?.up === true) this.crash(previous.id)
    const node = this.createNode(previous?.id ?? this.newId(), previous)
    let seeds: SimNode[]
    if (options.seeds !== undefined) {
      seeds = options.seeds.map((id) => this.node(id))
    } else {
      const seed = this.liveSeed(node.id)
      seeds = seed == null ? [] : [seed]
    }
    this.joinThrough(node, seeds)
    this.apply(node, node.machine.tick(this.now))
    return node
  }

  /** The one way a simulated node joins: a push-pull to each seed, at their current addresses. */
  private joinThrough (node: SimNode, seeds: SimNode[]): void {
    if (seeds.length === 0) return
    this.apply(node, node.machine.join(seeds.map((s) => ({ id: s.id, addrs: s.machine.record.addrs })), this.now))
  }

  private liveSeed (except: string): SimNode | undefined {
    for (const id of this.ids) {
      const n = this.nodes.get(id) as SimNode
      if (id !== except && n.up && !n.machine.hasLeft) return n
    }
    return undefined
  }

  private run (item: Item): void {
    const node = item.node
    switch (item.kind) {
      case 'tick':
        if (item.token !== node.tickToken || !node.up) return
        node.tickAt = Infinity
        if (node.pausedUntil > this.now) return
        this.apply(node, node.machine.tick(this.now))
        return
      case 'deliver':
        if (item.life !== node.life || !node.up) return
        if (item.waited !== true && node.slowUntil > this.now && node.lag > 0) {
          this.clock.schedule(this.now + node.lag, { ...item, waited: true })
          return
        }
        if (node.pausedUntil > this.now) {
          node.inbox.push({ from: item.from, message: item.message })
          return
        }
        this.apply(node, node.machine.receive(item.from, item.message, this.now))
        return
      case 'resume': {
        if (item.life !== node.life || !node.up || node.pausedUntil > this.now) return
        const inbox = node.inbox
        node.inbox = []
        this.apply(node, node.machine.tick(this.now))
        for (const m of inbox) this.apply(node, node.machine.receive(m.from, m.message, this.now))
        return
      }
      case 'stop':
        if (item.life === node.life && node.up) this.crash(node.id, { refused: true })
        return
      case 'refused':
        if (item.life === node.life && node.up && node.pausedUntil <= this.now) {
          this.apply(node, node.machine.unreachable(item.to, this.now, { refused: true }))
        }
    }
  }

  private apply (node: SimNode, effects: Effect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'send':
          this.transmit(node, effect.to, effect.message)
          break
        case 'emit': {
          this.consumers.get(node.id)?.quorum?.observe(effect.event.member.id, effect.event.member.state, this.now)
          if (!this.recordEvents && this.onEvent == null) break
          const event: SimEvent = { at: effect.event.at, observer: node.id, type: effect.event.type, member: effect.event.member.id }
          if (effect.event.reason !== undefined) event.reason = effect.event.reason
          if (this.recordEvents) this.events.push(event)
          this.onEvent?.(event)
          break
        }
        case 'schedule':
          if (effect.at !== node.tickAt) {
            node.tickAt = effect.at
            this.clock.schedule(effect.at, { kind: 'tick', node, token: ++node.tickToken })
          }
          break
      }
    }
  }

  private transmit (from: SimNode, to: string, message: Message): void {
    const target = this.nodes.get(to)
    let delivered = message
    if (this.wire) {
      // Every simulated node is of the default cluster: stamped and checked as real nodes do.
      const bytes = encodeMessage(message, undefined, { clusterTag: DEFAULT_CLUSTER_TAG })
      this.bytes += bytes.length
      const decoded = decodeMessage(bytes, undefined, { clusterTag: DEFAULT_CLUSTER_TAG })
      if (!decoded.ok) throw new Error(`Simulated node ${from.id} produced a message the codec rejects: ${decoded.error.message}`)
      delivered = decoded.message
    } else {
      this.bytes += estimateMessageSize(message)
    }
    this.messages++
    this.byType[message.type]++
    if (message.type === 'sync') this.syncEntries += message.entries.length
    if (target == null || !target.up) this.toStopped[message.type]++
    if (target == null) return
    const delay = this.network.delay(from.id, to, message.type === 'sync' ? 'stream' : 'datagram')
    if (delay === undefined) return
    if (!target.up && target.refuses) {
      this.clock.schedule(this.now + 2 * delay, { kind: 'refused', node: from, to, life: from.life })
      return
    }
    this.clock.schedule(this.now + delay, { kind: 'deliver', node: target, from: from.id, message: delivered, life: target.life })
  }
}

/** The address simulated node `index` announces. */
function addressOf (index: number): string {
  return `/ip4/10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}/tcp/7946`
}

/** Reused for every sync entry's size, so estimating a full state allocates nothing. */
const scratch: { type: 'record', record: MemberRecord } = { type: 'record', record: { id: '', incarnation: 0, addrs: [], meta: {}, leaving: false } }

function estimateMessageSize (message: Message): number {
  if (message.type === 'sync') {
    let size = 8
    for (const e of message.entries) {
      scratch.record = e.record
      size += estimateUpdateSize(scratch) + 8
    }
    return size
  }
  let size = message.type === 'ping' || message.type === 'ping-req' ? message.target.length + 12 : 8
  for (const u of message.updates) size += estimateUpdateSize(u)
  return size
}

function emptyCounts (): Record<MessageType, number> {
  return { ping: 0, ack: 0, 'ping-req': 0, nack: 0, gossip: 0, sync: 0 }
}
