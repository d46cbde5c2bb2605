import '../../src/polyfill.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { RECORD_DOMAIN, RECORD_PAYLOAD_TYPE } from '../../src/libp2p/constants.ts'
import { createRecordSigner, createRecordVerifier, envelopeSignaturePayload } from '../../src/libp2p/signed-record.ts'
import { encodeRecordForSigning } from '../../src/wire/encode.ts'
import type { MemberRecord } from '../../src/core/messages.ts'

const test = suite('signed records')

async function member (): Promise<{ id: string, sign: (r: Omit<MemberRecord, 'signature'>) => Uint8Array, key: Awaited<ReturnType<typeof generateKeyPair>> }> {
  const key = await generateKeyPair('Ed25519')
  return { id: peerIdFromPrivateKey(key).toString(), sign: createRecordSigner(key), key }
}

test('a record signature is a libp2p signed-envelope signature over the record', async () => {
  const m = await member()
  const record = { id: m.id, incarnation: 3, addrs: ['/ip4/10.0.0.1/tcp/7946'], meta: { role: 'api' }, leaving: false }
  const signature = m.sign(record)
  assert.instance(signature, Uint8Array)
  const envelope = new RecordEnvelope({
    publicKey: m.key.publicKey,
    payloadType: RECORD_PAYLOAD_TYPE,
    payload: encodeRecordForSigning(record),
    signature
  })
  assert.ok(await envelope.validate(RECORD_DOMAIN))
  assert.not.ok(await envelope.validate('some-other-domain'))
})

test('the envelope payload format matches RFC 0002 length-prefixed fields', () => {
  const out = envelopeSignaturePayload(new Uint8Array([1, 2]), new Uint8Array(200).fill(7), new Uint8Array([9]))
  assert.equal([...out.subarray(0, 3)], [2, 1, 2])
  assert.equal([...out.subarray(3, 5)], [0xc8, 0x01])
  assert.is(out.byteLength, 3 + 2 + 200 + 2)
})

test('verify accepts a member\'s own record and rejects forgeries', async () => {
  const alice = await member()
  const mallory = await member()
  const verify = createRecordVerifier()
  const record = { id: alice.id, incarnation: 1, addrs: ['/ip4/10.0.0.1/tcp/1'], meta: {}, leaving: false }
  assert.ok(verify({ ...record, signature: alice.sign(record) }))
  // changed after signing
  assert.not.ok(verify({ ...record, incarnation: 2, signature: alice.sign(record) }))
  assert.not.ok(verify({ ...record, addrs: ['/ip4/6.6.6.6/tcp/1'], signature: alice.sign(record) }))
  // signed by someone else, claiming alice's id
  assert.not.ok(verify({ ...record, signature: mallory.sign({ ...record, id: mallory.id }) }))
  // no or garbage signature, id that is not a PeerId
  assert.not.ok(verify(record))
  assert.not.ok(verify({ ...record, signature: new Uint8Array(64) }))
  assert.not.ok(verify({ ...record, signature: new Uint8Array(3) }))
  assert.not.ok(verify({ ...record, id: 'not-a-peer-id', signature: alice.sign(record) }))
})

test('verify rejects members outside the allow-list', async () => {
  const alice = await member()
  const record = { id: alice.id, incarnation: 1, addrs: [], meta: {}, leaving: false }
  assert.not.ok(createRecordVerifier(() => false)({ ...record, signature: alice.sign(record) }))
})

test('secp256k1 keys sign synchronously too', async () => {
  const key = await generateKeyPair('secp256k1')
  const id = peerIdFromPrivateKey(key).toString()
  const record = { id, incarnation: 0, addrs: [], meta: {}, leaving: false }
  const signature = createRecordSigner(key)(record)
  assert.ok(createRecordVerifier()({ ...record, signature }))
})

test.run()
