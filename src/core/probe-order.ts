import { mix32, randomInt, shuffle, type Random } from './random.ts'

/**
 * Randomized round-robin over the members (SWIM §4.3): each round visits every member once
 * in a fresh random order, so every member is probed within a bounded time, unlike
 * uniformly random choice. A joiner is appended and swapped into a random slot.
 */
export class ProbeOrder implements ProbeRotation {
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

/** What the machine needs of a probe rotation: `ProbeOrder`, or the simulator's `KeyedProbeOrder`. */
export interface ProbeRotation {
  add: (id: string) => void
  next: (eligible: (id: string) => boolean, keep: (id: string) => boolean) => string | undefined
}

/**
 * The same randomized round-robin over a member table's keys, holding nothing per member:
 * each round walks a fresh pseudo-random permutation of the keys [0, capacity) (a keyed
 * Feistel network, cycle-walked into the range) and skips keys the table does not hold. A
 * member added during a round is visited in it if its key comes later in the walk, else in
 * the next one, so each member is still probed within two rounds. For the simulator's large
 * runs, where 10,000 nodes cannot each hold an array of 10,000 ids.
 */
export class KeyedProbeOrder implements ProbeRotation {
  private size = 0
  private cursor = 0
  private half = 1
  private readonly keys = new Uint32Array(4)

  /**
   * `capacity`: one more than the highest key the table may hold; `member`: the id at a key
   * the table holds, else undefined; `count`: how many members the table holds.
   */
  constructor (
    private readonly random: Random,
    private readonly capacity: () => number,
    private readonly member: (key: number) => string | undefined,
    private readonly count: () => number
  ) {}

  /** Members enter the rotation through the table. */
  add (_id: string): void {}

  /** The next member that `eligible` accepts; looks at most two rounds' worth of keys. */
  next (eligible: (id: string) => boolean, _keep: (id: string) => boolean): string | undefined {
    if (this.count() === 0) return undefined
    const limit = Math.max(this.size, this.capacity()) * 2
    for (let i = 0; i < limit; i++) {
      if (this.cursor >= this.size) this.newRound()
      if (this.size === 0) return undefined
      const id = this.member(this.permute(this.cursor++))
      if (id !== undefined && eligible(id)) return id
    }
    return undefined
  }

  private newRound (): void {
    this.size = this.capacity()
    this.cursor = 0
    // 2·half bits must cover the keys, and stay within the 31 bits of the bit operations.
    if (this.size > 2 ** 30) throw new RangeError(`A keyed probe order covers at most 2^30 keys, not ${this.size}`)
    let bits = 1
    while (4 ** bits < this.size) bits++
    this.half = bits
    for (let i = 0; i < this.keys.length; i++) this.keys[i] = randomInt(this.random, 0x100000000)
  }

  /** A bijection of [0, size): four Feistel rounds over 2·half bits, walked until in range. */
  private permute (x: number): number {
    const mask = (1 << this.half) - 1
    do {
      let l = x >>> this.half
      let r = x & mask
      for (let i = 0; i < this.keys.length; i++) {
        const t = l ^ (mix32(r ^ this.keys[i]) & mask)
        l = r
        r = t
      }
      x = (l << this.half) | r
    } while (x >= this.size)
    return x
  }
}
