import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import { suspicionBounds } from '../../src/core/formulas.ts'
import type { Simulation } from '../../src/sim/index.ts'

/** How many members `observer` sees alive (itself included). */
export function aliveIn (sim: Simulation, observer: string): number {
  return sim.view(observer).filter((m) => m.state === 'alive').length
}

/** Runs the simulation in steps until `done` holds or `limit` virtual ms pass; returns the time it took or undefined. */
export function runUntil (sim: Simulation, done: () => boolean, limit: number, step = 100): number | undefined {
  const start = sim.now
  while (sim.now - start <= limit) {
    if (done()) return sim.now - start
    sim.runFor(step)
  }
  return done() ? sim.now - start : undefined
}

/** True when every node in `observers` sees exactly `n` alive members. */
export function allSeeAlive (sim: Simulation, observers: string[], n: number): boolean {
  return observers.every((id) => aliveIn(sim, id) === n)
}

/**
 * Crashes `victim` of a formed lan cluster and checks the bounds of SWIM and Lifeguard: every
 * survivor fails it, once; the first suspicion comes within a few periods (the expected time
 * to the first probe of a member is e/(e−1) periods, plus one period of direct and indirect
 * probing); with its confirmations the suspicion runs the minimum timeout, then the dead news
 * spreads within two periods; and no live node fails, then or in the 30 s after.
 */
export function crashWithinLifeguardBounds (sim: Simulation, victim: string): void {
  const lan = resolveConfig('lan')
  const n = sim.ids.length
  const crashedAt = sim.now
  sim.crash(victim)
  const survivors = sim.ids.filter((id) => id !== victim)
  const failedByAll = (): boolean => survivors.every((id) => sim.view(id).find((m) => m.id === victim)?.state === 'dead')
  assert.ok(runUntil(sim, failedByAll, 120_000) !== undefined, 'every survivor failed it')
  sim.runFor(30_000)
  const about = sim.events.filter((e) => e.member === victim && e.at >= crashedAt)
  const firstSuspect = (about.find((e) => e.type === 'suspect')?.at ?? Infinity) - crashedAt
  const fails = about.filter((e) => e.type === 'fail')
  assert.is(new Set(fails.map((e) => e.observer)).size, n - 1, 'one fail event per survivor')
  const lastFail = Math.max(...fails.map((e) => e.at)) - crashedAt
  assert.ok(firstSuspect <= 6 * lan.probeInterval, `first suspect after ${firstSuspect} ms`)
  const { min } = suspicionBounds(n, lan.suspicionMult, lan.suspicionMaxTimeoutMult, lan.probeInterval)
  assert.ok(lastFail - firstSuspect >= min, `fail ${lastFail - firstSuspect} ms after the first suspicion, min is ${min}`)
  assert.ok(lastFail - firstSuspect <= min + 2 * lan.probeInterval, `fail ${lastFail - firstSuspect} ms after the first suspicion`)
  assert.is(sim.events.filter((e) => e.type === 'fail' && e.member !== victim).length, 0, 'no live node ever failed')
}
