import { randomInt, type Random } from '../core/random.ts'

export interface LatencyRange {
  /** ms */
  min: number
  max: number
}

/**
 * How a message travels. Probes and gossip are datagrams: lost on a lossy link. Push-pull
 * (sync) runs over a stream: loss makes it late (each lost segment costs a retransmission
 * timeout), and only a link that is cut (loss 1, a partition) makes it fail.
 */
export type Carriage = 'datagram' | 'stream'

/** A stream's retransmission timeout (ms) per lost attempt, and how many attempts it makes. */
const STREAM_RTO = 200
const STREAM_ATTEMPTS = 8

/**
 * The virtual links between simulated nodes: latency drawn uniformly from a range, random
 * loss, partitions into groups that cannot reach each other, and per-link, one-way loss and
 * latency on top (which is how non-transitive reachability and partial partitions are made).
 */
export class Network {
  private group = new Map<string, number>()
  private readonly linkLoss = new Map<string, number>()
  private readonly linkLatency = new Map<string, LatencyRange>()

  constructor (
    private readonly random: Random,
    public latency: LatencyRange,
    public loss: number
  ) {
    checkLatency(latency)
    checkLoss(loss)
  }

  setLoss (p: number): void {
    checkLoss(p)
    this.loss = p
  }

  /** Loss of messages from `from` to `to` only (one way), instead of the global loss; undefined restores it. */
  setLinkLoss (from: string, to: string, p: number | undefined): void {
    if (p === undefined) {
      this.linkLoss.delete(link(from, to))
      return
    }
    checkLoss(p)
    this.linkLoss.set(link(from, to), p)
  }

  /** Latency of messages from `from` to `to` only (one way); undefined restores the global range. */
  setLinkLatency (from: string, to: string, latency: LatencyRange | undefined): void {
    if (latency === undefined) {
      this.linkLatency.delete(link(from, to))
      return
    }
    checkLatency(latency)
    this.linkLatency.set(link(from, to), latency)
  }

  /** Splits the listed ids into groups that cannot reach each other; unlisted ids form one more group. */
  partition (groups: string[][]): void {
    this.group = new Map()
    groups.forEach((ids, g) => { for (const id of ids) this.group.set(id, g) })
  }

  /** Ends the partition and every per-link setting. */
  heal (): void {
    this.group = new Map()
    this.linkLoss.clear()
    this.linkLatency.clear()
  }

  reachable (from: string, to: string): boolean {
    if (this.group.size > 0 && (this.group.get(from) ?? -1) !== (this.group.get(to) ?? -1)) return false
    return this.linkLoss.size === 0 || this.linkLoss.get(link(from, to)) !== 1
  }

  /** The delivery delay of one message, or undefined if the message is lost. */
  delay (from: string, to: string, carriage: Carriage = 'datagram'): number | undefined {
    if (!this.reachable(from, to)) return undefined
    // Without per-link settings (the usual case), no link key is built for every message.
    const key = this.linkLoss.size > 0 || this.linkLatency.size > 0 ? link(from, to) : undefined
    const loss = (key === undefined ? undefined : this.linkLoss.get(key)) ?? this.loss
    const latency = (key === undefined ? undefined : this.linkLatency.get(key)) ?? this.latency
    let extra = 0
    if (loss > 0) {
      if (carriage === 'datagram') {
        if (this.random.next() < loss) return undefined
      } else {
        let attempts = 1
        while (this.random.next() < loss) {
          if (++attempts > STREAM_ATTEMPTS) return undefined
          extra += STREAM_RTO * 2 ** (attempts - 2)
        }
      }
    }
    const span = latency.max - latency.min
    return extra + latency.min + (span > 0 ? randomInt(this.random, span * 1000 + 1) / 1000 : 0)
  }
}

function link (from: string, to: string): string {
  return `${from}>${to}`
}

function checkLatency (latency: LatencyRange): void {
  if (latency == null || !(latency.min >= 0) || !(latency.max >= latency.min) || !Number.isFinite(latency.max)) {
    throw new RangeError(`Invalid latency ${latency?.min}..${latency?.max} ms: need 0 <= min <= max, finite`)
  }
}

function checkLoss (p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`Invalid loss ${p}: need a probability between 0 and 1`)
}
