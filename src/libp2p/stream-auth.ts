/**
 * Proof of the cluster key at the start of every SWIM stream. libp2p's noise handshake
 * authenticates both PeerIds; this proves that the opener also holds a cluster key, which
 * is what admits a node to a keyed cluster now that keys live in the keyring rather than in
 * libp2p's pre-shared-key protector:
 *
 *     proof = hint ‖ first 16 bytes of HMAC-SHA256(key, STREAM_PROOF_DOMAIN, cluster, from, to)
 *
 * with `key` the primary cluster key and `hint` the first byte of its id. A keyless cluster
 * still proves something: the same format with hint 0 and a key derived from the cluster name
 * alone, so a keyless node and a keyed one never talk, nor two clusters of different names.
 *
 * The proof is bound to `from` and `to` (the PeerIds noise authenticated): the receiver of
 * a proof cannot pass it on toward another member, nor present it as its own. It is the same
 * for every stream between the same two members under the same key, which is safe because
 * noise encrypts it and only `to` ever sees it.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { KEYLESS_PROOF_KEY_DOMAIN, STREAM_PROOF_DOMAIN, lengthPrefixed } from './key-derivation.ts'
import { keyHint } from './keyring.ts'
import type { Keyring } from './keyring.ts'

/** Bytes of the MAC in a proof: 128 bits, beyond online guessing. */
export const STREAM_PROOF_MAC_BYTES = 16

/** Bytes of a proof: the hint byte and the MAC. */
export const STREAM_PROOF_BYTES = 1 + STREAM_PROOF_MAC_BYTES

/** The MAC key of a keyless cluster: public, derived from its name. */
function keylessKey (cluster: string): Buffer {
  return createHash('sha256').update(lengthPrefixed(KEYLESS_PROOF_KEY_DOMAIN, [cluster])).digest()
}

function mac (key: Uint8Array, cluster: string, from: string, to: string): Buffer {
  return createHmac('sha256', key).update(lengthPrefixed(STREAM_PROOF_DOMAIN, [cluster, from, to])).digest().subarray(0, STREAM_PROOF_MAC_BYTES)
}

/**
 * The proof that `from` holds the primary key of `keyring` (or, keyless, is in the cluster
 * named `cluster`), for a stream from `from` to `to` (PeerId strings). STREAM_PROOF_BYTES long.
 */
export function streamProof (keyring: Keyring, cluster: string, from: string, to: string): Uint8Array {
  const id = keyring.primaryId
  const out = new Uint8Array(STREAM_PROOF_BYTES)
  if (id == null) {
    out.set(mac(keylessKey(cluster), cluster, from, to), 1)
    return out
  }
  out[0] = keyHint(id)
  out.set(mac(keyring.match(out[0]).find((entry) => entry.id === id)?.key as Uint8Array, cluster, from, to), 1)
  return out
}

/**
 * Whether `proof` proves, for a stream from `from` to `to`, a key `keyring` accepts (any
 * installed key, primary or not; in a keyless ring, the keyless proof of `cluster`). Tries
 * only the keys whose hint matches (normally one), compares in constant time, never throws.
 */
export function checkStreamProof (keyring: Keyring, cluster: string, from: string, to: string, proof: Uint8Array): boolean {
  if (!(proof instanceof Uint8Array) || proof.byteLength !== STREAM_PROOF_BYTES) return false
  const given = proof.subarray(1)
  if (keyring.keyless) {
    return proof[0] === 0 && timingSafeEqual(mac(keylessKey(cluster), cluster, from, to), given)
  }
  let ok = false
  for (const entry of keyring.match(proof[0])) {
    // every candidate is checked, so the time taken does not tell which matched
    if (timingSafeEqual(mac(entry.key, cluster, from, to), given)) ok = true
  }
  return ok
}
