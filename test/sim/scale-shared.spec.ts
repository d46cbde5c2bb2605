/**
 * The simulator's shared member tables (`sharedTables`) and formed start (`formed`): the
 * protocol's expectations hold with them as with the dense tables. The scenario rows and the
 * crash, leave, update and restart specs run with both kinds of table.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation, type SimulationOptions } from '../../src/sim/index.ts'
import { resolveConfig } from '../../src/core/config.ts'
import { allSeeAlive, crashWithinLifeguardBounds, runUntil } from '../helpers/sim.ts'
import { SCENARIOS, runScenario } from './scenarios.ts'

const lan = resolveConfig('lan')
const KINDS = [{ name: 'dense', sharedTables: false }, { name: 'shared', sharedTables: true }]

// The rows that run in a few seconds; the scenario spec runs every row with the default tables.
const QUICK = SCENARIOS.filter((row) => !/50\|50 partition|cut off 20 s/.test(row.name))

for (const row of QUICK) {
  test(`shared tables: ${row.name}`, () => {
    const { failures } = runScenario({ ...row, sharedTables: true })
    assert.equal(failures, [], failures.join('\n'))
  })
}

test('shared tables: two runs with the same seed produce identical event logs', () => {
  const run = (): string => {
    const sim = new Simulation({ size: 30, seed: 7, loss: 0.02, sharedTables: true })
    sim.runFor(5000)
    sim.crash(sim.ids[3])
    sim.runFor(20000)
    sim.restart(sim.ids[3])
    sim.runFor(10000)
    return JSON.stringify({ events: sim.events, stats: sim.stats() })
  }
  assert.is(run(), run())
})

for (const kind of KINDS) {
  const options = (size: number, seed: number, more: Partial<SimulationOptions> = {}): SimulationOptions => ({ size, seed, sharedTables: kind.sharedTables, ...more })

  for (const formed of [false, true]) {
    test(`${kind.name} tables, ${formed ? 'formed start' : 'joined'}: a crashed node is failed by every survivor within the Lifeguard bounds, no live node fails (N=100)`, () => {
      const sim = new Simulation(options(100, 3, { formed }))
      if (formed) {
        assert.ok(allSeeAlive(sim, sim.ids, 100), 'every view is complete from the start')
        assert.is(sim.events.length, 0, 'a formed start has no join events')
      } else {
        assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 100), 30_000) !== undefined, 'formed')
        sim.runFor(30_000)
      }
      sim.runFor(5_000)
      crashWithinLifeguardBounds(sim, sim.ids[42])
    })
  }

  test(`${kind.name} tables, formed start: a stable cluster costs a ping and an ack per node per interval`, () => {
    const sim = new Simulation(options(300, 23, { formed: true, wire: false }))
    sim.runFor(10_000)
    const before = sim.stats()
    sim.runFor(30 * lan.probeInterval)
    const after = sim.stats()
    const msgs = (after.messages - before.messages) / 300 / 30
    assert.ok(msgs > 1.9 && msgs < 2.2, `${msgs} messages per node per interval`)
    assert.is(sim.events.length, 0, 'nothing happened')
  })

  test(`${kind.name} tables: a graceful leave and a metadata update reach every node`, () => {
    const sim = new Simulation(options(50, 17))
    assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 50), 30_000) !== undefined, 'formed')
    const leaver = sim.ids[9]
    const start = sim.now
    sim.leave(leaver)
    const others = sim.ids.filter((id) => id !== leaver)
    const leftEverywhere = (): boolean => others.every((id) => sim.view(id).find((m) => m.id === leaver)?.state === 'left')
    const took = runUntil(sim, leftEverywhere, 10_000, 10)
    assert.ok(took !== undefined && took <= 1000, `leave reached all within ${took} ms`)
    assert.is(sim.events.filter((e) => e.member === leaver && e.type === 'leave' && e.at >= start).length, 49)
    assert.is(sim.events.filter((e) => e.member === leaver && e.type === 'fail').length, 0)
    const changer = sim.ids[20]
    const updating = others.filter((id) => id !== changer)
    sim.setMetadata(changer, { role: 'api', zone: 'b' })
    const updated = (): boolean => updating.every((id) => sim.view(id).find((m) => m.id === changer)?.meta.role === 'api')
    assert.ok(runUntil(sim, updated, 10_000, 10) !== undefined, 'new metadata everywhere')
    assert.is(sim.events.filter((e) => e.member === changer && e.type === 'update').length, updating.length)
  })

  test(`${kind.name} tables, formed start: a restarted node comes back with a higher incarnation, a new one joins, and every view converges`, () => {
    const sim = new Simulation(options(20, 19, { formed: true }))
    const node = sim.ids[5]
    sim.crash(node)
    const others = sim.ids.filter((id) => id !== node)
    assert.ok(runUntil(sim, () => others.every((id) => sim.view(id).find((m) => m.id === node)?.state === 'dead'), 120_000) !== undefined, 'failed')
    const before = sim.view(sim.ids[0]).find((m) => m.id === node)?.incarnation ?? -1
    sim.restart(node)
    const added = sim.add()
    assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 21), 30_000) !== undefined, 'alive everywhere again')
    assert.ok((sim.view(sim.ids[0]).find((m) => m.id === node)?.incarnation ?? -1) > before)
    assert.ok(sim.events.some((e) => e.member === node && e.type === 'join' && e.observer === sim.ids[0]))
    assert.ok(sim.events.some((e) => e.member === added && e.type === 'join' && e.observer === sim.ids[0]))
    assert.is(sim.events.filter((e) => e.type === 'fail' && e.member !== node).length, 0)
  })
}

test('without quorum trackers, sim.quorum says so; formed and sharedTables are known options', () => {
  const sim = new Simulation({ size: 5, formed: true, sharedTables: true, quorum: false })
  assert.throws(() => sim.quorum(sim.ids[0]), /no quorum trackers \(option quorum: false\)/)
  const tracked = new Simulation({ size: 5, formed: true, quorum: { stableAfter: 1000 } })
  tracked.runFor(2000)
  assert.equal({ ...tracked.quorum(tracked.ids[0]), since: 0 }, { state: 'quorum', alive: 5, expected: 5, since: 0 })
})

test('a formed start of 2,000 nodes over shared tables fails a crashed member everywhere', () => {
  let fails = 0
  const sim = new Simulation({ size: 2000, seed: 1, formed: true, sharedTables: true, wire: false, recordEvents: false, quorum: false, onEvent: (e) => { if (e.type === 'fail') fails++ } })
  sim.runFor(2_000)
  sim.crash(sim.ids[1000])
  // eslint-disable-next-line no-unmodified-loop-condition -- onEvent counts the failures
  for (let t = 0; t < 60_000 && fails < 1999; t += 1000) sim.runFor(1000)
  assert.is(fails, 1999, 'every survivor failed it, and nobody else failed')
})

test.run()
