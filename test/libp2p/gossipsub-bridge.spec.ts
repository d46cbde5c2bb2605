import '../../src/polyfill.ts'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsubTopic } from '../../src/libp2p/constants.ts'
import { GossipsubSeal } from '../../src/libp2p/gossipsub-seal.ts'
import { Keyring } from '../../src/libp2p/keyring.ts'
import { createRecordSigner } from '../../src/libp2p/signed-record.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { aliveCount, createCluster, createNode, idOf, memberOf, stopAll, waitFor } from './helpers.ts'
import type { SwimNode } from './helpers.ts'

const test = suite('gossipsub bridge')

test.after.each(async () => { await stopAll() })

interface PubSub { getSubscribers: (topic: string) => unknown[], publish: (topic: string, data: Uint8Array) => Promise<unknown> }

function pubsubOf (node: SwimNode): PubSub {
  return (node.services as unknown as { pubsub: PubSub }).pubsub
}

function deliveries (nodes: SwimNode[]): number {
  return nodes.reduce((sum, n) => sum + n.services.swim.stats().gossipsubDeliveries, 0)
}

test('with gossipsub on, membership updates also arrive through it', async () => {
  const nodes = await createCluster(4, { gossipsub: true })
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 4))
  const topic = gossipsubTopic('default')
  await waitFor('every node to see the others subscribed', () => nodes.every((n) => pubsubOf(n).getSubscribers(topic).length === 3))

  const changer = nodes[0]
  const others = nodes.slice(1)
  const before = others.map((n) => n.services.swim.stats().gossipsubDeliveries)
  await changer.services.swim.setMetadata({ version: '2' })
  await waitFor('every other node to receive the update through gossipsub', () => others.every((n, i) => n.services.swim.stats().gossipsubDeliveries > before[i]))
  await waitFor('the metadata everywhere', () => others.every((n) => memberOf(n, idOf(changer))?.meta.version === '2'))
  const s = changer.services.swim.stats()
  assert.ok((s.messagesOut.gossipsub ?? 0) > 0, 'the changer published through gossipsub')
  assert.ok(deliveries(others) >= 3)
})

test('without a pubsub service, or with pubsub: false, the bridge stays off', async () => {
  const nodes = await createCluster(2, { gossipsub: true, swim: { pubsub: false } })
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 2))
  await nodes[0].services.swim.setMetadata({ a: 'b' })
  await waitFor('the update over SWIM', () => memberOf(nodes[1], idOf(nodes[0]))?.meta.a === 'b')
  assert.is(deliveries(nodes), 0)
  assert.is(nodes[0].services.swim.stats().messagesOut.gossipsub, undefined)
})

test('a node without the cluster key can neither read the topic nor be taken in through it', async () => {
  const clusterKey = new Uint8Array(randomBytes(32))
  const nodes = await createCluster(3, { gossipsub: true, swim: { clusterKeys: [clusterKey] } })
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 3))
  // The attacker runs the same software under a key of its own (an old key, a guess), and
  // connects to every member directly: libp2p admits the connection, gossipsub runs over it.
  const attackerKey = await generateKeyPair('Ed25519')
  const guessedKey = new Uint8Array(randomBytes(32))
  const attacker = await createNode({ gossipsub: true, privateKey: attackerKey, swim: { clusterKeys: [guessedKey] } })
  for (const n of nodes) await attacker.dial(n.getMultiaddrs()[0])
  const topic = gossipsubTopic('default')
  await waitFor('the attacker subscribed at every member, and the members at the attacker', () =>
    nodes.every((n) => pubsubOf(n).getSubscribers(topic).length === 3) && pubsubOf(attacker).getSubscribers(topic).length === 3)

  // Writing: its own record, signed by its identity, published sealed under its key, then raw.
  const unsigned = { id: idOf(attacker), incarnation: 7, addrs: attacker.getMultiaddrs().map((ma) => ma.decapsulate('/p2p').toString()), meta: { role: 'intruder' }, leaving: false }
  const record = { ...unsigned, signature: createRecordSigner(attackerKey)(unsigned) }
  const foreignBefore = nodes.map((n) => n.services.swim.stats().foreignCluster)
  const errorsBefore = nodes.map((n) => n.services.swim.stats().decodeErrors)
  const gossip = encodeMessage({ type: 'gossip', updates: [{ type: 'record', record }] })
  await pubsubOf(attacker).publish(topic, new GossipsubSeal({ keyring: new Keyring([guessedKey]), cluster: 'default' }).seal(idOf(attacker), gossip))
  await waitFor('every member to drop the publication sealed under another key', () => nodes.every((n, i) => n.services.swim.stats().foreignCluster > foreignBefore[i]))
  await pubsubOf(attacker).publish(topic, gossip)
  await waitFor('every member to drop the raw publication', () => nodes.every((n, i) => n.services.swim.stats().decodeErrors > errorsBefore[i]))

  // Reading: a member's change reaches the attacker, which cannot open it.
  const attackerForeign = attacker.services.swim.stats().foreignCluster
  const members = nodes.slice(1)
  const before = members.map((n) => n.services.swim.stats().gossipsubDeliveries)
  await nodes[0].services.swim.setMetadata({ version: '2' })
  await waitFor('the members to receive the change through gossipsub', () => members.every((n, i) => n.services.swim.stats().gossipsubDeliveries > before[i]))
  await waitFor('the attacker to receive and drop the member\'s publication', () => attacker.services.swim.stats().foreignCluster > attackerForeign)

  for (const n of nodes) {
    assert.is(memberOf(n, idOf(attacker)), undefined, 'no member lists the attacker')
    assert.is(aliveCount(n), 3)
  }
  assert.equal(attacker.services.swim.members().map((m) => m.id), [idOf(attacker)], 'the attacker learned no member')
  assert.is(attacker.services.swim.stats().gossipsubDeliveries, 0)
})

test.run()
