/**
 * The ring and the quorum tracker as every simulated node runs them (`sim.lookup`,
 * `sim.quorum`), through partitions, heals, leaves and crashes, in virtual time.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Simulation } from '../../src/sim/index.ts'
import { allSeeAlive, runUntil } from '../helpers/sim.ts'

const STABLE = 20_000

function formed (size: number, seed: number, quorum?: { expect?: number }): Simulation {
  const sim = new Simulation({ size, seed, quorum })
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, size), 30_000) !== undefined, 'formed')
  return sim
}

function states (sim: Simulation, ids: string[]): string[] {
  return ids.map((id) => sim.quorum(id).state)
}

test('forming until the first stable view, then quorum everywhere with the learned size', () => {
  const sim = formed(6, 11)
  assert.equal(states(sim, sim.ids), Array(6).fill('forming'))
  runUntil(sim, () => sim.ids.every((id) => sim.quorum(id).state !== 'forming'), STABLE + 5_000)
  for (const id of sim.ids) {
    const q = sim.quorum(id)
    assert.is(q.state, 'quorum')
    assert.is(q.alive, 6)
    assert.is(q.expected, 6)
  }
})

function stableSix (seed: number): Simulation {
  const sim = formed(6, seed)
  sim.runFor(STABLE + 1_000)
  assert.equal(states(sim, sim.ids), Array(6).fill('quorum'))
  return sim
}

function split (sim: Simulation, sizes: number[]): string[][] {
  const groups: string[][] = []
  let at = 0
  for (const size of sizes) {
    groups.push(sim.ids.slice(at, at + size))
    at += size
  }
  sim.partition(groups)
  // until each side has failed the other
  assert.ok(runUntil(sim, () => groups.every((g) => allSeeAlive(sim, g, g.length)), 90_000) !== undefined, 'each side sees only itself')
  return groups
}

test('4|2: the four keep quorum, the two are a minority; after the heal everyone has quorum again', () => {
  const sim = stableSix(12)
  const [four, two] = split(sim, [4, 2])
  assert.equal(states(sim, four), Array(4).fill('quorum'))
  assert.equal(states(sim, two), Array(2).fill('minority'))
  assert.equal(sim.quorum(two[0]), { ...sim.quorum(two[0]), alive: 2, expected: 6 })
  sim.heal()
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 6), 120_000) !== undefined, 'merged back')
  assert.equal(states(sim, sim.ids), Array(6).fill('quorum'))
})

test('3|3: exactly one side, the one holding the lowest id, keeps quorum', () => {
  const sim = stableSix(13)
  const [left, right] = split(sim, [3, 3])
  const lowest = [...sim.ids].sort()[0]
  const winner = left.includes(lowest) ? left : right
  const loser = winner === left ? right : left
  assert.equal(states(sim, winner), ['quorum', 'quorum', 'quorum'])
  assert.equal(states(sim, loser), ['minority', 'minority', 'minority'])
})

test('1|5: the five keep quorum, the lone node is a minority', () => {
  const sim = stableSix(14)
  const [one, five] = split(sim, [1, 5])
  assert.equal(states(sim, one), ['minority'])
  assert.equal(states(sim, five), Array(5).fill('quorum'))
})

test('a graceful leave lowers the expected size; crashes do not, down to the tie-break', () => {
  const sim = stableSix(15)
  const sorted = [...sim.ids].sort()
  const leaver = sorted[5]
  sim.leave(leaver)
  const rest = sim.ids.filter((id) => id !== leaver)
  assert.ok(runUntil(sim, () => allSeeAlive(sim, rest, 5), 30_000) !== undefined, 'the leave is seen')
  for (const id of rest) assert.equal({ ...sim.quorum(id), since: 0 }, { state: 'quorum', alive: 5, expected: 5, since: 0 })
  sim.runFor(STABLE + 1_000)
  // crashes: the lowest id first, so that the survivors of a 3-of-6 tie no longer hold it
  const victim = sorted[0]
  sim.crash(victim)
  const survivors = rest.filter((id) => id !== victim)
  assert.ok(runUntil(sim, () => allSeeAlive(sim, survivors, 4), 60_000) !== undefined, 'the crash is failed')
  for (const id of survivors) assert.equal({ ...sim.quorum(id), since: 0 }, { state: 'quorum', alive: 4, expected: 5, since: 0 })
  sim.crash(survivors[0])
  const last = survivors.slice(1)
  assert.ok(runUntil(sim, () => allSeeAlive(sim, last, 3), 60_000) !== undefined, 'the second crash is failed')
  for (const id of last) assert.equal({ ...sim.quorum(id), since: 0 }, { state: 'quorum', alive: 3, expected: 5, since: 0 })
  sim.crash(last[0])
  const two = last.slice(1)
  assert.ok(runUntil(sim, () => allSeeAlive(sim, two, 2), 60_000) !== undefined, 'the third crash is failed')
  assert.equal(states(sim, two), ['minority', 'minority'], '2 of 5')
})

test('crashes down to exactly half: the side without the lowest id is a minority', () => {
  const sim = stableSix(16)
  const sorted = [...sim.ids].sort()
  for (const id of sorted.slice(0, 3)) sim.crash(id)
  const survivors = sorted.slice(3)
  assert.ok(runUntil(sim, () => allSeeAlive(sim, survivors, 3), 90_000) !== undefined, 'the crashes are failed')
  for (const id of survivors) assert.equal({ ...sim.quorum(id), since: 0 }, { state: 'minority', alive: 3, expected: 6, since: 0 })
})

test('a fixed expected size (--expect) overrides the learned one', () => {
  const sim = formed(4, 17, { expect: 9 })
  sim.runFor(STABLE + 1_000)
  assert.equal(states(sim, sim.ids), Array(4).fill('minority'))
  assert.is(sim.quorum(sim.ids[0]).expected, 9)
})

const KEYS = Array.from({ length: 20_000 }, (_, i) => `object-${i}`)

function answers (sim: Simulation, observer: string, n = 1): string[] {
  return KEYS.map((key) => sim.lookup(observer, key, n).map((m) => m.id).join(','))
}

test('ring: after convergence every member gives the same owners for every key', () => {
  const sim = formed(20, 21)
  sim.setMetadata(sim.ids[3], { zone: 'b', weight: '2' })
  sim.runFor(5_000)
  const reference = answers(sim, sim.ids[0], 3)
  for (const id of sim.ids.slice(1)) assert.equal(answers(sim, id, 3), reference, `${id} agrees`)
  assert.ok(new Set(reference.map((a) => a.split(',')[0])).size === 20, 'every member owns something')
})

test('ring: a join, a leave and a failure move at most 1.1/N of the keys, only to or from that member', () => {
  const sim = formed(20, 22)
  const observer = sim.ids[0]
  const check = (before: string[], after: string[], who: string, n: number, direction: 'to' | 'from'): void => {
    let moved = 0
    for (let i = 0; i < KEYS.length; i++) {
      if (before[i] === after[i]) continue
      moved++
      assert.is(direction === 'to' ? after[i] : before[i], who, `key ${KEYS[i]} moved between ${before[i]} and ${after[i]}`)
    }
    // the bound of the requirement, plus three standard deviations of sampling 20,000 keys
    const bound = 1.1 / n + 3 * Math.sqrt(1 / n / KEYS.length)
    assert.ok(moved / KEYS.length <= bound, `${direction} ${who}: ${(moved / KEYS.length * 100).toFixed(2)}% of keys moved, bound ${(bound * 100).toFixed(2)}%`)
    assert.ok(moved > 0, 'some keys moved')
  }

  let before = answers(sim, observer)
  const joiner = sim.add()
  assert.ok(runUntil(sim, () => allSeeAlive(sim, sim.ids, 21), 30_000) !== undefined, 'the joiner is seen')
  check(before, answers(sim, observer), joiner, 21, 'to')

  before = answers(sim, observer)
  const leaver = sim.ids[5]
  sim.leave(leaver)
  const afterLeave = sim.ids.filter((id) => id !== leaver)
  assert.ok(runUntil(sim, () => allSeeAlive(sim, afterLeave, 20), 30_000) !== undefined, 'the leave is seen')
  check(before, answers(sim, observer), leaver, 21, 'from')

  before = answers(sim, observer)
  const victim = sim.ids[9]
  sim.crash(victim)
  const survivors = afterLeave.filter((id) => id !== victim)
  assert.ok(runUntil(sim, () => survivors.every((id) => !sim.view(id).some((m) => m.id === victim && (m.state === 'alive' || m.state === 'suspect'))), 60_000) !== undefined, 'the crash is failed')
  check(before, answers(sim, observer), victim, 20, 'from')
  const reference = answers(sim, survivors[0], 2)
  for (const id of survivors.slice(1, 6)) assert.equal(answers(sim, id, 2), reference, 'the survivors agree again')
})

test.run()
