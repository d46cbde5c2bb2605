import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Keyring, keyHint, keyId } from '../../src/libp2p/keyring.ts'
import { PacketCrypto, senderTag } from '../../src/libp2p/packet-crypto.ts'
import type { OpenResult } from '../../src/libp2p/packet-crypto.ts'
import { DATAGRAM_VERSION, KEYED_FLAG } from '../../src/wire/datagram.ts'
import { mutate, mutationArb } from './arbitraries.ts'

const test = suite('datagram fuzz')

const RUNS = 3000
const ERRORS = new Set(['short', 'version', 'unknown-sender', 'foreign-key', 'forged', 'replay'])

interface Setup { a: PacketCrypto, b: PacketCrypto, aId: string, bId: string, first: number, hint: number, tag: number }

async function setup (keyed: boolean): Promise<Setup> {
  const [ka, kb] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')])
  const keys = keyed ? [new Uint8Array(randomBytes(32))] : []
  const a = new PacketCrypto({ privateKey: ka, cluster: 'fuzz', keyring: new Keyring(keys) })
  const b = new PacketCrypto({ privateKey: kb, cluster: 'fuzz', keyring: new Keyring(keys) })
  const aId = peerIdFromPrivateKey(ka).toString()
  const bId = peerIdFromPrivateKey(kb).toString()
  a.know(bId)
  b.know(aId)
  return {
    a,
    b,
    aId,
    bId,
    first: DATAGRAM_VERSION | (keyed ? KEYED_FLAG : 0),
    hint: keyed ? keyHint(keyId(keys[0])) : 0,
    tag: senderTag(peerIdFromPrivateKey(ka).toMultihash().bytes)
  }
}

/** Opens without letting an exception escape unnoticed; a drop carries a known reason. */
function checkOpen (crypto: PacketCrypto, packet: Uint8Array): OpenResult {
  let result: OpenResult
  try {
    result = crypto.open(packet)
  } catch (err) {
    throw new Error(`open threw on ${Buffer.from(packet).toString('hex')}: ${String(err)}`)
  }
  if ('error' in result) assert.ok(ERRORS.has(result.error), `unknown error ${result.error}`)
  return result
}

for (const keyed of [false, true]) {
  const mode = keyed ? 'keyed' : 'keyless'

  test(`${mode}: ${RUNS} valid datagrams open with their payload`, async () => {
    const s = await setup(keyed)
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 1400, size: 'max' })), (payload) => {
      const result = checkOpen(s.b, s.a.seal(s.bId, payload) as Uint8Array)
      assert.equal(result, { from: s.aId, payload })
    }), { numRuns: RUNS })
  })

  test(`${mode}: ${RUNS} random byte strings, bare or behind a plausible header, never throw and never open`, async () => {
    const s = await setup(keyed)
    const raw = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 32, maxLength: 256, size: 'max' }))
    // right version, hint and a known sender's tag: only authentication can refuse these
    const plausible = fc.uint8Array({ minLength: 26, maxLength: 256, size: 'max' }).map((rest) => {
      const out = new Uint8Array(6 + rest.byteLength)
      out[0] = s.first
      out[1] = s.hint
      new DataView(out.buffer).setUint32(2, s.tag)
      out.set(rest, 6)
      return out
    })
    const seen = new Map<string, number>()
    fc.assert(fc.property(fc.oneof(raw, plausible), (bytes) => {
      const result = checkOpen(s.b, bytes)
      assert.ok('error' in result, 'random bytes opened')
      seen.set(result.error, (seen.get(result.error) ?? 0) + 1)
    }), { numRuns: RUNS })
    for (const error of ['short', 'version', 'forged']) assert.ok((seen.get(error) ?? 0) > RUNS / 20, `${error}: ${JSON.stringify([...seen])}`)
  })

  test(`${mode}: ${RUNS} mutated datagrams never throw, open only if unchanged, and never spoil the original`, async () => {
    const s = await setup(keyed)
    const others = fc.uint8Array({ maxLength: 64 })
    let changed = 0
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200, size: 'max' }), fc.array(mutationArb(others), { minLength: 1, maxLength: 4 }), (payload, mutations) => {
      const packet = s.a.seal(s.bId, payload) as Uint8Array
      const mutated = mutations.reduce(mutate, packet)
      const result = checkOpen(s.b, mutated)
      if (Buffer.from(mutated).equals(packet)) {
        assert.equal(result, { from: s.aId, payload })
        return
      }
      changed++
      assert.ok('error' in result, `a mutated datagram opened: ${JSON.stringify(mutations)}`)
      assert.equal(checkOpen(s.b, packet), { from: s.aId, payload })
    }), { numRuns: RUNS })
    assert.ok(changed > RUNS / 2)
  })
}

test.run()
