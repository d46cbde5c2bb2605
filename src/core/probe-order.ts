import { randomInt, shuffle, type Random } from './random.ts'

/**
 * Randomized round-robin over the members (SWIM §4.3): each round visits every member once
 * in a fresh random order, so every member is probed within a bounded time, unlike
 * uniformly random choice. A joiner is appended and swapped into a random slot.
 */
export class ProbeOrder {
  private order: string[] = []
  private cursor = 0

  constructor (private readonly random: Random) {}

  add (id: string): void {
    this.order.push(id)
    const j = randomInt(this.random, this.order.length)
    const last = this.order.length - 1
    const tmp = this.order[j]
    this.order[j] = this.order[last]
    this.order[last] = tmp
  }

  /**
   * The next member that `eligible` accepts. Ids it rejects for good (`keep` false) are
   * dropped at the end of the round. Looks at most two rounds' worth of ids.
   */
  next (eligible: (id: string) => boolean, keep: (id: string) => boolean): string | undefined {
    const limit = this.order.length * 2
    for (let i = 0; i < limit; i++) {
      if (this.cursor >= this.order.length) this.newRound(keep)
      if (this.order.length === 0) return undefined
      const id = this.order[this.cursor++]
      if (eligible(id)) return id
    }
    return undefined
  }

  private newRound (keep: (id: string) => boolean): void {
    const seen = new Set<string>()
    this.order = shuffle(this.random, this.order.filter((id) => {
      if (seen.has(id) || !keep(id)) return false
      seen.add(id)
      return true
    }))
    this.cursor = 0
  }
}
