/**
 * Prometheus metrics of the daemon, on a registry of its own (never prom-client's global one).
 *
 * The daemon computes no protocol figures: at each scrape, the metrics read the service's
 * `SwimStats` snapshot (`swim.stats()`, defined with the service) and mirror it, under the
 * names and help texts of the service's one list (`src/libp2p/counters.ts`): `swim_<name>_total`
 * for counters, `swim_<name>` for gauges. Counters in `SwimStats` are totals since the service
 * started and never decrease.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from './prom-client.ts'
import { MEMBER_STATES } from '../core/types.ts'
import { registerLoopDelay } from './loop-delay.ts'
import { BYTES_HELP, COUNTERS, GAUGES, MEMBERS_HELP, MESSAGES_HELP, readStat } from '../libp2p/counters.ts'
import type { SwimStats } from '../libp2p/types.ts'

export type { SwimStats }

export interface MetricsOptions {
  /** The service's figures (`() => swim.stats()`). Without it only the daemon's and the process's metrics are exported. */
  stats?: () => SwimStats
  /** Open `GET /v1/events` streams. */
  eventSubscribers?: () => number
  /** Node.js process metrics (`process_*`, `nodejs_*`). @default true */
  processMetrics?: boolean
}

/**
 * prom-client's own event-loop delay histogram samples every `eventLoopMonitoringPrecision` ms
 * (10 by default: 100 wakeups a second); with this period it never does, and
 * `registerLoopDelay` puts its gauges in place of prom-client's (see loop-delay.ts).
 */
const PROM_CLIENT_LOOP_SAMPLE_MS = 2 ** 31 - 1

export interface DaemonMetrics {
  registry: Registry
  /** Stops the event-loop delay sampler (a no-op without process metrics). */
  stop: () => void
}

export function createMetrics (options: MetricsOptions = {}): DaemonMetrics {
  const registry = new Registry()
  let stop = (): void => {}
  if (options.processMetrics !== false) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: PROM_CLIENT_LOOP_SAMPLE_MS })
    stop = registerLoopDelay(registry)
  }

  const eventSubscribers = options.eventSubscribers
  if (eventSubscribers != null) {
    new Gauge({
      name: 'swimd_event_subscribers',
      help: 'Open GET /v1/events streams',
      registers: [registry],
      collect () { this.set(eventSubscribers()) }
    })
  }

  if (options.stats != null) registerSwimStats(registry, snapshotPerScrape(options.stats))
  return { registry, stop }
}

function registerSwimStats (registry: Registry, stats: () => SwimStats): void {
  const registers = [registry]
  new Gauge({
    name: 'swim_members',
    help: MEMBERS_HELP,
    labelNames: ['state'],
    registers,
    collect () {
      const byState = stats().membersByState
      for (const state of MEMBER_STATES) this.set({ state }, byState[state] ?? 0)
    }
  })
  for (const { stat, name, help } of GAUGES) {
    new Gauge({
      name: `swim_${name}`,
      help,
      registers,
      collect () { this.set(readStat(stats(), stat)) }
    })
  }
  for (const { stat, name, help } of COUNTERS) {
    new Counter({
      name: `swim_${name}_total`,
      help,
      registers,
      collect () {
        this.reset()
        this.inc(readStat(stats(), stat))
      }
    })
  }
  const byType: Array<[name: string, help: string, read: (s: SwimStats) => { in: Record<string, number>, out: Record<string, number> }]> = [
    ['swim_messages_total', MESSAGES_HELP, (s) => ({ in: s.messagesIn, out: s.messagesOut })],
    ['swim_bytes_total', BYTES_HELP, (s) => ({ in: s.bytesIn, out: s.bytesOut })]
  ]
  for (const [name, help, read] of byType) {
    new Counter({
      name,
      help,
      labelNames: ['direction', 'type'],
      registers,
      collect () {
        this.reset()
        const figures = read(stats())
        for (const direction of ['in', 'out'] as const) {
          for (const [type, value] of Object.entries(figures[direction])) this.inc({ direction, type }, value)
        }
      }
    })
  }
}

/**
 * prom-client runs every metric's `collect` synchronously at the start of a scrape; this takes
 * one snapshot for all of them, so the figures of one scrape are consistent with each other.
 */
function snapshotPerScrape (stats: () => SwimStats): () => SwimStats {
  let current: SwimStats | undefined
  return () => {
    if (current == null) {
      current = stats()
      queueMicrotask(() => { current = undefined })
    }
    return current
  }
}
