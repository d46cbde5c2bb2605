/**
 * Traces crashes in a cluster of real nodes in one process (a diagnosis tool, not a figure):
 * forms N nodes as bench/libp2p.ts does, then stops K members one at a time and prints, per
 * crash, who suspected when, whose dials to the victim were refused (evidence) or failed
 * otherwise (rate limits, timeouts), how many first-hand and relayed claims about the victim
 * each survivor received, and when each declared it dead.
 *
 * `node --max-old-space-size=6144 --import tsx bench/crash-trace.ts [--size 100] [--crashes 3] [--max-connections M] [--fresh]`
 */
import '../src/polyfill.ts'
import { loadavg } from 'node:os'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import { swim } from '../src/index.ts'
import type { Swim } from '../src/index.ts'
import { dialFailure } from '../src/libp2p/dialer.ts'
import { clusterNodeOptions } from './cluster-options.ts'
import { waitFor } from '../test/helpers/wait.ts'

type Node = Libp2p<{ swim: Swim }>

const args = process.argv.slice(2)
const option = (name: string): string | undefined => args.includes(name) ? args[args.indexOf(name) + 1] : undefined
const size = Number(option('--size') ?? '100')
const crashes = Number(option('--crashes') ?? '3')
const maxConnections = option('--max-connections')
/** `--fresh`: the victim is a node that just joined (as bench/libp2p.ts's crash trial), not one of the formed cluster. */
const fresh = args.includes('--fresh')

interface Trace {
  suspectAt?: number
  failAt?: number
  refusedAt: number[]
  unreachableAt: number[]
  otherDialErrors: string[]
  firstHand: number
  firstHandRefused: number
  relayed: number
  firstHandFrom: Set<string>
  deadFirstHand: number
  deadRelayed: number
  /** Dead claims received: when, first-hand or not, and this node's suspicion then. */
  deadLog: string[]
  suspectLog: string[]
}

let victim: string | undefined
let crashedAt = 0
const traces = new Map<string, Trace>()
const trace = (id: string): Trace => {
  let t = traces.get(id)
  if (t == null) traces.set(id, (t = { refusedAt: [], unreachableAt: [], otherDialErrors: [], firstHand: 0, firstHandRefused: 0, relayed: 0, firstHandFrom: new Set(), deadFirstHand: 0, deadRelayed: 0, deadLog: [], suspectLog: [] }))
  return t
}
const alive = new Map<string, number>()

async function createNode (seeds: string[]): Promise<Node> {
  const node = await createLibp2p({
    ...clusterNodeOptions(maxConnections != null ? Number(maxConnections) : undefined),
    services: { swim: swim({ profile: 'lan', seeds }) }
  }) as Node
  const self = node.peerId.toString()
  alive.set(self, 1)
  const states = new Map<string, string>()
  for (const type of ['join', 'alive', 'suspect', 'fail', 'leave', 'update'] as const) {
    node.services.swim.addEventListener(`member:${type}`, (evt) => {
      const id = evt.detail.member.id
      const before = states.get(id)
      const after = evt.detail.member.state
      states.set(id, after)
      alive.set(self, (alive.get(self) ?? 0) + (after === 'alive' ? 1 : 0) - (before === 'alive' ? 1 : 0))
      if (id !== victim) return
      if (type === 'suspect' && trace(self).suspectAt == null) trace(self).suspectAt = Date.now() - crashedAt
      if (type === 'fail') trace(self).failAt = Date.now() - crashedAt
    })
  }
  instrument(node)
  return node
}

/** Wraps the service's internals (read only: each wrapper calls through). */
function instrument (node: Node): void {
  const self = node.peerId.toString()
  const svc = node.services.swim as any
  const driver = svc.driver
  const unreachable = driver.unreachable.bind(driver)
  driver.unreachable = (id: string, refused: boolean) => {
    if (id === victim) {
      const t = trace(self)
      t.unreachableAt.push(Date.now() - crashedAt)
      if (refused) t.refusedAt.push(Date.now() - crashedAt)
    }
    unreachable(id, refused)
  }
  const dialer = svc.dialer
  for (const name of ['openStream', 'connect']) {
    const original = dialer[name].bind(dialer)
    dialer[name] = async (id: string, ...rest: unknown[]) => {
      try {
        return await original(id, ...rest)
      } catch (err) {
        if (id === victim && dialFailure(err) == null) trace(self).otherDialErrors.push(`${name}:${(err as Error).name}:${(err as Error).message.slice(0, 60)}`)
        throw err
      }
    }
  }
  const drive = driver.drive.bind(driver)
  driver.drive = (input: (m: any) => unknown) => drive((m: any) => {
    if (victim != null && m.receive.__traced !== true) {
      const receive = m.receive.bind(m)
      m.receive = (from: string, message: any, now: number) => {
        if (victim != null && message.type !== 'sync') {
          for (const u of message.updates ?? []) {
            if (u.id !== victim) continue
            const t = trace(self)
            if (t.failAt == null) (u.type === 'dead' ? t.deadLog : t.suspectLog).push(`${Date.now() - crashedAt}${u.from === from ? 'F' : 'r'}${u.refused === true ? 'R' : ''}[${suspicionOf(node, victim)}]`)
            if (u.type === 'suspect') {
              if (u.from === from) {
                t.firstHand++
                t.firstHandFrom.add(from)
                if (u.refused === true) t.firstHandRefused++
              } else t.relayed++
            } else if (u.type === 'dead') {
              if (u.from === from) t.deadFirstHand++
              else t.deadRelayed++
            }
          }
        }
        return receive(from, message, now)
      }
      m.receive.__traced = true
    }
    return input(m)
  })
}

function suspicionOf (node: Node, id: string): string {
  const m = (node.services.swim as any).machine
  const s = m.suspicions.get(id)
  if (s == null) return '-'
  return `c${s.confirmers.size} r${s.refusers.size} v${s.vouchers.size} dl${s.deadline - crashedAt} priv${s.privateUntil > 0 ? s.privateUntil - crashedAt : 0}`
}

function queued (node: Node, id: string): string {
  const m = (node.services.swim as any).machine
  const u = m.queue.peek(id)
  if (u == null) return '-'
  return `${u.type}${u.from === node.peerId.toString() ? '(own)' : '(relayed)'}${u.refused === true ? 'R' : ''}`
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

const started = Date.now()
const seed = await createNode([])
const seedAddrs = seed.getMultiaddrs().map(String)
const nodes: Node[] = [seed]
while (nodes.length < size) {
  const batch = Math.min(10, size - nodes.length)
  nodes.push(...await Promise.all(Array.from({ length: batch }, async () => createNode(seedAddrs))))
  const n = nodes.length
  await waitFor('convergence', () => nodes.every((x) => alive.get(x.peerId.toString()) === n), 120_000, 20)
  process.stderr.write(`${n} formed at ${((Date.now() - started) / 1000).toFixed(0)} s, load ${loadavg()[0].toFixed(1)}\n`)
  await sleep(1000)
}
await sleep(35_000)

for (let k = 0; k < crashes; k++) {
  traces.clear()
  let target = nodes[1 + Math.floor(Math.random() * (nodes.length - 1))]
  if (fresh) {
    target = await createNode([nodes[Math.floor(Math.random() * nodes.length)].getMultiaddrs()[0].toString()])
    const id = target.peerId.toString()
    nodes.push(target)
    await waitFor('the joiner everywhere', () => nodes.every((x) => alive.get(x.peerId.toString()) === nodes.length), 60_000, 20)
    await sleep(5000)
    process.stderr.write(`fresh victim ${id.slice(-6)} joined\n`)
  }
  const others = nodes.filter((x) => x !== target)
  victim = target.peerId.toString()
  crashedAt = Date.now()
  const cpu0 = process.cpuUsage()
  await target.stop()
  const snapshots: string[] = []
  const done = (): boolean => others.every((o) => trace(o.peerId.toString()).failAt != null)
  for (let t = 0; t < 90_000 && !done(); t += 250) {
    await sleep(250)
    if (t % 1000 === 750) {
      const suspecting = others.filter((o) => trace(o.peerId.toString()).suspectAt != null).length
      const failed = others.filter((o) => trace(o.peerId.toString()).failAt != null).length
      const refusers = others.filter((o) => trace(o.peerId.toString()).refusedAt.length > 0).length
      const ownQueued = others.filter((o) => queued(o, victim!).includes('own')).length
      const relayedQueued = others.filter((o) => queued(o, victim!).includes('relayed')).length
      const sample = others.slice(0, 3).map((o) => `${suspicionOf(o, victim!)} q:${queued(o, victim!)}`).join(' | ')
      snapshots.push(`  t=${Date.now() - crashedAt} suspecting ${suspecting} failed ${failed} refusers ${refusers} queued own ${ownQueued} relayed ${relayedQueued}; ${sample}`)
    }
  }
  const cpu = process.cpuUsage(cpu0)
  nodes.splice(nodes.indexOf(target), 1)
  const all = others.map((o) => trace(o.peerId.toString()))
  const fails = all.map((t) => t.failAt ?? Infinity)
  const suspects = all.map((t) => t.suspectAt ?? Infinity)
  const hist = (xs: number[]): string => {
    const sorted = [...xs].sort((a, b) => a - b)
    const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
    return `min ${sorted[0]} p10 ${q(0.1)} p50 ${q(0.5)} p90 ${q(0.9)} max ${sorted[sorted.length - 1]}`
  }
  console.log(`crash ${k + 1} of ${victim.slice(-6)} (N=${others.length + 1}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s):`)
  console.log(`  suspect: ${hist(suspects)}`)
  console.log(`  fail:    ${hist(fails)}`)
  console.log(`  refused dials: ${all.filter((t) => t.refusedAt.length > 0).length} members (first at ${Math.min(...all.flatMap((t) => t.refusedAt))}); unreachable not refused ${all.filter((t) => t.unreachableAt.length > t.refusedAt.length).length}`)
  const errs = new Map<string, number>()
  for (const t of all) for (const e of t.otherDialErrors) errs.set(e.split(':').slice(0, 2).join(':'), (errs.get(e.split(':').slice(0, 2).join(':')) ?? 0) + 1)
  console.log(`  dials failed without evidence: ${[...errs].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'}; e.g. ${all.flatMap((t) => t.otherDialErrors).slice(0, 2).join(' / ')}`)
  console.log(`  first-hand suspect claims received per member: ${hist(all.map((t) => t.firstHand))}; refused ones ${hist(all.map((t) => t.firstHandRefused))}; distinct accusers ${hist(all.map((t) => t.firstHandFrom.size))}; relayed ${hist(all.map((t) => t.relayed))}`)
  console.log(`  dead claims received: first-hand ${hist(all.map((t) => t.deadFirstHand))}; relayed ${hist(all.map((t) => t.deadRelayed))}`)
  for (const s of snapshots) console.log(s)
  const slowest = others.map((o) => ({ id: o.peerId.toString(), t: trace(o.peerId.toString()) })).sort((a, b) => (b.t.failAt ?? Infinity) - (a.t.failAt ?? Infinity)).slice(0, 5)
  for (const { id, t } of slowest) {
    console.log(`  slow ${id.slice(-6)}: suspect ${t.suspectAt} refused ${t.refusedAt.join(',')} fail ${t.failAt}`)
    console.log(`    suspect claims: ${t.suspectLog.slice(0, 12).join(' ')}`)
    console.log(`    dead claims: ${t.deadLog.slice(0, 12).join(' ')}`)
  }
  victim = undefined
  await sleep(5000)
}
await Promise.all(nodes.map(async (x) => { await x.stop() }))
process.exit(0)
