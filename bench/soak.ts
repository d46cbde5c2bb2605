/**
 * Soak run (not in CI): N libp2p nodes running the `swim()` service (`lan` profile) in this one
 * process, for `--minutes` with churn: every minute one random node crashes (stopped without
 * leaving; its host then refuses connections), and half a minute later it restarts (a new node
 * with the same key, joining through a live member).
 *
 * Reports:
 * - RSS per node (this process's RSS / live nodes), sampled every 30 s, and its growth from
 *   the first sample after convergence to the last;
 * - events a node saw out of order about one member: anything before its first `join`;
 *   `alive` (a refutation) without a `suspect` before it; `suspect`/`fail`/`alive` about a
 *   member already failed or left, without a `join` between; a second `join` without a
 *   `fail`/`leave` between;
 * - events a node never saw: a survivor that never saw a crashed node's `fail`, or a live node
 *   that never saw a restarted node come back (`join`).
 *
 *   npm run soak -- [--minutes 10] [--n 50] [--json]
 */
import '../src/polyfill.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createLibp2p } from 'libp2p'
import { parseArgs } from 'node:util'
import type { PrivateKey } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'
import { swim } from '../src/libp2p/index.ts'
import { MEMBERSHIP_EVENT_TYPES } from '../src/core/types.ts'
import type { MembershipEventType } from '../src/core/types.ts'
import { baseOptions } from '../test/libp2p/helpers.ts'
import type { SwimNode } from '../test/libp2p/helpers.ts'
import { waitFor } from '../test/helpers/wait.ts'

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    n: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false }
  }
})
const MINUTES = Number(args.minutes)
const N = Number(args.n)
const SAMPLE_MS = 30_000
/** After the run, how long news of the last churn gets to arrive before judging. */
const GRACE_MS = 20_000

interface Slot { key: PrivateKey, id: string, node: SwimNode | undefined, life: number }
interface Seen { at: number, observer: string, life: number, type: MembershipEventType, member: string }

const events: Seen[] = []
const log = (line: string): void => { if (!args.json) process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}\n`) }
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
const t0 = Date.now()

async function start (slot: Slot, seeds: string[]): Promise<void> {
  slot.life++
  const life = slot.life
  const node = await createLibp2p({ ...baseOptions({ privateKey: slot.key }), services: { swim: swim({ profile: 'lan', seeds }) } } as Libp2pOptions) as unknown as SwimNode
  for (const type of MEMBERSHIP_EVENT_TYPES) {
    node.services.swim.addEventListener(`member:${type}`, (evt) => {
      events.push({ at: Date.now(), observer: slot.id, life, type, member: evt.detail.member.id })
    })
  }
  slot.node = node
}

const live = (slots: Slot[]): Slot[] => slots.filter((s) => s.node != null)
const addrsOf = (slot: Slot): string[] => slot.node?.getMultiaddrs().map(String) ?? []

/** Whether `condition` came to hold within `timeoutMs`. */
async function within (what: string, condition: () => boolean, timeoutMs: number): Promise<boolean> {
  return await waitFor(what, condition, timeoutMs, 100).then(() => true, () => false)
}

// ---------------------------------------------------------------- run

const slots: Slot[] = []
for (let i = 0; i < N; i++) {
  const key = await generateKeyPair('Ed25519')
  const { peerIdFromPrivateKey } = await import('@libp2p/peer-id')
  slots.push({ key, id: peerIdFromPrivateKey(key).toString(), node: undefined, life: 0 })
}
await start(slots[0], [])
for (let i = 1; i < N; i += 10) {
  await Promise.all(slots.slice(i, i + 10).map(async (s) => { await start(s, addrsOf(slots[0])) }))
}
const converged = await within('the cluster to converge', () => live(slots).every((s) => s.node!.services.swim.members().filter((m) => m.state === 'alive').length === N), 120_000)
log(`${N} nodes ${converged ? 'converged' : 'did NOT converge'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`)

const rssSamples: Array<{ atS: number, rssMiB: number, liveNodes: number, perNodeMiB: number }> = []
const sample = (): void => {
  const rss = process.memoryUsage().rss
  const n = live(slots).length
  rssSamples.push({ atS: Math.round((Date.now() - t0) / 1000), rssMiB: Math.round(rss / 2 ** 20), liveNodes: n, perNodeMiB: Number((rss / 2 ** 20 / n).toFixed(2)) })
}
sample()

interface Crash { id: string, at: number, survivors: string[] }
interface Restart { id: string, at: number, observers: string[] }
const crashes: Crash[] = []
const restarts: Restart[] = []
const runStarted = Date.now()
const runEnd = runStarted + MINUTES * 60_000
let nextSample = runStarted + SAMPLE_MS
let minute = 0
let down: Slot | undefined
while (Date.now() < runEnd) {
  const minuteStart = runStarted + minute * 60_000
  // crash at the start of the minute
  if (Date.now() >= minuteStart && down == null && minuteStart + 60_000 <= runEnd + 1) {
    const candidates = live(slots).slice(1) // keep the first node up: it is nobody's only seed, but a stable one helps
    const victim = candidates[Math.floor(Math.random() * candidates.length)]
    const node = victim.node!
    victim.node = undefined
    const at = Date.now()
    await node.stop()
    down = victim
    crashes.push({ id: victim.id, at, survivors: live(slots).map((s) => s.id) })
    log(`crashed ${victim.id.slice(-8)}`)
  }
  // restart half a minute later
  if (down != null && Date.now() >= minuteStart + 30_000) {
    const slot = down
    down = undefined
    const through = live(slots)[Math.floor(Math.random() * live(slots).length)]
    const at = Date.now()
    await start(slot, addrsOf(through))
    restarts.push({ id: slot.id, at, observers: live(slots).filter((s) => s.id !== slot.id).map((s) => s.id) })
    log(`restarted ${slot.id.slice(-8)}`)
    minute++
  }
  if (Date.now() >= nextSample) { sample(); nextSample += SAMPLE_MS }
  await sleep(200)
}
if (down != null) {
  await start(down, addrsOf(live(slots)[0]))
  restarts.push({ id: down.id, at: Date.now(), observers: live(slots).filter((s) => s.id !== down!.id).map((s) => s.id) })
}
await sleep(GRACE_MS)
sample()

// ---------------------------------------------------------------- judge

const outOfOrder: Array<{ observer: string, member: string, type: string, after: string, atS: number }> = []
const byPair = new Map<string, Seen[]>()
for (const e of events) {
  if (e.type === 'update') continue
  // a restarted node starts a new history: its events before the crash are another life's
  const k = `${e.observer}/${e.life} ${e.member}`
  const list = byPair.get(k) ?? []
  list.push(e)
  byPair.set(k, list)
}
for (const list of byPair.values()) {
  let last: MembershipEventType | undefined
  for (const e of list) {
    const bad = last == null
      ? e.type !== 'join'
      : (e.type === 'alive' && last !== 'suspect') ||
        ((e.type === 'suspect' || e.type === 'fail' || e.type === 'alive' || e.type === 'leave') && (last === 'fail' || last === 'leave')) ||
        (e.type === 'join' && last !== 'fail' && last !== 'leave')
    if (bad) outOfOrder.push({ observer: e.observer, member: e.member, type: e.type, after: last ?? '(nothing)', atS: Math.round((e.at - t0) / 1000) })
    last = e.type
  }
}
const missedFails: Array<{ observer: string, member: string }> = []
for (const c of crashes) {
  const restart = restarts.find((r) => r.id === c.id && r.at > c.at)
  for (const o of c.survivors) {
    if (o === c.id) continue
    const saw = events.some((e) => e.observer === o && e.member === c.id && e.type === 'fail' && e.at >= c.at && (restart == null || e.at <= restart.at + 5000))
    // an observer that itself crashed before this crash's news could arrive is not a survivor
    const observerCrashed = crashes.some((x) => x.id === o && x.at > c.at && x.at < c.at + 30_000)
    if (!saw && !observerCrashed) missedFails.push({ observer: o, member: c.id })
  }
}
const missedJoins: Array<{ observer: string, member: string }> = []
for (const r of restarts) {
  for (const o of r.observers) {
    const saw = events.some((e) => e.observer === o && e.member === r.id && (e.type === 'join' || e.type === 'alive') && e.at >= r.at)
    const observerCrashed = crashes.some((x) => x.id === o && x.at > r.at && x.at < r.at + 30_000)
    if (!saw && !observerCrashed) missedJoins.push({ observer: o, member: r.id })
  }
}
const finalViews = live(slots).map((s) => s.node!.services.swim.members().filter((m) => m.state === 'alive').length)
const falseFailEvents = events.filter((e) => e.type === 'fail' && !crashes.some((c) => c.id === e.member && e.at >= c.at && e.at <= c.at + 60_000))
const falseFails = falseFailEvents.length
/** Of those, during start-up (before the churn began: N nodes created at once on few cores). */
const falseFailsAtStartup = falseFailEvents.filter((e) => e.at < runStarted).length

const first = rssSamples[0]
const lastSample = rssSamples[rssSamples.length - 1]
const result = {
  bench: 'soak',
  n: N,
  minutes: MINUTES,
  node: process.version,
  converged,
  crashes: crashes.length,
  restarts: restarts.length,
  events: events.length,
  rss: {
    samples: rssSamples,
    perNodeFirstMiB: first.perNodeMiB,
    perNodeLastMiB: lastSample.perNodeMiB,
    perNodeGrowthMiB: Number((lastSample.perNodeMiB - first.perNodeMiB).toFixed(2)),
    totalGrowthMiB: lastSample.rssMiB - first.rssMiB
  },
  outOfOrder: { count: outOfOrder.length, examples: outOfOrder.slice(0, 10) },
  missedFails: { count: missedFails.length, examples: missedFails.slice(0, 10) },
  missedJoins: { count: missedJoins.length, examples: missedJoins.slice(0, 10) },
  falseFails,
  falseFailsAtStartup,
  falseFailExamples: falseFailEvents.slice(0, 10).map((e) => ({ observer: e.observer, member: e.member, atS: Math.round((e.at - t0) / 1000) })),
  finalAliveViews: { min: Math.min(...finalViews), max: Math.max(...finalViews), expected: N }
}

await Promise.all(live(slots).map(async (s) => { await s.node!.stop() }))

if (args.json) {
  console.log(JSON.stringify(result, null, 2))
} else {
  console.log(`\nSoak: ${N} libp2p nodes in one process, lan profile, ${MINUTES} min, ${crashes.length} crashes and ${restarts.length} restarts (same key), Node ${process.version}\n`)
  console.log('| figure | value |')
  console.log('|---|---|')
  console.log(`| converged at start | ${converged ? 'yes' : 'NO'} |`)
  console.log(`| RSS per node, first → last sample | ${first.perNodeMiB} → ${lastSample.perNodeMiB} MiB (process ${first.rssMiB} → ${lastSample.rssMiB} MiB) |`)
  console.log(`| RSS samples (every 30 s), MiB | ${rssSamples.map((s) => s.rssMiB).join(', ')} |`)
  console.log(`| membership events seen | ${events.length} |`)
  console.log(`| events out of order | ${outOfOrder.length} |`)
  console.log(`| survivors that never saw a crashed node's fail | ${missedFails.length} of ${crashes.reduce((a, c) => a + c.survivors.length, 0)} |`)
  console.log(`| live nodes that never saw a restarted node's join | ${missedJoins.length} of ${restarts.reduce((a, r) => a + r.observers.length, 0)} |`)
  console.log(`| fail events about members that had not crashed | ${falseFails} (${falseFailsAtStartup} during start-up, before the churn) |`)
  console.log(`| alive members in each view at the end | ${result.finalAliveViews.min}–${result.finalAliveViews.max} of ${N} |`)
  for (const e of outOfOrder.slice(0, 10)) console.log(`  out of order: ${e.observer.slice(-8)} saw ${e.type} of ${e.member.slice(-8)} after ${e.after} at ${e.atS} s`)
  for (const e of result.falseFailExamples) console.log(`  fail of a member that had not crashed: ${e.observer.slice(-8)} failed ${e.member.slice(-8)} at ${e.atS} s`)
  for (const e of missedFails.slice(0, 5)) console.log(`  missed fail: ${e.observer.slice(-8)} never saw ${e.member.slice(-8)} fail`)
  for (const e of missedJoins.slice(0, 5)) console.log(`  missed join: ${e.observer.slice(-8)} never saw ${e.member.slice(-8)} come back`)
}
process.exit(0)
