/**
 * The driver: runs a `SwimMachine` with real time over a `Transport`, and carries out the
 * effects it returns.
 *
 * - time is `Date.now()`; one timer is re-armed to the latest `schedule.at`, and a tick runs
 *   after the I/O already waiting;
 * - `send` effects go as sealed datagrams to members that advertise a datagram address
 *   (when this node has a socket and the message fits), otherwise on the member's probe
 *   stream; sync requests are push-pull exchanges on streams, except digest-only ones (the
 *   periodic push-pull's first step), which are datagrams: in a steady cluster the views
 *   match and a push-pull costs two datagrams, no connection;
 * - a probe's second direct ping goes over a stream of its own when the first went as a
 *   datagram (memberlist's TCP fallback ping), so lost datagrams are not taken for a failure;
 * - inbound datagrams are opened (authenticated) before anything is decoded; what does not
 *   open, decode, or come from an admitted member is dropped and counted, never answered;
 *   what opens reaches the machine under the sender it authenticates, so the core's
 *   per-sender budgets (claims, new members, verifications) hold for datagrams too;
 * - a sync's signatures are checked ahead of the machine (`checkAhead`), in slices with a
 *   yield between them, up to the sender's verification allowance; the first bad one
 *   resets the stream and refuses the sender's syncs for a while;
 * - an `error` effect (a record the machine could not sign) is logged as an error and
 *   handed to the caller in `Applied.errors`;
 * - `emit` effects go to the service, in the order the core produced them.
 *
 * Nothing that happens on the network throws out of a handler or timer, or leaves a
 * rejected promise unobserved.
 */
import type { Logger } from '@libp2p/interface'
import type { SwimConfig } from '../core/config.ts'
import type { Effect } from '../core/effects.ts'
import type { SwimMachine } from '../core/machine.ts'
import type { MemberRecord, Message, Ping, Sync, Update } from '../core/messages.ts'
import { SENDER_ALLOWANCE } from '../core/sender-budget.ts'
import type { MembershipEvent } from '../core/types.ts'
import { decodeMessage } from '../wire/decode.ts'
import { encodeMessage } from '../wire/encode.ts'
import type { WireError, WireLimits } from '../wire/index.ts'
import { DATAGRAM_MISSES, NAMED_TARGET_TIME, STREAM_ONLY_TIME } from './constants.ts'
import { datagramAddrOf } from './datagram-address.ts'
import type { PacketSealer, PacketSource, SyncAnswer, Transport } from './transport.ts'

export interface DriverInit {
  config: SwimConfig
  log: Logger
  limits: WireLimits
  /** This node's member id: whom a datagram ping without a target (see `WireOptions.impliedTarget`) is for. */
  selfId: string
  /** This node's cluster tag (`clusterTag(cluster)`): stamped on every record sent, checked on every record received. */
  clusterTag?: number
  transport: Transport
  sealer: PacketSealer
  admits: (id: string) => boolean
  /** Checks a record's signature (never throws). The machine's verify hook is `verified`. */
  verify: (record: MemberRecord) => boolean
  /** A membership event, in the core's order. */
  onEvent: (event: MembershipEvent) => void
  /** Updates this node sent over SWIM (the gossipsub bridge republishes them). */
  onSent?: (updates: Update[]) => void
}

export interface Applied {
  /** Push-pull exchanges started, by member: resolve to whether the member answered. */
  syncs: Map<string, Promise<boolean>>
  /** Messages handed to a transport: resolve to whether they were sent. */
  writes: Array<Promise<boolean>>
  /** What the machine could not do (a record it could not sign). */
  errors: Error[]
}

/** Counters of the driver (see SwimStats). */
export interface DriverCounters {
  messagesIn: Record<string, number>
  messagesOut: Record<string, number>
  bytesIn: Record<string, number>
  bytesOut: Record<string, number>
  decodeErrors: number
  /** Messages dropped because they held records of another cluster (also penalised). */
  foreignCluster: number
  framesDropped: number
  unreachable: number
  datagramsIn: number
  datagramsOut: number
  datagramBytesIn: number
  datagramBytesOut: number
  datagramsRejected: number
  /** Refused datagrams by reason (PacketCrypto's OpenError, or `not-admitted`). */
  rejectedBy: Record<string, number>
  streamsRejected: number
  fallbackProbes: number
  fallbackAcks: number
}

/** Whether the time `deadlines` holds for `id` is still ahead; one that passed is forgotten. */
function stillAhead (deadlines: Map<string, number>, id: string): boolean {
  const at = deadlines.get(id)
  if (at == null) return false
  if (Date.now() < at) return true
  deadlines.delete(id)
  return false
}

/** Longest setTimeout delay Node.js accepts. */
const MAX_TIMER_DELAY = 0x7fffffff

/** Datagram pings remembered for their fallback (a probe period's worth is far below this). */
const MAX_PENDING_PINGS = 1024

/** Members whose datagram losses are tracked at once. */
const MAX_TRACKED = 10_000

/** Signatures checked between two yields to the event loop while a sync is checked ahead. */
const VERIFY_SLICE = 32

export class Driver {
  readonly counters: DriverCounters = {
    messagesIn: {},
    messagesOut: {},
    bytesIn: {},
    bytesOut: {},
    decodeErrors: 0,
    foreignCluster: 0,
    framesDropped: 0,
    unreachable: 0,
    datagramsIn: 0,
    datagramsOut: 0,
    datagramBytesIn: 0,
    datagramBytesOut: 0,
    datagramsRejected: 0,
    rejectedBy: {},
    streamsRejected: 0,
    fallbackProbes: 0,
    fallbackAcks: 0
  }

  private readonly init: DriverInit
  private machine?: SwimMachine
  private timer?: ReturnType<typeof setTimeout>
  private timerAt = Infinity
  /** Pings sent as datagrams, by sequence number: their target. */
  private readonly datagramPings = new Map<number, string>()
  /** Members whose next ping goes on a stream (set only while probeOverStream runs). */
  private readonly pingOverStream = new Set<string>()
  /** Datagram pings lost in a row while the stream fallback was acked, by member. */
  private readonly datagramMisses = new Map<string, number>()
  /** Members reached over streams only for now (their datagrams were being lost), until when. */
  private readonly streamOnlyUntil = new Map<string, number>()
  /** Members whose datagram pings name their target (NAMED_TARGET_TIME), until when. */
  private readonly namedTargetUntil = new Map<string, number>()
  /** Full push-pulls started because a member's digest differed from ours, by member: when. */
  private readonly fullExchanges = new Map<string, number>()
  /** Records of a sync checked ahead (in slices), so the machine's verify hook just looks. */
  private readonly checked = new WeakMap<MemberRecord, boolean>()

  constructor (init: DriverInit) {
    this.init = init
    this.onTimer = this.onTimer.bind(this)
    this.onTick = this.onTick.bind(this)
    this.verified = this.verified.bind(this)
  }

  /**
   * The machine's verify hook: the result of a check made ahead when there is one (so a
   * large sync costs the machine look-ups only), otherwise a check now.
   */
  verified (record: MemberRecord): boolean {
    return this.checked.get(record) ?? this.init.verify(record)
  }

  get running (): boolean {
    return this.machine != null
  }

  /** Starts the transports (the datagram socket binds, so its address is known after). */
  async start (): Promise<void> {
    const { transport } = this.init
    await transport.streams.start({
      onMessage: (from, message, bytes) => {
        count(this.counters.messagesIn, this.counters.bytesIn, message.type, bytes)
        this.drive((m) => m.receive(from, message, Date.now()))
      },
      onPing: (from, ping, bytes) => this.answerPing(from, ping, bytes),
      onSync: (from, request, bytes) => this.answerSync(from, request, bytes),
      checkSyncPart: async (_from, part) => await this.checkAhead(part, SENDER_ALLOWANCE.verifications)
    })
    try {
      await transport.packets?.start((packet, source) => { this.onPacket(packet, source) })
    } catch (err) {
      await transport.streams.stop()
      throw err
    }
  }

  /** Drives `machine` from now on, until `halt` or `stop`. */
  run (machine: SwimMachine): void {
    this.machine = machine
  }

  /** The member's connection went away: drop its probe stream. */
  forget (id: string): void {
    this.init.transport.streams.forget(id)
  }

  /** Stops driving (timers first, so nothing runs on a stopped machine), then the transports. */
  halt (): void {
    this.machine = undefined
    clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
    this.datagramPings.clear()
    this.datagramMisses.clear()
    this.streamOnlyUntil.clear()
    this.namedTargetUntil.clear()
    this.fullExchanges.clear()
  }

  async stop (): Promise<void> {
    this.halt()
    await this.init.transport.streams.stop()
    await this.init.transport.packets?.stop()
  }

  /** Runs one machine input and carries out the effects it returns. Never throws. */
  drive (input: (machine: SwimMachine) => Effect[]): Applied {
    const applied: Applied = { syncs: new Map(), writes: [], errors: [] }
    const machine = this.machine
    if (machine == null) return applied
    let effects: Effect[]
    try {
      effects = input(machine)
    } catch (err) {
      this.init.log.error('the protocol failed to handle an input - %e', err)
      return applied
    }
    this.apply(effects, applied)
    return applied
  }

  /**
   * Probes `id` now (a connection hint), its first ping on a stream of its own: a dial its
   * host refuses is evidence at once.
   */
  probeOverStream (id: string): void {
    this.pingOverStream.add(id)
    this.drive((m) => m.probeNow(id, Date.now()))
    this.pingOverStream.delete(id)
  }

  /** A dial failure that is evidence (refused or no route). */
  unreachable (id: string, refused: boolean): void {
    this.counters.unreachable++
    this.drive((m) => m.unreachable(id, Date.now(), { refused }))
  }

  decodeError (from: string, error: WireError | Error): void {
    if ('code' in error && error.code === 'foreign-cluster') {
      // Counted apart from forgeries and garbage: a node of another cluster sharing the
      // network (or the key). It pays what a bad signature costs: no syncs for a while.
      this.counters.foreignCluster++
      this.init.transport.streams.penalise(from)
      this.init.log.trace('dropped a message from %s - %s', from, error.message)
      return
    }
    this.counters.decodeErrors++
    this.init.log.trace('dropped a bad message from %s - %s', from, error.message)
  }

  dropped (): void {
    this.counters.framesDropped++
  }

  // ------------------------------------------------------------------ effects

  private apply (effects: Effect[], applied: Applied): void {
    let sent: Update[] | undefined
    for (const effect of effects) {
      try {
        switch (effect.type) {
          case 'send':
            if (this.init.onSent != null && effect.message.type !== 'sync') (sent ??= []).push(...effect.message.updates)
            this.send(effect.to, effect.addrs, effect.message, applied)
            break
          case 'emit':
            this.init.onEvent(effect.event)
            break
          case 'schedule':
            this.arm(effect.at)
            break
          case 'error':
            applied.errors.push(effect.error)
            this.init.log.error('could not sign a new record - %e', effect.error)
            break
        }
      } catch (err) {
        this.init.log.error('could not carry out a %s effect - %e', effect.type, err)
      }
    }
    if (sent != null) this.init.onSent?.(sent)
  }

  private send (to: string, addrs: string[], message: Message, applied: Applied): void {
    if (message.type === 'sync') {
      // Responses travel on the request's stream (answerSync); a request is an exchange,
      // except a digest-only one, which goes as a datagram when it can (onDigest answers).
      if (!message.response) {
        if (isDigestOnly(message) && this.sendPacket(to, addrs, message)) return
        applied.syncs.set(to, this.exchange(to, addrs, message).catch((err) => {
          this.init.log.error('push-pull with %s failed - %e', to, err)
          return false
        }))
      }
      return
    }
    const packets = this.init.transport.packets
    const datagramAddr = packets?.address != null ? datagramAddrOf(addrs) : undefined
    const streamOnly = datagramAddr != null && this.streamOnly(to)
    if (datagramAddr != null && message.type === 'ping') {
      const repeat = this.datagramPings.get(message.seq) === to
      if (repeat || streamOnly || this.pingOverStream.has(to)) {
        // The probe's first ping went as a datagram and got no ack in probeTimeout, or
        // datagrams to this member have been lost lately: ping on a stream, ack on it.
        if (repeat) this.datagramPings.delete(message.seq)
        const bytes = this.encodeSent(message)
        if (bytes == null) return
        applied.writes.push(this.fallbackPing(to, addrs, message, bytes, repeat && !streamOnly))
        return
      }
    }
    if (this.sendPacket(to, addrs, message)) {
      if (message.type === 'ping') this.rememberPing(message.seq, to)
      applied.writes.push(Promise.resolve(true))
      return
    }
    // No datagram address, too large for a datagram, no key for the member yet, or the
    // socket refused it: the stream carries it.
    const bytes = this.encodeSent(message)
    if (bytes == null) return
    applied.writes.push(this.init.transport.streams.send(to, addrs, bytes))
  }

  /** `message` encoded for a stream, and counted as sent. */
  private encodeSent (message: Message): Uint8Array | undefined {
    const bytes = this.encode(message)
    if (bytes != null) count(this.counters.messagesOut, this.counters.bytesOut, message.type, bytes.byteLength)
    return bytes
  }

  /**
   * Sends `message` as one sealed datagram if `to` has a datagram address, is not reached
   * over streams only for now, and the sealed message fits; false otherwise (nothing sent).
   */
  private sendPacket (to: string, addrs: string[], message: Message): boolean {
    const packets = this.init.transport.packets
    if (packets?.address == null) return false
    const datagramAddr = datagramAddrOf(addrs)
    if (datagramAddr == null || this.streamOnly(to)) return false
    // Encoded in the form the datagram carries: a ping sealed for its target need not name
    // it (the key does), unless the target may not read such pings.
    const bytes = this.encode(message, message.type === 'ping' && !this.namesTarget(to) ? to : undefined)
    if (bytes == null) return false
    const sealed = this.init.sealer.seal(to, bytes)
    if (sealed == null || sealed.byteLength > packets.maxPacketSize || !packets.send(datagramAddr, sealed)) return false
    count(this.counters.messagesOut, this.counters.bytesOut, message.type, bytes.byteLength)
    this.counters.datagramsOut++
    this.counters.datagramBytesOut += sealed.byteLength
    return true
  }

  /**
   * A digest-only push-pull that came as a datagram. A request is answered with our digest
   * as a datagram; when our views differ, the full states cross on a stream: we start that
   * exchange (with our state as its request), at most once per member per probe interval,
   * so a member's digests cannot make this node dial it faster than that. A response
   * settles the request it answers; when views differ its sender starts the exchange.
   */
  private onDigest (from: string, sync: Sync): void {
    if (sync.response) {
      this.drive((m) => m.receive(from, sync, Date.now()))
      return
    }
    const machine = this.machine
    if (machine == null) return
    let effects: Effect[]
    try {
      effects = machine.receive(from, sync, Date.now())
    } catch (err) {
      this.init.log.error('the protocol failed to handle a sync - %e', err)
      return
    }
    const at = effects.findIndex((e) => e.type === 'send' && e.to === from && e.message.type === 'sync' && e.message.response)
    const reply = at >= 0 ? effects.splice(at, 1)[0] : undefined
    this.apply(effects, { syncs: new Map(), writes: [], errors: [] })
    if (reply?.type !== 'send' || reply.message.type !== 'sync') return
    const { entries, digest } = reply.message
    this.sendPacket(from, reply.addrs, { type: 'sync', join: false, response: true, entries: [], ...(digest != null ? { digest } : {}) })
    if (entries.length === 0) return
    const now = Date.now()
    const last = this.fullExchanges.get(from)
    if (last != null && now - last < this.init.config.probeInterval) return
    if (this.fullExchanges.size >= MAX_TRACKED) this.fullExchanges.clear()
    this.fullExchanges.set(from, now)
    // Our digest goes along: a peer whose view matches ours once it merged our entries answers with none.
    this.exchange(from, reply.addrs, { type: 'sync', join: false, response: false, entries, ...(digest != null ? { digest } : {}) }).catch((err) => {
      this.init.log.error('push-pull with %s failed - %e', from, err)
    })
  }

  private streamOnly (id: string): boolean {
    return stillAhead(this.streamOnlyUntil, id)
  }

  private namesTarget (id: string): boolean {
    return stillAhead(this.namedTargetUntil, id)
  }

  /** A datagram ping to `id` was lost while a stream reached it. */
  private missed (id: string): void {
    // Perhaps lost, perhaps unreadable to an earlier version: the next ones name their target.
    if (this.namedTargetUntil.size >= MAX_TRACKED) this.namedTargetUntil.clear()
    this.namedTargetUntil.set(id, Date.now() + NAMED_TARGET_TIME)
    const misses = (this.datagramMisses.get(id) ?? 0) + 1
    if (misses < DATAGRAM_MISSES) {
      if (this.datagramMisses.size >= MAX_TRACKED) this.datagramMisses.clear()
      this.datagramMisses.set(id, misses)
      return
    }
    this.datagramMisses.delete(id)
    if (this.streamOnlyUntil.size >= MAX_TRACKED) this.streamOnlyUntil.clear()
    this.streamOnlyUntil.set(id, Date.now() + STREAM_ONLY_TIME)
    this.init.log('datagrams to %s are being lost; using streams for %d ms', id, STREAM_ONLY_TIME)
  }

  private rememberPing (seq: number, to: string): void {
    if (this.datagramPings.size >= MAX_PENDING_PINGS) {
      const oldest = this.datagramPings.keys().next().value
      if (oldest != null) this.datagramPings.delete(oldest)
    }
    this.datagramPings.set(seq, to)
  }

  /**
   * `afterMiss`: the ping repeats one sent as a datagram that got no ack; if the stream
   * ping is acked, the datagram path to `to` is what failed, and after DATAGRAM_MISSES of
   * those in a row everything to `to` goes on streams for STREAM_ONLY_TIME (a network that
   * drops UDP then costs what probing over streams always did, without false suspicions).
   */
  private async fallbackPing (to: string, addrs: string[], ping: Ping, bytes: Uint8Array, afterMiss: boolean): Promise<boolean> {
    this.counters.fallbackProbes++
    const machine = this.machine
    const answer = await this.init.transport.streams.ping(to, addrs, bytes)
    if (answer == null || machine !== this.machine) return false
    this.counters.fallbackAcks++
    if (afterMiss) this.missed(to)
    count(this.counters.messagesIn, this.counters.bytesIn, 'ack', answer.bytes)
    this.drive((m) => m.receive(to, answer.message, Date.now()))
    return true
  }

  /** A push-pull: sends our state, merges the answer. Resolves to whether `to` answered. */
  private async exchange (to: string, addrs: string[], request: Sync): Promise<boolean> {
    const bytes = this.encode(request)
    if (bytes == null) return false
    count(this.counters.messagesOut, this.counters.bytesOut, 'sync', bytes.byteLength)
    const machine = this.machine
    const response = await this.init.transport.streams.exchange(to, addrs, bytes, request.join)
    if (response == null || machine !== this.machine) return false
    count(this.counters.messagesIn, this.counters.bytesIn, 'sync', response.bytes)
    // The answer to our own join brings the whole cluster: checked in full, in slices.
    const valid = await this.checkAhead(response.message, request.join ? Infinity : SENDER_ALLOWANCE.verifications)
    if (machine !== this.machine) return false
    if (!valid) this.init.transport.streams.penalise(to)
    this.drive((m) => m.receive(to, response.message, Date.now()))
    return true
  }

  /**
   * Checks the signatures a sync would need checked, up to `budget` of them, a slice at a
   * time with a yield between slices, so acks and timers never wait behind a large batch;
   * the machine's verify hook then only looks the results up. False at the first bad
   * signature: the sender gets no more of our time (the caller resets and penalises).
   * Records already checked (a part of the same sync checked as it was decoded) count
   * against the budget again, so checking a sync part by part spends no more than at once.
   */
  private async checkAhead (sync: Sync, budget: number): Promise<boolean> {
    let spent = 0
    for (const entry of sync.entries) {
      if (spent >= budget) break
      const machine = this.machine
      if (machine == null) return true
      const record = entry.record
      const known = this.checked.get(record)
      if (known === false) return false
      if (known === true) {
        spent++
        continue
      }
      if (!machine.needsCheck(record) || !this.init.admits(record.id)) continue
      const valid = this.init.verify(record)
      this.checked.set(record, valid)
      if (!valid) return false
      if (++spent % VERIFY_SLICE === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    return true
  }

  /**
   * Handles an inbound sync request; resolves to the encoded response for its stream, or
   * 'reset' when it carries a bad signature (the transport resets and penalises).
   */
  private async answerSync (from: string, request: Sync, bytes: number): Promise<SyncAnswer> {
    count(this.counters.messagesIn, this.counters.bytesIn, 'sync', bytes)
    const machine = this.machine
    if (machine == null) return undefined
    const valid = await this.checkAhead(request, SENDER_ALLOWANCE.verifications)
    if (machine !== this.machine) return undefined
    if (!valid) {
      // The machine merges up to the bad record (known results, no new checks) and counts it.
      this.drive((m) => m.receive(from, request, Date.now()))
      return 'reset'
    }
    return this.answerOnStream(from, request, (reply) => reply.type === 'sync' && reply.response)
  }

  /** Handles a fallback probe; returns the encoded ack for its stream. */
  private answerPing (from: string, ping: Ping, bytes: number): Uint8Array | undefined {
    count(this.counters.messagesIn, this.counters.bytesIn, 'ping', bytes)
    return this.answerOnStream(from, ping, (reply) => reply.type === 'ack' && reply.seq === ping.seq)
  }

  /**
   * Runs `message` through the machine; the first effect that sends `from` a message that
   * `isReply` accepts is taken out and returned encoded, for the stream it came on.
   */
  private answerOnStream (from: string, message: Message, isReply: (reply: Message) => boolean): Uint8Array | undefined {
    const machine = this.machine
    if (machine == null) return undefined
    let effects: Effect[]
    try {
      effects = machine.receive(from, message, Date.now())
    } catch (err) {
      this.init.log.error('the protocol failed to handle a %s - %e', message.type, err)
      return undefined
    }
    const at = effects.findIndex((e) => e.type === 'send' && e.to === from && isReply(e.message))
    const reply = at >= 0 ? effects.splice(at, 1)[0] : undefined
    this.apply(effects, { syncs: new Map(), writes: [], errors: [] })
    if (reply?.type !== 'send') return undefined
    const encoded = this.encode(reply.message)
    if (encoded != null) count(this.counters.messagesOut, this.counters.bytesOut, reply.message.type, encoded.byteLength)
    return encoded
  }

  private onPacket (packet: Uint8Array, _source: PacketSource): void {
    if (this.machine == null) return
    this.counters.datagramsIn++
    this.counters.datagramBytesIn += packet.byteLength
    const opened = this.init.sealer.open(packet)
    if ('error' in opened) {
      this.counters.datagramsRejected++
      this.counters.rejectedBy[opened.error] = (this.counters.rejectedBy[opened.error] ?? 0) + 1
      this.init.log.trace('dropped a datagram: %s', opened.error)
      return
    }
    const { from } = opened
    if (!this.init.admits(from)) {
      this.counters.datagramsRejected++
      this.counters.rejectedBy['not-admitted'] = (this.counters.rejectedBy['not-admitted'] ?? 0) + 1
      this.init.log.trace('dropped a datagram from %s: not admitted', from)
      return
    }
    const result = decodeMessage(opened.payload, this.init.limits, { clusterTag: this.init.clusterTag, impliedTarget: this.init.selfId })
    if (!result.ok) {
      this.decodeError(from, result.error)
      return
    }
    if (result.message.type === 'sync') {
      // Only digests travel as datagrams; states are too large and go on streams.
      if (!isDigestOnly(result.message)) {
        this.decodeError(from, { code: 'invalid', message: 'A sync message with entries arrived as a datagram' })
        return
      }
      count(this.counters.messagesIn, this.counters.bytesIn, 'sync', opened.payload.byteLength)
      this.onDigest(from, result.message)
      return
    }
    const message = result.message
    // An ack as a datagram: datagrams reach that member and come back.
    if (message.type === 'ack') this.datagramMisses.delete(from)
    count(this.counters.messagesIn, this.counters.bytesIn, message.type, opened.payload.byteLength)
    this.drive((m) => m.receive(from, message, Date.now()))
  }

  /** `sealedFor`: the member a datagram carrying the message is sealed for. */
  private encode (message: Message, sealedFor?: string): Uint8Array | undefined {
    try {
      return encodeMessage(message, undefined, { clusterTag: this.init.clusterTag, impliedTarget: sealedFor })
    } catch (err) {
      this.init.log.error('could not encode a %s message - %e', message.type, err)
      return undefined
    }
  }

  // ------------------------------------------------------------------ time

  private arm (at: number): void {
    if (this.machine == null) return
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
    if (this.machine == null) return
    this.drive((m) => m.tick(Date.now()))
    // Should a tick ever fail, keep the protocol alive rather than silently stopping it.
    if (this.timer == null && this.machine != null) this.arm(Date.now() + this.init.config.probeInterval)
  }
}

/** A periodic push-pull's first message or its answer when views match: a digest, no entries. */
function isDigestOnly (sync: Sync): boolean {
  return !sync.join && sync.entries.length === 0 && sync.digest != null
}

export function count (messages: Record<string, number>, bytes: Record<string, number>, type: string, size: number): void {
  messages[type] = (messages[type] ?? 0) + 1
  bytes[type] = (bytes[type] ?? 0) + size
}
