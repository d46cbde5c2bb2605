/**
 * Prometheus metrics of the daemon, on a registry of its own (never prom-client's global one).
 *
 * The daemon computes no protocol figures: at each scrape, the metrics read the service's
 * `SwimStats` snapshot (`swim.stats()`, defined with the service) and mirror it. Counters in
 * `SwimStats` are totals since the service started and never decrease.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import { MEMBER_STATES } from '../core/types.ts'
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

export interface DaemonMetrics {
  registry: Registry
}

export function createMetrics (options: MetricsOptions = {}): DaemonMetrics {
  const registry = new Registry()
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry })

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
  return { registry }
}

function registerSwimStats (registry: Registry, stats: () => SwimStats): void {
  const registers = [registry]
  new Gauge({
    name: 'swim_members',
    help: 'Members of this node\'s view by state, self included',
    labelNames: ['state'],
    registers,
    collect () {
      const byState = stats().membersByState
      for (const state of MEMBER_STATES) this.set({ state }, byState[state] ?? 0)
    }
  })
  new Gauge({
    name: 'swim_awareness_score',
    help: 'Lifeguard local health score: 0 is healthy; probe interval and timeout scale by score + 1',
    registers,
    collect () { this.set(stats().awarenessScore) }
  })
  const totals: Array<[name: string, help: string, read: (s: SwimStats) => number]> = [
    ['swim_probes_sent_total', 'Direct probes sent', (s) => s.probesSent],
    ['swim_probes_failed_total', 'Probes that got no ack, directly or indirectly', (s) => s.probesFailed],
    ['swim_indirect_probes_total', 'Indirect probe requests (ping-req) sent', (s) => s.indirectProbes],
    ['swim_suspicions_raised_total', 'Suspicions this node raised', (s) => s.suspicionsRaised],
    ['swim_suspicions_refuted_total', 'Suspicions refuted', (s) => s.suspicionsRefuted],
    ['swim_fails_total', 'Members declared dead after suspicion', (s) => s.fails],
    ['swim_nacks_received_total', 'Nacks from indirect probers: the target did not answer them either', (s) => s.nacksReceived],
    ['swim_refutations_total', 'Suspicions about this node that it refuted by raising its incarnation', (s) => s.refutations],
    ['swim_records_rejected_total', 'Member records that failed verification', (s) => s.recordsRejected],
    ['swim_claims_rejected_total', 'Suspect or dead claims from members not live in this view', (s) => s.claimsRejected],
    ['swim_stale_updates_total', 'Updates no newer than what this node already knew', (s) => s.staleUpdates],
    ['swim_misdirected_pings_total', 'Pings meant for another member', (s) => s.misdirectedPings],
    ['swim_messages_ignored_total', 'Messages ignored, such as ones from this node itself', (s) => s.messagesIgnored],
    ['swim_decode_errors_total', 'Inbound messages that failed to decode or validate', (s) => s.decodeErrors],
    ['swim_gossipsub_deliveries_total', 'Gossip messages received through gossipsub', (s) => s.gossipsubDeliveries],
    ['swim_frames_dropped_total', 'Outbound messages dropped before reaching a stream', (s) => s.framesDropped],
    ['swim_unreachable_total', 'Dials refused or without a route, each a failed direct probe', (s) => s.unreachable]
  ]
  for (const [name, help, read] of totals) {
    new Counter({
      name,
      help,
      registers,
      collect () {
        this.reset()
        this.inc(read(stats()))
      }
    })
  }
  const byType: Array<[name: string, help: string, read: (s: SwimStats) => { in: Record<string, number>, out: Record<string, number> }]> = [
    ['swim_messages_total', 'Protocol messages by direction and type', (s) => ({ in: s.messagesIn, out: s.messagesOut })],
    ['swim_bytes_total', 'Protocol bytes by direction and message type', (s) => ({ in: s.bytesIn, out: s.bytesOut })]
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
