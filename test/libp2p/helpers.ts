/**
 * Real libp2p nodes for the service tests: TCP + noise + yamux on 127.0.0.1, all in one
 * process. Loopback is allow-listed (libp2p otherwise refuses more than 5 new connections
 * per second from one host, and every test node is the same host), libp2p's connection
 * monitor is off (SWIM does that job), and the protocol runs on short timings.
 */
import '../../src/polyfill.ts'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { ConnectionGater, Libp2p, PrivateKey, Stream } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'
import { swim } from '../../src/libp2p/index.ts'
import { DEFAULT_CLUSTER } from '../../src/libp2p/constants.ts'
import { Keyring } from '../../src/libp2p/keyring.ts'
import { STREAM_PROOF_BYTES, streamProof } from '../../src/libp2p/stream-auth.ts'
import type { Swim, SwimInit } from '../../src/libp2p/index.ts'
import { MEMBERSHIP_EVENT_TYPES } from '../../src/core/types.ts'
import type { Member, MemberState, MembershipEvent } from '../../src/core/types.ts'

export { waitFor } from '../helpers/wait.ts'

/** Timings for tests: a 200 ms protocol period, so a failure is declared within seconds. */
export const FAST: SwimInit = {
  profile: 'local',
  probeInterval: 200,
  probeTimeout: 80,
  suspicionMult: 3,
  gossipInterval: 50,
  eagerGossipDelay: 5,
  pushPullInterval: 5000,
  reconnectInterval: 2000
}

export const LOOPBACK_ALLOW = ['/ip4/127.0.0.1/ipcidr/8']

export type SwimNode = Libp2p<{ swim: Swim }>

export interface NodeOptions {
  swim?: SwimInit
  /** Adds identify and gossipsub (as service `pubsub`). */
  gossipsub?: boolean
  connectionProtector?: Libp2pOptions['connectionProtector']
  connectionGater?: ConnectionGater
  privateKey?: PrivateKey
}

const running = new Set<Libp2p>()

/** Every node created here; stopped by `stopAll`. */
export function track<T extends Libp2p> (node: T): T {
  running.add(node)
  return node
}

/**
 * A node probing over streams only with `lan` timings, seeded by `seeds`; with `monitor`,
 * libp2p's connection monitor as libp2p ships it (on), which the other test nodes turn off.
 */
export async function createStreamsOnlyNode (seeds: string[], monitor: boolean): Promise<SwimNode> {
  const { connectionMonitor, ...defaults } = baseOptions()
  const options = monitor ? defaults : { ...defaults, connectionMonitor }
  return track(await createLibp2p({ ...options, services: { swim: swim({ profile: 'lan', datagram: false, seeds }) } }) as unknown as SwimNode)
}

/** The libp2p options every test node shares (no services). */
export function baseOptions (opts: Pick<NodeOptions, 'connectionProtector' | 'connectionGater' | 'privateKey'> = {}): Libp2pOptions {
  return {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
    connectionManager: {
      allow: LOOPBACK_ALLOW,
      maxIncomingPendingConnections: 256,
      maxConnections: 1000
    },
    ...(opts.connectionProtector != null ? { connectionProtector: opts.connectionProtector } : {}),
    ...(opts.connectionGater != null ? { connectionGater: opts.connectionGater } : {}),
    ...(opts.privateKey != null ? { privateKey: opts.privateKey } : {})
  }
}

export async function createNode (opts: NodeOptions = {}): Promise<SwimNode> {
  const services: Record<string, unknown> = {
    swim: swim({ ...FAST, ...opts.swim })
  }
  if (opts.gossipsub === true) {
    services.identify = identify()
    services.pubsub = gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false })
  }
  const node = await createLibp2p({ ...baseOptions(opts), services } as Libp2pOptions) as unknown as SwimNode
  return track(node)
}

/** Creates `n` nodes; the first is the seed the others join through. */
export async function createCluster (n: number, opts: NodeOptions = {}): Promise<SwimNode[]> {
  const seed = await createNode(opts)
  const seeds = seed.getMultiaddrs().map(String)
  const rest = await Promise.all(Array.from({ length: n - 1 }, async () => createNode({ ...opts, swim: { ...opts.swim, seeds } })))
  return [seed, ...rest]
}

export async function stopAll (): Promise<void> {
  const nodes = [...running]
  running.clear()
  await Promise.all(nodes.map(async (n) => { await Promise.resolve(n.stop()).catch(() => {}) }))
}

export async function stop (node: Libp2p): Promise<void> {
  running.delete(node)
  await node.stop()
}

export function idOf (node: Libp2p): string {
  return node.peerId.toString()
}

export function memberOf (node: SwimNode, id: string): Member | undefined {
  return node.services.swim.members().find((m) => m.id === id)
}

export function stateOf (node: SwimNode, id: string): MemberState | undefined {
  return memberOf(node, id)?.state
}

export function aliveCount (node: SwimNode): number {
  return node.services.swim.members().filter((m) => m.state === 'alive').length
}

/** Records every membership event a node emits, in order. */
export function recordEvents (node: SwimNode): MembershipEvent[] {
  const log: MembershipEvent[] = []
  for (const type of MEMBERSHIP_EVENT_TYPES) {
    node.services.swim.addEventListener(`member:${type}`, (evt) => { log.push(evt.detail) })
  }
  return log
}

/** Counts unhandled rejections and uncaught exceptions while installed. */
export function watchProcess (): { rejections: unknown[], exceptions: unknown[], dispose: () => void } {
  const rejections: unknown[] = []
  const exceptions: unknown[] = []
  const onRejection = (reason: unknown): void => { rejections.push(reason) }
  const onException = (err: unknown): void => { exceptions.push(err) }
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  return {
    rejections,
    exceptions,
    dispose: () => {
      process.off('unhandledRejection', onRejection)
      process.off('uncaughtException', onException)
    }
  }
}

/** Asserts that `promise` rejects with a message matching `pattern`. */
export async function rejects (promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise
  } catch (err) {
    if (!pattern.test(String((err as Error)?.message))) throw new Error(`Rejected with "${String((err as Error)?.message)}", expected ${String(pattern)}`)
    return
  }
  throw new Error(`Expected a rejection matching ${String(pattern)}`)
}

/**
 * Opens a raw SWIM stream from a plain libp2p node, the keyless cluster's stream proof
 * written first: that proof is public (derived from the cluster name), so any outsider can
 * reach the protocols behind it, and attack tests must too.
 */
/**
 * Opens `protocol` with a stream proof, sends one already framed message (closing the write
 * side when asked, as a request that expects no answer does) and resolves when the victim
 * ends the stream, or after 5 s. Never rejects: the victim may refuse the dial or reset.
 */
export async function sendFramed (from: Libp2p, to: Libp2p, protocol: string, cluster: string, framed: Uint8Array, closeWrite = false): Promise<void> {
  let stream: Stream
  try {
    stream = await dialWithProof(from, to, protocol, cluster)
  } catch {
    return
  }
  const timer = setTimeout(() => { stream.abort(new Error('timeout')) }, 5000)
  try {
    stream.send(framed)
    if (closeWrite) await stream.close()
    for await (const _ of stream) { /* drain */ }
  } catch {} finally {
    clearTimeout(timer)
  }
}

export async function dialWithProof (from: Libp2p, to: Libp2p, protocol: string, cluster = DEFAULT_CLUSTER): Promise<Stream> {
  const stream = await from.dialProtocol(to.getMultiaddrs()[0], protocol)
  try {
    stream.send(streamProof(new Keyring(), cluster, from.peerId.toString(), to.peerId.toString()))
  } catch {
    // Already refused (e.g. over the victim's cap of syncs at once): reading it ends at once.
  }
  return stream
}

/**
 * The chunks of an inbound SWIM stream without the sender's stream proof (every SWIM
 * stream begins with one), for plain nodes that read what a member sends them.
 */
export async function * withoutProof (stream: AsyncIterable<Uint8Array | { subarray: () => Uint8Array }>): AsyncGenerator<Uint8Array> {
  let skip = STREAM_PROOF_BYTES
  for await (const item of stream) {
    let chunk = item instanceof Uint8Array ? item : item.subarray()
    if (skip > 0) {
      const n = Math.min(skip, chunk.byteLength)
      skip -= n
      chunk = chunk.subarray(n)
      if (chunk.byteLength === 0) continue
    }
    yield chunk
  }
}
