/**
 * Domain separation for what the cluster keys and identity keys are used for: every key
 * derived or MAC computed covers a domain string naming its purpose and version, and its
 * variable parts each behind their length, so no input of one use can be read as another.
 */

/** Domain of the per-pair datagram keys (HKDF info). */
export const DATAGRAM_KEY_DOMAIN = 'libp2p-swim/datagram-key/v1'

/** Domain of the key that seals gossipsub publications (HKDF info). */
export const GOSSIPSUB_KEY_DOMAIN = 'libp2p-swim/gossipsub-key/v1'

/** Domain of the stream proof MAC. */
export const STREAM_PROOF_DOMAIN = 'libp2p-swim/stream-proof/v1'

/** Domain of the stream proof key of a keyless cluster (derived from its name alone). */
export const KEYLESS_PROOF_KEY_DOMAIN = 'libp2p-swim/keyless-stream-key/v1'

const encoder = new TextEncoder()

/**
 * `domain`, then each part behind its length as a 4-byte big-endian number: an injective
 * encoding of the list, whatever the parts hold.
 */
export function lengthPrefixed (domain: string, parts: Array<Uint8Array | string>): Uint8Array {
  const bytes = [encoder.encode(domain), ...parts.map((part) => typeof part === 'string' ? encoder.encode(part) : part)]
  let size = 0
  for (const b of bytes) size += 4 + b.byteLength
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  let at = 0
  for (const b of bytes) {
    view.setUint32(at, b.byteLength)
    out.set(b, at + 4)
    at += 4 + b.byteLength
  }
  return out
}
