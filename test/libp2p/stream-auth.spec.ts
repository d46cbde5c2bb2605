import { randomBytes } from 'node:crypto'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Keyring, keyHint, keyId } from '../../src/libp2p/keyring.ts'
import { STREAM_PROOF_BYTES, checkStreamProof, streamProof } from '../../src/libp2p/stream-auth.ts'

const test = suite('stream auth')

const A = '12D3KooWA1111111111111111111111111111111111111111111'
const B = '12D3KooWB2222222222222222222222222222222222222222222'
const C = '12D3KooWC3333333333333333333333333333333333333333333'

const PINNED_KEYED = '18b091144abfac8084838a2580acece55c'
const PINNED_KEYLESS = '00ee9ec988c22710b7d71824c5b1337cf6'

const key = (): Uint8Array => new Uint8Array(randomBytes(32))

function keyWithHint (hint: number): Uint8Array {
  for (;;) {
    const k = key()
    if (keyHint(keyId(k)) === hint) return k
  }
}

test('a proof is the primary key\'s hint and a 16-byte MAC, and checks with the same key', () => {
  const k = key()
  const proof = streamProof(new Keyring([k]), 'prod', A, B)
  assert.is(proof.byteLength, STREAM_PROOF_BYTES)
  assert.is(STREAM_PROOF_BYTES, 17)
  assert.is(proof[0], keyHint(keyId(k)))
  assert.ok(checkStreamProof(new Keyring([k]), 'prod', A, B, proof))
  assert.equal(streamProof(new Keyring([k]), 'prod', A, B), proof, 'deterministic')
})

test('a proof is bound to its sender and receiver', () => {
  const ring = new Keyring([key()])
  const proof = streamProof(ring, 'prod', A, B)
  assert.ok(checkStreamProof(ring, 'prod', A, B, proof))
  assert.not.ok(checkStreamProof(ring, 'prod', A, C, proof), 'replayed by B toward C as A')
  assert.not.ok(checkStreamProof(ring, 'prod', B, C, proof), 'presented by B as its own')
  assert.not.ok(checkStreamProof(ring, 'prod', B, A, proof), 'reflected back')
  assert.not.ok(checkStreamProof(ring, 'prod', C, B, proof))
  // length-prefixed fields: moving a character across the boundary changes the proof
  assert.not.ok(checkStreamProof(ring, 'prod', A.slice(0, -1), A.slice(-1) + B, proof))
})

test('another key does not check, whether its hint differs or collides', () => {
  const mine = key()
  const ring = new Keyring([mine])
  for (const theirs of [keyWithHint((keyHint(keyId(mine)) + 1) % 256), keyWithHint(keyHint(keyId(mine)))]) {
    assert.not.ok(checkStreamProof(ring, 'prod', A, B, streamProof(new Keyring([theirs]), 'prod', A, B)))
  }
})

test('another cluster name does not check, keyless or keyed', () => {
  const k = key()
  assert.not.ok(checkStreamProof(new Keyring([k]), 'green', A, B, streamProof(new Keyring([k]), 'blue', A, B)))
  assert.not.ok(checkStreamProof(new Keyring(), 'green', A, B, streamProof(new Keyring(), 'blue', A, B)))
  assert.ok(checkStreamProof(new Keyring(), 'blue', A, B, streamProof(new Keyring(), 'blue', A, B)))
})

test('a keyless node and a keyed one never accept each other, even with a key of hint 0', () => {
  const keyless = new Keyring()
  const proof = streamProof(keyless, 'prod', A, B)
  assert.is(proof[0], 0)
  for (const keyed of [new Keyring([key()]), new Keyring([keyWithHint(0)])]) {
    assert.not.ok(checkStreamProof(keyed, 'prod', A, B, proof))
    assert.not.ok(checkStreamProof(keyless, 'prod', A, B, streamProof(keyed, 'prod', A, B)))
  }
})

test('rotation: every installed key is accepted, a removed one no longer', () => {
  const [k1, k2] = [key(), key()]
  const old = new Keyring([k1])
  const rotating = new Keyring([k1])
  const oldProof = streamProof(old, 'prod', A, B)
  rotating.install(k2)
  assert.ok(checkStreamProof(rotating, 'prod', A, B, oldProof), 'old key still accepted after install')
  assert.ok(checkStreamProof(rotating, 'prod', A, B, streamProof(new Keyring([k2]), 'prod', A, B)), 'new key accepted after install')
  rotating.use(keyId(k2))
  const newProof = streamProof(rotating, 'prod', B, A)
  assert.is(newProof[0], keyHint(keyId(k2)), 'proves with the new primary')
  assert.not.ok(checkStreamProof(old, 'prod', B, A, newProof), 'a node without the new key refuses it')
  old.install(k2)
  assert.ok(checkStreamProof(old, 'prod', B, A, newProof))
  assert.ok(checkStreamProof(rotating, 'prod', A, B, oldProof), 'old key accepted while installed')
  rotating.remove(keyId(k1))
  assert.not.ok(checkStreamProof(rotating, 'prod', A, B, oldProof), 'removed key refused')
})

test('a removed key is refused even when another installed key shares its hint', () => {
  const k1 = key()
  const twin = keyWithHint(keyHint(keyId(k1)))
  const proof = streamProof(new Keyring([k1]), 'prod', A, B)
  const ring = new Keyring([twin, k1])
  assert.ok(checkStreamProof(ring, 'prod', A, B, proof), 'either key of the hint is tried')
  ring.remove(keyId(k1))
  assert.not.ok(checkStreamProof(ring, 'prod', A, B, proof))
})

test('any flipped bit, any other length, or garbage is refused without throwing', () => {
  for (const ring of [new Keyring(), new Keyring([key()])]) {
    const proof = streamProof(ring, 'prod', A, B)
    for (let i = 0; i < proof.byteLength * 8; i++) {
      const forged = proof.slice()
      forged[i >> 3] ^= 1 << (i & 7)
      assert.not.ok(checkStreamProof(ring, 'prod', A, B, forged), `bit ${i}`)
    }
    for (let n = 0; n < 40; n++) {
      if (n === STREAM_PROOF_BYTES) continue
      const other = new Uint8Array(n)
      other.set(proof.subarray(0, n))
      assert.not.ok(checkStreamProof(ring, 'prod', A, B, other), `${n} bytes`)
    }
    assert.not.ok(checkStreamProof(ring, 'prod', A, B, undefined as unknown as Uint8Array))
    assert.not.ok(checkStreamProof(ring, 'prod', A, B, 'x'.repeat(17) as unknown as Uint8Array))
    for (let i = 0; i < 2000; i++) {
      const garbage = new Uint8Array(randomBytes(STREAM_PROOF_BYTES))
      garbage[0] = proof[0]
      assert.not.ok(checkStreamProof(ring, 'prod', A, B, garbage))
    }
  }
})

test('known answer: the proof is recomputed by independent HMAC code, keyed and keyless', () => {
  const enc = (text: string): Uint8Array => new TextEncoder().encode(text)
  const prefixed = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [p.length >>> 24, (p.length >>> 16) & 255, (p.length >>> 8) & 255, p.length & 255, ...p]))
  const message = prefixed([enc('libp2p-swim/stream-proof/v1'), enc('prod'), enc(A), enc(B)])
  const k = new Uint8Array(32).map((_, i) => 255 - i)
  const keyed = Uint8Array.from([sha256(k)[0], ...hmac(sha256, k, message).subarray(0, 16)])
  const keylessKey = sha256(prefixed([enc('libp2p-swim/keyless-stream-key/v1'), enc('prod')]))
  const keyless = Uint8Array.from([0, ...hmac(sha256, keylessKey, message).subarray(0, 16)])
  assert.equal(streamProof(new Keyring([k]), 'prod', A, B), keyed)
  assert.equal(streamProof(new Keyring(), 'prod', A, B), keyless)
  assert.is(Buffer.from(keyed).toString('hex'), PINNED_KEYED)
  assert.is(Buffer.from(keyless).toString('hex'), PINNED_KEYLESS)
})

test.run()
