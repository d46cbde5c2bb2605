import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MemberIds, MemberTable, type MemberEntry, type MemberView } from '../../src/core/members.ts'
import type { MemberRecord } from '../../src/core/messages.ts'
import { KeyedProbeOrder } from '../../src/core/probe-order.ts'
import { viewDigest } from '../../src/core/push-pull.ts'
import { randomInt, seededRandom } from '../../src/core/random.ts'
import { SharedMembers, type SharedMemberTable } from '../../src/core/shared-members.ts'
import { MEMBER_STATES } from '../../src/core/types.ts'

const record = (id: string, incarnation = 0, meta: Record<string, string> = {}): MemberRecord => ({ id, incarnation, addrs: [`/dns/${id}/tcp/1`], meta, leaving: false })
const entry = (id: string, incarnation = 0, since = 0): MemberEntry => ({ record: record(id, incarnation), state: 'alive', incarnation, since })
const self = record('self')

/** Everything a table says, in an order that does not depend on the table's own order. */
function snapshot (t: MemberView): unknown {
  const entries = [...t.values()].map((e) => ({ id: e.record.id, state: e.state, incarnation: e.incarnation, since: e.since, record: { ...e.record }, heard: t.heard.has(e.record.id) }))
  entries.sort((a, b) => a.id < b.id ? -1 : 1)
  const counts = Object.fromEntries(MEMBER_STATES.map((s) => [s, t.count(s)]))
  return {
    size: t.size,
    live: t.live,
    heardLive: t.heardLive,
    counts,
    digest: [...t.digestSums],
    view: [...viewDigest(self, t.values())],
    gone: [...t.gone()].map((e) => e.record.id).sort(),
    heard: [...t.heard.list()].sort(),
    entries
  }
}

test('the same operations on dense tables and on tables over one store give the same tables, step by step', () => {
  for (const seed of [1, 2, 3]) {
    const random = seededRandom(seed)
    const store = new SharedMembers()
    const registry = new MemberIds()
    const shared = [store.table(), store.table(), store.table()]
    const dense = [new MemberTable(registry), new MemberTable(registry), new MemberTable(registry)]
    const ids = Array.from({ length: 12 }, (_, i) => `m${i}`)
    for (let step = 0; step < 3000; step++) {
      const t = randomInt(random, shared.length)
      const id = ids[randomInt(random, ids.length)]
      const now = step + 0.5
      const held = dense[t].get(id)
      // every draw first, so both tables get the same operation
      const op = randomInt(random, 7)
      const state = MEMBER_STATES[randomInt(random, 4)]
      const incarnation = randomInt(random, 3)
      const bump = randomInt(random, 2)
      const apply = (table: MemberView): void => {
        const e = table.get(id)
        if (e == null) {
          table.add({ record: record(id, incarnation), state, incarnation, since: now })
          return
        }
        if (op === 0) table.remove(id)
        else if (op === 1) table.setState(e, state, e.incarnation + bump, now)
        else if (op === 2) table.setIncarnation(e, e.incarnation + 1)
        else if (op === 3) e.record = record(id, e.record.incarnation + 1, { v: String(bump) })
        else if (op === 4) e.since = now
        else if (op === 5) table.heard.add(id)
        else table.heard.delete(id)
      }
      apply(dense[t])
      apply(shared[t])
      assert.equal(snapshot(shared[t]), snapshot(dense[t]), `seed ${seed}, step ${step}, op ${op} on ${id} (${held == null ? 'absent' : held.state})`)
      // the kept count of heard live members is what a scan of the heard set finds
      const scanned = [...dense[t].heard].filter((m) => ['alive', 'suspect'].includes(dense[t].get(m)?.state ?? '')).length
      assert.is(dense[t].heardLive, scanned, `step ${step}`)
    }
    // the store holds no more distinct values than the tables do
    for (const id of ids) {
      const distinct = new Set(shared.map((t) => { const e = t.get(id); return e == null ? undefined : JSON.stringify([e.record, e.incarnation]) }).filter((x) => x !== undefined))
      assert.is(store.valuesHeld(id), distinct.size, id)
    }
  }
})

test('a table that learns a newer value moves alone; the others keep theirs, until they learn it too', () => {
  const store = new SharedMembers()
  const [t1, t2, t3] = [store.table(), store.table(), store.table()]
  for (const t of [t1, t2, t3]) t.add(entry('a', 1, 5))
  assert.is(store.valuesHeld('a'), 1, 'one value for three tables')
  const e1 = t1.get('a') as MemberEntry
  e1.record = record('a', 2, { role: 'db' })
  t1.setIncarnation(e1, 2)
  assert.equal([t1.get('a')?.incarnation, t1.get('a')?.record.meta], [2, { role: 'db' }])
  for (const t of [t2, t3]) assert.equal([t.get('a')?.incarnation, t.get('a')?.record.meta], [1, {}], 'the others keep the old value')
  assert.is(store.valuesHeld('a'), 2)
  // t2 learns the same value from another message (an equal record, not the same object)
  const e2 = t2.get('a') as MemberEntry
  e2.record = record('a', 2, { role: 'db' })
  t2.setIncarnation(e2, 2)
  assert.is(store.valuesHeld('a'), 2, 'an equal record shares the slot')
  const e3 = t3.get('a') as MemberEntry
  e3.record = record('a', 2, { role: 'db' })
  t3.setIncarnation(e3, 2)
  assert.is(store.valuesHeld('a'), 1, 'the old value is freed once no table holds it')
  assert.equal(t3.get('a')?.since, 5, 'since stays per table')
})

test('a table may hold an older value than the others, and a state of its own at the same value', () => {
  const store = new SharedMembers()
  const [t1, t2] = [store.table(), store.table()]
  t1.add(entry('a', 5, 1))
  t2.add(entry('a', 3, 2))
  assert.equal([t1.get('a')?.incarnation, t2.get('a')?.incarnation], [5, 3])
  assert.equal([t1.get('a')?.record.incarnation, t2.get('a')?.record.incarnation], [5, 3])
  t2.setState(t2.get('a') as MemberEntry, 'suspect', 3, 9)
  assert.equal([t1.get('a')?.state, t2.get('a')?.state, t2.get('a')?.since], ['alive', 'suspect', 9])
  assert.is(t1.count('suspect'), 0)
  assert.is(t2.count('suspect'), 1)
})

test('reaping: removing a member from every table frees its key and its values', () => {
  const store = new SharedMembers()
  const tables = [store.table(), store.table()]
  for (const t of tables) t.add(entry('gone', 2))
  for (const t of tables) t.setState(t.get('gone') as MemberEntry, 'dead', 2, 7)
  assert.equal([...tables[0].gone()].map((e) => e.record.id), ['gone'])
  tables[0].remove('gone')
  assert.ok(store.ids.key('gone') !== undefined, 'still held by the other table')
  tables[1].remove('gone')
  assert.is(store.ids.key('gone'), undefined)
  assert.is(store.valuesHeld('gone'), 0)
  for (const t of tables) assert.equal([t.size, t.count('dead'), [...t.gone()].length, t.digestSums], [0, 0, 0, [0, 0]])
})

test('a formed view: each table holds every other member alive and heard, equal to a dense table filled one by one', () => {
  const store = new SharedMembers()
  const records = Array.from({ length: 50 }, (_, i) => record(`n${i}`))
  store.form(records)
  for (const me of ['n0', 'n17', 'n49']) {
    const shared = store.formedTable(me, 0)
    const dense = new MemberTable()
    for (const r of records) {
      if (r.id === me) continue
      dense.add({ record: r, state: 'alive', incarnation: 0, since: 0 })
      dense.heard.add(r.id)
    }
    assert.equal(snapshot(shared), snapshot(dense), me)
  }
  assert.is(store.valuesHeld('n3'), 1)
  assert.throws(() => store.formedTable('stranger', 0), /not a member of the formed view/)
})

test('since stays exact when most entries have their own (the table turns its sparse times dense)', () => {
  const store = new SharedMembers()
  const t = store.table()
  for (let i = 0; i < 500; i++) t.add(entry(`m${i}`, 0, i + 0.25))
  for (let i = 0; i < 500; i += 7) (t.get(`m${i}`) as MemberEntry).since = -i
  for (let i = 0; i < 500; i++) assert.is(t.get(`m${i}`)?.since, i % 7 === 0 ? -i : i + 0.25)
})

test('KeyedProbeOrder visits every member of the table once per round, skips keys it does not hold, and a joiner within two rounds', () => {
  const store = new SharedMembers()
  const t: SharedMemberTable = store.table()
  const other = store.table()
  for (let i = 0; i < 40; i++) other.add(entry(`x${i}`)) // keys this table does not hold
  for (let i = 0; i < 30; i++) t.add(entry(`m${i}`))
  const order = new KeyedProbeOrder(seededRandom(3), () => t.capacity, (k) => t.memberAt(k), () => t.size)
  const rounds: string[][] = []
  for (let round = 0; round < 3; round++) {
    const seen: string[] = []
    for (let i = 0; i < 30; i++) seen.push(order.next(() => true, () => true) as string)
    assert.equal([...seen].sort(), Array.from({ length: 30 }, (_, i) => `m${i}`).sort(), `round ${round}`)
    rounds.push(seen)
  }
  assert.not.equal(rounds[0], rounds[1], 'a fresh order each round')
  t.add(entry('late'))
  const next: string[] = []
  for (let i = 0; i < 62; i++) next.push(order.next(() => true, () => true) as string)
  assert.ok(next.includes('late'))
  assert.is(order.next((id) => id === 'nobody', () => true), undefined, 'nothing eligible: nothing, after a bounded look')
  const again = new KeyedProbeOrder(seededRandom(3), () => t.capacity, (k) => t.memberAt(k), () => t.size)
  const replay = new KeyedProbeOrder(seededRandom(3), () => t.capacity, (k) => t.memberAt(k), () => t.size)
  assert.equal(Array.from({ length: 31 }, () => again.next(() => true, () => true)), Array.from({ length: 31 }, () => replay.next(() => true, () => true)), 'equal seeds, equal orders')
  const empty = store.table()
  assert.is(new KeyedProbeOrder(seededRandom(1), () => empty.capacity, (k) => empty.memberAt(k), () => empty.size).next(() => true, () => true), undefined)
})

test.run()
