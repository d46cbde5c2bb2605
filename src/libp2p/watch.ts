/**
 * Which members this node watches over a kept connection, so that a killed process is
 * suspected as soon as its connections close, without a connection per member.
 *
 * Members are placed on a ring by a hash of their id; each member is watched by its
 * WATCHERS / 2 neighbours on either side (Rapid's K observers per process, chosen from the
 * view so that every node computes the same sets). Watching is mutual: A watches B exactly
 * when B watches A, so one connection serves both, and only the end with the smaller id
 * dials it (`dials`). A node therefore holds WATCHERS connections, and the cluster
 * WATCHERS / 2 per member, whatever its size: each kept connection costs its muxer's
 * keepalives, so the count is what matters. Views differ for a moment while news spreads;
 * a member briefly watched by one more or one fewer node is harmless.
 */

/**
 * The members `self` watches (and is watched by), out of `ids` (the live members of its view,
 * self included or not): on the ring ordered by (hash, id), its `watchers / 2` nearest on
 * either side. One pass over the view, no sort: a forming cluster of hundreds recomputes
 * this on every change.
 */
export function watchedBy (self: string, ids: Iterable<string>, watchers: number): Set<string> {
  const side = Math.max(1, Math.floor(watchers / 2))
  const out = new Set<string>()
  if (watchers <= 0) return out
  const me: Point = { id: self, h: fnv1a(self) }
  const others: Point[] = []
  const seen = new Set<string>([self])
  for (const id of ids) {
    if (seen.has(id)) continue
    seen.add(id)
    others.push({ id, h: fnv1a(id) })
  }
  // Few enough members that the nearest on both sides are all of them.
  if (others.length <= 2 * side) {
    for (const p of others) out.add(p.id)
    return out
  }
  const next: Point[] = []
  const previous: Point[] = []
  for (const p of others) {
    keepNearest(next, p, side, (a, b) => clockwise(me, a, b))
    keepNearest(previous, p, side, (a, b) => clockwise(me, b, a))
  }
  for (const p of [...next, ...previous]) out.add(p.id)
  return out
}

interface Point { id: string, h: number }

/** Whether `a` comes before `b` on the ring ordered by (hash, id). */
function precedes (a: Point, b: Point): boolean {
  return a.h !== b.h ? a.h < b.h : a.id < b.id
}

/** Whether `a` is met before `b` going round the ring forwards from `from`. */
function clockwise (from: Point, a: Point, b: Point): boolean {
  const aWraps = !precedes(from, a)
  const bWraps = !precedes(from, b)
  return aWraps !== bWraps ? bWraps : precedes(a, b)
}

/** Inserts `p` into `nearest` (ordered by `closer`), keeping the first `k`. */
function keepNearest (nearest: Point[], p: Point, k: number, closer: (a: Point, b: Point) => boolean): void {
  let at = nearest.length
  while (at > 0 && closer(p, nearest[at - 1])) at--
  if (at >= k) return
  nearest.splice(at, 0, p)
  if (nearest.length > k) nearest.pop()
}

/**
 * Whether a change to member `id` (it joined, came back, failed or left) can change the set
 * `self` watches, `watched`: only if `id` is in it, the set is not full, or `id` would be
 * one of the nearest on its side (the nearest of the whole view on each side are in
 * `watched`, so comparing with those is enough). Costs no walk over the view.
 */
export function mayChangeWatch (self: string, watched: Set<string>, id: string, watchers: number): boolean {
  if (id === self) return false
  if (watched.has(id) || watched.size < 2 * Math.max(1, Math.floor(watchers / 2))) return true
  return watchedBy(self, [...watched, id], watchers).has(id)
}

/** Whether `self` dials the kept connection to `other` (the other end only keeps it). */
export function dials (self: string, other: string): boolean {
  return self < other
}

/** 32-bit FNV-1a over the UTF-16 code units: cheap, stable, spread enough for a ring. */
function fnv1a (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
