import type { Update } from './messages.ts'

/** The cluster tag every encoded record carries: a fixed32 and its field key. */
const RECORD_TAG_BYTES = 5

/**
 * A close, slightly generous estimate of an update's encoded size, for the broadcast
 * queue's byte budget. The core knows no encoding; a shell that does may pass exact sizes.
 */
export function estimateUpdateSize (update: Update): number {
  if (update.type !== 'record') return update.id.length + update.from.length + 16
  const r = update.record
  // 20 for the framing and integers, RECORD_TAG_BYTES for the sender's cluster tag (fixed32).
  let size = r.id.length + 20 + RECORD_TAG_BYTES + (r.signature?.length ?? 0)
  for (const a of r.addrs) size += a.length + 2
  for (const k in r.meta) size += k.length + r.meta[k].length + 6
  return size
}
