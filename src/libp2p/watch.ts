/**
 * Which members this node watches over a kept connection, so that a killed process is
 * suspected as soon as its connections close, without a connection per member.
 *
 * Members are placed on a ring by a hash of their id; each member is watched by the
 * WATCHERS members that follow it (Rapid's K observers per process, chosen from the view so
 * that every node computes the same sets). A node therefore watches the WATCHERS members
 * before it on the ring and is watched by the ones after it: about 2 × WATCHERS connections
 * per node whatever the cluster size. Views differ for a moment while news spreads; a
 * member briefly watched by one more or one fewer node is harmless.
 */

/** The members `self` watches, out of `ids` (the live members of its view, self included or not). */
export function watchedBy (self: string, ids: Iterable<string>, watchers: number): Set<string> {
  const ring = [...new Set([...ids, self])].map((id) => ({ id, h: fnv1a(id) }))
  if (ring.length <= 1 || watchers <= 0) return new Set()
  ring.sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const at = ring.findIndex((e) => e.id === self)
  const out = new Set<string>()
  for (let k = 1; k <= Math.min(watchers, ring.length - 1); k++) {
    out.add(ring[(at - k + ring.length) % ring.length].id)
  }
  return out
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
