/**
 * Optional libp2p metrics: when the node was created with a `metrics` implementation (e.g.
 * `@libp2p/prometheus-metrics`), the service's figures are exposed through it, computed at
 * scrape time from `stats()`. The figures and their names come from `counters.ts`.
 */
import type { Metrics } from '@libp2p/interface'
import { BYTES_HELP, COUNTERS, GAUGES, MEMBERS_HELP, MESSAGES_HELP, readStat } from './counters.ts'
import type { SwimStats } from './types.ts'

export function registerSwimMetrics (metrics: Metrics, stats: () => SwimStats): void {
  metrics.registerMetricGroup('libp2p_swim_members', {
    label: 'state',
    help: MEMBERS_HELP,
    calculate: () => ({ ...stats().membersByState })
  })
  for (const { stat, name, help } of GAUGES) {
    metrics.registerMetric(`libp2p_swim_${name}`, { help, calculate: () => readStat(stats(), stat) })
  }
  metrics.registerCounterGroup('libp2p_swim_events_total', {
    label: 'event',
    help: 'Protocol counters, labelled by name: probes_sent, fails, decode_errors, ...',
    calculate: () => {
      const s = stats()
      const out: Record<string, number> = {}
      for (const { stat, name } of COUNTERS) out[name] = readStat(s, stat)
      return out
    }
  })
  metrics.registerCounterGroup('libp2p_swim_messages_total', {
    label: 'direction_type',
    help: MESSAGES_HELP,
    calculate: () => byDirection(stats().messagesIn, stats().messagesOut)
  })
  metrics.registerCounterGroup('libp2p_swim_bytes_total', {
    label: 'direction_type',
    help: BYTES_HELP,
    calculate: () => byDirection(stats().bytesIn, stats().bytesOut)
  })
}

function byDirection (inbound: Record<string, number>, outbound: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [type, n] of Object.entries(inbound)) out[`in_${type}`] = n
  for (const [type, n] of Object.entries(outbound)) out[`out_${type}`] = n
  return out
}
