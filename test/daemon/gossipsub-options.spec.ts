/**
 * The daemon's gossipsub on one host: with twelve gossipsub peers on 127.0.0.1, a node with
 * gossipsub's default score parameters scores every one of them below zero and keeps none in
 * its mesh; the daemon's settings keep loopback out of that penalty, so its mesh fills.
 */
import '../../src/polyfill.ts'
import { gossipsub } from '@libp2p/gossipsub'
import type { GossipsubOpts } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { daemonGossipsubOptions } from '../../src/daemon/gossipsub-options.ts'
import { baseOptions, stopAll, track, waitFor } from '../libp2p/helpers.ts'

const test = suite('daemon gossipsub options')
const TOPIC = '/swim/test/updates'

interface PubSub {
  subscribe: (topic: string) => void
  getSubscribers: (topic: string) => unknown[]
  getMeshPeers: (topic: string) => string[]
  getScore: (peer: string) => number
}
type PubSubNode = Libp2p<{ pubsub: PubSub }>

async function pubsubNode (options: Partial<GossipsubOpts>): Promise<PubSubNode> {
  const node = track(await createLibp2p({ ...baseOptions(), services: { identify: identify(), pubsub: gossipsub(options) } } as Libp2pOptions) as unknown as PubSubNode)
  node.services.pubsub.subscribe(TOPIC)
  return node
}

test.after.each(stopAll)

test('twelve gossipsub peers on loopback: the default parameters score them below zero and mesh none; the daemon\'s keep them in its mesh', async () => {
  const { scoreParams, ...rest } = daemonGossipsubOptions()
  const daemonLike = await pubsubNode(daemonGossipsubOptions())
  const colocationPenalised = await pubsubNode({ ...rest, scoreParams: { decayInterval: scoreParams?.decayInterval } })
  const spokes = await Promise.all(Array.from({ length: 11 }, async () => await pubsubNode({ allowPublishToZeroTopicPeers: true })))
  await daemonLike.dial(colocationPenalised.getMultiaddrs()[0])
  for (const spoke of spokes) {
    await daemonLike.dial(spoke.getMultiaddrs()[0])
    await colocationPenalised.dial(spoke.getMultiaddrs()[0])
  }
  for (const hub of [daemonLike, colocationPenalised]) {
    await waitFor('the hub to see all twelve subscribers', () => hub.services.pubsub.getSubscribers(TOPIC).length === 12)
  }
  const others = (hub: PubSubNode): string[] => [daemonLike, colocationPenalised, ...spokes].filter((n) => n !== hub).map((n) => n.peerId.toString())
  // Two heartbeats (2 s each) after the peers subscribed: meshes are built, negative peers pruned.
  await waitFor('the daemon-like hub to mesh with its peers', () => daemonLike.services.pubsub.getMeshPeers(TOPIC).length >= 4, 15_000)
  await new Promise((resolve) => setTimeout(resolve, 4500))
  for (const peer of others(daemonLike)) assert.ok(daemonLike.services.pubsub.getScore(peer) >= 0, `daemon-like score of ${peer}: ${daemonLike.services.pubsub.getScore(peer)}`)
  for (const peer of others(colocationPenalised)) assert.ok(colocationPenalised.services.pubsub.getScore(peer) < 0, `default score of ${peer}: ${colocationPenalised.services.pubsub.getScore(peer)}`)
  assert.ok(daemonLike.services.pubsub.getMeshPeers(TOPIC).length >= 4, 'the daemon-like hub keeps a mesh')
  assert.is(colocationPenalised.services.pubsub.getMeshPeers(TOPIC).length, 0, 'the penalised hub keeps no peer in its mesh')
})

test.run()
