/**
 * Records of another cluster, on real nodes: an outsider relays a record validly signed for
 * cluster one, stamped with cluster one's tag as any node of cluster one stamps what it
 * sends, into cluster two on two's own protocols. Cluster two drops it before checking a
 * signature and counts it apart from forgeries (`foreignCluster`, not `recordsRejected`);
 * the sender's syncs are then refused for a while, as after a bad signature; the clusters
 * never merge.
 */
import '../../src/polyfill.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import * as lp from 'it-length-prefixed'
import { createLibp2p } from 'libp2p'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { MemberRecord, Message } from '../../src/core/messages.ts'
import { probeProtocol, syncProtocol } from '../../src/libp2p/constants.ts'
import { createRecordSigner } from '../../src/libp2p/signed-record.ts'
import { clusterTag } from '../../src/wire/cluster-tag.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import type { SwimNode } from './helpers.ts'
import { aliveCount, baseOptions, createCluster, idOf, sendFramed, stopAll, track, waitFor } from './helpers.ts'

const test = suite('foreign cluster')

test.after.each(async () => {
  await stopAll()
})

interface Outsider { node: Libp2p, key: PrivateKey, id: string }

async function outsider (): Promise<Outsider> {
  const key = await generateKeyPair('Ed25519')
  const node = track(await createLibp2p(baseOptions({ privateKey: key })))
  return { node, key, id: peerIdFromPrivateKey(key).toString() }
}

function recordOf (o: Outsider, cluster: string): MemberRecord {
  const unsigned = { id: o.id, incarnation: 0, addrs: ['/ip4/127.0.0.1/tcp/1'], meta: {}, leaving: false }
  return { ...unsigned, signature: createRecordSigner(o.key, cluster)(unsigned) }
}

/** Sends one message on `protocol`, its records stamped with `stamp`'s tag; resolves when the victim ends the stream (or after 5 s). */
async function send (from: Libp2p, to: Libp2p, protocol: string, cluster: string, message: Message, stamp: string): Promise<void> {
  const framed = lp.encode.single(encodeMessage(message, undefined, { clusterTag: clusterTag(stamp) })).subarray()
  await sendFramed(from, to, protocol, cluster, framed, message.type !== 'sync')
}

function joinSync (record: MemberRecord): Message {
  return { type: 'sync', join: true, response: false, entries: [{ record, state: 'alive', incarnation: 0 }] }
}

const stats = (n: SwimNode): ReturnType<SwimNode['services']['swim']['stats']> => n.services.swim.stats()

test('records of another cluster are dropped before any signature check, counted as foreignCluster, and never merge the clusters', async () => {
  const one = await createCluster(2, { swim: { cluster: 'one' } })
  const two = await createCluster(2, { swim: { cluster: 'two' } })
  await waitFor('both clusters to form', () => [...one, ...two].every((n) => aliveCount(n) === 2))
  const victim = two[0]
  const before = stats(victim)
  assert.is(before.foreignCluster, 0, 'nothing foreign seen yet')

  // Over push-pull: a join carrying a record of cluster one, as cluster one stamps it.
  const relay = await outsider()
  await send(relay.node, victim, syncProtocol('two'), 'two', joinSync(recordOf(relay, 'one')), 'one')
  await waitFor('the foreign sync to be counted', () => stats(victim).foreignCluster >= 1)

  // Over the probe stream: a ping with the foreign record piggybacked.
  const pinger = await outsider()
  const ping: Message = { type: 'ping', seq: 7, target: idOf(victim), updates: [{ type: 'record', record: recordOf(pinger, 'one') }] }
  await send(pinger.node, victim, probeProtocol('two'), 'two', ping, 'one')
  await waitFor('the foreign ping to be counted', () => stats(victim).foreignCluster >= 2)

  const after = stats(victim)
  assert.is(after.recordsRejected, before.recordsRejected, 'not counted as forgeries')
  assert.is(after.decodeErrors, before.decodeErrors, 'not counted as garbage either')
  for (const n of [...one, ...two]) assert.is(n.services.swim.members().length, 2, 'no merge')
  assert.not.ok(victim.services.swim.members().some((m) => m.id === relay.id || m.id === pinger.id), 'no foreign sender admitted')
})

test('the sender of foreign records is refused syncs for a while; another outsider with a good record is not', async () => {
  const [victim, other] = await createCluster(2, { swim: { cluster: 'two' } })
  await waitFor('the cluster to form', () => aliveCount(victim) === 2 && aliveCount(other) === 2)
  const relay = await outsider()
  await send(relay.node, victim, syncProtocol('two'), 'two', joinSync(recordOf(relay, 'one')), 'one')
  await waitFor('the foreign sync to be counted', () => stats(victim).foreignCluster === 1)
  // The same sender now joins with a record of cluster two: refused (penalised).
  await send(relay.node, victim, syncProtocol('two'), 'two', joinSync(recordOf(relay, 'two')), 'two')
  // A control outsider doing the same is admitted, so the refusal above is the penalty.
  const control = await outsider()
  await send(control.node, victim, syncProtocol('two'), 'two', joinSync(recordOf(control, 'two')), 'two')
  await waitFor('the control outsider to join', () => victim.services.swim.members().some((m) => m.id === control.id))
  assert.not.ok(victim.services.swim.members().some((m) => m.id === relay.id), 'the foreign sender was refused')
})

test('a relay that stamps a foreign record with our tag gains nothing: the signature still rejects it, as a forgery', async () => {
  const [victim, other] = await createCluster(2, { swim: { cluster: 'two' } })
  await waitFor('the cluster to form', () => aliveCount(victim) === 2 && aliveCount(other) === 2)
  const liar = await outsider()
  const before = stats(victim)
  await send(liar.node, victim, syncProtocol('two'), 'two', joinSync(recordOf(liar, 'one')), 'two')
  await waitFor('the record to be rejected by its signature', () => stats(victim).recordsRejected > before.recordsRejected)
  assert.is(stats(victim).foreignCluster, 0)
  assert.not.ok(victim.services.swim.members().some((m) => m.id === liar.id))
})

test.run()
