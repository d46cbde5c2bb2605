import '../../src/polyfill.ts'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { gossipsubTopic } from '../../src/libp2p/constants.ts'
import { aliveCount, createCluster, idOf, memberOf, stopAll, waitFor } from './helpers.ts'
import type { SwimNode } from './helpers.ts'

const test = suite('gossipsub bridge')

test.after.each(async () => { await stopAll() })

interface PubSub { getSubscribers: (topic: string) => unknown[] }

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

test.run()
