import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'

const N = 300

/** Virtual ms until every view holds all `n` members (polled each 250 ms, up to `limit`). */
function joinThrough (sim: Simulation, n: number, limit: number): number | undefined {
  while (sim.now < limit) {
    sim.runFor(250)
    if (sim.ids.every((id) => sim.machine(id).clusterSize === n)) return sim.now
  }
  return undefined
}

for (const sharedTables of [false, true]) {
  const tables = sharedTables ? 'shared' : 'dense'

  // The seed gossips every joiner's record, but when all join at once its queue holds all of
  // them and passes each on a few times a second: the rest of the cluster heard of the late
  // joiners only through the joiners' catch-up push-pulls (9 s at 300 nodes). Joiners that
  // announce themselves spread their records in parallel.
  test(`${N} nodes joining through one seed at once all hold every member within 5 virtual s (${tables} tables)`, () => {
    const sim = new Simulation({ size: N, seed: 1, wire: false, recordEvents: false, quorum: false, sharedTables })
    const at = joinThrough(sim, N, 30_000)
    assert.ok(at !== undefined && at <= 5000, `converged at ${at ?? 'never'} ms`)
  })

  // The seed's answers alone are N²/2 entries. A digest exchange whose views differ moved
  // three full states (the peer's, ours, and the peer's again in answer to ours, though we
  // had just merged it): the catch-ups of a join wave moved about 4.5·N² entries more.
  test(`the first 20 virtual s of a ${N}-node join move at most 3·N² push-pull entries (${tables} tables)`, () => {
    const sim = new Simulation({ size: N, seed: 1, wire: false, recordEvents: false, quorum: false, sharedTables })
    sim.runFor(20_000)
    assert.ok(sim.ids.every((id) => sim.machine(id).clusterSize === N), 'every view holds every member')
    const entries = sim.stats().syncEntries
    assert.ok(entries <= 3 * N * N, `${entries} entries, ${(entries / N / N).toFixed(2)}·N²`)
  })
}

test.run()
