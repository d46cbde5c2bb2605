/**
 * Row 10 of the attack table on real nodes: records at the old size caps (16 addresses of
 * 512 bytes, 32 metadata pairs of 64 + 512 bytes: about 26.9 kB each) fed to a member until
 * its state passes the old 4 MiB sync limit, after which push-pull silently stopped. The
 * test uses only what every version has (a raw sync from a plain libp2p node), so it can be
 * run against earlier code.
 */
import '../../src/polyfill.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import * as lp from 'it-length-prefixed'
import { createLibp2p } from 'libp2p'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { MemberRecord, Message, SyncEntry } from '../../src/core/messages.ts'
import { SYNC_PROTOCOL } from '../../src/libp2p/constants.ts'
import { Keyring } from '../../src/libp2p/keyring.ts'
import { createRecordSigner } from '../../src/libp2p/signed-record.ts'
import { streamProof } from '../../src/libp2p/stream-auth.ts'
import { encodeMessage } from '../../src/wire/index.ts'
import { aliveCount, baseOptions, createNode, idOf, stopAll, track } from './helpers.ts'
import type { SwimNode } from './helpers.ts'

const test = suite('attacks: size caps')

test.after.each(async () => { await stopAll() })

async function until (what: string, check: () => boolean, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function sendSync (from: Libp2p, to: SwimNode, message: Message): Promise<void> {
  const stream = await from.dialProtocol(to.getMultiaddrs()[0], SYNC_PROTOCOL)
  const timer = setTimeout(() => { stream.abort(new Error('timeout')) }, 10_000)
  try {
    stream.send(streamProof(new Keyring(), 'default', from.peerId.toString(), idOf(to)))
    stream.send(lp.encode.single(encodeMessage(message), { maxDataLength: 64 * 1024 * 1024 }))
    for await (const _ of stream) { /* drain */ }
  } catch {} finally {
    clearTimeout(timer)
  }
}

function signed (key: PrivateKey, fields: Omit<MemberRecord, 'id' | 'signature'>): MemberRecord {
  const unsigned = { id: peerIdFromPrivateKey(key).toString(), ...fields }
  return { ...unsigned, signature: createRecordSigner(key)(unsigned) }
}

const entry = (record: MemberRecord): SyncEntry => ({ record, state: 'alive', incarnation: record.incarnation })

test('row 10: 170 records at the old size caps cannot push a member\'s state past what a sync carries: a joiner is still answered', async () => {
  const victim = await createNode()
  const key = await generateKeyPair('Ed25519')
  const evil = track(await createLibp2p(baseOptions({ privateKey: key })))
  await sendSync(evil, victim, { type: 'sync', join: true, response: false, entries: [entry(signed(key, { incarnation: 0, addrs: ['/ip4/127.0.0.1/tcp/1'], meta: {}, leaving: false }))] })
  await until('the attacker to be a member', () => victim.services.swim.members().some((m) => m.id === evil.peerId.toString()))
  const fakes: SyncEntry[] = []
  for (let i = 0; i < 170; i++) {
    const meta: Record<string, string> = {}
    for (let k = 0; k < 32; k++) meta[`${String(k).padStart(2, '0')}${'k'.repeat(62)}`] = 'v'.repeat(512)
    const addrs = Array.from({ length: 16 }, (_, j) => `/dns4/${'a'.repeat(480)}${j}.example/tcp/${1000 + i}`)
    fakes.push(entry(signed(await generateKeyPair('Ed25519'), { incarnation: 0, addrs, meta, leaving: false })))
  }
  const size = encodeMessage({ type: 'sync', join: false, response: false, entries: fakes.slice(0, 1) }).byteLength
  assert.ok(size > 26_000, `a record of ${size} bytes`)
  // In two syncs of 85, each within the old 4 MiB limit.
  for (const part of [fakes.slice(0, 85), fakes.slice(85)]) {
    await sendSync(evil, victim, { type: 'sync', join: false, response: false, entries: part })
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  const joiner = await createNode()
  const answered = await joiner.services.swim.join(victim.getMultiaddrs().map(String))
  assert.is(answered, 1, 'the victim answered the joiner\'s push-pull')
  await until('the joiner and the victim to see each other', () => aliveCount(joiner) >= 2 && victim.services.swim.members().some((m) => m.id === idOf(joiner)))
  assert.ok(victim.services.swim.members().length <= 3, `the victim holds ${victim.services.swim.members().length} members`)
})

test('a sync above 4 MiB (a libp2p stream\'s default read buffer) is read and checked: here, a member\'s 5 MB sync of bad signatures is rejected', async () => {
  // Slow timings, so the exchange timeout (4 × probeTimeout) leaves a loaded machine time
  // to move 5 MB through the encrypted connection: what is tested is the size.
  const victim = await createNode({ swim: { probeInterval: 2000, probeTimeout: 1500 } })
  const key = await generateKeyPair('Ed25519')
  const evil = track(await createLibp2p(baseOptions({ privateKey: key })))
  const own = signed(key, { incarnation: 0, addrs: ['/ip4/127.0.0.1/tcp/1'], meta: {}, leaving: false })
  await sendSync(evil, victim, { type: 'sync', join: true, response: false, entries: [entry(own)] })
  await until('the attacker to be a member', () => victim.services.swim.members().some((m) => m.id === own.id))
  const before = victim.services.swim.stats().recordsRejected
  const entries = Array.from({ length: 9000 }, (_, i) => entry({
    ...own,
    incarnation: 1 + i,
    addrs: Array.from({ length: 16 }, (_, j) => `/ip4/10.${(i >> 8) & 255}.${i & 255}.${j}/tcp/${40000 + j}`),
    signature: new Uint8Array(64).fill(i % 251)
  }))
  assert.ok(encodeMessage({ type: 'sync', join: false, response: false, entries }).byteLength > 5_000_000)
  await sendSync(evil, victim, { type: 'sync', join: false, response: false, entries })
  await until('the sync to be checked and its bad signature counted', () => victim.services.swim.stats().recordsRejected > before, 20_000)
})

test.run()
