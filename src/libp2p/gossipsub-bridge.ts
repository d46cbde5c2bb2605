/**
 * gossipsub as an extra, faster dissemination path. When the node runs a pubsub service,
 * membership updates this node originates go out on the topic `/swim/<cluster>/updates` as
 * one gossip message per batch, and gossip messages received there are fed to the core as
 * if they came from their (signature-authenticated) publisher. Publications are sealed with
 * the cluster key (`gossipsub-seal.ts`), so the topic admits only those SWIM admits.
 *
 * Only updates this node originates are published: its own records (join, refutation,
 * metadata or address change, leave) and the suspicions and failures it raises itself.
 * gossipsub already delivers a publication to every subscriber, so republishing what others
 * originated would multiply each update by the cluster size for nothing. Each update is
 * published once, although the core piggybacks it several times over SWIM.
 *
 * SWIM never depends on this path: every update also travels by piggybacking, gossip rounds
 * and push-pull, and records are verified whichever way they come.
 */
import type { Logger, PeerId } from '@libp2p/interface'
import type { MemberRecord, Update } from '../core/messages.ts'
import { decodeMessage } from '../wire/decode.ts'
import { encodeMessage } from '../wire/encode.ts'
import type { WireError, WireLimits } from '../wire/index.ts'
import { MAX_PUBLISHED_REMEMBERED } from './constants.ts'
import type { GossipsubSeal } from './gossipsub-seal.ts'

/** An accepted publication: its authenticated publisher and its updates. */
interface Publication { from: string, updates: Update[], bytes: number }

/** A pubsub message as gossipsub hands it over. */
export type PubSubMessage =
  | { type: 'signed', from: PeerId, topic: string, data: Uint8Array }
  | { type: 'unsigned', topic: string, data: Uint8Array }

/** The part of a pubsub service (gossipsub) the bridge uses. */
export interface PubSubLike {
  subscribe: (topic: string) => void
  unsubscribe: (topic: string) => void
  publish: (topic: string, data?: Uint8Array) => Promise<unknown>
  addEventListener: (type: 'message', listener: (evt: CustomEvent<PubSubMessage>) => void) => void
  removeEventListener: (type: 'message', listener: (evt: CustomEvent<PubSubMessage>) => void) => void
  /** gossipsub's validators by topic: run before a message is delivered or relayed. */
  topicValidators?: Map<string, (peer: PeerId, message: PubSubMessage) => TopicValidation | Promise<TopicValidation>>
}

/** gossipsub's TopicValidatorResult values. */
export type TopicValidation = 'accept' | 'reject' | 'ignore'

/** Whether a value looks like a pubsub service. */
export function isPubSub (value: unknown): value is PubSubLike {
  const v = value as Partial<Record<keyof PubSubLike, unknown>> | null
  return v != null && typeof v === 'object' &&
    typeof v.subscribe === 'function' && typeof v.unsubscribe === 'function' &&
    typeof v.publish === 'function' && typeof v.addEventListener === 'function'
}

export interface GossipsubBridgeInit {
  pubsub: PubSubLike
  topic: string
  /** This node's member id: publications from it are ignored, its updates published. */
  selfId: string
  limits: WireLimits
  /** This node's cluster tag (`clusterTag(cluster)`): records of another cluster are rejected as `foreign-cluster`. */
  clusterTag?: number
  log: Logger
  admits: (id: string) => boolean
  /** Checks a record's signature (the service's verify hook). */
  verify?: (record: MemberRecord) => boolean
  /** Seals what is published and opens what arrives: the topic admits cluster key holders only. */
  seal: GossipsubSeal
  /** Updates delivered by gossipsub from an authenticated publisher. */
  onUpdates: (from: string, updates: Update[], bytes: number) => void
  onDecodeError: (from: string, error: WireError) => void
  onPublished: (bytes: number) => void
}

export class GossipsubBridge {
  /** Gossip messages received through gossipsub and handed to the core. */
  deliveries = 0

  private readonly init: GossipsubBridgeInit
  private readonly seen = new Set<string>()
  /** Publications the validator accepted, until gossipsub delivers them (weak: never held). */
  private readonly accepted = new WeakMap<PubSubMessage, Publication>()
  private running = false

  constructor (init: GossipsubBridgeInit) {
    this.init = init
    this.onMessage = this.onMessage.bind(this)
    this.validate = this.validate.bind(this)
  }

  /**
   * The topic validator: gossipsub relays only what passes it, so junk stops at the first
   * hop instead of crossing the mesh. A publication must be signed by its publisher, open
   * under a cluster key this node holds, decode as a gossip message, and carry only what the
   * bridge publishes: the publisher's own updates (its record, validly signed, or its own
   * claims). Every rejection is counted.
   */
  validate (_peer: PeerId, msg: PubSubMessage): TopicValidation {
    const checked = this.check(msg)
    if (checked == null) return 'reject'
    this.accepted.set(msg, checked)
    return 'accept'
  }

  /** The publisher and updates of an acceptable publication, or undefined (counted) if it is not. */
  private check (msg: PubSubMessage): Publication | undefined {
    if (msg.type !== 'signed') return undefined
    const from = msg.from.toString()
    if (!this.init.admits(from)) return undefined
    const opened = this.init.seal.open(from, msg.data)
    if ('error' in opened) {
      // Under a key this node does not hold: a node outside the cluster, counted as one.
      this.init.onDecodeError(from, opened.error === 'foreign-key'
        ? { code: 'foreign-cluster', message: 'A gossipsub publication sealed under a cluster key this node does not hold' }
        : { code: 'invalid', message: `A gossipsub publication that did not open (${opened.error})` })
      return undefined
    }
    const result = decodeMessage(opened.payload, this.init.limits, { clusterTag: this.init.clusterTag })
    if (!result.ok) {
      this.init.onDecodeError(from, result.error)
      return undefined
    }
    if (result.message.type !== 'gossip') {
      this.init.onDecodeError(from, { code: 'invalid', message: `A ${result.message.type} message arrived on the gossipsub topic` })
      return undefined
    }
    for (const u of result.message.updates) {
      const own = u.type === 'record'
        ? u.record.id === from && u.record.signature != null && u.record.signature.byteLength > 0 && (this.init.verify == null || this.init.verify(u.record))
        : u.from === from
      if (!own) {
        this.init.onDecodeError(from, { code: 'invalid', message: 'A gossipsub publication carried an update its publisher did not originate or sign' })
        return undefined
      }
    }
    return { from, updates: result.message.updates, bytes: msg.data.byteLength }
  }

  start (): void {
    if (this.running) return
    this.init.pubsub.addEventListener('message', this.onMessage)
    this.init.pubsub.topicValidators?.set(this.init.topic, this.validate)
    this.init.pubsub.subscribe(this.init.topic)
    this.running = true
  }

  stop (): void {
    if (!this.running) return
    this.running = false
    this.init.pubsub.removeEventListener('message', this.onMessage)
    if (this.init.pubsub.topicValidators?.get(this.init.topic) === this.validate) this.init.pubsub.topicValidators.delete(this.init.topic)
    try {
      this.init.pubsub.unsubscribe(this.init.topic)
    } catch {}
  }

  /**
   * Publishes, as one gossip message, those of `updates` this node originated and has not
   * published yet. Never throws.
   */
  offer (updates: Iterable<Update>): void {
    if (!this.running) return
    const fresh: Update[] = []
    for (const u of updates) {
      if (!this.originated(u)) continue
      const key = updateKey(u)
      if (this.seen.has(key)) continue
      if (this.seen.size >= MAX_PUBLISHED_REMEMBERED) this.seen.delete(this.seen.values().next().value as string)
      this.seen.add(key)
      fresh.push(u)
    }
    if (fresh.length === 0) return
    let data: Uint8Array
    try {
      data = encodeMessage({ type: 'gossip', updates: fresh }, this.init.limits, { clusterTag: this.init.clusterTag })
    } catch (err) {
      this.init.log.error('could not encode updates for gossipsub - %e', err)
      return
    }
    const sealed = this.init.seal.seal(this.init.selfId, data)
    this.init.onPublished(sealed.byteLength)
    this.init.pubsub.publish(this.init.topic, sealed).catch((err) => {
      this.init.log.trace('gossipsub publish failed - %e', err)
    })
  }

  private originated (u: Update): boolean {
    return u.type === 'record' ? u.record.id === this.init.selfId : u.from === this.init.selfId
  }

  private onMessage (evt: CustomEvent<PubSubMessage>): void {
    const msg = evt.detail
    if (!this.running || msg.topic !== this.init.topic) return
    // Only signed publications say who originated them; the core needs an authenticated sender.
    if (msg.type !== 'signed' || msg.from.toString() === this.init.selfId) return
    // gossipsub hands the validated message itself to listeners: it is checked once.
    const publication = this.accepted.get(msg) ?? this.check(msg)
    this.accepted.delete(msg)
    if (publication == null) return
    this.deliveries++
    this.init.onUpdates(publication.from, publication.updates, publication.bytes)
  }
}

function updateKey (u: Update): string {
  return u.type === 'record'
    ? `record ${u.record.id} ${u.record.incarnation}`
    : `${u.type} ${u.id} ${u.incarnation} ${u.from}`
}
