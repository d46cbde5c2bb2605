/**
 * Every random choice of the core goes through this interface, so a seed fixes a run.
 */
export interface Random {
  /** A float in [0, 1). */
  next: () => number
}

/** murmur3's 32-bit finalizer: every input bit moves every output bit. */
export function mix32 (h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** sfc32 seeded through splitmix32: fast, small state, good enough for protocol choices. */
export function seededRandom (seed: number): Random {
  let s = seed >>> 0
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    return mix32(s)
  }
  let a = splitmix()
  let b = splitmix()
  let c = splitmix()
  let d = splitmix()
  return {
    next () {
      const t = (((a + b) >>> 0) + d) >>> 0
      d = (d + 1) >>> 0
      a = b ^ (b >>> 9)
      b = (c + (c << 3)) >>> 0
      c = ((c << 21) | (c >>> 11)) >>> 0
      c = (c + t) >>> 0
      return t / 4294967296
    }
  }
}

/** An integer in [0, n). */
export function randomInt (random: Random, n: number): number {
  return Math.floor(random.next() * n)
}

/** Fisher–Yates, in place. */
export function shuffle<T> (random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1)
    const tmp = items[i]
    items[i] = items[j]
    items[j] = tmp
  }
  return items
}

/**
 * Up to `k` distinct items of `items` that pass `accept`, chosen uniformly. Bounded: looks at
 * most 3·len candidates by random index, then falls back to a scan, so it never loops forever.
 */
export function sample<T> (random: Random, items: readonly T[], k: number, accept: (item: T) => boolean): T[] {
  const out: T[] = []
  if (k <= 0 || items.length === 0) return out
  const chosen = new Set<number>()
  const tries = Math.min(items.length * 3, k * 8 + 16)
  for (let i = 0; i < tries && out.length < k; i++) {
    const idx = randomInt(random, items.length)
    if (chosen.has(idx)) continue
    chosen.add(idx)
    if (accept(items[idx])) out.push(items[idx])
  }
  if (out.length < k) {
    const start = randomInt(random, items.length)
    for (let i = 0; i < items.length && out.length < k; i++) {
      const idx = (start + i) % items.length
      if (chosen.has(idx)) continue
      chosen.add(idx)
      if (accept(items[idx])) out.push(items[idx])
    }
  }
  return out
}
