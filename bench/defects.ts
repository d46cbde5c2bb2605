/**
 * Figures for the protocol defects the simulator tests pin (figures, not assertions), seed 1:
 *
 * - nacks: N=50, one node crashed, 60 s: indirect probes, nacks counted, healthy probers
 *   whose health score rose (lan and wan);
 * - reconnect: bytes per node per second with no dead member and with 10 dead (N=1000);
 * - long partition: a 5|5 cut for 7 minutes with reapTime 120 s, then healed;
 * - starvation: 50 nodes forming while 10 read their input 1 to 2.75 s late: suspicions of
 *   healthy members.
 *
 * `node --import tsx bench/defects.ts [--n-reconnect 1000]`
 */
import { parseArgs } from 'node:util'
import { Simulation } from '../src/sim/index.ts'

const { values: args } = parseArgs({ options: { 'n-reconnect': { type: 'string', default: '1000' } } })

for (const profile of ['lan', 'wan'] as const) {
  const sim = new Simulation({ size: 50, seed: 1, profile })
  sim.runFor(150_000)
  const dead = sim.ids[10]
  const survivors = sim.ids.filter((id) => id !== dead)
  const before = survivors.map((id) => ({ ...sim.machine(id).stats }))
  sim.crash(dead)
  const penalised = new Set<string>()
  let maxScore = 0
  for (let t = 0; t < 60_000; t += 100) {
    sim.runFor(100)
    for (const id of survivors) {
      const score = sim.machine(id).awarenessScore
      if (score > 0) penalised.add(id)
      maxScore = Math.max(maxScore, score)
    }
  }
  const sum = (key: 'indirectProbesSent' | 'nacksReceived'): number => survivors.reduce((s, id, i) => s + sim.machine(id).stats[key] - before[i][key], 0)
  console.log(`nacks (${profile}, N=50, one dead): ${sum('indirectProbesSent')} indirect probes, ${sum('nacksReceived')} nacks counted, ${penalised.size} healthy probers penalised, health score up to ${maxScore}`)
}

{
  const n = Number(args['n-reconnect'])
  const sim = new Simulation({ size: n, seed: 1, wire: false, recordEvents: false })
  sim.runFor(90_000)
  const rate = (ms: number): number => { const b = sim.stats().bytes; sim.runFor(ms); return Math.round((sim.stats().bytes - b) / n / (ms / 1000)) }
  const base = rate(60_000)
  for (let i = 0; i < 10; i++) sim.crash(sim.ids[100 + i])
  sim.runFor(90_000)
  console.log(`reconnect (N=${n}): ${base} bytes/node/s with no dead member, ${rate(60_000)} with 10 dead`)
}

{
  const sim = new Simulation({ size: 10, seed: 1, config: { reapTime: 120_000 } })
  sim.runFor(30_000)
  sim.partition([sim.ids.slice(0, 5), sim.ids.slice(5)])
  sim.runFor(420_000)
  sim.heal()
  const start = sim.now
  let minView = 0
  while (sim.now - start < 3600_000) {
    sim.runFor(1000)
    minView = Math.min(...sim.ids.map((id) => sim.view(id).filter((m) => m.state === 'alive').length))
    if (minView === 10) break
  }
  console.log(`long partition (5|5 for 7 min, reapTime 120 s): ${minView === 10 ? `healed ${(sim.now - start) / 1000} s after the network` : `not healed an hour later, minimum view ${minView} of 10`}`)
}

{
  const sim = new Simulation({ size: 50, seed: 1 })
  const starved = sim.ids.slice(0, 10)
  starved.forEach((id, i) => sim.slow(id, { lag: 2000 * (0.5 + (i % 5) / 8), ms: 60_000 }))
  sim.runFor(180_000)
  const ofHealthy = sim.events.filter((e) => e.type === 'suspect' && !starved.includes(e.member)).length
  const ofStarved = sim.events.filter((e) => e.type === 'suspect' && starved.includes(e.member)).length
  console.log(`starvation (50 forming, 10 starved): ${ofHealthy} suspect events of healthy members, ${ofStarved} of the starved ones, ${sim.events.filter((e) => e.type === 'fail').length} fail events`)
}
