import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import { seededRandom } from '../../src/core/random.ts'
import type { Effect } from '../../src/core/effects.ts'
import type { MemberRecord } from '../../src/core/messages.ts'

const rec = (incarnation: number, generation?: number, meta: Record<string, string> = {}): MemberRecord =>
  ({ id: 'b', incarnation, addrs: ['/b'], meta, leaving: false, ...(generation === undefined ? {} : { generation }) })

function emitted (effects: Effect[]): string[] {
  return effects.flatMap((e) => e.type === 'emit' ? [`${e.event.type}${e.event.reason !== undefined ? ` (${e.event.reason})` : ''} gen ${e.event.member.generation}`] : [])
}

function observer (): SwimMachine {
  return new SwimMachine({ id: 'a', addrs: ['/a'], config: resolveConfig('lan'), random: seededRandom(1), now: 0 })
}

test('the machine signs its generation into its record and shows it as its own', () => {
  const m = new SwimMachine({ id: 'a', addrs: ['/a'], generation: 1_700_000_000_123, config: resolveConfig('lan'), random: seededRandom(1), now: 0 })
  assert.is(m.record.generation, 1_700_000_000_123)
  assert.is(m.localMember().generation, 1_700_000_000_123)
  assert.throws(() => new SwimMachine({ id: 'a', addrs: [], generation: -5, config: resolveConfig('lan'), random: seededRandom(1), now: 0 }), /Invalid generation: -5/)
  assert.is(observer().record.generation, undefined, 'unknown (0) is not written into the record')
})

test('a newer generation of a member held alive is an update with reason restart; of a suspect, an alive with it', () => {
  const m = observer()
  assert.equal(emitted(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec(0, 100) }] }, 0)), ['join gen 100'])
  assert.equal(emitted(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec(1, 100) }] }, 10)), [], 'same run, same content: nothing')
  assert.equal(emitted(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec(2, 100, { role: 'x' }) }] }, 20)), ['update gen 100'], 'same run, new metadata: a plain update')
  assert.equal(emitted(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec(3, 200, { role: 'x' }) }] }, 30)), ['update (restart) gen 200'])
  assert.is(m.member('b')?.generation, 200)
  // suspected by a live accuser, then its next run announces itself
  m.receive('c', { type: 'gossip', updates: [{ type: 'record', record: { ...rec(0), id: 'c' } }] }, 40)
  assert.equal(emitted(m.receive('c', { type: 'gossip', updates: [{ type: 'suspect', id: 'b', incarnation: 3, from: 'c' }] }, 50)), ['suspect gen 200'])
  assert.equal(emitted(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec(4, 300, { role: 'x' }) }] }, 60)), ['alive (restart) gen 300'])
})

test('an older member (no generation) that comes back with one is no restart; an older generation is none either', () => {
  const m = observer()
  m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec(0) }] }, 0)
  assert.equal(emitted(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec(1, 100) }] }, 10)), [], 'unknown before: nothing to compare')
  assert.equal(emitted(m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec(2, 50) }] }, 20)), [])
})

test('a member that sees its own record of another run at its incarnation announces a newer one', () => {
  const m = new SwimMachine({ id: 'a', addrs: ['/a'], generation: 200, config: resolveConfig('lan'), random: seededRandom(1), now: 0 })
  m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec(0) }] }, 0)
  m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: { id: 'a', incarnation: 0, addrs: ['/a'], meta: {}, leaving: false, generation: 100 } }] }, 10)
  assert.is(m.record.incarnation, 1, 'its previous run\'s record no longer matches it')
  assert.is(m.record.generation, 200)
})

test.run()
