import '../../src/polyfill.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createLibp2p } from 'libp2p'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { swim } from '../../src/libp2p/index.ts'
import { freePort } from '../helpers/ports.ts'
import { FAST, aliveCount, baseOptions, createNode, stopAll, track, waitFor } from './helpers.ts'
import type { SwimNode } from './helpers.ts'
import type { JoinErrorDetail } from '../../src/libp2p/join-errors.ts'
import type { Libp2pOptions } from 'libp2p'

const test = suite('join-retry')

test.after.each(async () => { await stopAll() })

// A seed is configuration, not gossip: the dial limit for members that never answered
// (which keeps gossip from making us dial a third party again and again) must not hold back
// the retries of a join, or a cluster that starts together waits 10 s for a busy seed.
test('a seed that did not answer yet is tried again at the join\'s pace, not held back as a member that never answered', async () => {
  const key = await generateKeyPair('Ed25519')
  const port = await freePort()
  const seedAddr = `/ip4/127.0.0.1/tcp/${port}/p2p/${peerIdFromPrivateKey(key).toString()}`
  const joiner = await createNode({ swim: { seeds: [seedAddr] } })
  const errors: JoinErrorDetail[] = []
  joiner.services.swim.addEventListener('join:error', (e) => { errors.push(e.detail) })
  await waitFor('the first attempts to find the seed down', () => errors.length >= 2, 20_000)
  const seed = track(await createLibp2p({
    ...baseOptions({ privateKey: key }),
    addresses: { listen: [`/ip4/127.0.0.1/tcp/${port}`] },
    services: { swim: swim(FAST) }
  } as Libp2pOptions) as unknown as SwimNode)
  await waitFor('the joiner to join through the seed', () => aliveCount(joiner) === 2 && aliveCount(seed) === 2, 30_000)
  assert.ok(errors.every((e) => e.cause === 'refused'), JSON.stringify(errors.map((e) => [e.attempt, e.cause, e.message])))
  assert.equal(errors.filter((e) => /never answered/.test(e.message)), [])
})

test.run()
