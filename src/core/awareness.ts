import { scaleByHealth } from './formulas.ts'

/**
 * Lifeguard's local health multiplier. A node that misses acks, gets too few nacks from
 * its indirect probers or has to refute suspicion of itself is more likely the slow one;
 * it then probes and waits more patiently, so its own trouble does not turn into false
 * suspicion of healthy members.
 */
export class Awareness {
  private current = 0

  constructor (private readonly max: number) {}

  /** 0 is healthy; max − 1 is the worst. */
  get score (): number {
    return this.current
  }

  apply (delta: number): void {
    this.current = Math.min(this.max - 1, Math.max(0, this.current + delta))
  }

  scale (timeout: number): number {
    return scaleByHealth(timeout, this.current)
  }
}
