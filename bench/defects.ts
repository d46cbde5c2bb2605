/**
 * Figures for the protocol defects the simulator tests pin (figures, not assertions), seed 1:
 *
 * - nacks: N=50, one node crashed, 60 s: indirect probes, nacks counted, healthy probers
 *   whose health score rose (lan and wan);
 * - reconnect: bytes per node per second with no dead member and with 10 dead (N=1000);
 * - long partition: a 5|5 cut for 7 minutes with reapTime 120 s, then healed;
 * - starvation: 50 nodes forming while 10 read their input 1 to 2.75 s late: suspicions of
 *   healthy members;
 * - a 1|99 cut for 10 minutes, healed: suspicions and fails of healthy members after the heal;
 * - flapping: one member of 100 cut 20 s and back 20 s for 5 minutes, damped and not;
 * - refusals first-hand: a crashed member of 8 whose host refuses connections, 30 seeds: how
 *   long until every survivor declared it dead (each refusal counts only from its own accuser).
 *
 * The scenarios are the rows the tests replay (test/sim/scenarios.ts), so each is defined once.
 *
 * `node --import tsx bench/defects.ts [--n-reconnect 1000]`
 */
import { parseArgs } from 'node:util'
import { Simulation } from '../src/sim/index.ts'
import { SCENARIOS, probeOneDeadNode, refusedCrashes, runScenario, type Scenario } from '../test/sim/scenarios.ts'

const { values: args } = parseArgs({ options: { 'n-reconnect': { type: 'string', default: '1000' } } })

for (const profile of ['lan', 'wan'] as const) {
  const r = probeOneDeadNode(profile)
  console.log(`nacks (${profile}, N=50, one dead): ${r.indirect} indirect probes, ${r.nacks} nacks counted, ${r.penalised} healthy probers penalised, health score up to ${r.maxScore}`)
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
  // The test's row, healed at 7 minutes; here we measure how long the merge takes.
  const row = scenario('a 5|5 partition that outlasts reapTime')
  const { sim, start } = runScenario({ ...row, duration: 420_000, expect: [] })
  const healAt = start + 420_000
  let minView = 0
  while (sim.now - healAt < 3600_000) {
    sim.runFor(1000)
    minView = Math.min(...sim.ids.map((id) => sim.view(id).filter((m) => m.state === 'alive').length))
    if (minView === 10) break
  }
  console.log(`long partition (5|5 for 7 min, reapTime 120 s): ${minView === 10 ? `healed ${(sim.now - healAt) / 1000} s after the network` : `not healed an hour later, minimum view ${minView} of 10`}`)
}

{
  const row = scenario('50 form while 10 are starved')
  const { sim, figures } = runScenario(row)
  const starved = new Set(row.faulty.map((i) => sim.ids[i]))
  const ofHealthy = sim.events.filter((e) => e.type === 'suspect' && !starved.has(e.member)).length
  const ofStarved = sim.events.filter((e) => e.type === 'suspect' && starved.has(e.member)).length
  console.log(`starvation (50 forming, 10 starved): ${ofHealthy} suspect events of healthy members, ${ofStarved} of the starved ones, ${sim.events.filter((e) => e.type === 'fail').length} fail events (${figures.healthySuspects} at healthy observers)`)
}

{
  const row = scenario('after a 10-minute 1|99 cut')
  const { sim, start } = runScenario(row)
  const alone = sim.ids[37]
  const after = sim.events.filter((e) => e.at >= start + 600_000 && e.member !== alone && e.observer !== alone)
  console.log(`1|99 cut for 10 min, healed: ${after.filter((e) => e.type === 'suspect').length} suspect and ${after.filter((e) => e.type === 'fail').length} fail events of healthy members at healthy observers in the 6 minutes after the heal`)
}

{
  // Flap damping: the test's row, and the same with damping off.
  const row = scenario('a member cut off 20 s and back 20 s')
  for (const flapPenalty of [0, row.config?.flapPenalty ?? 1000]) {
    const { sim, start } = runScenario({ ...row, config: { ...row.config, flapPenalty }, expect: [] })
    const x = sim.ids[7]
    const count = (type: string): number => sim.events.filter((e) => e.at >= start && e.member === x && e.observer !== x && e.type === type).length
    console.log(`flapping (N=100, cut 20 s / back 20 s for 5 min, flapPenalty ${flapPenalty}): ${count('fail')} fail, ${count('join')} join, ${count('suspect')} suspect events on the observers`)
  }
}

{
  const took = refusedCrashes(30).map((r) => r.tookMs).sort((a, b) => a - b)
  console.log(`refusals first-hand (N=8, refused crash, 30 seeds): every survivor declared it dead after median ${took[15] / 1000} s, p90 ${took[27] / 1000} s, at most ${took[29] / 1000} s`)
}

function scenario (prefix: string): Scenario {
  const row = SCENARIOS.find((r) => r.name.startsWith(prefix))
  if (row == null) throw new Error(`No scenario named "${prefix}…"`)
  return row
}
