import '../../src/polyfill.ts'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Logger, PeerId } from '@libp2p/interface'
import { Dialer, UNANSWERED_DIALS_PER_SECOND } from '../../src/libp2p/dialer.ts'
import { GossipsubBridge } from '../../src/libp2p/gossipsub-bridge.ts'
import { GossipsubSeal } from '../../src/libp2p/gossipsub-seal.ts'
import { Keyring } from '../../src/libp2p/keyring.ts'
import type { PubSubLike, PubSubMessage, TopicValidation } from '../../src/libp2p/gossipsub-bridge.ts'
import { createRecordSigner, createRecordVerifier } from '../../src/libp2p/signed-record.ts'
import { DEFAULT_LIMITS } from '../../src/wire/limits.ts'
import { encodeMessage } from '../../src/wire/encode.ts'

const test = suite('trust units')

test('row 8: dials toward members that never answered are rate-limited, per member and in all', async () => {
  let dials = 0
  const dialer = new Dialer({
    connectionManager: {
      getConnections: () => [],
      openConnection: async () => { dials++; throw Object.assign(new Error('no'), { code: 'ETIMEDOUT' }) }
    },
    peerStore: { merge: async () => ({}) as any }
  })
  const ids = await Promise.all(Array.from({ length: UNANSWERED_DIALS_PER_SECOND + 10 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
  const attempt = async (id: string): Promise<string> => await dialer.openStream(id, ['/ip4/192.0.2.1/tcp/80'], '/x').then(() => 'ok', (err: Error) => err.name)
  // The same never-answering member, again and again: one dial.
  for (let i = 0; i < 5; i++) await attempt(ids[0])
  assert.is(dials, 1)
  // Many never-answering members at once: at most the per-second budget.
  const results = await Promise.all(ids.slice(1).map(attempt))
  assert.ok(dials <= UNANSWERED_DIALS_PER_SECOND, `${dials} dials`)
  assert.ok(results.filter((r) => r === 'DialRateLimitedError').length >= 10)
  assert.ok(dialer.heldBack >= 14)
})

test('gossipsub topic validator: unsigned, unsealed, foreign-key, undecodable, relayed or badly signed payloads are rejected before relay, and counted', async () => {
  const key = await generateKeyPair('Ed25519')
  const peer: PeerId = peerIdFromPrivateKey(key)
  const id = peer.toString()
  const validators = new Map<string, (p: PeerId, m: PubSubMessage) => TopicValidation | Promise<TopicValidation>>()
  const pubsub: PubSubLike = {
    subscribe: () => {},
    unsubscribe: () => {},
    publish: async () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    topicValidators: validators
  }
  const log = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false }) as unknown as Logger
  const errors: string[] = []
  const seal = new GossipsubSeal({ keyring: new Keyring([new Uint8Array(randomBytes(32))]), cluster: 'default' })
  const bridge = new GossipsubBridge({
    pubsub,
    topic: 't',
    selfId: 'me',
    limits: DEFAULT_LIMITS,
    log,
    admits: () => true,
    verify: createRecordVerifier(),
    seal,
    onUpdates: () => {},
    onDecodeError: (_from, error) => { errors.push(error.code) },
    onPublished: () => {}
  })
  bridge.start()
  const validate = validators.get('t')
  assert.ok(validate != null, 'the bridge installs a validator for its topic')
  const unsigned = { id, incarnation: 1, addrs: ['/ip4/127.0.0.1/tcp/1'], meta: {}, leaving: false }
  const record = { ...unsigned, signature: createRecordSigner(key)(unsigned) }
  const signedMsg = (data: Uint8Array): PubSubMessage => ({ type: 'signed', from: peer, topic: 't', data })
  const plain = (updates: any[]): Uint8Array => encodeMessage({ type: 'gossip', updates })
  const gossip = (updates: any[]): Uint8Array => seal.seal(id, plain(updates))
  assert.is(await validate(peer, signedMsg(gossip([{ type: 'record', record }]))), 'accept')
  assert.is(await validate(peer, signedMsg(gossip([{ type: 'suspect', id: 'x', incarnation: 0, from: id }]))), 'accept')
  assert.equal(errors, [])
  assert.is(await validate(peer, { type: 'unsigned', topic: 't', data: gossip([{ type: 'record', record }]) }), 'reject', 'unsigned publication')
  assert.is(await validate(peer, signedMsg(plain([{ type: 'record', record }]))), 'reject', 'not sealed')
  const outsider = new GossipsubSeal({ keyring: new Keyring([new Uint8Array(randomBytes(32))]), cluster: 'default' })
  assert.is(await validate(peer, signedMsg(outsider.seal(id, plain([{ type: 'record', record }])))), 'reject', 'sealed under a key this node does not hold')
  assert.is(await validate(peer, signedMsg(seal.seal(id, new Uint8Array([1, 2, 3, 4])))), 'reject', 'undecodable')
  assert.is(await validate(peer, signedMsg(gossip([{ type: 'record', record: { ...record, signature: new Uint8Array(64) } }]))), 'reject', 'bad signature')
  assert.is(await validate(peer, signedMsg(gossip([{ type: 'record', record: unsigned }]))), 'reject', 'unsigned record')
  assert.is(await validate(peer, signedMsg(gossip([{ type: 'dead', id: 'x', incarnation: 0, from: 'someone-else' }]))), 'reject', 'a claim it did not make')
  assert.is(errors.length, 6, `every rejection of a signed publication is counted: ${errors.join(', ')}`)
  assert.ok(errors.includes('foreign-cluster'), 'the foreign key is counted as another cluster')
  bridge.stop()
  assert.is(validators.size, 0)
})

test.run()
