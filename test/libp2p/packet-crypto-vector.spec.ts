/**
 * A known-answer test: one datagram recomputed from the construction's description with
 * independent code (@noble's X25519, HKDF and ChaCha20-Poly1305 instead of node:crypto), and
 * pinned as bytes, so neither the key derivation nor the layout can change unnoticed.
 */
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Keyring } from '../../src/libp2p/keyring.ts'
import { PacketCrypto } from '../../src/libp2p/packet-crypto.ts'

const test = suite('packet crypto known answer')

const seedA = new Uint8Array(32).fill(0xa1)
const seedB = new Uint8Array(32).fill(0xb2)
const clusterKey = new Uint8Array(32).map((_, i) => i)
const cluster = 'vector'
const nowMs = 1_750_000_000_000
const epoch = 0x1234
const payload = new TextEncoder().encode('ping seq=42')

function lengthPrefixed (parts: Uint8Array[]): Uint8Array {
  const out: number[] = []
  for (const p of parts) out.push(p.length >>> 24, (p.length >>> 16) & 255, (p.length >>> 8) & 255, p.length & 255, ...p)
  return Uint8Array.from(out)
}

/** The datagram A seals for B, computed from the description in packet-crypto.ts and datagram.ts. */
function expected (keyed: boolean, idA: Uint8Array, idB: Uint8Array, pubB: Uint8Array): Uint8Array {
  const shared = x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(seedA), ed25519.utils.toMontgomery(pubB))
  const info = lengthPrefixed([new TextEncoder().encode('libp2p-swim/datagram-key/v1'), sha256(new TextEncoder().encode(cluster)), idA, idB])
  const key = hkdf(sha256, shared, keyed ? clusterKey : undefined, info, 32)
  const tag = sha256(idA).subarray(0, 4)
  const keyIdHint = sha256(clusterKey)[0]
  const counter = nowMs * 1000
  const header = Uint8Array.from([
    keyed ? 0x81 : 0x01,
    keyed ? keyIdHint : 0,
    ...tag,
    epoch >> 8, epoch & 255,
    ...Array.from({ length: 8 }, (_, i) => Number((BigInt(counter) >> BigInt(8 * (7 - i))) & 255n))
  ])
  const sealed = chacha20poly1305(key, header.subarray(4), header).encrypt(payload)
  return Uint8Array.from([...header, ...sealed])
}

const PINNED = {
  keyless: '0100b6526eb612340006379da05b6000e9ca338b1d899fd031ba1eca53c9ae411981781ede9bd49050ea2e',
  keyed: '8163b6526eb612340006379da05b60000b813dbace0962a61e1c244acf535396be9b5720bd80f6af458e08'
}

test('the first datagram A seals for B is the one the construction describes, keyless and keyed', async () => {
  const [a, b] = await Promise.all([generateKeyPairFromSeed('Ed25519', seedA), generateKeyPairFromSeed('Ed25519', seedB)])
  const idA = peerIdFromPrivateKey(a)
  const idB = peerIdFromPrivateKey(b)
  for (const keyed of [false, true]) {
    const crypto = new PacketCrypto({ privateKey: a, cluster, keyring: new Keyring(keyed ? [clusterKey] : []), now: () => nowMs, epoch })
    const sealed = crypto.seal(idB.toString(), payload) as Uint8Array
    const want = expected(keyed, idA.toMultihash().bytes, idB.toMultihash().bytes, b.publicKey.raw)
    assert.is(Buffer.from(sealed).toString('hex'), Buffer.from(want).toString('hex'))
    const pinned = PINNED[keyed ? 'keyed' : 'keyless']
    assert.is(Buffer.from(sealed).toString('hex'), pinned)
  }
})

test('an epoch outside 16 bits is refused', async () => {
  const a = await generateKeyPairFromSeed('Ed25519', seedA)
  for (const bad of [-1, 0x10000, 1.5]) {
    assert.throws(() => new PacketCrypto({ privateKey: a, cluster, keyring: new Keyring(), epoch: bad }), /epoch/)
  }
})

test.run()
