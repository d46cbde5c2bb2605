import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EventLog } from '../../src/daemon/event-log.ts'
import { recordMembershipEvents } from '../../src/daemon/record-events.ts'
import { FakeSwim, makeMember } from './fake-swim.ts'
import type { Delivery } from '../../src/daemon/event-log.ts'
import type { MembershipEvent } from '../../src/core/types.ts'

const event = (id: string, type: MembershipEvent['type'] = 'join'): MembershipEvent => ({ type, member: makeMember(id), at: 1000 })

function fill (log: EventLog, count: number): void {
  for (let i = 1; i <= count; i++) log.append(event(`m${i}`))
}

test('append numbers events from 1 upwards', () => {
  const log = new EventLog({ capacity: 4 })
  assert.is(log.latestSeq, 0)
  assert.is(log.append(event('a')), 1)
  assert.is(log.append(event('b')), 2)
  assert.is(log.latestSeq, 2)
})

test('since returns exactly the events after the given seq, oldest first', () => {
  const log = new EventLog({ capacity: 8 })
  fill(log, 5)
  const result = log.since(2)
  assert.ok(result.ok)
  assert.equal(result.events.map((e) => e.seq), [3, 4, 5])
  assert.equal(result.events.map((e) => e.member.id), ['m3', 'm4', 'm5'])
  const none = log.since(5)
  assert.ok(none.ok)
  assert.equal(none.events, [])
})

test('a restart\'s reason travels with its event; other events have none', () => {
  const log = new EventLog({ capacity: 8 })
  log.append({ ...event('a', 'update'), reason: 'restart' })
  log.append(event('b', 'update'))
  const result = log.since(0)
  assert.ok(result.ok)
  assert.is(result.events[0].reason, 'restart')
  assert.is('reason' in result.events[1], false)
})

test('since signals a seq older than the ring once it has overflowed', () => {
  const log = new EventLog({ capacity: 4 })
  fill(log, 10)
  assert.is(log.oldestSeq, 7)
  const kept = log.since(6)
  assert.ok(kept.ok)
  assert.equal(kept.events.map((e) => e.seq), [7, 8, 9, 10])
  assert.equal(log.since(5), { ok: false, reason: 'too-old', latest: 10 })
  assert.equal(log.since(0), { ok: false, reason: 'too-old', latest: 10 })
})

test('since signals a seq the log never issued (a client of an earlier daemon run)', () => {
  const log = new EventLog({ capacity: 4 })
  fill(log, 2)
  assert.equal(log.since(3), { ok: false, reason: 'unknown', latest: 2 })
})

test('append stores a copy: changing the member afterwards does not change the log', () => {
  const log = new EventLog()
  const e = event('a')
  log.append(e)
  e.member.meta.changed = 'yes'
  const result = log.since(0)
  assert.ok(result.ok)
  assert.equal(result.events[0].member.meta, {})
})

test('a subscriber reads appended events in order and waits for new ones', async () => {
  const log = new EventLog({ capacity: 8 })
  fill(log, 2)
  const sub = log.subscribe(1)
  const first = await sub.next() as Delivery & { kind: 'events' }
  assert.equal(first.events.map((e) => e.seq), [2])
  const pending = sub.next()
  log.append(event('c'))
  const delivery = await pending as Delivery & { kind: 'events' }
  assert.equal(delivery.events.map((e) => e.seq), [3])
  assert.is(log.subscriberCount, 1)
  sub.close()
  assert.is(log.subscriberCount, 0)
})

test('a subscriber that falls behind the ring is told to reset with a snapshot, then continues', async () => {
  const log = new EventLog({ capacity: 4 })
  const snapshot = [makeMember('a'), makeMember('b')]
  const sub = log.subscribe(0, { snapshot: () => snapshot })
  fill(log, 6)
  assert.equal(await sub.next(), { kind: 'reset', seq: 6, members: snapshot })
  log.append(event('g'))
  const next = await sub.next() as Delivery & { kind: 'events' }
  assert.equal(next.events.map((e) => e.seq), [7])
  sub.close()
})

test('maxLag bounds a subscriber\'s backlog below the ring capacity', async () => {
  const log = new EventLog({ capacity: 100 })
  const sub = log.subscribe(0, { maxLag: 3 })
  fill(log, 3)
  assert.is((await sub.next())?.kind, 'events', 'within the bound')
  fill(log, 4)
  assert.equal(await sub.next(), { kind: 'reset', seq: 7, members: [] })
  sub.close()
})

test('a subscription resuming from a seq the log never issued starts with a reset', async () => {
  const log = new EventLog({ capacity: 4 })
  fill(log, 2)
  const sub = log.subscribe(50)
  assert.equal(await sub.next(), { kind: 'reset', seq: 2, members: [] })
  sub.close()
})

test('closing the log ends pending reads', async () => {
  const log = new EventLog()
  const sub = log.subscribe(0)
  const pending = sub.next()
  log.close()
  assert.is(await pending, undefined)
  assert.is(await log.subscribe(0).next(), undefined, 'subscriptions after close end at once')
})

test('recordMembershipEvents appends every member:* event of the service until detached', () => {
  const swim = new FakeSwim()
  const log = new EventLog()
  const detach = recordMembershipEvents(swim, log)
  swim.emit('join', 'a')
  swim.emit('suspect', 'a')
  swim.emit('alive', 'a')
  swim.emit('update', 'a', { meta: { v: '2' } })
  swim.emit('fail', 'b')
  swim.emit('leave', 'c')
  detach()
  swim.emit('join', 'd')
  const result = log.since(0)
  assert.ok(result.ok)
  assert.equal(result.events.map((e) => `${e.seq}:${e.type}:${e.member.id}`), ['1:join:a', '2:suspect:a', '3:alive:a', '4:update:a', '5:fail:b', '6:leave:c'])
})

test('a log that starts at a later firstSeq resets a reader resuming from an earlier run, and replays all for since 0', () => {
  const previousRun = new EventLog()
  previousRun.append(event('a'))
  previousRun.append(event('b'))
  const lastSeenBeforeRestart = previousRun.latestSeq

  const log = new EventLog({ firstSeq: 1_000_000 })
  log.append(event('c'))
  log.append(event('d'))
  const stale = log.since(lastSeenBeforeRestart)
  assert.is(stale.ok, false, 'a seq from before the restart is not silently treated as a resume point')
  const all = log.since(0)
  assert.ok(all.ok)
  if (all.ok) assert.equal(all.events.map((e) => e.seq), [1_000_000, 1_000_001])
  const fromMiddle = log.since(1_000_000)
  assert.ok(fromMiddle.ok)
  if (fromMiddle.ok) assert.equal(fromMiddle.events.map((e) => e.member.id), ['d'])
})

test.run()
