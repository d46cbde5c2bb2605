/**
 * The cluster tag stamped on every encoded member record (`MemberRecord.cluster_tag`): a
 * 32-bit hash of the cluster's name, so a receiver spots a record of another cluster before
 * any signature work and counts it apart from forgeries. A hint only: a record still counts
 * only if its signature verifies under the receiver's cluster domain.
 */

import { createHash } from 'node:crypto'

/** The name of the cluster a node joins when none is given (as in `src/libp2p/constants.ts`). */
const DEFAULT_CLUSTER_NAME = 'default'

const tags = new Map<string, number>()

/** The first 4 bytes of SHA-256 of the cluster's name (UTF-8), big-endian; cached per name. */
export function clusterTag (cluster: string = DEFAULT_CLUSTER_NAME): number {
  let tag = tags.get(cluster)
  if (tag === undefined) {
    tag = createHash('sha256').update(cluster, 'utf8').digest().readUInt32BE(0)
    if (tags.size < 64) tags.set(cluster, tag)
  }
  return tag
}

/** The tag of the default cluster: what the encoder stamps when given no other. */
export const DEFAULT_CLUSTER_TAG = clusterTag()

/** Bytes the tag adds to every encoded record: a one-byte field tag and 4 bytes (fixed32). */
export const CLUSTER_TAG_BYTES = 5
