import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CONFIG_KEYS, resolveConfig, type SwimConfig } from '../../src/core/config.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import { seededRandom } from '../../src/core/random.ts'

/**
 * Follows a lone machine's own schedule for `span` virtual ms, with news queued and nobody
 * to gossip it to, and returns how many ticks that took. A machine whose schedule does not
 * move forward would loop for ever at one instant: in a real node, a timer loop at 100% CPU.
 */
function ticksOver (config: SwimConfig, span: number): number {
  const m = new SwimMachine({ id: 'self', addrs: ['/mem/self'], config, random: seededRandom(1), now: 0 })
  // A member that is dead at once: news in the queue, a reconnect target, something to reap.
  m.receive('a', { type: 'gossip', updates: [{ type: 'record', record: { id: 'a', incarnation: 0, addrs: [], meta: {}, leaving: false } }] }, 0)
  m.receive('a', { type: 'gossip', updates: [{ type: 'dead', id: 'a', incarnation: 0, from: 'a' }] }, 0)
  let now = 0
  let ticks = 0
  while (now < span && ticks < 100_000) {
    const schedule = m.tick(now).findLast((e) => e.type === 'schedule')
    ticks++
    if (schedule?.type !== 'schedule') break
    now = Math.max(now, schedule.at)
  }
  return ticks
}

// Each value a config could plausibly be given at the edge of its range.
const EDGES: Array<Partial<SwimConfig>> = [
  { reapTime: 0 }, { reapTime: 1 }, { reapTime: 1000 },
  { gossipInterval: 0 }, { gossipInterval: 1 }, { gossipInterval: 10 },
  { pushPullInterval: 0 }, { pushPullInterval: 1 }, { pushPullInterval: 1000 },
  { reconnectInterval: 0 }, { reconnectInterval: 1 }, { reconnectInterval: 1000 },
  { probeInterval: 1, probeTimeout: 0.5 }, { probeInterval: 10, probeTimeout: 5 },
  { eagerGossipDelay: 0 }, { gossipInterval: 0, eagerGossipDelay: 0 },
  // news queued and no gossip target at all (the dead member no longer gets gossip)
  { gossipInterval: 0, gossipToTheDeadTime: 0 }
]

for (const edge of EDGES) {
  test(`${JSON.stringify(edge)} is either refused with a message naming the knob, or makes progress`, () => {
    let config: SwimConfig
    try {
      config = resolveConfig('lan', edge)
    } catch (err) {
      assert.ok(err instanceof RangeError && Object.keys(edge).some((k) => err.message.includes(k)), String(err))
      return
    }
    // 60 virtual seconds: at most one tick per ms of the fastest period allowed (10 ms).
    const ticks = ticksOver(config, 60_000)
    assert.ok(ticks <= 60_000 / 10 * 3, `${ticks} ticks in 60 virtual seconds`)
  })
}

test('periods of 0 are refused, except where 0 means off, and the message says how to turn a feature off', () => {
  assert.throws(() => resolveConfig('lan', { reapTime: 0 }), /Invalid reapTime: 0 is below the minimum of 1000$/)
  assert.throws(() => resolveConfig('lan', { probeInterval: 5, probeTimeout: 1 }), /Invalid probeInterval: 5 is below the minimum of 10/)
  assert.throws(() => resolveConfig('lan', { gossipInterval: 5 }), /Invalid gossipInterval: 5 is below the minimum of 10; use 0 to turn it off/)
  assert.throws(() => resolveConfig('lan', { reconnectInterval: 50 }), /use 0 to turn it off/)
  for (const key of ['gossipInterval', 'pushPullInterval', 'reconnectInterval'] as const) {
    assert.is(resolveConfig('lan', { [key]: 0 })[key], 0, `${key}: 0 is off`)
  }
  assert.ok(CONFIG_KEYS.length > 0)
})

test('gossipInterval 0 is off: no gossip round, news still rides on probes', () => {
  const config = resolveConfig('lan', { gossipInterval: 0 })
  const m = new SwimMachine({ id: 'self', addrs: ['/mem/self'], config, random: seededRandom(1), now: 0 })
  const sent: string[] = []
  const collect = (effects: ReturnType<SwimMachine['tick']>): void => {
    // A suspicion still goes straight to its suspect (the buddy system): that is no round.
    for (const e of effects) {
      if (e.type === 'send') sent.push(e.message.type === 'gossip' && e.message.updates.some((u) => u.type === 'record') ? 'gossip round' : e.message.type)
    }
  }
  collect(m.receive('a', { type: 'gossip', updates: [{ type: 'record', record: { id: 'a', incarnation: 0, addrs: [], meta: {}, leaving: false } }] }, 0))
  collect(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: { id: 'b', incarnation: 0, addrs: [], meta: {}, leaving: false } }] }, 0))
  for (let t = 0; t < 5000; t += 10) collect(m.tick(t))
  assert.not.ok(sent.includes('gossip round'), `sent ${[...new Set(sent)].join(', ')}`)
  assert.ok(sent.includes('ping'), 'probing goes on')
})

test.run()
