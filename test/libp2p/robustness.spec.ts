import '../../src/polyfill.ts'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as lp from 'it-length-prefixed'
import { createLibp2p } from 'libp2p'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { seededRandom } from '../../src/core/random.ts'
import { PROBE_PROTOCOL, SYNC_PROTOCOL } from '../../src/libp2p/constants.ts'
import { Keyring } from '../../src/libp2p/keyring.ts'
import { STREAM_PROOF_BYTES, streamProof } from '../../src/libp2p/stream-auth.ts'
import { decodeMessage } from '../../src/wire/decode.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { aliveCount, baseOptions, createCluster, idOf, stateOf, stopAll, track, waitFor, watchProcess } from './helpers.ts'
import type { Message, MemberRecord } from '../../src/core/messages.ts'
import type { Random } from '../../src/core/random.ts'
import type { Libp2p, Stream } from '@libp2p/interface'

const test = suite('robustness')

test.after.each(async () => { await stopAll() })

const PROBE_MESSAGES = 6000
const SYNC_MESSAGES = 4000

function int (random: Random, n: number): number {
  return Math.floor(random.next() * n)
}

function randomBytes (random: Random, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = int(random, 256)
  return out
}

/** Valid messages to mutate: every kind, with updates of every kind. */
function templates (targetId: string, honestId: string, random: Random): Uint8Array[] {
  const record = (id: string): MemberRecord => ({
    id,
    incarnation: int(random, 10),
    addrs: ['/ip4/127.0.0.1/tcp/1'],
    meta: { role: 'x', zone: 'y' },
    leaving: false,
    signature: randomBytes(random, 64)
  })
  const updates = [
    { type: 'record' as const, record: record(honestId) },
    { type: 'record' as const, record: record(targetId) },
    { type: 'suspect' as const, id: honestId, incarnation: 0, from: targetId },
    { type: 'dead' as const, id: targetId, incarnation: 0, from: honestId }
  ]
  const messages: Message[] = [
    { type: 'ping', seq: 1, target: targetId, updates: [] },
    { type: 'ping', seq: 2, target: honestId, updates },
    { type: 'ack', seq: 3, updates },
    { type: 'ping-req', seq: 4, target: honestId, targetAddrs: ['/ip4/127.0.0.1/tcp/1'], updates: updates.slice(0, 2) },
    { type: 'nack', seq: 5, updates: [] },
    { type: 'gossip', updates },
    { type: 'sync', join: true, response: false, entries: [{ record: record(honestId), state: 'suspect', incarnation: 3 }, { record: record(targetId), state: 'dead', incarnation: 9 }] },
    { type: 'sync', join: false, response: false, entries: [] }
  ]
  return messages.map((m) => encodeMessage(m))
}

/** A random message: pure noise, or a valid message with a few random edits. */
function junk (pool: Uint8Array[], random: Random): Uint8Array {
  if (random.next() < 0.25) return randomBytes(random, 1 + int(random, 400))
  let bytes = [...pool[int(random, pool.length)]]
  const edits = 1 + int(random, 4)
  for (let e = 0; e < edits; e++) {
    const at = int(random, Math.max(1, bytes.length))
    switch (int(random, 6)) {
      case 0: bytes[at] ^= 1 << int(random, 8); break
      case 1: bytes.splice(at, 0, int(random, 256)); break
      case 2: bytes.splice(at, 1); break
      case 3: bytes = bytes.slice(0, at); break
      case 4: bytes.splice(at, 0, ...bytes.slice(at, at + 1 + int(random, 20))); break
      case 5: bytes[at] = 0xff; break
    }
  }
  if (bytes.length === 0) bytes = [0]
  return Uint8Array.from(bytes)
}

/** A plain libp2p node that reads probe frames sent to it and remembers the acks. */
async function attacker (): Promise<{ node: Libp2p, acks: Set<number> }> {
  const node = track(await createLibp2p(baseOptions()))
  const acks = new Set<number>()
  await node.handle(PROBE_PROTOCOL, (stream) => {
    void (async () => {
      const decoder = new LengthPrefixedDecoder()
      // Every SWIM stream begins with the sender's stream proof.
      let skip = STREAM_PROOF_BYTES
      for await (let chunk of stream) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.byteLength)
          skip -= n
          chunk = chunk.subarray(n)
          if (chunk.byteLength === 0) continue
        }
        for (const frame of decoder.decode(chunk)) {
          const result = decodeMessage(frame)
          if (result.ok && result.message.type === 'ack') acks.add(result.message.seq)
        }
      }
    })().catch(() => {})
  })
  return { node, acks }
}

async function drain (stream: Stream, ms: number): Promise<void> {
  const timer = setTimeout(() => { stream.abort(new Error('drain timeout')) }, ms)
  try {
    for await (const _ of stream) { /* drain */ }
  } catch {} finally {
    clearTimeout(timer)
  }
}

test('10,000 random and mutated messages on both protocols: no crash, errors counted, probes still answered', async () => {
  const watch = watchProcess()
  try {
    const [target, honest] = await createCluster(2)
    await waitFor('the two members to see each other', () => aliveCount(target) === 2 && aliveCount(honest) === 2)
    const targetId = idOf(target)
    const { node: evil, acks } = await attacker()
    const random = seededRandom(0x5eed)
    const pool = templates(targetId, idOf(honest), random)
    const addr = target.getMultiaddrs()[0]
    // The attacker holds the (public) proof of a keyless cluster: the junk reaches the decoder.
    const proof = streamProof(new Keyring(), 'default', idOf(evil), targetId)
    const dial = async (protocol: string): Promise<Stream> => {
      const opened = await evil.dialProtocol(addr, protocol)
      opened.send(proof)
      return opened
    }

    // probe protocol: well-framed junk on one long-lived stream (reopened if the target drops it)
    let stream = await dial(PROBE_PROTOCOL)
    for (let i = 0; i < PROBE_MESSAGES; i++) {
      if (stream.status !== 'open' || stream.writeStatus !== 'writable') stream = await dial(PROBE_PROTOCOL)
      if (stream.writableNeedsDrain) await stream.onDrain().catch(() => {})
      try { stream.send(lp.encode.single(junk(pool, random))) } catch {}
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await stream.close().catch(() => {})
    // broken framing: an oversized length and a varint that never ends; each kills its stream
    for (const bad of [Uint8Array.from([0xff, 0xff, 0xff, 0x7f]), new Uint8Array(16).fill(0xff)]) {
      const s = await dial(PROBE_PROTOCOL)
      s.send(bad)
      await drain(s, 2000)
    }

    // sync protocol: one junk request per stream, three exchanges at a time
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < SYNC_MESSAGES) {
        next++
        const bytes = junk(pool, random)
        try {
          const s = await dial(SYNC_PROTOCOL)
          s.send(lp.encode.single(bytes))
          await s.close()
          await drain(s, 2000)
        } catch {}
      }
    }
    await Promise.all([worker(), worker(), worker()])

    const stats = target.services.swim.stats()
    assert.ok(stats.decodeErrors > 2000, `decode errors counted: ${stats.decodeErrors}`)
    assert.ok(stats.recordsRejected > 0, 'records with bad signatures were rejected')

    // the target still answers a probe
    const ping = await dial(PROBE_PROTOCOL)
    ping.send(lp.encode.single(encodeMessage({ type: 'ping', seq: 424242, target: targetId, updates: [] })))
    await waitFor('the target to ack a probe after the barrage', () => acks.has(424242))
    await ping.close().catch(() => {})

    // and the cluster is intact
    await waitFor('both members alive in each other\'s view', () => stateOf(honest, targetId) === 'alive' && stateOf(target, idOf(honest)) === 'alive')
    assert.equal(watch.rejections, [], 'no unhandled rejection')
    assert.equal(watch.exceptions, [], 'no uncaught exception')
  } finally {
    watch.dispose()
  }
})

test.run()
