import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import type { Effect } from '../../src/core/effects.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import type { MemberRecord, Message, SyncEntry } from '../../src/core/messages.ts'
import { seededRandom } from '../../src/core/random.ts'

// Gossip rounds off, so every gossip message seen was sent straight to its target.
const config = resolveConfig('lan', { gossipInterval: 0 })
const record = (id: string, incarnation = 0): MemberRecord => ({ id, incarnation, addrs: [`/mem/${id}`], meta: {}, leaving: false })
const events = (out: Effect[]): string[] => out.flatMap((e) => e.type === 'emit' ? [`${e.event.type}:${e.event.member.id}`] : [])
const notices = (out: Effect[]): string[] => out.flatMap((e) =>
  e.type === 'send' && e.message.type === 'gossip' && e.message.updates.some((u) => u.type === 'suspect' && u.id === e.to) ? [e.to] : [])

test('a push-pull view holding dead the members we hold alive raises no suspicion: the members hear of it, 16 per push-pull', () => {
  const m = new SwimMachine({ id: 'self', addrs: [], config, random: seededRandom(5), now: 0 })
  const ids = Array.from({ length: 30 }, (_, i) => `m${i}`)
  for (const id of ['stale', ...ids]) m.receive(id, { type: 'gossip', updates: [{ type: 'record', record: record(id) }] }, 0)
  // The view of a member that was cut off: everybody else dead, at the incarnation we hold.
  const entries: SyncEntry[] = [{ record: record('stale'), state: 'alive', incarnation: 0 },
    ...ids.map((id) => ({ record: record(id), state: 'dead' as const, incarnation: 0 }))]
  const sync: Message = { type: 'sync', join: false, response: true, entries }
  const out = m.receive('stale', sync, 100)
  assert.equal(events(out), [])
  assert.ok(ids.every((id) => m.member(id)?.state === 'alive'))
  const told = notices(out)
  assert.is(told.length, 16)
  assert.ok(told.every((id) => ids.includes(id)))
  // A stale view (older than what we hold) is not worth a message.
  m.receive('m0', { type: 'gossip', updates: [{ type: 'record', record: record('m0', 3) }] }, 200)
  const again = m.receive('stale', { type: 'sync', join: false, response: true, entries: [entries[0], { record: record('m0'), state: 'dead', incarnation: 0 }] }, 300)
  assert.equal(notices(again), [])
})

test('a push-pull view still brings what our own view lacks: a suspect member new to us is suspect', () => {
  const m = new SwimMachine({ id: 'self', addrs: [], config, random: seededRandom(5), now: 0 })
  m.receive('a', { type: 'gossip', updates: [{ type: 'record', record: record('a') }] }, 0)
  const out = m.receive('a', { type: 'sync', join: false, response: true, entries: [{ record: record('a'), state: 'alive', incarnation: 0 }, { record: record('x'), state: 'suspect', incarnation: 0 }] }, 10)
  assert.equal(events(out), ['join:x', 'suspect:x'])
})

test.run()
