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

/** The members `self` watches (and is watched by), out of `ids` (the live members of its view, self included or not). */
export function watchedBy (self: string, ids: Iterable<string>, watchers: number): Set<string> {
  const ring = [...new Set([...ids, self])].map((id) => ({ id, h: fnv1a(id) }))
  const side = Math.max(1, Math.floor(watchers / 2))
  if (ring.length <= 1 || watchers <= 0) return new Set()
  ring.sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const at = ring.findIndex((e) => e.id === self)
  const out = new Set<string>()
  for (let k = 1; k <= side && out.size < ring.length - 1; k++) {
    out.add(ring[(at - k + ring.length) % ring.length].id)
    if (out.size < ring.length - 1) out.add(ring[(at + k) % ring.length].id)
  }
  return out
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
