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
