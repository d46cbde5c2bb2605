/**
 * Where a join's push-pull entries go (figures, not assertions): N nodes join through one seed
 * at once; sync entries moved per kind of exchange and per virtual second, record updates
 * piggybacked or gossiped, the largest broadcast queue, until every view holds N members.
 *
 *   node --import tsx bench/join-profile.ts [--n 2000] [--shared]
 */
// The simulator's transmit is private: this wraps it to sort what crosses, for this profile only.
import { Simulation } from '../src/sim/index.ts'
import type { Message } from '../src/core/messages.ts'

const args = process.argv.slice(2)
const n = args.includes('--n') ? Number(args[args.indexOf('--n') + 1]) : 2000
const shared = args.includes('--shared')

const started = performance.now()
const sim = new Simulation({ size: n, seed: 1, wire: false, recordEvents: false, quorum: false, sharedTables: shared })
type Kind = 'join-request' | 'join-answer' | 'digest-request' | 'digest-answer-empty' | 'digest-answer-full' | 'full-request' | 'full-answer' | 'gossip-records' | 'piggyback-records'
const total: Record<string, number> = {}
let second: Record<string, number> = {}
const pending = new Set<string>()
const proto = Simulation.prototype as unknown as { transmit: (from: { id: string }, to: string, m: Message) => void }
const original = proto.transmit
proto.transmit = function (from, to, m) {
  let kind: Kind
  let count = 0
  if (m.type === 'sync') {
    count = m.entries.length
    if (m.join) {
      kind = m.response ? 'join-answer' : 'join-request'
    } else if (!m.response && m.entries.length === 0) {
      kind = 'digest-request'
      pending.add(from.id + '>' + to)
    } else if (m.response && pending.delete(to + '>' + from.id)) {
      kind = m.entries.length === 0 ? 'digest-answer-empty' : 'digest-answer-full'
    } else {
      // the second half of a digest exchange (our state as a request) and its answer
      kind = m.response ? 'full-answer' : 'full-request'
    }
  } else {
    count = m.updates.filter((u) => u.type === 'record').length
    kind = m.type === 'gossip' ? 'gossip-records' : 'piggyback-records'
  }
  total[kind] = (total[kind] ?? 0) + count
  total[kind + ' msgs'] = (total[kind + ' msgs'] ?? 0) + 1
  second[kind] = (second[kind] ?? 0) + count
  original.call(this, from, to, m)
}
let converged: number | null = null
while (sim.now < 120_000) {
  second = {}
  sim.runFor(1000)
  let maxQueue = 0
  let sumQueue = 0
  let minView = Infinity
  for (const id of sim.ids) {
    const m = sim.machine(id)
    maxQueue = Math.max(maxQueue, m.pendingBroadcasts)
    sumQueue += m.pendingBroadcasts
    minView = Math.min(minView, m.clusterSize)
  }
  const rss = Math.round(process.resourceUsage().maxRSS / 1024)
  console.log(JSON.stringify({ t: sim.now / 1000, wall: Math.round(performance.now() - started) / 1000, rss, minView, maxQueue, meanQueue: Math.round(sumQueue / n), ...second }))
  if (converged == null && minView === n) converged = sim.now
  if (converged != null && sim.now >= converged + 2000) break
}
const cpu = process.cpuUsage()
console.log(JSON.stringify({ n, shared, converged, wall: Math.round(performance.now() - started) / 1000, cpu: Math.round((cpu.user + cpu.system) / 1e4) / 100, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), total, perN2: Object.fromEntries(Object.entries(total).filter(([k]) => !k.endsWith('msgs')).map(([k, v]) => [k, Math.round(v / n / n * 100) / 100])) }))
