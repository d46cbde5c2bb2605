import type { Update } from './messages.ts'

/**
 * A close, slightly generous estimate of an update's encoded size, for the broadcast
 * queue's byte budget. The core knows no encoding; a shell that does may pass exact sizes.
 */
export function estimateUpdateSize (update: Update): number {
  if (update.type !== 'record') return update.id.length + update.from.length + 16
  const r = update.record
  let size = r.id.length + 20 + (r.signature?.length ?? 0)
  for (const a of r.addrs) size += a.length + 2
  for (const k in r.meta) size += k.length + r.meta[k].length + 6
  return size
}
