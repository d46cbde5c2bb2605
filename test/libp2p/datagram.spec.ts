import '../../src/polyfill.ts'
import { createSocket } from 'node:dgram'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { DatagramTransport } from '../../src/libp2p/datagram-transport.ts'
import { DEFAULT_CLUSTER, WATCHERS, syncProtocol } from '../../src/libp2p/constants.ts'
import { watchedBy } from '../../src/libp2p/watch.ts'
import { createLibp2p } from 'libp2p'
import { swim } from '../../src/index.ts'
import { seededRandom } from '../../src/core/random.ts'
import { FAST, aliveCount, baseOptions, createCluster, createNode, createStreamsOnlyNode, idOf, memberOf, recordEvents, stateOf, stop, stopAll, track, waitFor, watchProcess } from './helpers.ts'
import type { SwimNode } from './helpers.ts'
import type { MembershipEvent } from '../../src/index.ts'

const test = suite('datagrams')

let restoreSend: (() => void) | undefined
test.after.each(async () => {
  restoreSend?.()
  restoreSend = undefined
  await stopAll()
})

const udpAddr = (n: SwimNode): string | undefined => n.services.swim.localMember().addrs.find((a) => /\/udp\/\d+$/.test(a))
const datagrams = (n: SwimNode): NonNullable<ReturnType<SwimNode['services']['swim']['stats']>['datagrams']> => {
  const d = n.services.swim.stats().datagrams
  if (d == null) throw new Error('no datagram stats')
  return d
}

/** Every datagram any node sends from now on is lost (UDP dropped), until restored. */
function dropAllDatagrams (): void {
  const original = DatagramTransport.prototype.send
  DatagramTransport.prototype.send = function () { return true }
  restoreSend = () => { DatagramTransport.prototype.send = original }
}

test('a 12-node cluster probes over datagrams, converges, and detects a crash', async () => {
  const nodes = await createCluster(12)
  await waitFor('every node to see 12 alive members', () => nodes.every((n) => aliveCount(n) === 12), 30_000)
  for (const n of nodes) {
    const addr = udpAddr(n)
    assert.ok(addr?.startsWith('/ip4/127.0.0.1/udp/'), `advertises a datagram address (${String(addr)})`)
    // The datagram address travels in the signed record: the others know it.
    for (const other of nodes) assert.ok(memberOf(other, idOf(n))?.addrs.includes(addr as string))
  }
  await waitFor('datagrams to flow', () => nodes.every((n) => datagrams(n).in > 20))
  for (const n of nodes) {
    const s = n.services.swim.stats()
    // Only datagrams from a member not yet known (racing its join) are refused: nothing
    // forged, replayed or foreign among honest members.
    assert.equal(Object.keys(s.datagrams?.rejectedBy ?? {}).filter((r) => r !== 'unknown-sender'), [])
    // Probes went as datagrams: no ping over the long-lived probe streams.
    assert.ok((s.messagesOut.ping ?? 0) <= (s.datagrams?.out ?? 0))
  }
  const victim = nodes[5]
  const victimId = idOf(victim)
  const survivors = nodes.filter((n) => n !== victim)
  const logs = new Map<SwimNode, MembershipEvent[]>(survivors.map((n) => [n, recordEvents(n)]))
  const stopped = Date.now()
  await stop(victim)
  await waitFor('every survivor to declare the victim dead', () => survivors.every((n) => stateOf(n, victimId) === 'dead'), 20_000)
  const firstSuspect = Math.min(...[...logs.values()].flatMap((l) => l.filter((e) => e.member.id === victimId && e.type === 'suspect').map((e) => e.at)))
  assert.ok(firstSuspect - stopped < 3000, `suspected within 3 s (${firstSuspect - stopped} ms)`)
  for (const n of survivors) assert.is(aliveCount(n), 11, 'nobody else failed')
  // The fallback probe over a stream was refused: evidence.
  assert.ok(survivors.some((n) => n.services.swim.stats().unreachable > 0), 'a refused fallback dial was reported')
})

test('a quiet cluster\'s probes are datagrams of a few dozen bytes: a ping names no target, its seal does', async () => {
  const nodes = await createCluster(6)
  await waitFor('every node to see 6 alive members', () => nodes.every((n) => aliveCount(n) === 6), 30_000)
  const sizes: number[] = []
  const original = DatagramTransport.prototype.send
  DatagramTransport.prototype.send = function (to: string, packet: Uint8Array) {
    sizes.push(packet.byteLength)
    return original.call(this, to, packet)
  }
  restoreSend = () => { DatagramTransport.prototype.send = original }
  // Once the join news has been spread, a ping or an ack is a seal (32 bytes) around a
  // sequence number: under 48 bytes. With a 52-character target id, a ping would be 90.
  await waitFor('a second of datagrams, 90% of them under 48 bytes', async () => {
    sizes.length = 0
    await new Promise((resolve) => setTimeout(resolve, 1000))
    return sizes.length >= 20 && sizes.filter((s) => s < 48).length >= 0.9 * sizes.length
  }, 20_000)
  for (const n of nodes) assert.is(aliveCount(n), 6)
  assert.equal(nodes.map((n) => n.services.swim.stats().decodeErrors), nodes.map(() => 0), 'every targetless ping was read')
})

test('a member that cannot read targetless pings (an earlier version) costs one fallback probe, then gets pings naming it', async () => {
  const nodes = await createCluster(5)
  const old = nodes[2]
  // The previous version decoded a ping without a target as invalid: so does a driver that
  // does not know whom its datagrams are sealed for.
  ;(old.services.swim as unknown as { driver: { init: { selfId?: string } } }).driver.init.selfId = undefined
  const others = nodes.filter((n) => n !== old)
  await waitFor('every node to see 5 alive members', () => nodes.every((n) => aliveCount(n) === 5), 30_000)
  const fallbacks = (): number => others.reduce((sum, n) => sum + datagrams(n).fallbackProbes, 0)
  // Every other node probes the old one within a few probe intervals, misses once, and falls back.
  await waitFor('each other node to have fallen back to a stream once', () => others.every((n) => datagrams(n).fallbackProbes >= 1), 20_000)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const before = { fallbacks: fallbacks(), errors: old.services.swim.stats().decodeErrors, in: datagrams(old).in }
  assert.ok(before.errors >= 1, 'the old member rejected targetless pings')
  // Five probe intervals per member probed: each other node probes the old one about 3 times.
  await new Promise((resolve) => setTimeout(resolve, 3000))
  assert.is(old.services.swim.stats().decodeErrors, before.errors, 'no more pings it cannot read')
  assert.is(fallbacks(), before.fallbacks, 'no more fallback probes: the pings naming it are acked over UDP')
  assert.ok(datagrams(old).in - before.in >= 6, `it keeps receiving datagrams (${datagrams(old).in - before.in})`)
  for (const n of nodes) assert.is(aliveCount(n), 5)
})

test('with every datagram lost the cluster keeps working over the stream fallback, with no false failures', async () => {
  // The fallback dials a member within probeInterval − probeTimeout: give it the time a
  // loaded test machine needs for a TCP, noise and yamux handshake (the lan profile's 500 ms).
  const nodes = await createCluster(6, { swim: { probeInterval: 1000, probeTimeout: 500 } })
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 6), 30_000)
  const logs = nodes.map((n) => recordEvents(n))
  dropAllDatagrams()
  const acks0 = nodes.map((n) => datagrams(n).fallbackAcks)
  await waitFor('fallback probes to be acked', () => nodes.every((n, i) => datagrams(n).fallbackAcks > acks0[i] + 10), 30_000)
  assert.ok(logs.every((l) => !l.some((e) => e.type === 'fail')), 'no member declared failed')
  for (const n of nodes) assert.is(aliveCount(n), 6)
  // A crash is still detected, through refused fallback dials.
  const victim = nodes[2]
  const survivors = nodes.filter((n) => n !== victim)
  await stop(victim)
  await waitFor('every survivor to declare the victim dead', () => survivors.every((n) => stateOf(n, idOf(victim)) === 'dead'), 30_000)
  for (const n of survivors) assert.is(aliveCount(n), 5)
})

/**
 * `n` nodes with libp2p's connection manager at `max` connections and no allow-list (libp2p
 * refuses and prunes beyond maxConnections, as between real hosts), joined through the
 * first, once every node sees all of them alive.
 */
async function limitedCluster (n: number, max: number): Promise<SwimNode[]> {
  const make = async (seeds: string[]): Promise<SwimNode> => {
    const { connectionMonitor: _off, ...defaults } = baseOptions()
    return track(await createLibp2p({
      ...defaults,
      connectionManager: { maxConnections: max, inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 256 },
      services: { swim: swim({ ...FAST, seeds }) }
    }) as unknown as SwimNode)
  }
  const seed = await make([])
  const nodes = [seed, ...await Promise.all(Array.from({ length: n - 1 }, async () => make(seed.getMultiaddrs().map(String))))]
  await waitFor(`every node to see ${n} alive members`, () => nodes.every((node) => aliveCount(node) === n), 60_000, 100)
  return nodes
}

test('a cluster larger than maxConnections, with libp2p\'s pruning and connection monitor on, converges on few connections per node', async () => {
  const N = 24
  const MAX = 12
  const nodes = await limitedCluster(N, MAX)
  // Steady state: SWIM holds its watch connections and little else.
  await new Promise((resolve) => setTimeout(resolve, 3000))
  const counts = nodes.map((n) => n.getConnections().length)
  const mean = counts.reduce((a, b) => a + b, 0) / N
  assert.ok(mean <= 8, `4 watch connections per node, plus transient ones (mean ${mean.toFixed(1)}: ${counts.join(',')})`)
  assert.ok(Math.max(...counts) <= MAX)
  for (const n of nodes) assert.is(aliveCount(n), N)
})

test('with connections limited, pruning spares the watch connections, so a crash is seen by the victim\'s watchers', async () => {
  const N = 16
  const MAX = 8
  const HOLD = '/swim-test/hold/1.0.0'
  const nodes = await limitedCluster(N, MAX)
  const victim = nodes[N - 1]
  const victimId = idOf(victim)
  const survivors = nodes.slice(0, -1)
  const watcherIds = watchedBy(victimId, nodes.map(idOf), WATCHERS)
  const watchers = survivors.filter((n) => watcherIds.has(idOf(n)))
  assert.is(watchers.length, WATCHERS)
  await waitFor('the victim\'s watchers to hold their connections to it', () => watchers.every((n) => n.getConnections(victim.peerId).some((c) => c.status === 'open')), 20_000, 50)
  // Busy connections push the victim over maxConnections: each carries an open stream, the
  // watch connections none, so libp2p's pruner (fewest streams first) picks the watch
  // connections unless their tag value spares them.
  await victim.handle(HOLD, () => {})
  const pruned: string[] = []
  const pruning = new Promise<void>((resolve) => {
    victim.addEventListener('connection:prune', (evt) => {
      for (const c of evt.detail) pruned.push(c.remotePeer.toString())
      resolve()
    })
  })
  const others = survivors.filter((n) => !watcherIds.has(idOf(n))).slice(0, MAX)
  await Promise.all(others.map(async (n) => { await n.dialProtocol(victim.getMultiaddrs(), HOLD) }))
  await pruning
  assert.ok(pruned.length > 0, 'the victim pruned')
  assert.equal(pruned.filter((id) => watcherIds.has(id)), [], 'no watch connection was pruned')
  for (const n of watchers) assert.ok(n.getConnections(victim.peerId).some((c) => c.status === 'open'), 'every watcher still holds its connection')
  const refusedBefore = watchers.map((n) => n.services.swim.stats().unreachable)
  await stop(victim)
  await waitFor('every survivor to declare the victim dead', () => survivors.every((n) => stateOf(n, victimId) === 'dead'), 30_000, 20)
  const refusers = watchers.filter((n, i) => n.services.swim.stats().unreachable > refusedBefore[i]).length
  assert.ok(refusers >= 3, `the watchers saw the close and were refused (${refusers} of ${WATCHERS})`)
  // failed, not suspected: on a loaded machine the 200 ms test period may raise (refuted) suspicions
  for (const n of survivors) assert.equal(survivors.filter((m) => stateOf(n, idOf(m)) === 'dead').map(idOf), [], 'nobody else failed')
})

test('datagram: false probes over streams as before and advertises no datagram address', async () => {
  const nodes = await createCluster(4, { swim: { datagram: false } })
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 4))
  await waitFor('acks over streams', () => nodes.every((n) => (n.services.swim.stats().messagesIn.ack ?? 0) > 5))
  for (const n of nodes) {
    assert.is(udpAddr(n), undefined)
    assert.is(datagrams(n).out, 0)
  }
})

test('streams only, libp2p\'s connection monitor on, lan timings: a killed member is refused to enough members and dead everywhere in seconds', async () => {
  const N = 8
  const seed = await createStreamsOnlyNode([], true)
  const nodes = [seed, ...await Promise.all(Array.from({ length: N - 1 }, async () => await createStreamsOnlyNode(seed.getMultiaddrs().map(String), true)))]
  await waitFor(`every node to see ${N} alive members`, () => nodes.every((n) => aliveCount(n) === N), 60_000, 100)
  const victim = nodes[N - 1]
  const victimId = idOf(victim)
  const survivors = nodes.slice(0, -1)
  const refusedBefore = survivors.map((n) => n.services.swim.stats().unreachable)
  const stopped = Date.now()
  await stop(victim)
  // Lifeguard alone (one or two confirmations) takes 8 to 20 s at N=8 with lan timings;
  // refusals seen by suspicionMult − 1 members end it after refusedSuspicionTimeout (2 s).
  await waitFor('every survivor to declare the victim dead', () => survivors.every((n) => stateOf(n, victimId) === 'dead'), 30_000, 20)
  const took = Date.now() - stopped
  const refusers = survivors.filter((n, i) => n.services.swim.stats().unreachable > refusedBefore[i]).length
  assert.ok(refusers >= 3, `the refused dial is evidence at 3 members or more (${refusers})`)
  assert.ok(took < 7000, `dead everywhere in ${took} ms`)
  for (const n of survivors) assert.is(aliveCount(n), N - 1, 'nobody else failed')
})

test('a member with datagrams and one without probe each other over streams', async () => {
  const a = await createNode()
  const b = await createNode({ swim: { datagram: false, seeds: a.getMultiaddrs().map(String) } })
  await waitFor('the two to see each other', () => aliveCount(a) === 2 && aliveCount(b) === 2)
  await waitFor('acks both ways', () => (a.services.swim.stats().messagesIn.ack ?? 0) > 5 && (b.services.swim.stats().messagesIn.ack ?? 0) > 5)
  assert.is(datagrams(a).out, 0)
  assert.is(datagrams(b).out, 0)
})

test('junk datagrams are dropped, counted, and never answered', async () => {
  const [a, b] = await createCluster(2)
  await waitFor('the two to see each other', () => aliveCount(a) === 2 && aliveCount(b) === 2)
  const addr = udpAddr(a)
  assert.ok(addr != null)
  const port = Number(addr.split('/')[4])
  const socket = createSocket('udp4')
  let answers = 0
  socket.on('message', () => { answers++ })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const before = datagrams(a).rejected + a.services.swim.stats().decodeErrors
  const junk = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(900).fill(0xff), new TextEncoder().encode('\x00\x05hello world')]
  for (const j of junk) socket.send(j, port, '127.0.0.1')
  await waitFor('the junk to be counted', () => datagrams(a).rejected + a.services.swim.stats().decodeErrors >= before + 3)
  await new Promise((resolve) => setTimeout(resolve, 300))
  socket.close()
  assert.is(answers, 0, 'nothing answered the junk')
  assert.is(aliveCount(a), 2)
})

test('datagram fuzz: random, mutated and replayed datagrams are dropped, counted by reason, never answered; probes go on', async () => {
  const watch = watchProcess()
  try {
    const [a, b] = await createCluster(2)
    await waitFor('the two to see each other', () => aliveCount(a) === 2 && aliveCount(b) === 2)
    const target = udpAddr(a) as string
    const port = Number(target.split('/')[4])
    // Capture real datagrams b seals for a.
    const captured: Uint8Array[] = []
    const original = DatagramTransport.prototype.send
    DatagramTransport.prototype.send = function (to: string, packet: Uint8Array) {
      if (to === target && captured.length < 50) captured.push(Uint8Array.from(packet))
      return original.call(this, to, packet)
    }
    restoreSend = () => { DatagramTransport.prototype.send = original }
    await waitFor('datagrams from b to a', () => captured.length >= 10)
    restoreSend()
    restoreSend = undefined
    const socket = createSocket('udp4')
    let answers = 0
    socket.on('message', () => { answers++ })
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    const rng = seededRandom(0xd6)
    const random = (): number => rng.next()
    const byte = (): number => Math.floor(random() * 256)
    const before = datagrams(a).rejected
    const acksBefore = a.services.swim.stats().messagesIn.ack ?? 0
    const N = 3000
    for (let i = 0; i < N; i++) {
      const kind = i % 3
      let packet: Uint8Array
      if (kind === 0) {
        packet = Uint8Array.from({ length: Math.floor(random() * 1400) }, byte)
      } else {
        packet = Uint8Array.from(captured[i % captured.length])
        if (kind === 1) {
          // mutate: flip bytes, truncate or extend
          const flips = 1 + Math.floor(random() * 4)
          for (let f = 0; f < flips; f++) packet[Math.floor(random() * packet.length)] ^= 1 + Math.floor(random() * 255)
          if (random() < 0.3) packet = packet.subarray(0, Math.floor(random() * packet.length))
        }
        // kind 2: the exact datagram again (a replay)
      }
      socket.send(packet, port, '127.0.0.1')
      // Paced: a burst beyond the socket's receive buffer is dropped by the kernel, unseen.
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 2))
    }
    await waitFor(`the fuzz to be counted (${datagrams(a).rejected - before} of ${N})`, () => datagrams(a).rejected - before >= N * 0.95, 20_000)
    const by = datagrams(a).rejectedBy
    assert.ok((by.replay ?? 0) > 0, `replays counted: ${JSON.stringify(by)}`)
    assert.ok((by.forged ?? 0) + (by.short ?? 0) + (by.version ?? 0) + (by['unknown-sender'] ?? 0) > 0, `forgeries counted: ${JSON.stringify(by)}`)
    await new Promise((resolve) => setTimeout(resolve, 300))
    socket.close()
    assert.is(answers, 0, 'nothing answered the fuzz')
    // a still probes b over datagrams and gets acks
    await waitFor('acks after the fuzz', () => (a.services.swim.stats().messagesIn.ack ?? 0) > acksBefore + 3)
    assert.is(stateOf(a, idOf(b)), 'alive')
    assert.equal(watch.rejections, [])
    assert.equal(watch.exceptions, [])
  } finally {
    watch.dispose()
  }
})

test('a push-pull between matching views is two datagrams: it works with the peer\'s sync protocol gone', async () => {
  const [a, b] = await createCluster(2, { swim: { pushPullInterval: 1000 } })
  await waitFor('both to see 2 alive members', () => aliveCount(a) === 2 && aliveCount(b) === 2, 20_000)
  // Nothing can reach b's push-pull over a stream any more.
  await b.unhandle(syncProtocol(DEFAULT_CLUSTER))
  const before = a.services.swim.stats().messagesIn.sync ?? 0
  await waitFor('a to get three push-pull answers from b', () => (a.services.swim.stats().messagesIn.sync ?? 0) >= before + 3, 20_000)
  assert.ok((b.services.swim.stats().messagesIn.sync ?? 0) > 0, 'b got digests')
})

test('a bad datagram option is refused when the node is created', async () => {
  try {
    await createNode({ swim: { datagram: { maxSize: 100 } } })
    assert.unreachable('should have thrown')
  } catch (err) {
    assert.match(String((err as Error).message), /datagram maxSize/)
  }
  try {
    await createNode({ swim: { datagram: { listen: '/ip4/127.0.0.1/tcp/1' } } })
    assert.unreachable('should have thrown')
  } catch (err) {
    assert.match(String((err as Error).message), /datagram listen address/)
  }
})

test.run()
