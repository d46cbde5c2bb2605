import { randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Uint8ArrayList } from 'uint8arraylist'
import { noiseCrypto } from '../../src/libp2p/noise-crypto.ts'
import { baseOptions } from './helpers.ts'

const test = suite('noise crypto')

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

test('agreements match noise\'s default crypto whichever side made its key pair', () => {
  for (let i = 0; i < 20; i++) {
    const ours = noiseCrypto.generateX25519KeyPair()
    const theirs = defaultCrypto.generateX25519KeyPair()
    const a = noiseCrypto.generateX25519SharedKey(ours.privateKey, theirs.publicKey)
    const b = defaultCrypto.generateX25519SharedKey(theirs.privateKey, ours.publicKey)
    assert.is(a.byteLength, 32)
    assert.is(hex(a), hex(b))
    assert.is(hex(defaultCrypto.generateX25519SharedKey(ours.privateKey, theirs.publicKey)), hex(a), 'our private key bytes are the real key')
  }
})

test('a key pair from a seed is noise\'s, and serves agreements', () => {
  const seed = new Uint8Array(randomBytes(32))
  const ours = noiseCrypto.generateX25519KeyPairFromSeed(seed)
  const theirs = defaultCrypto.generateX25519KeyPairFromSeed(seed)
  assert.is(hex(ours.publicKey), hex(theirs.publicKey))
  assert.is(hex(ours.privateKey), hex(seed))
  const peer = defaultCrypto.generateX25519KeyPair()
  assert.is(hex(noiseCrypto.generateX25519SharedKey(ours.privateKey, peer.publicKey)), hex(defaultCrypto.generateX25519SharedKey(peer.privateKey, ours.publicKey)))
})

test('a private key this module did not make, or keys in pieces, are imported as noise does', () => {
  const peer = defaultCrypto.generateX25519KeyPair()
  const stranger = defaultCrypto.generateX25519KeyPair()
  const expected = hex(defaultCrypto.generateX25519SharedKey(stranger.privateKey, peer.publicKey))
  assert.is(hex(noiseCrypto.generateX25519SharedKey(new Uint8Array(stranger.privateKey), peer.publicKey)), expected)
  // noise's own copy of uint8arraylist types its parameter; the class is the same at run time.
  type Pieces = Parameters<typeof noiseCrypto.generateX25519SharedKey>[0]
  const pieces = (b: Uint8Array): Pieces => new Uint8ArrayList(b.subarray(0, 7), b.subarray(7)) as unknown as Pieces
  assert.is(hex(noiseCrypto.generateX25519SharedKey(pieces(stranger.privateKey), pieces(peer.publicKey))), expected)
})

test('a low-order public key is refused as by the default, not agreed on', () => {
  const ours = noiseCrypto.generateX25519KeyPair()
  const zero = new Uint8Array(32)
  assert.throws(() => defaultCrypto.generateX25519SharedKey(ours.privateKey, zero))
  assert.throws(() => noiseCrypto.generateX25519SharedKey(ours.privateKey, zero))
})

test('libp2p nodes with it connect to each other and to nodes on noise\'s default', async () => {
  const make = async (crypto: boolean): Promise<Libp2p> => await createLibp2p({
    ...baseOptions(),
    connectionEncrypters: [crypto ? noise({ crypto: noiseCrypto }) : noise()]
  })
  const nodes = await Promise.all([make(true), make(true), make(false)])
  try {
    const [a, b, plain] = nodes
    for (const [from, to] of [[a, b], [a, plain], [plain, b]] as const) {
      const conn = await from.dial(to.getMultiaddrs()[0])
      assert.is(conn.remotePeer.toString(), to.peerId.toString())
      assert.is(conn.status, 'open')
    }
  } finally {
    await Promise.all(nodes.map(async (n) => { await n.stop() }))
  }
})

test.run()
