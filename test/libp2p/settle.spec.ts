import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Settle } from '../../src/libp2p/settle.ts'
import { WATCH_LONGEST, WATCH_QUIET, WATCHERS } from '../../src/libp2p/constants.ts'
import { dials, mayChangeWatch, watchedBy } from '../../src/libp2p/watch.ts'
import { mix32 } from '../../src/core/random.ts'

/** A manual clock and timer queue: time moves only when the test says so. */
function clock (): { now: () => number, advance: (ms: number) => void, setTimer: (fn: () => void, ms: number) => unknown, clearTimer: (t: unknown) => void } {
  let now = 0
  let next = 0
  const timers = new Map<number, { at: number, fn: () => void }>()
  return {
    now: () => now,
    advance: (ms) => {
      const end = now + ms
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
        if (due == null) break
        timers.delete(due[0])
        now = due[1].at
        due[1].fn()
      }
      now = end
    },
    setTimer: (fn, ms) => {
      const id = next++
      timers.set(id, { at: now + ms, fn })
      return id
    },
    clearTimer: (t) => { timers.delete(t as number) }
  }
}

test('runs once the changes stop for quiet ms', () => {
  const c = clock()
  const runs: number[] = []
  const s = new Settle(() => runs.push(c.now()), { quiet: 100, longest: 1000, ...c })
  s.changed()
  c.advance(60)
  s.changed()
  c.advance(60)
  s.changed()
  assert.equal(runs, [])
  assert.ok(s.pending)
  c.advance(100)
  assert.equal(runs, [220])
  assert.not.ok(s.pending)
  c.advance(1000)
  assert.equal(runs, [220], 'once per burst')
})

test('a view that never stops changing still gets a run every longest ms', () => {
  const c = clock()
  const runs: number[] = []
  const s = new Settle(() => runs.push(c.now()), { quiet: 100, longest: 500, ...c })
  for (let t = 0; t < 1200; t += 50) {
    s.changed()
    c.advance(50)
  }
  assert.equal(runs, [500, 1000])
})

test('within: a retry runs after at most its delay, and never postpones a run due sooner', () => {
  const c = clock()
  const runs: number[] = []
  const s = new Settle(() => runs.push(c.now()), { quiet: 100, longest: 1000, ...c })
  s.within(300)
  c.advance(200)
  assert.equal(runs, [])
  c.advance(100)
  assert.equal(runs, [300])
  s.changed()
  s.within(500)
  c.advance(100)
  assert.equal(runs, [300, 400], 'the change\'s run, due sooner, stands')
})

test('cancel: nothing runs until the next change', () => {
  const c = clock()
  const runs: number[] = []
  const s = new Settle(() => runs.push(c.now()), { quiet: 100, longest: 1000, ...c })
  s.changed()
  s.cancel()
  c.advance(2000)
  assert.equal(runs, [])
  s.changed()
  c.advance(100)
  assert.equal(runs, [2100])
})

/**
 * A node's view while 50 members join in random order over 5 s (one every 100 ms, a probe
 * interval of 1 s): dialing each watched set as it changes costs several connections that are
 * dropped again; waiting for the changes to settle dials little more than the final set.
 */
test('while a view forms, settling dials far fewer watch connections than following every change', () => {
  const PROBE_INTERVAL = 1000
  let eager = 0
  let settled = 0
  let finalDials = 0
  for (let seed = 1; seed <= 20; seed++) {
    const ids = Array.from({ length: 50 }, (_, i) => `12D3KooW-member-${seed}-${i}`)
    const self = ids[0]
    const order = ids.slice(1).map((id, i) => ({ id, key: mix32(seed * 1000 + i) })).sort((a, b) => a.key - b.key).map((x) => x.id)
    const c = clock()
    const view: string[] = []
    let eagerWatched = new Set<string>()
    let watched = new Set<string>()
    const dialed = new Set<string>()
    const refresh = (): void => {
      watched = watchedBy(self, view, WATCHERS)
      for (const id of watched) if (dials(self, id) && !dialed.has(id)) { dialed.add(id); settled++ }
      // dropped members' connections close; a member watched again later is dialed again
      for (const id of dialed) if (!watched.has(id)) dialed.delete(id)
    }
    const s = new Settle(refresh, { quiet: WATCH_QUIET * PROBE_INTERVAL, longest: WATCH_LONGEST * PROBE_INTERVAL, ...c })
    for (const id of order) {
      view.push(id)
      const next = watchedBy(self, view, WATCHERS)
      for (const w of next) if (!eagerWatched.has(w) && dials(self, w)) eager++
      eagerWatched = next
      if (mayChangeWatch(self, watched, id, WATCHERS)) s.changed()
      c.advance(100)
    }
    c.advance(WATCH_LONGEST * PROBE_INTERVAL)
    assert.equal(watched, watchedBy(self, ids, WATCHERS), 'the final set is watched')
    finalDials += [...watched].filter((id) => dials(self, id)).length
  }
  assert.ok(settled <= finalDials * 2, `settled: ${settled} dials for ${finalDials} final ones`)
  assert.ok(eager >= settled * 2, `eager: ${eager} dials, settled: ${settled}`)
  console.log(`  50 members joining over 5 s, 20 views: ${eager} watch dials following every change, ${settled} settled, ${finalDials} in the final sets`)
})

test.run()
