/**
 * The driver sends a periodic push-pull's digest as a datagram: two drivers over an
 * in-memory packet and stream transport, each with a real protocol core.
 */
import { defaultLogger } from '@libp2p/logger'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import type { MemberRecord, Message } from '../../src/core/messages.ts'
import { seededRandom } from '../../src/core/random.ts'
import { Driver } from '../../src/libp2p/driver.ts'
import type { PacketSealer, PacketTransport, StreamHandlers, StreamTransport } from '../../src/libp2p/transport.ts'
import { decodeMessage, encodeMessage } from '../../src/wire/index.ts'
import { DEFAULT_LIMITS, syncLimits } from '../../src/wire/limits.ts'
import { waitFor } from './helpers.ts'

const test = suite('digest datagrams')

const config = resolveConfig('lan', { pushPullInterval: 1000, reconnectInterval: 0 })
const limits = syncLimits({ ...DEFAULT_LIMITS }, config.maxMembers)
const signature = new Uint8Array(64)
const udp = (id: string): string => `/ip4/127.0.0.1/udp/${id.charCodeAt(0)}`
const record = (id: string): MemberRecord => ({ id, incarnation: 0, addrs: [`/ip4/127.0.0.1/tcp/${id.charCodeAt(0)}`, udp(id)], meta: {}, leaving: false, signature })

interface Node {
  id: string
  machine: SwimMachine
  driver: Driver
  handlers?: StreamHandlers
  /** Messages this node sent, by the way they went. */
  datagrams: Message[]
  exchanges: Message[]
}

const running: Node[] = []
test.after.each(async () => {
  for (const n of running.splice(0)) await n.driver.stop()
  byAddr.clear()
  byId.clear()
  onPacket.clear()
})

const byAddr = new Map<string, Node>()
const byId = new Map<string, Node>()
const onPacket = new Map<Node, (packet: Uint8Array, source: { address: string, port: number }) => void>()

/** A node whose datagrams and streams reach the other nodes made here. */
async function make (id: string): Promise<Node> {
  const node = { id, datagrams: [] as Message[], exchanges: [] as Message[] } as unknown as Node
  const packets: PacketTransport = {
    maxPacketSize: 1400,
    address: udp(id),
    start: async (cb) => { onPacket.set(node, cb) },
    send: (to, packet) => {
      const decoded = decodeMessage(packet.subarray(1), limits)
      if (decoded.ok) node.datagrams.push(decoded.message)
      const target = byAddr.get(to)
      // delivered on a later turn, as a socket would
      if (target != null) setImmediate(() => { onPacket.get(target)?.(packet, { address: '127.0.0.1', port: 1 }) })
      return true
    },
    stop: async () => {}
  }
  const streams: StreamTransport = {
    start: async (handlers) => { node.handlers = handlers },
    stop: async () => {},
    send: async () => true,
    ping: async () => undefined,
    exchange: async (to, _addrs, bytes) => {
      const request = decodeMessage(bytes, limits)
      const peer = byId.get(to)
      if (!request.ok || request.message.type !== 'sync' || peer?.handlers == null) return undefined
      node.exchanges.push(request.message)
      const answer = await peer.handlers.onSync(id, request.message, bytes.byteLength)
      if (!(answer instanceof Uint8Array)) return undefined
      const response = decodeMessage(answer, limits)
      return response.ok && response.message.type === 'sync' ? { message: response.message, bytes: answer.byteLength } : undefined
    },
    forget: () => {},
    penalise: () => {}
  }
  // The sender's id in the first byte stands in for the seal.
  const sealer: PacketSealer = {
    overhead: 1,
    seal: (_to, payload) => Uint8Array.from([id.charCodeAt(0), ...payload]),
    open: (packet) => ({ from: String.fromCharCode(packet[0]), payload: packet.subarray(1) }),
    know: () => {},
    forget: () => {}
  }
  node.driver = new Driver({ config, log: defaultLogger().forComponent('test'), limits, selfId: id, transport: { packets, streams }, sealer, admits: () => true, verify: () => true, onEvent: () => {} })
  node.machine = new SwimMachine({ id, addrs: record(id).addrs, config, random: seededRandom(id.charCodeAt(0)), now: Date.now(), sign: () => signature, verify: () => true })
  byAddr.set(udp(id), node)
  byId.set(id, node)
  running.push(node)
  await node.driver.start()
  node.driver.run(node.machine)
  return node
}

/** Each of `x` and `y` hears the other's record from it. */
function introduce (x: Node, y: Node): void {
  x.driver.drive((m) => m.receive(y.id, { type: 'gossip', updates: [{ type: 'record', record: record(y.id) }] }, Date.now()))
  y.driver.drive((m) => m.receive(x.id, { type: 'gossip', updates: [{ type: 'record', record: record(x.id) }] }, Date.now()))
}

const syncs = (list: Message[]): Array<Extract<Message, { type: 'sync' }>> => list.filter((m): m is Extract<Message, { type: 'sync' }> => m.type === 'sync')

test('matching views: a push-pull is a digest datagram each way and no stream', async () => {
  const a = await make('a')
  const b = await make('b')
  introduce(a, b)
  await waitFor('a digest request from each side, and its answer', () => syncs(a.datagrams).some((s) => !s.response) && syncs(b.datagrams).some((s) => s.response) &&
    syncs(b.datagrams).some((s) => !s.response) && syncs(a.datagrams).some((s) => s.response), 10_000)
  for (const n of [a, b]) {
    assert.equal(n.exchanges, [], `${n.id} opened no push-pull stream`)
    for (const s of syncs(n.datagrams)) assert.is(s.entries.length, 0, 'datagrams carry digests only')
  }
})

test('views that differ: the digest goes as a datagram, the states on a stream started by the side that sees the difference', async () => {
  // b knows c, and has told all it had to tell by now; then a and b meet: only a push-pull
  // can tell a of c
  const b = await make('b')
  const c = await make('c')
  introduce(b, c)
  await waitFor('b to have gossiped all it had', () => b.machine.pendingBroadcasts === 0 && c.machine.pendingBroadcasts === 0, 20_000)
  const a = await make('a')
  introduce(a, b)
  await waitFor('a to learn c through push-pull', () => a.machine.members().some((m) => m.id === 'c'), 10_000)
  for (const n of [a, b]) for (const s of syncs(n.datagrams)) assert.is(s.entries.length, 0, 'datagrams carry digests only')
  for (const s of syncs(c.datagrams)) assert.is(s.entries.length, 0, 'datagrams carry digests only')
  const full = [...a.exchanges, ...b.exchanges, ...c.exchanges].filter((s) => s.type === 'sync' && s.entries.length > 0)
  assert.ok(full.length > 0, 'the states crossed on a stream')
  // with the sender's digest, a peer whose view then matches answers with no entries
  for (const s of full) assert.ok(s.type === 'sync' && s.digest != null, 'a full exchange carries its sender\'s digest')
})

test('a sync with entries that arrives as a datagram is dropped and counted', async () => {
  const a = await make('a')
  const before = a.driver.counters.decodeErrors
  const bytes = encodeMessage({ type: 'sync', join: false, response: false, entries: [{ record: record('b'), state: 'alive', incarnation: 0 }] })
  const onPacket = (a.driver as unknown as { onPacket: (p: Uint8Array, s: { address: string, port: number }) => void }).onPacket.bind(a.driver)
  onPacket(Uint8Array.from([98, ...bytes]), { address: '127.0.0.1', port: 1 })
  assert.is(a.driver.counters.decodeErrors, before + 1)
})

test.run()
