/**
 * The one list of the service's published figures. Each is a field of `SwimStats`, and both
 * metric sets are derived from this list with one naming rule, the field in snake case:
 *
 * - libp2p metrics (`src/libp2p/metrics.ts`): `libp2p_swim_events_total{event="probes_sent"}`,
 *   `libp2p_swim_awareness_score`
 * - the daemon's Prometheus registry (`src/daemon/metrics.ts`): `swim_probes_sent_total`,
 *   `swim_awareness_score`
 *
 * The tables are keyed by field, so a new number in `SwimStats` does not compile until it is
 * listed here, as a counter or a gauge, with its help text.
 */
import type { SwimStats } from './types.ts'

/** The top-level numeric fields of `SwimStats`. */
type NumericStat = { [K in keyof SwimStats]-?: NonNullable<SwimStats[K]> extends number ? K : never }[keyof SwimStats]

/** Figures that go up and down; every other number is a total since the service started. */
type GaugeStat = 'awarenessScore' | 'pendingBroadcasts' | 'connections'

export type CounterStat = Exclude<NumericStat, GaugeStat>

/** Help text of every counter, in the order they are published. */
export const COUNTER_HELP: Readonly<Record<CounterStat, string>> = {
  probesSent: 'Direct probes sent',
  probesFailed: 'Probes that got no ack, directly or indirectly',
  indirectProbesSent: 'Indirect probe requests (ping-req) sent',
  nacksReceived: 'Nacks from indirect probers: the target did not answer them either',
  suspicionsRaised: 'Suspicions this node raised',
  suspicionsRefuted: 'Suspicions refuted',
  refutations: 'Suspicions about this node that it refuted by raising its incarnation',
  fails: 'Members declared dead after suspicion',
  recordsRejected: 'Member records that failed verification',
  claimsRejected: 'Suspect or dead claims from members not live in this view',
  staleUpdates: 'Updates no newer than what this node already knew',
  misdirectedPings: 'Pings meant for another member',
  messagesIgnored: 'Messages ignored, such as ones from this node itself',
  membersRejected: 'New members turned away: the table is full or the sender\'s budget is spent',
  signFailures: 'Own records that could not be signed (the change was not made)',
  budgetExceeded: 'Records left unchecked because their sender\'s verification budget was spent',
  decodeErrors: 'Inbound messages that failed to decode or validate',
  foreignCluster: 'Inbound messages dropped for holding member records of another cluster',
  gossipsubDeliveries: 'Gossip messages received through gossipsub',
  framesDropped: 'Outbound messages dropped before reaching a stream',
  unreachable: 'Dials refused or without a route, each a failed direct probe',
  dialsHeldBack: 'Dials toward members that never answered, held back by the limits on dialing them',
  streamsRejected: 'Inbound SWIM streams reset for want of a valid cluster key proof'
}

/** Help text of every gauge. */
export const GAUGE_HELP: Readonly<Record<GaugeStat, string>> = {
  awarenessScore: 'Lifeguard local health score: 0 is healthy; probe interval and timeout scale by score + 1',
  pendingBroadcasts: 'Updates waiting in the broadcast queue to be piggybacked or gossiped',
  connections: 'Connections this node opened for SWIM that are still open'
}

export const MEMBERS_HELP = 'Members of this node\'s view by state, self included'
export const MESSAGES_HELP = 'Protocol messages by direction and type'
export const BYTES_HELP = 'Protocol bytes by direction and message type'

export interface Figure<K extends NumericStat> {
  stat: K
  /** The published name: the field in snake case, `probesSent` → `probes_sent`. */
  name: string
  help: string
}

export const COUNTERS: ReadonlyArray<Figure<CounterStat>> = figures(COUNTER_HELP)
export const GAUGES: ReadonlyArray<Figure<GaugeStat>> = figures(GAUGE_HELP)

/** A figure's value in a snapshot; optional fields the service did not set read 0. */
export function readStat (stats: SwimStats, stat: NumericStat): number {
  return stats[stat] ?? 0
}

function figures<K extends NumericStat> (help: Readonly<Record<K, string>>): Array<Figure<K>> {
  return (Object.keys(help) as K[]).map((stat) => ({ stat, name: snakeCase(stat), help: help[stat] }))
}

function snakeCase (name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}
