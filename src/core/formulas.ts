/**
 * The protocol's formulas, each in exactly one place. config.ts refers here.
 */

/**
 * Lifeguard suspicion window for a cluster of `n` members:
 * min = mult × max(1, log10 n) × probeInterval, max = maxMult × min.
 */
export function suspicionBounds (n: number, suspicionMult: number, suspicionMaxTimeoutMult: number, probeInterval: number): { min: number; max: number } {
  const scale = Math.max(1, Math.log10(Math.max(1, n)))
  const min = Math.floor(suspicionMult * scale * probeInterval)
  return { min, max: suspicionMaxTimeoutMult * min }
}

/**
 * Independent confirmations that bring a suspicion's timeout down to its minimum:
 * suspicionMult − 2, or 0 when the cluster is too small to supply them.
 */
export function suspicionConfirmationsNeeded (n: number, suspicionMult: number): number {
  const k = Math.max(0, Math.floor(suspicionMult) - 2)
  return n - 2 < k ? 0 : k
}

/**
 * Lifeguard: the suspicion timeout falls from max toward min as independent confirmations
 * `c` arrive, logarithmically: max(min, max − (max − min)·log(c + 1)/log(k + 1)).
 */
export function suspicionTimeout (confirmations: number, k: number, min: number, max: number): number {
  if (k < 1) return min
  const frac = Math.log(confirmations + 1) / Math.log(k + 1)
  return Math.max(min, Math.floor(max - (max - min) * frac))
}

/** Times each update is piggybacked: mult × ceil(log10(n + 1)). */
export function retransmitLimit (retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(n + 1))
}

/**
 * Push-pull gets rarer as the cluster grows, so its cost per node stays bounded
 * (memberlist's pushPullScale): × (ceil(log2 n − log2 32) + 1) above 32 members.
 */
export function pushPullScale (interval: number, n: number): number {
  const threshold = 32
  if (n <= threshold) return interval
  const multiplier = Math.ceil(Math.log2(n) - Math.log2(threshold)) + 1
  return interval * multiplier
}

/** Lifeguard local health: timeouts and intervals scale by score + 1. */
export function scaleByHealth (value: number, score: number): number {
  return value * (score + 1)
}
