/**
 * Fuzz run of the wire decoder: 100,000 inputs from each of several corpora, fed to
 * `decodeMessage`. Checks that it never throws and that whatever it accepts encodes and
 * decodes back to itself; reports the outcome by error code, the time taken, and the heap
 * after a full GC before and after each corpus, so a leak or an allocation blow-up shows.
 *
 *   node --import tsx bench/fuzz-wire.ts [--count 100000] [--seed 1]
 *
 * Exits with status 1 if any input broke an invariant.
 */

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parseArgs } from 'node:util'
import { Uint8ArrayList } from 'uint8arraylist'
import type { MemberRecord, Message, SyncEntry, Update } from '../src/core/messages.ts'
import { randomInt, seededRandom } from '../src/core/random.ts'
import type { Random } from '../src/core/random.ts'
import { DEFAULT_LIMITS, decodeMessage, encodeMessage } from '../src/wire/index.ts'
import type { DecodeResult } from '../src/wire/index.ts'

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' }
  }
})
const COUNT = Number(args.count)
const SEED = Number(args.seed)

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

// --- inputs ----------------------------------------------------------------------------------

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789-/.:é日本🛰'

function text (r: Random, min: number, max: number): string {
  const chars = Array.from(ALPHABET)
  let out = ''
  const n = min + randomInt(r, max - min + 1)
  for (let i = 0; i < n; i++) out += chars[randomInt(r, chars.length)]
  return out
}

function natural (r: Random): number {
  return r.next() < 0.5 ? randomInt(r, 300) : Math.floor(r.next() * Number.MAX_SAFE_INTEGER)
}

/** A multiaddr: the encoder refuses any other address, as receivers do. */
function addr (r: Random): string {
  return `/ip4/10.${randomInt(r, 256)}.${randomInt(r, 256)}.${randomInt(r, 256)}/tcp/${randomInt(r, 65536)}`
}

function record (r: Random): MemberRecord {
  const meta: Record<string, string> = {}
  for (let i = randomInt(r, 4); i > 0; i--) meta[text(r, 1, 12)] = text(r, 0, 30)
  const rec: MemberRecord = {
    id: text(r, 1, 52),
    incarnation: natural(r),
    addrs: Array.from({ length: randomInt(r, 4) }, () => addr(r)),
    meta,
    leaving: r.next() < 0.1
  }
  if (r.next() < 0.7) rec.signature = Uint8Array.from({ length: 64 }, () => randomInt(r, 256))
  return rec
}

function update (r: Random): Update {
  const kind = randomInt(r, 3)
  if (kind === 0) return { type: 'record', record: record(r) }
  return { type: kind === 1 ? 'suspect' : 'dead', id: text(r, 1, 52), incarnation: natural(r), from: text(r, 1, 52) }
}

function updates (r: Random): Update[] {
  return Array.from({ length: randomInt(r, 6) }, () => update(r))
}

function message (r: Random): Message {
  switch (randomInt(r, 6)) {
    case 0: return { type: 'ping', seq: natural(r), target: text(r, 1, 52), updates: updates(r) }
    case 1: return { type: 'ack', seq: natural(r), updates: updates(r) }
    case 2: return { type: 'ping-req', seq: natural(r), target: text(r, 1, 52), targetAddrs: Array.from({ length: randomInt(r, 3) }, () => addr(r)), updates: updates(r) }
    case 3: return { type: 'nack', seq: natural(r), updates: updates(r) }
    case 4: return { type: 'gossip', updates: updates(r) }
    default: {
      const states: Array<SyncEntry['state']> = ['alive', 'suspect', 'dead', 'left']
      const entries = Array.from({ length: randomInt(r, 8) }, () => ({ record: record(r), state: states[randomInt(r, 4)], incarnation: natural(r) }))
      return { type: 'sync', join: r.next() < 0.5, response: r.next() < 0.5, entries }
    }
  }
}

function randomBytes (r: Random, max: number): Uint8Array {
  return Uint8Array.from({ length: randomInt(r, max + 1) }, () => randomInt(r, 256))
}

const INTERESTING = [0x00, 0x01, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x32, 0x7f, 0x80, 0xff]

/** Bit flips, truncations, insertions, deletions, duplications and splices of a valid encoding. */
function mutated (r: Random, pool: Uint8Array[]): Uint8Array {
  const bytes = Array.from(pool[randomInt(r, pool.length)])
  for (let n = 1 + randomInt(r, 4); n > 0; n--) {
    const at = bytes.length === 0 ? 0 : randomInt(r, bytes.length)
    switch (randomInt(r, 7)) {
      case 0: if (bytes.length > 0) bytes[at] ^= 1 << randomInt(r, 8); break
      case 1: bytes.length = at; break
      case 2: bytes.splice(at, 0, ...randomBytes(r, 8)); break
      case 3: bytes.splice(at, 1 + randomInt(r, 8)); break
      case 4: bytes.splice(randomInt(r, bytes.length + 1), 0, ...bytes.slice(at, at + 1 + randomInt(r, 16))); break
      case 5: if (bytes.length > 0) bytes[at] = INTERESTING[randomInt(r, INTERESTING.length)]; break
      default: {
        const other = pool[randomInt(r, pool.length)]
        bytes.splice(at, bytes.length - at, ...other.subarray(randomInt(r, other.length + 1)))
      }
    }
  }
  return Uint8Array.from(bytes)
}

function chunked (r: Random, bytes: Uint8Array): Uint8ArrayList {
  const list = new Uint8ArrayList()
  let at = 0
  while (at < bytes.length) {
    const n = 1 + randomInt(r, 64)
    list.append(bytes.subarray(at, at + n))
    at += n
  }
  return list
}

/** `unit` repeated to fill `size` bytes. */
function tile (size: number, unit: number[]): Uint8Array {
  const out = new Uint8Array(size - (size % unit.length))
  for (let i = 0; i < out.length; i += unit.length) out.set(unit, i)
  return out
}

function lengthPrefixed (tag: number, body: Uint8Array): Uint8Array {
  const head = [tag, ...varint(body.length)]
  const out = new Uint8Array(head.length + body.length)
  out.set(head)
  out.set(body, head.length)
  return out
}

const SYNC = 0x32
const GOSSIP = 0x2a
const NEAR_SYNC_CAP = DEFAULT_LIMITS.maxSyncBytes - 16
const tagged = (tag: number, body: number[]): number[] => [tag, ...varint(body.length), ...body]
const minimalRecord = [0x0a, 0x01, 0x61] // id "a"
const entryWith = (recordExtra: number[]): number[] => tagged(0x1a, [...tagged(0x0a, [...minimalRecord, ...recordExtra]), 0x10, 0x02])

/**
 * Inputs built to cost the decoder as much as the caps allow: the largest allowed input made
 * of the smallest elements, so that object count per byte is highest.
 */
const HOSTILE: Array<{ name: string, bytes: Uint8Array }> = [
  { name: 'sync of minimal entries', bytes: lengthPrefixed(SYNC, tile(NEAR_SYNC_CAP, entryWith([]))) },
  { name: 'sync entries with 16 empty addrs', bytes: lengthPrefixed(SYNC, tile(NEAR_SYNC_CAP, entryWith(new Array(16).fill([0x1a, 0x00]).flat()))) },
  { name: 'sync entries with 32 empty meta pairs', bytes: lengthPrefixed(SYNC, tile(NEAR_SYNC_CAP, entryWith(new Array(32).fill([0x22, 0x00]).flat()))) },
  { name: 'sync of unknown fields', bytes: lengthPrefixed(SYNC, tile(NEAR_SYNC_CAP, [0x78, 0x00])) },
  { name: 'one record id repeated', bytes: lengthPrefixed(SYNC, lengthPrefixed(0x1a, lengthPrefixed(0x0a, tile(NEAR_SYNC_CAP - 16, [0x0a, 0x01, 0x61])))) },
  { name: 'gossip of empty updates', bytes: lengthPrefixed(GOSSIP, tile(DEFAULT_LIMITS.maxMessageBytes - 8, [0x0a, 0x00])) },
  { name: 'deeply nested groups', bytes: lengthPrefixed(SYNC, Uint8Array.from([...new Array(20_000).fill(0x3b), ...new Array(20_000).fill(0x3c)])) },
  { name: 'length prefix past the end', bytes: Uint8Array.from([SYNC, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a, 0x00]) }
]

function hostile (r: Random): Uint8Array {
  return HOSTILE[randomInt(r, HOSTILE.length)].bytes
}

function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return out
}

// --- run -------------------------------------------------------------------------------------

interface Corpus {
  name: string
  count: number
  next: (r: Random) => Uint8Array | Uint8ArrayList
  /** Sample the heap after every this many decodes. */
  sampleEvery: number
}

const poolRandom = seededRandom(SEED ^ 0x5eed)
const pool = Array.from({ length: 2000 }, () => encodeMessage(message(poolRandom)))
const BODY_TAGS = [0x0a, 0x12, 0x1a, 0x22, 0x2a, 0x32]

const corpora: Corpus[] = [
  {
    name: 'random bytes',
    count: COUNT,
    next: (r) => {
      const body = randomBytes(r, 256)
      // half behind a well-formed body header, so the body decoders see the garbage too
      return r.next() < 0.5 ? body : Uint8Array.from([BODY_TAGS[randomInt(r, 6)], ...varint(body.length), ...body])
    },
    sampleEvery: 1000
  },
  { name: 'mutated valid', count: COUNT, next: (r) => mutated(r, pool), sampleEvery: 1000 },
  { name: 'mutated, chunked list', count: COUNT, next: (r) => chunked(r, mutated(r, pool)), sampleEvery: 1000 },
  { name: 'valid messages', count: COUNT, next: (r) => encodeMessage(message(r)), sampleEvery: 1000 },
  // 1 in 500 inputs: each is up to 4 MiB and takes tens of milliseconds
  { name: 'hostile (at the caps)', count: Math.max(HOSTILE.length, Math.floor(COUNT / 500)), next: hostile, sampleEvery: 1 }
]

function heapMiB (): number {
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}

let violations = 0

function check (input: Uint8Array | Uint8ArrayList, result: DecodeResult): void {
  if (!result.ok) return
  const again = encodeMessage(result.message)
  const back = decodeMessage(again)
  if (!back.ok || Buffer.compare(encodeMessage(back.message), again) !== 0) {
    violations++
    const bytes = input instanceof Uint8Array ? input : input.subarray()
    console.error(`not stable: ${Buffer.from(bytes).toString('hex').slice(0, 200)}`)
  }
}

console.log(`fuzz-wire: ${COUNT} inputs per corpus, seed ${SEED}, node ${process.version}`)
console.log('')
const header = ['corpus', 'inputs', 'ok', 'too-large', 'malformed', 'invalid', 'unsupported', 'total s', 'decode µs', 'heap MiB before → after', 'peak']
const rows: string[][] = []

for (const corpus of corpora) {
  const r = seededRandom(SEED)
  const codes: Record<string, number> = {}
  let decodeNs = 0n
  const before = heapMiB()
  let peak = before
  const started = process.hrtime.bigint()
  for (let i = 0; i < corpus.count; i++) {
    const input = corpus.next(r)
    const t0 = process.hrtime.bigint()
    let result: DecodeResult
    try {
      result = decodeMessage(input)
    } catch (err) {
      violations++
      console.error(`decodeMessage threw: ${String(err)}`)
      continue
    }
    decodeNs += process.hrtime.bigint() - t0
    const key = result.ok ? 'ok' : result.error.code
    codes[key] = (codes[key] ?? 0) + 1
    check(input, result)
    if (i % corpus.sampleEvery === 0) peak = Math.max(peak, process.memoryUsage().heapUsed / 2 ** 20)
  }
  const total = Number(process.hrtime.bigint() - started) / 1e9
  const after = heapMiB()
  rows.push([
    corpus.name,
    String(corpus.count),
    String(codes.ok ?? 0),
    String(codes['too-large'] ?? 0),
    String(codes.malformed ?? 0),
    String(codes.invalid ?? 0),
    String(codes.unsupported ?? 0),
    total.toFixed(2),
    (Number(decodeNs) / 1e3 / corpus.count).toFixed(2),
    `${before.toFixed(1)} → ${after.toFixed(1)}`,
    peak.toFixed(1)
  ])
}

const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
const line = (cells: string[]): string => cells.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join('  ')
console.log(line(header))
for (const row of rows) console.log(line(row))
console.log('')
console.log('total s includes generating inputs and re-checking accepted ones; decode µs is decodeMessage alone.')
console.log('peak is the largest heap seen between decodes, garbage included; before/after are after a full GC.')
console.log('')
console.log('hostile inputs, one decode each:')
for (const { name, bytes } of HOSTILE) {
  const before = heapMiB()
  const t0 = process.hrtime.bigint()
  const result = decodeMessage(bytes)
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const grown = process.memoryUsage().heapUsed / 2 ** 20 - before
  const outcome = result.ok ? 'ok' : `${result.error.code}: ${result.error.message}`
  console.log(`  ${name.padEnd(38)} ${(bytes.byteLength / 1024).toFixed(0).padStart(5)} KiB  ${ms.toFixed(1).padStart(6)} ms  heap +${grown.toFixed(1).padStart(5)} MiB before GC  ${outcome}`)
}
console.log(violations === 0 ? 'no invariant broken' : `${violations} invariant violations`)
process.exitCode = violations === 0 ? 0 : 1
