import { randomInt, type Random } from '../core/random.ts'

export interface LatencyRange {
  /** ms */
  min: number
  max: number
}

/**
 * The virtual links between simulated nodes: latency drawn uniformly from a range, random
 * loss, and partitions into groups that cannot reach each other.
 */
export class Network {
  private group = new Map<string, number>()

  constructor (
    private readonly random: Random,
    public latency: LatencyRange,
    public loss: number
  ) {
    if (latency.min < 0 || latency.max < latency.min) {
      throw new RangeError(`Invalid latency ${latency.min}..${latency.max} ms: need 0 <= min <= max`)
    }
    checkLoss(loss)
  }

  setLoss (p: number): void {
    checkLoss(p)
    this.loss = p
  }

  /** Splits the listed ids into groups that cannot reach each other; unlisted ids form one more group. */
  partition (groups: string[][]): void {
    this.group = new Map()
    groups.forEach((ids, g) => { for (const id of ids) this.group.set(id, g) })
  }

  heal (): void {
    this.group = new Map()
  }

  reachable (from: string, to: string): boolean {
    return (this.group.get(from) ?? -1) === (this.group.get(to) ?? -1)
  }

  /** The delivery delay of one message, or undefined if the message is lost. */
  delay (from: string, to: string): number | undefined {
    if (!this.reachable(from, to)) return undefined
    if (this.loss > 0 && this.random.next() < this.loss) return undefined
    const span = this.latency.max - this.latency.min
    return this.latency.min + (span > 0 ? randomInt(this.random, span * 1000 + 1) / 1000 : 0)
  }
}

function checkLoss (p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`Invalid loss ${p}: need a probability between 0 and 1`)
}
