import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation, type SimulationOptions } from '../../src/sim/index.ts'
import { Network } from '../../src/sim/network.ts'
import { seededRandom } from '../../src/core/random.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

test('an unknown constructor option is refused with a message naming it and the known ones', () => {
  assert.throws(() => new Simulation({ size: 3, sed: 1 } as unknown as SimulationOptions), /Unknown Simulation option "sed": the options are size, seed/)
})

test('a slow link (one-way latency above the probe timeout) sends its probes through relays, and nobody fails', () => {
  const sim = new Simulation({ size: 10, seed: 1 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 10), 30_000) !== undefined, 'formed')
  sim.setLinkLatency(sim.ids[1], sim.ids[2], { min: 600, max: 700 })
  sim.runFor(120_000)
  assert.is(sim.events.filter((e) => e.type === 'fail').length, 0)
})

test('under loss probes and gossip are lost while push-pull is only delayed', () => {
  const network = new Network(seededRandom(1), { min: 1, max: 5 }, 0.5)
  let lostDatagrams = 0
  let lostStreams = 0
  let slowStreams = 0
  for (let i = 0; i < 1000; i++) {
    if (network.delay('a', 'b', 'datagram') === undefined) lostDatagrams++
    const stream = network.delay('a', 'b', 'stream')
    if (stream === undefined) lostStreams++
    else if (stream > 5) slowStreams++
  }
  assert.ok(lostDatagrams > 400 && lostDatagrams < 600, `${lostDatagrams} of 1000 datagrams lost`)
  assert.ok(lostStreams < 10, `${lostStreams} of 1000 streams failed (only after 8 lost attempts in a row)`)
  assert.ok(slowStreams > 400, `${slowStreams} of 1000 streams were late by retransmissions`)
  network.setLinkLoss('a', 'b', 1)
  assert.is(network.delay('a', 'b', 'stream'), undefined, 'a cut link fails streams too')
  assert.ok(network.delay('b', 'a', 'stream') !== undefined, 'the other direction is not cut')
})

test('a node joins through several seeds of which the first is down, and one that comes late is retried', () => {
  const sim = new Simulation({ size: 5, seed: 1 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 5), 30_000) !== undefined, 'formed')
  sim.crash(sim.ids[0])
  const joiner = sim.add({ seeds: [sim.ids[0], sim.ids[2]] })
  assert.ok(runUntil(sim, () => sim.view(joiner).filter((m) => m.state === 'alive').length === 5, 30_000) !== undefined, 'joined through the live seed')
  // Its only seed is down at first: the joiner keeps trying and gets in once the seed is back.
  sim.crash(sim.ids[4])
  const late = sim.add({ seeds: [sim.ids[4]] })
  sim.runFor(3000)
  assert.is(sim.view(late).length, 1, 'alone while its seed is down')
  sim.restart(sim.ids[4])
  assert.ok(runUntil(sim, () => sim.view(late).filter((m) => m.state === 'alive').length === 6, 120_000) !== undefined, 'joined on a retry')
})

test.run()
