import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import { seededRandom } from '../../src/core/random.ts'
import type { MemberRecord, SyncEntry } from '../../src/core/messages.ts'

const rec = (id: string, incarnation: number, leaving = false): MemberRecord => ({ id, incarnation, addrs: [`/${id}`], meta: {}, leaving })

test('a joiner keeps the dead and departed members of the seed\'s answer, quietly, as the seed holds them', () => {
  const m = new SwimMachine({ id: 'j', addrs: ['/j'], config: resolveConfig('lan'), random: seededRandom(1), now: 0 })
  m.join([{ id: 's', addrs: ['/s'] }], 0)
  assert.is(m.pendingBroadcasts, 1, 'a joiner announces itself')
  const entries: SyncEntry[] = [
    { record: rec('s', 0), state: 'alive', incarnation: 0 },
    { record: rec('d', 3), state: 'dead', incarnation: 3 },
    { record: rec('l', 2, true), state: 'left', incarnation: 2 },
    // a dead state at an incarnation the record does not prove is not kept
    { record: rec('x', 1), state: 'dead', incarnation: 5 }
  ]
  const effects = m.receive('s', { type: 'sync', join: true, response: true, entries }, 1000)
  const emitted = effects.flatMap((e) => e.type === 'emit' ? [`${e.event.type} ${e.event.member.id}`] : [])
  assert.equal(emitted, ['join s'], 'only the live member is news to consumers')
  assert.is(m.member('d')?.state, 'dead')
  assert.is(m.member('d')?.incarnation, 3)
  assert.is(m.member('l')?.state, 'left')
  assert.is(m.member('x'), undefined)
  // Queued: the joiner's announcement of itself and the seed's own record; the gone members are news to nobody.
  assert.is(m.pendingBroadcasts, 2, 'only our own and the seed\'s records are queued')
  // A dead member that comes back is a join like any other.
  const back = m.receive('d', { type: 'gossip', updates: [{ type: 'record', record: rec('d', 4) }] }, 2000)
  assert.ok(back.some((e) => e.type === 'emit' && e.event.type === 'join' && e.event.member.id === 'd'))
})

test('a farewell gossiped about a member we never knew is kept as departed, without an event', () => {
  const m = new SwimMachine({ id: 'a', addrs: ['/a'], config: resolveConfig('lan'), random: seededRandom(1), now: 0 })
  m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec('b', 0) }] }, 0)
  const effects = m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec('c', 7, true) }] }, 10)
  assert.not.ok(effects.some((e) => e.type === 'emit'))
  assert.is(m.member('c')?.state, 'left')
})

test('a gone member is not kept when the table is full, and displaces nobody', () => {
  const m = new SwimMachine({ id: 'a', addrs: ['/a'], config: resolveConfig('lan', { maxMembers: 1 }), random: seededRandom(1), now: 0 })
  m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec('b', 0) }] }, 0)
  m.receive('b', { type: 'gossip', updates: [{ type: 'record', record: rec('c', 7, true) }] }, 10)
  assert.is(m.member('c'), undefined)
  assert.is(m.member('b')?.state, 'alive')
  assert.is(m.stats.membersRejected, 1)
})

test.run()
