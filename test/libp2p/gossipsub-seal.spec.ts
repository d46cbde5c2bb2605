import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { GOSSIPSUB_SEAL_OVERHEAD, GossipsubSeal } from '../../src/libp2p/gossipsub-seal.ts'
import { GOSSIPSUB_KEY_DOMAIN, lengthPrefixed } from '../../src/libp2p/key-derivation.ts'
import { Keyring, keyHint, keyId } from '../../src/libp2p/keyring.ts'

const test = suite('gossipsub seal')

const A = '12D3KooWA1111111111111111111111111111111111111111111'
const B = '12D3KooWB2222222222222222222222222222222222222222222'

const key = (): Uint8Array => new Uint8Array(randomBytes(32))
const payload = new TextEncoder().encode('a gossip message')
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

function opened (seal: GossipsubSeal, from: string, data: Uint8Array): string {
  const result = seal.open(from, data)
  return 'error' in result ? `error ${result.error}` : text(result.payload)
}

test('a sealed publication opens with the same key and cluster, and hides its payload', () => {
  const k = key()
  const sealed = new GossipsubSeal({ keyring: new Keyring([k]), cluster: 'prod' }).seal(A, payload)
  assert.is(sealed.byteLength, payload.byteLength + GOSSIPSUB_SEAL_OVERHEAD)
  assert.is(GOSSIPSUB_SEAL_OVERHEAD, 30)
  assert.is(sealed[1], keyHint(keyId(k)))
  assert.not.ok(Buffer.from(sealed).includes(Buffer.from(payload)), 'the payload is encrypted')
  assert.is(opened(new GossipsubSeal({ keyring: new Keyring([k]), cluster: 'prod' }), A, sealed), 'a gossip message')
})

test('the format is pinned: HKDF of the cluster key, ChaCha20-Poly1305 over version, hint and publisher', () => {
  const k = key()
  const info = lengthPrefixed(GOSSIPSUB_KEY_DOMAIN, ['prod'])
  assert.is(text(info.subarray(4, 4 + GOSSIPSUB_KEY_DOMAIN.length)), 'libp2p-swim/gossipsub-key/v1')
  const topicKey = Buffer.from(hkdfSync('sha256', k, new Uint8Array(0), info, 32))
  const nonce = randomBytes(12)
  const hint = keyHint(keyId(k))
  const cipher = createCipheriv('chacha20-poly1305', topicKey, nonce, { authTagLength: 16 })
  cipher.setAAD(Buffer.concat([Buffer.from([1, hint]), Buffer.from(A)]), { plaintextLength: payload.byteLength })
  const body = Buffer.concat([cipher.update(payload), cipher.final()])
  const built = Buffer.concat([Buffer.from([1, hint]), nonce, body, cipher.getAuthTag()])
  assert.is(opened(new GossipsubSeal({ keyring: new Keyring([k]), cluster: 'prod' }), A, built), 'a gossip message')
})

test('another key, a removed key, another cluster, another publisher, an altered byte: nothing opens', () => {
  // Hint 0 is also the keyless hint: a keyless node tries a key of that hint as keyless and
  // finds it forged, not foreign (1 key in 256), which is not what the keyless check below asks.
  let k = key()
  while (keyHint(keyId(k)) === 0) k = key()
  const ring = new Keyring([k])
  const seal = new GossipsubSeal({ keyring: ring, cluster: 'prod' })
  const sealed = seal.seal(A, payload)
  let other = key()
  while (keyHint(keyId(other)) === keyHint(keyId(k))) other = key()
  assert.is(opened(new GossipsubSeal({ keyring: new Keyring([other]), cluster: 'prod' }), A, sealed), 'error foreign-key')
  assert.is(opened(new GossipsubSeal({ keyring: new Keyring(), cluster: 'prod' }), A, sealed), 'error foreign-key', 'a keyless node')
  assert.is(opened(new GossipsubSeal({ keyring: new Keyring([k]), cluster: 'staging' }), A, sealed), 'error forged', 'another cluster name')
  assert.is(opened(seal, B, sealed), 'error forged', 'passed off as another publisher\'s')
  for (const at of [1, 2, 14, sealed.byteLength - 1]) {
    const altered = sealed.slice()
    altered[at] ^= 1
    assert.match(opened(seal, A, altered), /^error (forged|foreign-key)$/, `byte ${at} altered`)
  }
  assert.is(opened(seal, A, sealed.subarray(0, GOSSIPSUB_SEAL_OVERHEAD - 1)), 'error short')
  const future = sealed.slice()
  future[0] = 2
  assert.is(opened(seal, A, future), 'error version')
  assert.is(opened(seal, A, new TextEncoder().encode('an unsealed gossip message, long enough to be one')), 'error version', 'an unsealed gossip message')
})

test('rotation: while both keys are installed either opens; after the old one is removed, only the new one', () => {
  const oldKey = key()
  let newKey = key()
  while (keyHint(keyId(newKey)) === keyHint(keyId(oldKey))) newKey = key()
  const sender = new Keyring([oldKey])
  const receiver = new Keyring([oldKey])
  const seal = new GossipsubSeal({ keyring: sender, cluster: 'prod' })
  const open = new GossipsubSeal({ keyring: receiver, cluster: 'prod' })
  const underOld = seal.seal(A, payload)
  const newId = receiver.install(newKey)
  sender.install(newKey)
  sender.use(newId)
  const underNew = seal.seal(A, payload)
  assert.is(underNew[1], keyHint(newId), 'sealed under the new primary')
  assert.is(opened(open, A, underOld), 'a gossip message')
  assert.is(opened(open, A, underNew), 'a gossip message')
  receiver.use(newId)
  receiver.remove(keyId(oldKey))
  assert.is(opened(open, A, underOld), 'error foreign-key', 'the removed key no longer opens')
  assert.is(opened(open, A, underNew), 'a gossip message')
})

test('keyless: sealed under a key derived from the cluster name, so keyless clusters of other names do not read it', () => {
  const sealed = new GossipsubSeal({ keyring: new Keyring(), cluster: 'prod' }).seal(A, payload)
  assert.is(sealed[1], 0)
  assert.is(opened(new GossipsubSeal({ keyring: new Keyring(), cluster: 'prod' }), A, sealed), 'a gossip message')
  assert.is(opened(new GossipsubSeal({ keyring: new Keyring(), cluster: 'other' }), A, sealed), 'error forged')
})

test('nonces are fresh: the same payload sealed twice differs', () => {
  const seal = new GossipsubSeal({ keyring: new Keyring([key()]), cluster: 'prod' })
  assert.not.equal(seal.seal(A, payload), seal.seal(A, payload))
})

test.run()
