import '../../src/polyfill.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generateKey } from '@libp2p/pnet'
import { createLibp2p } from 'libp2p'
import * as lp from 'it-length-prefixed'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { allowListGater, clusterKeyProtector } from '../../src/libp2p/admission.ts'
import { PROBE_PROTOCOL, SYNC_PROTOCOL } from '../../src/libp2p/constants.ts'
import { Keyring } from '../../src/libp2p/keyring.ts'
import { createRecordSigner } from '../../src/libp2p/signed-record.ts'
import { streamProof } from '../../src/libp2p/stream-auth.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { aliveCount, baseOptions, createCluster, createNode, idOf, memberOf, stopAll, track, waitFor } from './helpers.ts'
import type { MemberRecord, Message } from '../../src/core/messages.ts'
import type { JoinErrorDetail } from '../../src/libp2p/join-errors.ts'
import type { Libp2p, PrivateKey } from '@libp2p/interface'

const test = suite('admission')

test.after.each(async () => { await stopAll() })

function clusterKey (): Uint8Array {
  const key = new Uint8Array(95)
  generateKey(key)
  return key
}

test('a node with another cluster key cannot join', async () => {
  const key = clusterKey()
  const nodes = await createCluster(3, { connectionProtector: clusterKeyProtector(key) })
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 3))
  const outsider = await createNode({ connectionProtector: clusterKeyProtector(new TextDecoder().decode(clusterKey())) })
  const answered = await outsider.services.swim.join(nodes[0].getMultiaddrs().map(String))
  assert.is(answered, 0)
  assert.is(outsider.services.swim.members().length, 1)
  await new Promise((resolve) => setTimeout(resolve, 500))
  for (const n of nodes) {
    assert.is(memberOf(n, idOf(outsider)), undefined)
    assert.is(aliveCount(n), 3)
  }
})

test('with cluster keys in the keyring, a node with another key cannot join, and its streams are reset unread', async () => {
  const key = new Uint8Array(32).fill(1)
  const nodes = await createCluster(3, { swim: { clusterKeys: [key] } })
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 3))
  assert.equal(nodes[0].services.swim.keys.list().map((k) => k.primary), [true])
  const outsider = await createNode({ swim: { clusterKeys: [new Uint8Array(32).fill(2)] } })
  assert.is(await outsider.services.swim.join(nodes[0].getMultiaddrs().map(String)), 0)
  assert.is(outsider.services.swim.members().length, 1)
  const keyless = await createNode()
  assert.is(await keyless.services.swim.join(nodes[0].getMultiaddrs().map(String)), 0)
  await waitFor('the outsiders\' streams to be counted', () => (nodes[0].services.swim.stats().streamsRejected ?? 0) >= 2)
  for (const n of nodes) {
    assert.is(memberOf(n, idOf(outsider)), undefined)
    assert.is(memberOf(n, idOf(keyless)), undefined)
    assert.is(aliveCount(n), 3)
  }
})

test('a join through a member holding another key (or none) fails with join:error key-mismatch, not no-answer', async () => {
  const seed = await createNode({ swim: { clusterKeys: [new Uint8Array(32).fill(1)] } })
  const addrs = seed.getMultiaddrs().map(String)
  const joiners = [
    await createNode({ swim: { clusterKeys: [new Uint8Array(32).fill(2)] } }),
    await createNode()
  ]
  for (const joiner of joiners) {
    const errors: JoinErrorDetail[] = []
    joiner.services.swim.addEventListener('join:error', (e) => { errors.push(e.detail) })
    assert.is(await joiner.services.swim.join(addrs), 0)
    assert.equal(errors.map((e) => [e.seed, e.cause, e.attempt]), [[addrs[0], 'key-mismatch', 0]], JSON.stringify(errors))
    assert.match(errors[0].message, /--cluster-key/)
  }
  // the same seed, holding the joiner's key, answers: the cause was the key
  const member = await createNode({ swim: { clusterKeys: [new Uint8Array(32).fill(1)] } })
  const errors: JoinErrorDetail[] = []
  member.services.swim.addEventListener('join:error', (e) => { errors.push(e.detail) })
  assert.is(await member.services.swim.join(addrs), 1)
  assert.equal(errors, [])
})

test('a node outside the allow-list cannot join', async () => {
  const [ka, kb] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')])
  const allowList = [peerIdFromPrivateKey(ka).toString(), peerIdFromPrivateKey(kb).toString()]
  const a = await createNode({ privateKey: ka, swim: { allowList } })
  const b = await createNode({ privateKey: kb, swim: { allowList, seeds: a.getMultiaddrs().map(String) } })
  await waitFor('the listed members to see each other', () => aliveCount(a) === 2 && aliveCount(b) === 2)
  const outsider = await createNode()
  assert.is(await outsider.services.swim.join(a.getMultiaddrs().map(String)), 0)
  assert.is(outsider.services.swim.members().length, 1)
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.is(memberOf(a, idOf(outsider)), undefined)
  assert.is(memberOf(b, idOf(outsider)), undefined)
})

test('allowListGater refuses connections from peers not listed', async () => {
  const a = await createNode()
  const listed = await createNode()
  const gated = await createNode({ connectionGater: allowListGater([idOf(a)]) })
  assert.is(await a.services.swim.join(gated.getMultiaddrs().map(String)), 1)
  assert.is(await listed.services.swim.join(gated.getMultiaddrs().map(String)), 0)
  await waitFor('the listed peer to be a member', () => aliveCount(gated) === 2)
  assert.is(memberOf(gated, idOf(listed)), undefined)
})

async function attacker (privateKey: PrivateKey): Promise<Libp2p> {
  const node = track(await createLibp2p(baseOptions({ privateKey })))
  // Answer nothing, read everything: the target's acks must not pile up anywhere.
  await node.handle(PROBE_PROTOCOL, (stream) => { void (async () => { for await (const _ of stream) { /* drain */ } })().catch(() => {}) })
  return node
}

/** The stream proof of a keyless cluster named `default`: public, so any attacker can make it. */
function keylessProof (from: Libp2p, to: Libp2p): Uint8Array {
  return streamProof(new Keyring(), 'default', idOf(from), idOf(to))
}

async function sendFrames (from: Libp2p, to: Libp2p, messages: Message[], proof = keylessProof(from, to)): Promise<void> {
  const stream = await from.dialProtocol(to.getMultiaddrs()[0], PROBE_PROTOCOL)
  stream.send(proof)
  for (const m of messages) stream.send(lp.encode.single(encodeMessage(m)))
  await stream.close()
}

test('a forged record is rejected and the victim\'s entry is unchanged', async () => {
  const nodes = await createCluster(3)
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 3))
  const [target, victim] = nodes
  const victimId = idOf(victim)
  const before = memberOf(target, victimId)
  assert.ok(before)
  const rejectedBefore = target.services.swim.stats().recordsRejected

  const evilKey = await generateKeyPair('Ed25519')
  const evil = await attacker(evilKey)
  const forged: Omit<MemberRecord, 'signature'> = {
    id: victimId,
    incarnation: before.incarnation + 5,
    addrs: ['/ip4/6.6.6.6/tcp/666'],
    meta: { owned: 'yes' },
    leaving: false
  }
  const signedByAttacker = createRecordSigner(evilKey)(forged)
  const records: MemberRecord[] = [
    { ...forged, signature: new Uint8Array(64).fill(7) },
    { ...forged, signature: signedByAttacker },
    { ...forged, incarnation: forged.incarnation + 1, leaving: true, signature: signedByAttacker }
  ]
  await sendFrames(evil, target, records.map((record) => ({ type: 'gossip', updates: [{ type: 'record', record }] })))
  // and through push-pull
  const sync = await evil.dialProtocol(target.getMultiaddrs()[0], SYNC_PROTOCOL)
  sync.send(keylessProof(evil, target))
  sync.send(lp.encode.single(encodeMessage({
    type: 'sync',
    join: false,
    response: false,
    entries: [{ record: { ...forged, incarnation: forged.incarnation + 2, signature: signedByAttacker }, state: 'alive', incarnation: forged.incarnation + 2 }]
  })))

  await waitFor('the forged records to be rejected', () => target.services.swim.stats().recordsRejected >= rejectedBefore + 4)
  const after = memberOf(target, victimId)
  assert.is(after?.incarnation, before.incarnation)
  assert.equal(after?.addrs, before.addrs)
  assert.equal(after?.meta, before.meta)
  assert.is(after?.state, 'alive')
  // the forgery did not spread either
  await new Promise((resolve) => setTimeout(resolve, 300))
  for (const n of nodes) {
    const seen = memberOf(n, victimId) ?? n.services.swim.localMember()
    assert.not.equal(seen.addrs, forged.addrs)
  }
})

test.run()
