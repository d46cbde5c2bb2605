/**
 * The attacks of the trust rules replayed against a real 3-node cluster on loopback (all in
 * one process), each for a few seconds while a prober pings the victim every 20 ms:
 *
 * - table size: the victim's member count at the end (the real cluster is 3, +1 attacker);
 * - RSS: the process's resident set at its peak during the attack (all nodes together);
 * - worst ack delay: the slowest answer to the prober's pings;
 * - false suspicions: suspect and fail events about the real members on the observers;
 * - event-loop lag: the largest delay of the process's event loop during the attack
 *   (perf_hooks.monitorEventLoopDelay, max and 99th percentile), beside the worst ack
 *   delay it explains.
 *
 * The cluster is keyless, so its stream proof is public: the attackers begin every stream
 * with it, as any outsider can.
 *
 *   node --import tsx bench/attacks.ts [--json] [--seconds 8] [--only REGEX]
 */
import '../src/polyfill.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as lp from 'it-length-prefixed'
import { createLibp2p } from 'libp2p'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import type { Libp2p, PrivateKey, Stream } from '@libp2p/interface'
import type { MemberRecord, Message, SyncEntry } from '../src/core/messages.ts'
import { PROBE_PROTOCOL, SYNC_PROTOCOL } from '../src/libp2p/constants.ts'
import { createRecordSigner } from '../src/libp2p/signed-record.ts'
import { decodeMessage, encodeMessage } from '../src/wire/index.ts'
import { baseOptions, createCluster, dialWithProof, idOf, recordEvents, stopAll, track, waitFor, withoutProof, aliveCount } from '../test/libp2p/helpers.ts'
import type { SwimNode } from '../test/libp2p/helpers.ts'

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '8' }, only: { type: 'string' } } })
const SECONDS = Number(args.seconds)

interface Attacker { node: Libp2p, key: PrivateKey, id: string }

async function attacker (): Promise<Attacker> {
  const key = await generateKeyPair('Ed25519')
  return { node: track(await createLibp2p(baseOptions({ privateKey: key }))), key, id: peerIdFromPrivateKey(key).toString() }
}

function signed (key: PrivateKey, id: string, incarnation: number, addr: string): MemberRecord {
  const unsigned = { id, incarnation, addrs: [addr], meta: {}, leaving: false }
  return { ...unsigned, signature: createRecordSigner(key)(unsigned) }
}

const entry = (record: MemberRecord): SyncEntry => ({ record, state: 'alive', incarnation: record.incarnation })

async function send (from: Libp2p, to: SwimNode, protocol: string, frames: Uint8Array[], wait = true): Promise<void> {
  let stream: Stream
  try {
    stream = await dialWithProof(from, to, protocol)
  } catch {
    return
  }
  const timer = setTimeout(() => { stream.abort(new Error('timeout')) }, 5000)
  try {
    for (const f of frames) stream.send(f)
    if (wait) for await (const _ of stream) { /* drain */ }
  } catch {} finally {
    clearTimeout(timer)
  }
}

const frame = (m: Message): Uint8Array => lp.encode.single(encodeMessage(m)).subarray()

type Attack = (victim: SwimNode, others: SwimNode[], until: number) => Promise<void>

/** Joins with its own good record (any outsider can in a cluster without a key). */
async function joined (victims: SwimNode[]): Promise<Attacker> {
  const a = await attacker()
  for (const v of victims) await send(a.node, v, SYNC_PROTOCOL, [frame({ type: 'sync', join: true, response: false, entries: [entry(signed(a.key, a.id, 0, '/ip4/127.0.0.1/tcp/1'))] })])
  return a
}

const ATTACKS: Record<string, Attack> = {
  'none (baseline)': async (_victim, _others, until) => {
    while (Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100))
  },
  'sync of 2,000 self-signed fake members, every 250 ms': async (victim, others, until) => {
    const a = await joined([victim, ...others])
    const fakes: SyncEntry[] = []
    for (let i = 0; i < 2000; i++) {
      const key = await generateKeyPair('Ed25519')
      fakes.push(entry(signed(key, peerIdFromPrivateKey(key).toString(), 0, `/ip4/192.0.2.1/tcp/${1000 + i}`)))
    }
    for (let inc = 1; Date.now() < until; inc++) {
      await send(a.node, victim, SYNC_PROTOCOL, [frame({ type: 'sync', join: false, response: false, entries: [entry(signed(a.key, a.id, inc, '/ip4/127.0.0.1/tcp/1')), ...fakes] })])
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  },
  'two outsiders resending a sync of 8,000 bad signatures': async (victim, others, until) => {
    const flooders = [await joined([victim]), await joined([victim])]
    const bad = signed(flooders[0].key, flooders[0].id, 0, '/ip4/127.0.0.1/tcp/1')
    const entries = Array.from({ length: 8000 }, (_, i) => entry({ ...bad, id: others[0].peerId.toString(), incarnation: 1000 + i, signature: new Uint8Array(64).fill(i % 251) }))
    const f = frame({ type: 'sync', join: false, response: false, entries })
    await Promise.all(flooders.map(async (a) => { while (Date.now() < until) await send(a.node, victim, SYNC_PROTOCOL, [f]) }))
  },
  'suspect and dead claims about a live member, 5 a second': async (victim, others, until) => {
    const a = await joined([victim, ...others])
    const target = others[0]
    const stream = await dialWithProof(a.node, victim, PROBE_PROTOCOL)
    while (Date.now() < until) {
      const incarnation = victim.services.swim.members().find((m) => m.id === idOf(target))?.incarnation ?? 0
      try { stream.send(frame({ type: 'gossip', updates: [{ type: 'dead', id: idOf(target), incarnation, from: a.id }, { type: 'suspect', id: idOf(target), incarnation, from: idOf(others[1] ?? target) }] })) } catch {}
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  },
  '10 connections × 4 sync streams announcing 4 MiB frames': async (victim, _others, until) => {
    const attackers = await Promise.all(Array.from({ length: 10 }, async () => await attacker()))
    const prefix = new Uint8Array([0xff, 0xff, 0xff, 0x01])
    while (Date.now() < until) {
      await Promise.all(attackers.flatMap((a) => Array.from({ length: 4 }, async () => await send(a.node, victim, SYNC_PROTOCOL, [prefix, new Uint8Array(64 * 1024)]))))
    }
  },
  '20 ping-reqs a second for unknown members at a third party\'s address': async (victim, _others, until) => {
    const a = await joined([victim])
    const stream = await dialWithProof(a.node, victim, PROBE_PROTOCOL)
    for (let seq = 1; Date.now() < until; seq++) {
      const key = await generateKeyPair('Ed25519')
      try { stream.send(frame({ type: 'ping-req', seq, target: peerIdFromPrivateKey(key).toString(), targetAddrs: ['/ip4/127.0.0.1/tcp/9'], updates: [] })) } catch {}
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

interface Row { attack: string, tableSize: number, rssMiB: number, worstAckMs: number | null, lagMaxMs: number, lagP99Ms: number, missedAcks: number, falseSuspicions: number, falseFails: number }

async function run (name: string, attack: Attack): Promise<Row> {
  const nodes = await createCluster(3)
  await waitFor('the cluster to form', () => nodes.every((n) => aliveCount(n) === 3), 30_000)
  const [victim, ...others] = nodes
  const real = new Set(nodes.map(idOf))
  const events = nodes.map((n) => recordEvents(n))
  const prober = await attacker()
  const acks = new Map<number, number>()
  await prober.node.handle(PROBE_PROTOCOL, (stream) => {
    void (async () => {
      const decoder = new LengthPrefixedDecoder()
      for await (const chunk of withoutProof(stream)) {
        for (const f of decoder.decode(chunk)) {
          const r = decodeMessage(f)
          if (r.ok && r.message.type === 'ack') acks.set(r.message.seq, performance.now())
        }
      }
    })().catch(() => {})
  })
  const ping = await dialWithProof(prober.node, victim, PROBE_PROTOCOL)
  const until = Date.now() + SECONDS * 1000
  const sentAt = new Map<number, number>()
  let rss = process.memoryUsage().rss
  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  const pinger = (async () => {
    for (let seq = 1; Date.now() < until; seq++) {
      sentAt.set(seq, performance.now())
      try { ping.send(frame({ type: 'ping', seq, target: idOf(victim), updates: [] })) } catch {}
      rss = Math.max(rss, process.memoryUsage().rss)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  await Promise.all([attack(victim, others, until), pinger])
  lag.disable()
  await new Promise((resolve) => setTimeout(resolve, 500))
  let worst: number | null = null
  let missed = 0
  for (const [seq, at] of sentAt) {
    const got = acks.get(seq)
    if (got == null) { missed++; continue }
    worst = Math.max(worst ?? 0, got - at)
  }
  const all = events.flat().filter((e) => real.has(e.member.id))
  const row: Row = {
    attack: name,
    tableSize: victim.services.swim.members().length,
    rssMiB: Math.round(rss / 1048576),
    worstAckMs: worst == null ? null : Math.round(worst * 10) / 10,
    lagMaxMs: Math.round(lag.max / 1e5) / 10,
    lagP99Ms: Math.round(lag.percentile(99) / 1e5) / 10,
    missedAcks: missed,
    falseSuspicions: all.filter((e) => e.type === 'suspect').length,
    falseFails: all.filter((e) => e.type === 'fail').length
  }
  await stopAll()
  return row
}

const rows: Row[] = []
for (const [name, attack] of Object.entries(ATTACKS)) {
  if (args.only != null && !new RegExp(args.only).test(name)) continue
  process.stderr.write(`attack: ${name}\n`)
  rows.push(await run(name, attack))
}
if (args.json === true) {
  process.stdout.write(JSON.stringify({ seconds: SECONDS, rows }) + '\n')
} else {
  console.log('| attack | table size | peak RSS (MiB) | worst ack delay | event-loop lag (max / p99) | missed acks | false suspicions / fails |')
  console.log('|---|---|---|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.attack} | ${r.tableSize} | ${r.rssMiB} | ${r.worstAckMs ?? '—'} ms | ${r.lagMaxMs} / ${r.lagP99Ms} ms | ${r.missedAcks} | ${r.falseSuspicions} / ${r.falseFails} |`)
}
process.exit(0)
