/**
 * Attacker libp2p nodes in a process of their own, for the attack tests that measure the
 * victim's process (its event-loop delay, its resident memory): the attackers' own work
 * (encoding, encrypting, buffering what they send) must not be counted against the victim.
 *
 *   node --import tsx test/libp2p/attacks-child.ts '<config as JSON>'
 *
 * Every attacker first joins the victim with its own good record (any outsider can in a
 * cluster without a key), then the child prints `{"joined":[ids]}` and waits for a line on
 * stdin; then it attacks and prints `{"done":{...}}`, and exits on the next line (or when
 * stdin closes). The modes:
 *
 * - `flood`: each attacker resends one sync of `entries` records with bad signatures (16
 *   addresses each, so the frame is large and costly to decode) for `seconds`;
 * - `hold`: each attacker opens `streams` sync streams and sends on each a frame of 4 MiB − 1
 *   bytes but its last byte, so no frame ever completes, and holds them for `seconds`.
 */
import '../../src/polyfill.ts'
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as lp from 'it-length-prefixed'
import { createLibp2p } from 'libp2p'
import type { Libp2p, PrivateKey, Stream } from '@libp2p/interface'
import type { MemberRecord, SyncEntry } from '../../src/core/messages.ts'
import { DEFAULT_CLUSTER, SYNC_PROTOCOL } from '../../src/libp2p/constants.ts'
import { Keyring } from '../../src/libp2p/keyring.ts'
import { createRecordSigner } from '../../src/libp2p/signed-record.ts'
import { streamProof } from '../../src/libp2p/stream-auth.ts'
import { encodeMessage } from '../../src/wire/index.ts'
import { baseOptions } from './helpers.ts'

export interface ChildConfig {
  mode: 'flood' | 'hold'
  /** The victim's listen address and PeerId. */
  victim: string
  victimId: string
  attackers: number
  seconds: number
  /** flood: records in the sync. */
  entries?: number
  /** hold: sync streams per attacker (each attacker is one connection). */
  streams?: number
}

export interface ChildReport {
  /** flood: syncs sent in all. */
  sent?: number
  /** hold: streams opened. */
  opened?: number
}

interface Attacker { node: Libp2p, key: PrivateKey, id: string }

const config = JSON.parse(process.argv[2]) as ChildConfig
const victim = multiaddr(config.victim)

async function open (a: Attacker): Promise<Stream> {
  const stream = await a.node.dialProtocol(victim, SYNC_PROTOCOL)
  try {
    stream.send(streamProof(new Keyring(), DEFAULT_CLUSTER, a.id, config.victimId))
  } catch {}
  return stream
}

/** Sends `frame` on a fresh sync stream; resolves when the victim ends the stream. */
async function send (a: Attacker, frame: Uint8Array): Promise<void> {
  let stream: Stream
  try {
    stream = await open(a)
  } catch {
    return
  }
  const timer = setTimeout(() => { stream.abort(new Error('timeout')) }, 5000)
  try {
    stream.send(frame)
    for await (const _ of stream) { /* drain */ }
  } catch {} finally {
    clearTimeout(timer)
  }
}

function record (a: Attacker, incarnation: number): MemberRecord {
  const unsigned = { id: a.id, incarnation, addrs: ['/ip4/127.0.0.1/tcp/1'], meta: {}, leaving: false }
  return { ...unsigned, signature: createRecordSigner(a.key)(unsigned) }
}

const entry = (r: MemberRecord): SyncEntry => ({ record: r, state: 'alive', incarnation: r.incarnation })

async function flood (attackers: Attacker[]): Promise<ChildReport> {
  const bad = record(attackers[0], 0)
  const entries = Array.from({ length: config.entries ?? 12_000 }, (_, i) => entry({
    ...bad,
    incarnation: 1000 + i,
    addrs: Array.from({ length: 16 }, (_, j) => `/ip4/10.${(i >> 8) & 255}.${i & 255}.${j}/tcp/${40000 + j}`),
    signature: new Uint8Array(64).fill(i % 251)
  }))
  const frame = lp.encode.single(encodeMessage({ type: 'sync', join: false, response: false, entries }), { maxDataLength: 16 * 1024 * 1024 }).subarray()
  const until = Date.now() + config.seconds * 1000
  let sent = 0
  await Promise.all(attackers.map(async (a) => {
    while (Date.now() < until) {
      await send(a, frame)
      sent++
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }))
  return { sent }
}

async function hold (attackers: Attacker[]): Promise<ChildReport> {
  // The frame, its 4-byte length prefix included, is 4 MiB − 1 bytes: within the default
  // read buffer of a libp2p stream (4 MiB), so only the protocol's own caps can refuse it.
  const length = 4 * 1024 * 1024 - 1 - 4
  const head = varint(length)
  // One body shared by every stream: the attackers' memory is not what is measured.
  const body = new Uint8Array(length - 1)
  let opened = 0
  await Promise.all(attackers.map(async (a) => {
    for (let i = 0; i < (config.streams ?? 4); i++) {
      let stream: Stream
      try {
        stream = await open(a)
      } catch {
        continue
      }
      opened++
      try {
        stream.send(head)
        stream.send(body)
      } catch {}
      void (async () => {
        try { for await (const _ of stream) { /* drain */ } } catch {}
      })()
      setTimeout(() => { stream.abort(new Error('done')) }, config.seconds * 1000)
    }
  }))
  await new Promise((resolve) => setTimeout(resolve, config.seconds * 1000 + 500))
  return { opened }
}

function varint (value: number): Uint8Array {
  const out: number[] = []
  while (value > 0x7f) {
    out.push((value & 0x7f) | 0x80)
    value >>>= 7
  }
  out.push(value)
  return new Uint8Array(out)
}

const attackers: Attacker[] = await Promise.all(Array.from({ length: config.attackers }, async () => {
  const key = await generateKeyPair('Ed25519')
  return { node: await createLibp2p(baseOptions({ privateKey: key })), key, id: peerIdFromPrivateKey(key).toString() }
}))
// Joins one at a time: the victim answers only a few strangers at once.
for (const a of attackers) {
  await send(a, lp.encode.single(encodeMessage({ type: 'sync', join: true, response: false, entries: [entry(record(a, 0))] })).subarray())
}
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
process.stdout.write(JSON.stringify({ joined: attackers.map((a) => a.id) }) + '\n')
await lines.next()
const report = config.mode === 'flood' ? await flood(attackers) : await hold(attackers)
process.stdout.write(JSON.stringify({ done: report }) + '\n')
await lines.next()
await Promise.all(attackers.map(async (a) => { await Promise.resolve(a.node.stop()).catch(() => {}) }))
process.exit(0)
