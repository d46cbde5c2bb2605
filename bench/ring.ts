/**
 * The consistent-hash schemes measured side by side, to choose the ring of src/consumers:
 *
 * - `ring ×100`: virtual points on a ring, 100 per member (ringpop's replicaPoints);
 * - `ring ×1000`, `ring ×2000`: the same with more points (ours: 2,000, src/consumers/ring.ts);
 * - `rendezvous`: highest random weight, one hash per member per lookup;
 * - `maglev`: Maglev's lookup table (M prime, about 100 × N or more), one hash per lookup.
 *
 * Figures: balance (most loaded member / mean, 10^6 random keys, 100 equal members), keys moved
 * by one join and one leave (fraction, and whether every moved key went to or came from that
 * member), lookups per second, and the time to bring the structure up to date after one join
 * and one leave, at N = 100 and 1,000. Bounded-load hashing is not measured: its owners depend
 * on the load at the time of the lookup, so two members with the same view disagree.
 *
 *   node --import tsx bench/ring.ts [--json] [--keys 1000000]
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import xxhash from 'xxhash-wasm'
import { HashRing } from '../src/consumers/ring.ts'
import { hashKey } from '../src/consumers/hash.ts'
import type { Member } from '../src/core/types.ts'

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false }, keys: { type: 'string', default: '1000000' } } })
const KEYS = Number(args.keys)
const { h32 } = await xxhash()

interface Scheme {
  name: string
  /** Brings the structure to this member list. */
  update: (ids: string[]) => void
  owner: (key: string) => string
}

const member = (id: string): Member => ({ id, addrs: [], state: 'alive', incarnation: 0, meta: {}, since: 0, generation: 0 })

function ringScheme (points: number): Scheme {
  const ring = new HashRing({ pointsPerMember: points })
  return {
    name: points === 2000 ? `ring ×${points} (ours)` : points === 100 ? 'ring ×100 (ringpop\'s count)' : `ring ×${points}`,
    update: (ids) => { ring.update(ids.map(member)) },
    owner: (key) => ring.lookup(key)[0].id
  }
}

function rendezvousScheme (): Scheme {
  let ids: string[] = []
  return {
    name: 'rendezvous',
    update: (next) => { ids = [...next] },
    owner: (key) => {
      const seed = hashKey(key)
      let best = ''
      let bestScore = -1
      for (const id of ids) {
        const score = h32(id, seed)
        if (score > bestScore || (score === bestScore && id < best)) {
          best = id
          bestScore = score
        }
      }
      return best
    }
  }
}

/** The smallest prime >= n. */
function primeAtLeast (n: number): number {
  for (let p = n; ; p++) {
    let prime = p > 1
    for (let d = 2; d * d <= p; d++) if (p % d === 0) { prime = false; break }
    if (prime) return p
  }
}

function maglevScheme (): Scheme {
  let ids: string[] = []
  let table = new Int32Array(0)
  return {
    name: 'maglev',
    update: (next) => {
      ids = [...next].sort()
      const size = primeAtLeast(Math.max(65_537, 100 * ids.length))
      table = new Int32Array(size).fill(-1)
      const offset = ids.map((id) => h32(id, 0xa1) % size)
      const skip = ids.map((id) => h32(id, 0xb2) % (size - 1) + 1)
      const nextIndex = new Int32Array(ids.length)
      let filled = 0
      while (filled < size) {
        for (let i = 0; i < ids.length && filled < size; i++) {
          let slot = (offset[i] + nextIndex[i] * skip[i]) % size
          while (table[slot] >= 0) {
            nextIndex[i]++
            slot = (offset[i] + nextIndex[i] * skip[i]) % size
          }
          table[slot] = i
          nextIndex[i]++
          filled++
        }
      }
    },
    owner: (key) => ids[table[hashKey(key) % table.length]]
  }
}

const SCHEMES: Array<() => Scheme> = [() => ringScheme(100), () => ringScheme(1000), () => ringScheme(2000), rendezvousScheme, maglevScheme]

const newId = (): string => `12D3KooW${randomBytes(33).toString('base64url').slice(0, 44)}`
const keys = Array.from({ length: KEYS }, (_, i) => `${randomBytes(6).toString('hex')}:${i}`)

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

interface Row {
  scheme: string
  n: number
  maxOverMean?: number
  joinMoved?: number
  joinOnlyToJoiner?: boolean
  leaveMoved?: number
  leaveOnlyFromLeaver?: boolean
  lookupsPerSecond: number
  joinRebuildMs: number
  leaveRebuildMs: number
}

function measure (make: () => Scheme, n: number): Row {
  const scheme = make()
  const ids = Array.from({ length: n }, newId)
  scheme.update(ids)
  const row: Row = { scheme: scheme.name, n, lookupsPerSecond: 0, joinRebuildMs: 0, leaveRebuildMs: 0 }

  const slow = scheme.name === 'rendezvous' && n > 100
  if (n === 100) {
    const owners = keys.map(scheme.owner)
    const counts = new Map<string, number>()
    for (const owner of owners) counts.set(owner, (counts.get(owner) ?? 0) + 1)
    row.maxOverMean = Math.max(...counts.values()) / (KEYS / n)

    const joiner = newId()
    scheme.update([...ids, joiner])
    let moved = 0
    let onlyJoiner = true
    const afterJoin = keys.map(scheme.owner)
    for (let i = 0; i < KEYS; i++) {
      if (afterJoin[i] === owners[i]) continue
      moved++
      if (afterJoin[i] !== joiner) onlyJoiner = false
    }
    row.joinMoved = moved / KEYS
    row.joinOnlyToJoiner = onlyJoiner

    const leaver = ids[17]
    scheme.update(ids.filter((id) => id !== leaver))
    moved = 0
    let onlyLeaver = true
    const afterLeave = keys.map(scheme.owner)
    for (let i = 0; i < KEYS; i++) {
      if (afterLeave[i] === owners[i]) continue
      moved++
      if (owners[i] !== leaver) onlyLeaver = false
    }
    row.leaveMoved = moved / KEYS
    row.leaveOnlyFromLeaver = onlyLeaver
    scheme.update(ids)
  }

  const sample = slow ? keys.slice(0, 20_000) : keys
  const rates: number[] = []
  for (let trial = 0; trial < 3; trial++) {
    const started = performance.now()
    let sink = 0
    for (const key of sample) sink += scheme.owner(key).length
    if (sink === 0) throw new Error('no owners')
    rates.push(sample.length / ((performance.now() - started) / 1000))
  }
  row.lookupsPerSecond = median(rates)

  const joins: number[] = []
  const leaves: number[] = []
  for (let trial = 0; trial < 7; trial++) {
    const extra = newId()
    let started = performance.now()
    scheme.update([...ids, extra])
    joins.push(performance.now() - started)
    started = performance.now()
    scheme.update(ids)
    leaves.push(performance.now() - started)
  }
  row.joinRebuildMs = median(joins)
  row.leaveRebuildMs = median(leaves)
  return row
}

const rows: Row[] = []
for (const n of [100, 1000]) {
  for (const make of SCHEMES) {
    const row = measure(make, n)
    rows.push(row)
    if (!args.json) process.stderr.write(`${row.scheme} N=${n} done\n`)
  }
}

const pct = (x: number | undefined): string => x == null ? '—' : `${(x * 100).toFixed(2)}%`
const fmtRate = (x: number): string => x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(0)} k/s`
if (args.json) {
  process.stdout.write(`${JSON.stringify({ keys: KEYS, node: process.version, rows }, null, 2)}\n`)
} else {
  const lines = [
    `| scheme | N | most loaded / mean (${KEYS.toLocaleString('en')} keys) | moved by a join (only to it) | moved by a leave (only from it) | lookups (1 owner) | update after a join / a leave |`,
    '| --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const r of rows) {
    const join = r.joinMoved == null ? '—' : `${pct(r.joinMoved)} (${r.joinOnlyToJoiner === true ? 'yes' : 'no'})`
    const leave = r.leaveMoved == null ? '—' : `${pct(r.leaveMoved)} (${r.leaveOnlyFromLeaver === true ? 'yes' : 'no'})`
    lines.push(`| ${r.scheme} | ${r.n} | ${r.maxOverMean == null ? '—' : r.maxOverMean.toFixed(3)} | ${join} | ${leave} | ${fmtRate(r.lookupsPerSecond)} | ${r.joinRebuildMs.toFixed(2)} / ${r.leaveRebuildMs.toFixed(2)} ms |`)
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}
