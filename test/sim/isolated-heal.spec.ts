import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

/**
 * One member of 100 cut off for 10 minutes, then the network heals. Cut off, it fails the
 * others once its Lifeguard patience is at its cap; at the heal its view (99 members dead or
 * suspect) reaches the cluster by push-pull and gossip. That view is its own isolation, not
 * news about the 99: no healthy member may be failed by it, nor a storm of suspicions raised.
 */
test('after a 10-minute 1|99 cut, the isolated member\'s stale view fails no healthy member', () => {
  const sim = new Simulation({ size: 100, seed: 1 })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 100), 60_000, 500) !== undefined, 'formed')
  const alone = sim.ids[37]
  const others = sim.ids.filter((id) => id !== alone)
  sim.partition([[alone], others])
  sim.runFor(600_000)
  assert.ok(sim.view(alone).filter((m) => m.state === 'dead').length > 0, 'cut off, it failed others')
  const healAt = sim.now
  sim.heal()
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 100), 300_000, 1000) !== undefined, 'every view has all 100 alive again')
  sim.runFor(60_000)
  const after = sim.events.filter((e) => e.at >= healAt)
  const failed = after.filter((e) => e.type === 'fail' && e.member !== alone && e.observer !== alone)
  assert.is(failed.length, 0, `${failed.length} fail events of healthy members at healthy observers`)
  const suspected = after.filter((e) => e.type === 'suspect' && e.member !== alone && e.observer !== alone)
  // A few suspicions by the healthy members' own probes may come; not one per stale entry.
  assert.ok(suspected.length <= 100, `${suspected.length} suspect events of healthy members at healthy observers`)
})

test.run()
