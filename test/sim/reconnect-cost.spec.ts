import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

/** Bytes per node per second over `ms` of steady state. */
function bytesPerNodePerSecond (sim: Simulation, nodes: number, ms: number): number {
  const before = sim.stats().bytes
  sim.runFor(ms)
  return (sim.stats().bytes - before) / nodes / (ms / 1000)
}

test('ten dead members cost the cluster about one reconnect each per interval, not a full state per node (N=200)', () => {
  const n = 200
  const sim = new Simulation({ size: n, seed: 1 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, n), 60_000, 500) !== undefined, 'formed')
  sim.runFor(60_000)
  const baseline = bytesPerNodePerSecond(sim, n, 60_000)
  const dead = sim.ids.slice(100, 110)
  for (const id of dead) sim.crash(id)
  const survivors = sim.ids.filter((id) => !dead.includes(id))
  assert.ok(runUntil(sim, () => allSeeAlive(sim, survivors, n - 10), 120_000, 500) !== undefined, 'all ten failed everywhere')
  sim.runFor(60_000) // the failure news has left the queues
  // Reconnect attempts are the syncs addressed to members that are down.
  const syncsBefore = sim.stats().toStopped.sync
  const withDead = bytesPerNodePerSecond(sim, n - 10, 120_000)
  const reconnects = sim.stats().toStopped.sync - syncsBefore
  const perDeadPerInterval = reconnects / 10 / (120_000 / 10_000)
  assert.ok(withDead < 1.5 * baseline, `${Math.round(withDead)} bytes/node/s with 10 dead, ${Math.round(baseline)} without`)
  // Serf's rule: about one attempt per dead member per reconnectInterval across the cluster.
  assert.ok(perDeadPerInterval < 2, `${perDeadPerInterval} reconnects per dead member per interval`)
})

test.run()
