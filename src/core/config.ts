/**
 * Every protocol knob, documented in one place, with the three profiles beside them.
 * Profiles follow memberlist's DefaultLANConfig / DefaultWANConfig / DefaultLocalConfig;
 * each formula named here lives in `formulas.ts`.
 *
 * Lifeguard's parts follow from three knobs, so SWIM's plain rules are a configuration
 * (`bench/lifeguard.ts` compares the two): `awarenessMaxMultiplier: 1` turns local health
 * off (fixed timeouts; nacks then change nothing, and a probe without nacks concludes as in
 * SWIM), `suspicionMaxTimeoutMult: 1` gives a fixed suspicion timeout that confirmations do
 * not shorten, and `suspicionGrace: 0` gossips a suspicion at once.
 */

export interface SwimConfig {
  /**
   * Protocol period: one probe target per period. Scaled by the local health multiplier
   * (`awareness.ts`). Lower detects faster and costs more messages. At least 10 ms.
   * @default 1000 ms (lan)
   */
  probeInterval: number
  /**
   * How long to wait for a direct ack before asking others to probe indirectly. Should
   * exceed the network's 99th percentile round trip. Must be smaller than probeInterval.
   * @default 500 ms (lan)
   */
  probeTimeout: number
  /**
   * Members asked to probe a silent target on our behalf (ping-req). More makes a false
   * suspicion from a lossy link less likely, at a few messages per failed probe.
   * @default 3 (lan)
   */
  indirectChecks: number
  /**
   * Suspicion window: min = suspicionMult × max(1, log10 N) × probeInterval
   * (`suspicionBounds`). Also sets how many independent confirmations (mult − 2) bring the
   * timeout down to min (Lifeguard).
   * @default 4 (lan)
   */
  suspicionMult: number
  /**
   * A suspicion raised by our own failed probe stays between us and the suspect for this
   * long before it is gossiped: the suspect hears of it directly (buddy system) and is probed
   * again, and a live member refutes within it. So one lost ping never becomes a
   * cluster-wide accusation. The suspicion timeout itself is not extended, and the grace
   * never exceeds half its minimum, so others hear the suspicion before the verdict.
   * 0 gossips at once.
   * @default 1000 ms (lan)
   */
  suspicionGrace: number
  /**
   * When the accuser's connection to the suspect was refused by the suspect's host (no
   * process listens at its address: a crashed process on a live host) and as many other
   * members as Lifeguard asks for (suspicionMult − 2) saw the same, the suspicion ends after
   * this time instead of the Lifeguard minimum. Silence (a partition, a dead host) never
   * takes this path.
   * @default 2000 ms (lan)
   */
  refusedSuspicionTimeout: number
  /**
   * max suspicion window = suspicionMaxTimeoutMult × min. A suspicion nobody confirms waits
   * this long, which gives a slow but live member time to refute.
   * @default 6
   */
  suspicionMaxTimeoutMult: number
  /**
   * Each update is piggybacked retransmitMult × ceil(log10(N + 1)) times (`retransmitLimit`).
   * @default 4 (lan)
   */
  retransmitMult: number
  /**
   * Extra gossip rounds: every gossipInterval, queued updates go to gossipNodes random
   * members. 0 turns gossip off, eager gossip of fresh news included: news then spreads
   * only by piggybacking on probes and by push-pull. Otherwise at least 10 ms.
   * @default 200 ms / 3 (lan)
   */
  gossipInterval: number
  gossipNodes: number
  /**
   * Fresh news (a state change in our view) is gossiped after at most this delay instead of
   * waiting for the next gossip round, so a join, leave or failure crosses the cluster in a
   * few network round trips. The delay lets a burst of news share messages; set it to
   * gossipInterval or more to gossip only on the regular rounds.
   * @default 20 ms (lan)
   */
  eagerGossipDelay: number
  /**
   * Full state exchange with one random member, scaled up for large clusters
   * (`pushPullScale`). Repairs whatever gossip missed. 0 disables periodic push-pull
   * (push-pull on join still happens); otherwise at least 1000 ms.
   * @default 30000 ms (lan)
   */
  pushPullInterval: number
  /**
   * Cap of the Lifeguard local health multiplier: the score runs 0..max−1 and probe
   * interval and timeout scale by score + 1.
   * @default 8
   */
  awarenessMaxMultiplier: number
  /**
   * How long a dead member still receives gossip, so that a live one wrongly declared dead
   * hears of it and refutes.
   * @default 30000 ms (lan)
   */
  gossipToTheDeadTime: number
  /**
   * How often one random failed member is tried again with a push-pull. This is what merges
   * a healed partition back without an operator. 0 disables it; otherwise at least 1000 ms.
   * @default 10000 ms (lan)
   */
  reconnectInterval: number
  /**
   * How long a dead or departed member is remembered before its entry is forgotten (and no
   * longer retried). At least 1000 ms: the entries are swept at min(reapTime, 60 s).
   * @default 6 h
   */
  reapTime: number
  /**
   * Byte budget of the updates piggybacked on one message (an estimate, see
   * `estimateUpdateSize`). Bounds message size whatever the queue holds.
   * @default 1200
   */
  maxPiggybackBytes: number
  /**
   * Most updates kept in the broadcast queue; the most-sent are dropped first beyond it.
   * @default 4096
   */
  maxQueuedUpdates: number
  /**
   * Most members this node keeps in its table (dead and departed ones included; they are
   * forgotten first when it is full). Bounds the memory and push-pull size a flood of fake
   * members can cost; the wire's sync caps follow it. Sized for the clusters SWIM's gossip
   * is tuned for.
   * @default 10000
   */
  maxMembers: number
  /**
   * Flap damping (ringpop's damp score, `damping.ts`): each join, fail or leave of a member
   * adds flapPenalty to its score, which halves every flapHalfLife. At flapSuppress the
   * member is held out of this node's events and consumer view (ring, quorum): consumers
   * heard it fail or leave, and hear nothing more until the score has decayed to flapReuse;
   * then they hear its state (a join if it is live). A restart (a fail and a join) stays
   * below flapSuppress; a member cut off and back every 20 s is held from its third fail.
   * Probing and the member list are not affected. 0 turns damping off.
   * @default 1000
   */
  flapPenalty: number
  /** Score at which a member is held; above flapPenalty, so a first event always passes. @default 3000 */
  flapSuppress: number
  /** Score at which a held member is released; below flapSuppress. @default 1500 */
  flapReuse: number
  /**
   * The score halves every this many ms. A held member is released at most
   * flapHalfLife × log2(2 × flapSuppress / flapReuse) after its last flap (2 min by default).
   * At least 1000 ms.
   * @default 60000 ms
   */
  flapHalfLife: number
}

export type ProfileName = 'lan' | 'wan' | 'local'

const LAN: SwimConfig = {
  probeInterval: 1000,
  probeTimeout: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionGrace: 1000,
  refusedSuspicionTimeout: 2000,
  suspicionMaxTimeoutMult: 6,
  retransmitMult: 4,
  gossipInterval: 200,
  gossipNodes: 3,
  eagerGossipDelay: 20,
  pushPullInterval: 30_000,
  awarenessMaxMultiplier: 8,
  gossipToTheDeadTime: 30_000,
  reconnectInterval: 10_000,
  reapTime: 6 * 3600_000,
  maxPiggybackBytes: 1200,
  maxQueuedUpdates: 4096,
  maxMembers: 10_000,
  flapPenalty: 1000,
  flapSuppress: 3000,
  flapReuse: 1500,
  flapHalfLife: 60_000
}

/** Only what differs from `lan`. */
export const PROFILES: Record<ProfileName, SwimConfig> = {
  lan: LAN,
  wan: {
    ...LAN,
    probeInterval: 5000,
    probeTimeout: 3000,
    suspicionMult: 6,
    suspicionGrace: 5000,
    refusedSuspicionTimeout: 10_000,
    gossipInterval: 500,
    gossipNodes: 4,
    eagerGossipDelay: 100,
    pushPullInterval: 60_000,
    gossipToTheDeadTime: 60_000,
    reconnectInterval: 30_000
  },
  local: {
    ...LAN,
    probeTimeout: 200,
    indirectChecks: 1,
    suspicionMult: 3,
    retransmitMult: 2,
    gossipInterval: 100,
    eagerGossipDelay: 10,
    pushPullInterval: 15_000,
    gossipToTheDeadTime: 15_000,
    reconnectInterval: 5000
  }
}

export const CONFIG_KEYS = Object.keys(LAN) as Array<keyof SwimConfig>

/**
 * The profile's values with `overrides` on top, validated. Throws a RangeError that names
 * the knob, the value and the allowed range.
 */
export function resolveConfig (profile: ProfileName = 'lan', overrides: Partial<SwimConfig> = {}): SwimConfig {
  const base = PROFILES[profile]
  if (base == null) {
    throw new RangeError(`Unknown profile "${String(profile)}": use one of ${Object.keys(PROFILES).join(', ')}`)
  }
  const config = { ...base }
  for (const key of CONFIG_KEYS) {
    const value = overrides[key]
    if (value !== undefined) config[key] = value
  }
  validateConfig(config)
  return config
}

/**
 * `min` is the smallest accepted value, `max` the largest; `off` allows 0 as well, meaning the
 * feature is off. Every period has a floor well above zero: a period of 0 would schedule the next
 * run at the same instant forever, which in a real node is a timer loop at 100% CPU.
 */
const RULES: Record<keyof SwimConfig, { min: number; max?: number; integer?: boolean; off?: boolean }> = {
  probeInterval: { min: 10 },
  probeTimeout: { min: 1 },
  indirectChecks: { min: 0, integer: true },
  suspicionMult: { min: 1 },
  suspicionGrace: { min: 0 },
  refusedSuspicionTimeout: { min: 1 },
  suspicionMaxTimeoutMult: { min: 1 },
  retransmitMult: { min: 1, integer: true },
  gossipInterval: { min: 10, off: true },
  gossipNodes: { min: 0, integer: true },
  eagerGossipDelay: { min: 0 },
  pushPullInterval: { min: 1000, off: true },
  awarenessMaxMultiplier: { min: 1, integer: true },
  gossipToTheDeadTime: { min: 0 },
  reconnectInterval: { min: 1000, off: true },
  reapTime: { min: 1000 },
  maxPiggybackBytes: { min: 256, integer: true },
  maxQueuedUpdates: { min: 16, integer: true },
  maxMembers: { min: 1, max: 100_000, integer: true },
  flapPenalty: { min: 0 },
  flapSuppress: { min: 1 },
  flapReuse: { min: 1 },
  flapHalfLife: { min: 1000 }
}

export function validateConfig (config: SwimConfig): void {
  for (const key of CONFIG_KEYS) {
    const value = config[key]
    const rule = RULES[key]
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`Invalid ${key}: ${String(value)} is not a finite number`)
    }
    if (value < rule.min && !(rule.off === true && value === 0)) {
      throw new RangeError(rule.off === true
        ? `Invalid ${key}: ${value} is below the minimum of ${rule.min}; use 0 to turn it off`
        : `Invalid ${key}: ${value} is below the minimum of ${rule.min}`)
    }
    if (rule.max !== undefined && value > rule.max) {
      throw new RangeError(`Invalid ${key}: ${value} is above the maximum of ${rule.max}`)
    }
    if (rule.integer === true && !Number.isInteger(value)) {
      throw new RangeError(`Invalid ${key}: ${value} must be a whole number`)
    }
  }
  if (config.probeTimeout >= config.probeInterval) {
    throw new RangeError(`Invalid probeTimeout: ${config.probeTimeout} ms must be smaller than probeInterval (${config.probeInterval} ms)`)
  }
  if (config.flapPenalty > 0 && config.flapSuppress <= config.flapPenalty) {
    throw new RangeError(`Invalid flapSuppress: ${config.flapSuppress} must be above flapPenalty (${config.flapPenalty}), or a member's first event would be held; use flapPenalty 0 to turn damping off`)
  }
  if (config.flapPenalty > 0 && config.flapReuse >= config.flapSuppress) {
    throw new RangeError(`Invalid flapReuse: ${config.flapReuse} must be below flapSuppress (${config.flapSuppress})`)
  }
}
