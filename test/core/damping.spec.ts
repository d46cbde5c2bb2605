import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FlapDamper } from '../../src/core/damping.ts'
import { resolveConfig } from '../../src/core/config.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import { seededRandom } from '../../src/core/random.ts'
import type { Effect } from '../../src/core/effects.ts'

const options = { penalty: 1000, suppress: 3000, reuse: 1500, halfLife: 60_000, capacity: 100 }

test('flips pass until the score reaches suppress; the fail that crosses it passes, later ones are held', () => {
  const d = new FlapDamper(options)
  assert.is(d.observe('x', 'join', 0), 'pass', 'a first appearance is no flap')
  assert.is(d.size, 0, 'and costs nothing')
  assert.is(d.observe('x', 'fail', 0), 'pass')
  assert.is(d.observe('x', 'join', 0), 'pass')
  assert.is(d.observe('x', 'fail', 0), 'pass', 'the third flip reaches 3000: a fail still goes out')
  assert.is(d.held('x'), 'dead', 'held, and consumers last heard it fail')
  for (const type of ['join', 'suspect', 'alive', 'update', 'fail'] as const) assert.is(d.observe('x', type, 1), 'hold', type)
  assert.is(d.observe('y', 'join', 1), 'pass', 'another member is not affected')
})

test('a join that crosses suppress is held: consumers keep the member out', () => {
  const d = new FlapDamper(options)
  d.observe('x', 'fail', 0)
  d.observe('x', 'join', 0)
  assert.is(d.observe('x', 'join', 0), 'hold')
  assert.is(d.held('x'), 'alive', 'the last state consumers heard is the join before')
})

test('the score halves every halfLife; the hold ends at reuse, at the time nextRelease says', () => {
  const d = new FlapDamper(options)
  for (let i = 0; i < 6; i++) d.observe('x', i % 2 === 0 ? 'fail' : 'join', 0)
  // capped at 2 × suppress = 6000: 6000 → 1500 takes two half-lives
  assert.is(d.nextRelease(), 120_000)
  assert.equal(d.release(119_000), [])
  assert.equal(d.release(120_000), [{ id: 'x', shown: 'dead' }])
  assert.is(d.held('x'), undefined)
  assert.is(d.nextRelease(), Infinity)
  assert.is(d.observe('x', 'join', 120_000), 'pass', 'released: 1500 + 1000 is below suppress')
})

test('a restart (a fail and a join) is never held, and spaced restarts are not either', () => {
  const d = new FlapDamper(options)
  let t = 0
  for (let i = 0; i < 20; i++) {
    assert.is(d.observe('x', 'fail', t), 'pass')
    assert.is(d.observe('x', 'join', t + 10_000), 'pass')
    t += 120_000
  }
})

test('penalty 0 turns damping off; pruning forgets quiet members; capacity bounds what is tracked', () => {
  const off = new FlapDamper({ ...options, penalty: 0 })
  for (let i = 0; i < 10; i++) assert.is(off.observe('x', 'fail', 0), 'pass')
  const d = new FlapDamper({ ...options, capacity: 2 })
  d.observe('a', 'fail', 0)
  d.observe('b', 'fail', 0)
  d.observe('c', 'fail', 0)
  assert.is(d.size, 2)
  d.prune(60_000 * 3 + 1)
  assert.is(d.size, 0)
})

test('config: the damping knobs are validated with the knob, the value and the rule', () => {
  assert.throws(() => resolveConfig('lan', { flapSuppress: 1000 }), /Invalid flapSuppress: 1000 must be above flapPenalty \(1000\)/)
  assert.throws(() => resolveConfig('lan', { flapReuse: 3000 }), /Invalid flapReuse: 3000 must be below flapSuppress \(3000\)/)
  assert.throws(() => resolveConfig('lan', { flapHalfLife: 10 }), /Invalid flapHalfLife: 10 is below the minimum of 1000/)
  assert.throws(() => resolveConfig('lan', { flapPenalty: -1 }), /Invalid flapPenalty: -1 is below the minimum of 0/)
  assert.is(resolveConfig('lan', { flapPenalty: 0, flapSuppress: 1 }).flapPenalty, 0, 'off needs no other knob to agree')
})

function events (effects: Effect[]): string[] {
  return effects.flatMap((e) => e.type === 'emit' ? [`${e.event.type} ${e.event.member.state}`] : [])
}

test('machine: a held member is in the member list but out of the consumer view, and comes back on release', () => {
  const config = resolveConfig('lan')
  const m = new SwimMachine({ id: 'a', addrs: [], config, random: seededRandom(1), now: 0 })
  const record = (incarnation: number, leaving = false): { id: string, incarnation: number, addrs: string[], meta: Record<string, string>, leaving: boolean } =>
    ({ id: 'b', incarnation, addrs: ['/b'], meta: {}, leaving })
  const out: string[] = []
  out.push(...events(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: record(0) }] }, 0)))
  out.push(...events(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: record(1, true) }] }, 0)))
  out.push(...events(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: record(2) }] }, 0)))
  out.push(...events(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: record(3, true) }] }, 0)))
  out.push(...events(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: record(4) }] }, 0)))
  out.push(...events(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: record(5, true) }] }, 0)))
  out.push(...events(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: record(6) }] }, 0)))
  // the first join is no flap; the second leave reaches suppress (it goes out), the join after is held
  assert.equal(out, ['join alive', 'leave left', 'join alive', 'leave left'], 'the third join is held (the second leave reached suppress)')
  assert.is(m.member('b')?.state, 'alive')
  assert.is(m.consumerMembers().find((x) => x.id === 'b')?.state, 'left')
  // leave, join, leave (3000: held), join, leave, join: capped at 6000, which decays to 1500 in 120 s
  assert.equal(events(m.tick(110_000)), [], 'still held')
  const later = m.tick(120_000)
  assert.equal(events(later), ['join alive'], 'released, consumers hear it is back')
  assert.is(m.consumerMembers().find((x) => x.id === 'b')?.state, 'alive')
})

test.run()
