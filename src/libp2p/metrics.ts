/**
 * Optional libp2p metrics: when the node was created with a `metrics` implementation (e.g.
 * `@libp2p/prometheus-metrics`), the service's figures are exposed through it, computed at
 * scrape time from `stats()`.
 */
import type { Metrics } from '@libp2p/interface'
import type { SwimStats } from './types.ts'

export function registerSwimMetrics (metrics: Metrics, stats: () => SwimStats): void {
  metrics.registerMetricGroup('libp2p_swim_members', {
    label: 'state',
    help: 'Members of this node\'s view by state, self included',
    calculate: () => ({ ...stats().membersByState })
  })
  metrics.registerMetric('libp2p_swim_awareness_score', {
    help: 'Lifeguard local health score: 0 is healthy',
    calculate: () => stats().awarenessScore
  })
  metrics.registerCounterGroup('libp2p_swim_events_total', {
    label: 'event',
    help: 'Protocol counters: probes, suspicions, failures, rejections, decode errors',
    calculate: () => {
      const s = stats()
      return {
        probes_sent: s.probesSent,
        probes_failed: s.probesFailed,
        indirect_probes: s.indirectProbes,
        suspicions_raised: s.suspicionsRaised,
        suspicions_refuted: s.suspicionsRefuted,
        refutations: s.refutations,
        fails: s.fails,
        records_rejected: s.recordsRejected,
        claims_rejected: s.claimsRejected,
        decode_errors: s.decodeErrors,
        gossipsub_deliveries: s.gossipsubDeliveries,
        frames_dropped: s.framesDropped,
        unreachable: s.unreachable
      }
    }
  })
  metrics.registerCounterGroup('libp2p_swim_messages_total', {
    label: 'direction_type',
    help: 'Protocol messages by direction and type',
    calculate: () => byDirection(stats().messagesIn, stats().messagesOut)
  })
  metrics.registerCounterGroup('libp2p_swim_bytes_total', {
    label: 'direction_type',
    help: 'Protocol bytes by direction and message type',
    calculate: () => byDirection(stats().bytesIn, stats().bytesOut)
  })
}

function byDirection (inbound: Record<string, number>, outbound: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [type, n] of Object.entries(inbound)) out[`in_${type}`] = n
  for (const [type, n] of Object.entries(outbound)) out[`out_${type}`] = n
  return out
}
