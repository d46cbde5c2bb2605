import { randomBytes } from 'node:crypto'
import { generateKeyPair, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromPublicKey } from '@libp2p/peer-id'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Keyring, keyHint, keyId } from '../../src/libp2p/keyring.ts'
import { MAX_KNOWN_PEERS, PacketCrypto, senderTag } from '../../src/libp2p/packet-crypto.ts'
import type { OpenResult } from '../../src/libp2p/packet-crypto.ts'
import { REPLAY_WINDOW } from '../../src/libp2p/replay-window.ts'
import { DATAGRAM_OVERHEAD, readDatagramHeader } from '../../src/wire/datagram.ts'
import type { PrivateKey } from '@libp2p/interface'

const test = suite('packet crypto')

interface Node {
  id: string
  key: PrivateKey
  crypto: PacketCrypto
  keyring: Keyring
}

interface NodeOptions {
  keys?: Uint8Array[]
  keyring?: Keyring
  cluster?: string
  now?: () => number
  key?: PrivateKey
}

async function node (options: NodeOptions = {}): Promise<Node> {
  const key = options.key ?? await generateKeyPair('Ed25519')
  const keyring = options.keyring ?? new Keyring(options.keys ?? [])
  const crypto = new PacketCrypto({ privateKey: key, cluster: options.cluster ?? 'test', keyring, now: options.now })
  return { id: peerIdFromPrivateKey(key).toString(), key, crypto, keyring }
}

/** Two nodes that know each other. */
async function pair (a: NodeOptions = {}, b: NodeOptions = a): Promise<[Node, Node]> {
  const [x, y] = await Promise.all([node(a), node(b)])
  x.crypto.know(y.id)
  y.crypto.know(x.id)
  return [x, y]
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

function opened (result: OpenResult, from: string, payload: Uint8Array): void {
  assert.ok('payload' in result, `expected the datagram to open, got ${JSON.stringify(result)}`)
  assert.is(result.from, from)
  assert.equal(result.payload, payload)
}

function dropped (result: OpenResult, error: string): void {
  assert.equal(result, { error })
}

function seal (from: Node, to: Node, payload: Uint8Array): Uint8Array {
  const packet = from.crypto.seal(to.id, payload)
  assert.instance(packet, Uint8Array)
  return packet as Uint8Array
}

/** A 32-byte key whose hint byte is `hint` (a few hundred tries). */
function keyWithHint (hint: number): Uint8Array {
  for (;;) {
    const k = new Uint8Array(randomBytes(32))
    if (keyHint(keyId(k)) === hint) return k
  }
}

test('a keyless datagram opens at its receiver with its sender and payload, for 32 bytes of overhead', async () => {
  const [a, b] = await pair()
  assert.is(a.crypto.overhead, 32)
  assert.is(DATAGRAM_OVERHEAD, 32)
  for (const size of [0, 1, 100, 1400, 9000]) {
    const payload = new Uint8Array(randomBytes(size))
    const packet = seal(a, b, payload)
    assert.is(packet.byteLength, size + 32)
    opened(b.crypto.open(packet), a.id, payload)
    opened(a.crypto.open(seal(b, a, payload)), b.id, payload)
  }
})

test('a keyed datagram opens at a member holding the key', async () => {
  const k = new Uint8Array(randomBytes(32))
  const [a, b] = await pair({ keys: [k] })
  const payload = bytes('ping seq=1')
  const packet = seal(a, b, payload)
  const header = readDatagramHeader(packet)
  assert.ok(header.ok && header.header.keyed && header.header.hint === keyHint(keyId(k)))
  opened(b.crypto.open(packet), a.id, payload)
})

test('the payload is encrypted, keyless or keyed', async () => {
  const payload = bytes('a recognisable payload that must not appear on the wire')
  for (const keys of [[], [new Uint8Array(randomBytes(32))]]) {
    const [a, b] = await pair({ keys })
    const packet = seal(a, b, payload)
    assert.not.ok(Buffer.from(packet).includes(Buffer.from('recognisable')))
    assert.not.ok(Buffer.from(packet).includes(Buffer.from(payload.subarray(0, 8))))
  }
})

test('the header carries the sender tag, the key hint and a counter started at the clock in µs', async () => {
  const [a, b] = await pair({ now: () => 1_700_000_000_123.5 })
  const first = readDatagramHeader(seal(a, b, bytes('x')))
  const second = readDatagramHeader(seal(a, b, bytes('x')))
  assert.ok(first.ok && second.ok)
  assert.is(first.header.counter, 1_700_000_000_123_500)
  assert.is(second.header.counter, first.header.counter + 1)
  assert.is(first.header.sender, senderTag(peerIdFromPrivateKey(a.key).toMultihash().bytes))
  assert.is(first.header.keyed, false)
  assert.is(first.header.hint, 0)
})

test('a flipped bit anywhere makes a datagram drop, and the original still opens after', async () => {
  for (const keys of [[], [new Uint8Array(randomBytes(32))]]) {
    const [a, b] = await pair({ keys })
    const payload = bytes('ack seq=7 with some piggybacked updates')
    const packet = seal(a, b, payload)
    const errors = new Set<string>()
    for (let i = 0; i < packet.byteLength * 8; i++) {
      const forged = packet.slice()
      forged[i >> 3] ^= 1 << (i & 7)
      const result = b.crypto.open(forged)
      assert.ok('error' in result, `bit ${i} flipped still opened`)
      errors.add(result.error)
    }
    // header fields are refused for what they are; the rest by authentication
    assert.ok(errors.has('version') && errors.has('foreign-key') && errors.has('unknown-sender') && errors.has('forged'), [...errors].join())
    opened(b.crypto.open(packet), a.id, payload)
  }
})

test('a member cannot seal a datagram that opens as another member\'s', async () => {
  const [a, b] = await pair()
  const mallory = await node()
  mallory.crypto.know(b.id)
  b.crypto.know(mallory.id)
  const packet = seal(mallory, b, bytes('alice is dead'))
  // rewrite the sender tag to alice's: the pair key is then alice's, which mallory lacks
  const tagOfA = readDatagramHeader(seal(a, b, bytes('')))
  assert.ok(tagOfA.ok)
  const forged = packet.slice()
  new DataView(forged.buffer).setUint32(2, tagOfA.header.sender)
  dropped(b.crypto.open(forged), 'forged')
  // the untouched datagram opens as mallory's, never as alice's
  opened(b.crypto.open(packet), mallory.id, bytes('alice is dead'))
})

test('a datagram opens only at the member it was sealed for, and not back at its sender', async () => {
  const [a, b] = await pair()
  const c = await node()
  c.crypto.know(a.id)
  a.crypto.know(c.id)
  const packet = seal(a, b, bytes('for b'))
  dropped(c.crypto.open(packet), 'forged')
  // reflected: its tag is a's own, which a does not index
  dropped(a.crypto.open(packet), 'unknown-sender')
  // reflected with b's tag written in, so a tries b's key: each direction has its own
  const reflected = packet.slice()
  const tagOfB = readDatagramHeader(seal(b, a, bytes('')))
  assert.ok(tagOfB.ok)
  new DataView(reflected.buffer).setUint32(2, tagOfB.header.sender)
  dropped(a.crypto.open(reflected), 'forged')
  opened(b.crypto.open(packet), a.id, bytes('for b'))
})

test('a datagram opens once: the same datagram again is a replay', async () => {
  const [a, b] = await pair()
  const packet = seal(a, b, bytes('ping'))
  opened(b.crypto.open(packet), a.id, bytes('ping'))
  dropped(b.crypto.open(packet), 'replay')
  dropped(b.crypto.open(packet.slice()), 'replay')
})

test('datagrams reordered within the window all open, each once', async () => {
  const [a, b] = await pair()
  const packets = Array.from({ length: REPLAY_WINDOW }, (_, i) => seal(a, b, bytes(`#${i}`)))
  const order = packets.map((_, i) => i).reverse()
  // the newest first, then the rest in reverse and shuffled pairs
  for (let i = 0; i + 1 < order.length; i += 7) [order[i], order[i + 1]] = [order[i + 1], order[i]]
  for (const i of order) opened(b.crypto.open(packets[i]), a.id, bytes(`#${i}`))
  for (const i of order) dropped(b.crypto.open(packets[i]), 'replay')
})

test('a datagram older than the window is refused even if never seen', async () => {
  const [a, b] = await pair()
  const old = seal(a, b, bytes('old'))
  const justInside = seal(a, b, bytes('inside'))
  for (let i = 0; i < REPLAY_WINDOW - 2; i++) seal(a, b, bytes('to anyone'))
  opened(b.crypto.open(seal(a, b, bytes('newest'))), a.id, bytes('newest'))
  dropped(b.crypto.open(old), 'replay')
  opened(b.crypto.open(justInside), a.id, bytes('inside'))
})

test('counters of datagrams sent to others leave gaps that do not matter', async () => {
  const [a, b] = await pair()
  const c = await node()
  a.crypto.know(c.id)
  for (let i = 0; i < 1000; i++) {
    if (i % 10 === 0) opened(b.crypto.open(seal(a, b, bytes(`${i}`))), a.id, bytes(`${i}`))
    else seal(a, c, bytes('other'))
  }
})

test('forgeries never move the replay window', async () => {
  const [a, b] = await pair()
  const packet = seal(a, b, bytes('real'))
  const forged = packet.slice()
  new DataView(forged.buffer).setUint32(12, new DataView(forged.buffer).getUint32(12) + 1000)
  dropped(b.crypto.open(forged), 'forged')
  opened(b.crypto.open(packet), a.id, bytes('real'))
  // a forgery reusing a seen counter is refused before any authentication
  const again = packet.slice()
  again[again.byteLength - 1] ^= 1
  dropped(b.crypto.open(again), 'replay')
})

test('a restarted sender\'s counter starts at its clock, so it moves forward; a clock gone back is refused', async () => {
  const key = await generateKeyPair('Ed25519')
  const b = await node()
  let clock = 1_700_000_000_000
  const start = async (): Promise<Node> => {
    const a = await node({ key, now: () => clock })
    a.crypto.know(b.id)
    return a
  }
  const a1 = await start()
  b.crypto.know(a1.id)
  const before = seal(a1, b, bytes('before'))
  opened(b.crypto.open(seal(a1, b, bytes('1'))), a1.id, bytes('1'))
  clock += 5000
  const a2 = await start()
  opened(b.crypto.open(seal(a2, b, bytes('2'))), a2.id, bytes('2'))
  dropped(b.crypto.open(before), 'replay')
  clock -= 60_000
  const a3 = await start()
  dropped(b.crypto.open(seal(a3, b, bytes('3'))), 'replay')
})

test('every truncation of a datagram is dropped, the short ones as short', async () => {
  for (const keys of [[], [new Uint8Array(randomBytes(32))]]) {
    const [a, b] = await pair({ keys })
    const packet = seal(a, b, bytes('suspect someone, with updates'))
    for (let n = 0; n < packet.byteLength; n++) {
      const result = b.crypto.open(packet.subarray(0, n))
      assert.ok('error' in result, `${n} bytes opened`)
      if (n < 32) assert.is(result.error, 'short')
      else assert.is(result.error, 'forged')
      // the same prefix inside a larger buffer reads only its own bytes
      const framed = new Uint8Array(n + 40)
      framed.set(packet.subarray(0, n), 20)
      assert.ok('error' in b.crypto.open(framed.subarray(20, 20 + n)))
    }
    opened(b.crypto.open(packet), a.id, bytes('suspect someone, with updates'))
  }
})

test('another cluster key is refused without a check, or fails authentication when its hint collides', async () => {
  const mine = new Uint8Array(randomBytes(32))
  const hint = keyHint(keyId(mine))
  const other = keyWithHint((hint + 1) % 256)
  const colliding = keyWithHint(hint)
  for (const [theirs, error] of [[other, 'foreign-key'], [colliding, 'forged']] as const) {
    const a = await node({ keys: [theirs] })
    const b = await node({ keys: [mine] })
    a.crypto.know(b.id)
    b.crypto.know(a.id)
    dropped(b.crypto.open(seal(a, b, bytes('hello'))), error)
  }
})

test('a keyless node and a keyed one never open each other\'s datagrams', async () => {
  const keyed = await node({ keys: [keyWithHint(0)] })
  const keyless = await node()
  keyed.crypto.know(keyless.id)
  keyless.crypto.know(keyed.id)
  dropped(keyless.crypto.open(seal(keyed, keyless, bytes('x'))), 'foreign-key')
  dropped(keyed.crypto.open(seal(keyless, keyed, bytes('x'))), 'foreign-key')
})

test('another cluster name never opens, keyless or keyed', async () => {
  for (const keys of [[], [new Uint8Array(randomBytes(32))]]) {
    const a = await node({ keys, cluster: 'blue' })
    const b = await node({ keys, cluster: 'green' })
    a.crypto.know(b.id)
    b.crypto.know(a.id)
    dropped(b.crypto.open(seal(a, b, bytes('x'))), 'forged')
  }
})

test('key rotation: install, use, remove on a running pair, with no datagram lost in between', async () => {
  const [k1, k2] = [keyWithHint(1), keyWithHint(2)]
  const [a, b] = await pair({ keys: [k1] }, { keys: [k1] })
  const round = (from: Node, to: Node, text: string): OpenResult => to.crypto.open(seal(from, to, bytes(text)))
  // 1. install the new key everywhere: still sending and opening with the old one
  a.keyring.install(k2)
  opened(round(a, b, 'a1'), a.id, bytes('a1'))
  opened(round(b, a, 'b1'), b.id, bytes('b1'))
  b.keyring.install(k2)
  // 2. use the new key: sent with it, opened by both, old-key datagrams still open
  const oldKey = seal(a, b, bytes('sealed under k1'))
  a.keyring.use(keyId(k2))
  const sent = seal(a, b, bytes('a2'))
  const header = readDatagramHeader(sent)
  assert.ok(header.ok && header.header.hint === 2, 'sent with the new key')
  opened(b.crypto.open(sent), a.id, bytes('a2'))
  opened(round(b, a, 'b2'), b.id, bytes('b2'))
  b.keyring.use(keyId(k2))
  opened(round(b, a, 'b3'), b.id, bytes('b3'))
  const lateOld = seal(b, a, bytes('late'))
  // 3. remove the old key: datagrams still sealed under it are dropped
  a.keyring.remove(keyId(k1))
  b.keyring.remove(keyId(k1))
  opened(round(a, b, 'a4'), a.id, bytes('a4'))
  opened(round(b, a, 'b4'), b.id, bytes('b4'))
  dropped(b.crypto.open(oldKey), 'foreign-key')
  // lateOld was sealed under k2 (b used it): it opens
  opened(a.crypto.open(lateOld), b.id, bytes('late'))
})

test('a removed key is refused even when another installed key shares its hint', async () => {
  const k1 = new Uint8Array(randomBytes(32))
  const twin = keyWithHint(keyHint(keyId(k1)))
  const [a, b] = await pair({ keys: [k1] })
  b.keyring.install(twin)
  const underK1 = seal(a, b, bytes('k1'))
  b.keyring.use(keyId(twin))
  b.keyring.remove(keyId(k1))
  dropped(b.crypto.open(underK1), 'forged')
})

test('seal refuses peers it has no key for: not Ed25519, not a PeerId, itself, a low-order key', async () => {
  const a = await node()
  const secp = peerIdFromPrivateKey(await generateKeyPair('secp256k1')).toString()
  assert.is(a.crypto.seal(secp, bytes('x')), undefined)
  a.crypto.know(secp)
  assert.is(a.crypto.seal(secp, bytes('x')), undefined)
  assert.is(a.crypto.seal('not a peer id', bytes('x')), undefined)
  assert.is(a.crypto.seal('', bytes('x')), undefined)
  assert.is(a.crypto.seal('1'.repeat(100_000), bytes('x')), undefined)
  // another spelling of a valid PeerId (CIDv1) is not the member id the core uses
  const b = await node()
  assert.is(a.crypto.seal(peerIdFromPrivateKey(b.key).toCID().toString(), bytes('x')), undefined)
  assert.instance(a.crypto.seal(b.id, bytes('x')), Uint8Array)
  assert.is(a.crypto.seal(a.id, bytes('x')), undefined)
  // the identity point: X25519 with it gives zero, which must not become a key
  const identity = new Uint8Array(32)
  identity[0] = 1
  const lowOrder = peerIdFromPublicKey(publicKeyFromRaw(identity)).toString()
  assert.is(a.crypto.seal(lowOrder, bytes('x')), undefined)
  // an Ed25519 key that is no curve point at all
  const junk = peerIdFromPublicKey(publicKeyFromRaw(new Uint8Array(32).fill(0xff))).toString()
  assert.is(a.crypto.seal(junk, bytes('x')), undefined)
})

test('an identity key that is not Ed25519 cannot seal datagrams', async () => {
  const key = await generateKeyPair('secp256k1')
  assert.throws(() => new PacketCrypto({ privateKey: key, cluster: 'test', keyring: new Keyring() }), (err: Error) => err instanceof TypeError && /secp256k1.*Ed25519/.test(err.message))
})

test('sealing to a member makes its replies openable', async () => {
  const a = await node()
  const b = await node()
  b.crypto.know(a.id)
  const packet = seal(a, b, bytes('ping'))
  opened(b.crypto.open(packet), a.id, bytes('ping'))
  opened(a.crypto.open(seal(b, a, bytes('ack'))), b.id, bytes('ack'))
})

test('an unknown or forgotten sender is dropped; knowing it again does not reopen its old datagrams', async () => {
  const [a, b] = await pair()
  const c = await node()
  c.crypto.know(b.id)
  dropped(b.crypto.open(seal(c, b, bytes('x'))), 'unknown-sender')
  const seen = seal(a, b, bytes('seen'))
  opened(b.crypto.open(seen), a.id, bytes('seen'))
  b.crypto.forget(a.id)
  dropped(b.crypto.open(seal(a, b, bytes('after forget'))), 'unknown-sender')
  b.crypto.know(a.id)
  dropped(b.crypto.open(seen), 'replay')
  opened(b.crypto.open(seal(a, b, bytes('back'))), a.id, bytes('back'))
})

test(`at most ${MAX_KNOWN_PEERS} members are known, the least recently used forgotten first`, async () => {
  const [a, b] = await pair()
  const c = await node()
  b.crypto.know(c.id)
  c.crypto.know(b.id)
  const seenFromA = seal(a, b, bytes('1'))
  opened(b.crypto.open(seenFromA), a.id, bytes('1'))
  for (let i = 0; i < MAX_KNOWN_PEERS - 2; i++) {
    b.crypto.know(peerIdFromPublicKey(publicKeyFromRaw(new Uint8Array(randomBytes(32)))).toString())
  }
  // c is touched (a datagram from it), so a is now the least recently used
  opened(b.crypto.open(seal(c, b, bytes('c'))), c.id, bytes('c'))
  b.crypto.know(peerIdFromPublicKey(publicKeyFromRaw(new Uint8Array(randomBytes(32)))).toString())
  dropped(b.crypto.open(seal(a, b, bytes('2'))), 'unknown-sender')
  opened(b.crypto.open(seal(c, b, bytes('c2'))), c.id, bytes('c2'))
  // a comes back: its old datagram is still a replay
  b.crypto.know(a.id)
  dropped(b.crypto.open(seenFromA), 'replay')
})

test.run()
