/**
 * Sealing gossipsub publications with the cluster key. gossipsub runs over any libp2p
 * connection and signs publications with the publisher's identity only, so without this
 * anyone who can open a connection to a member (a node without the cluster key, or with a
 * key already removed) could read every update on the topic and publish its own record
 * there to be taken in as a member. SWIM's own paths prove the key (sealed datagrams, stream
 * proofs); this gives the topic the same admission.
 *
 *     publication = version ‖ hint ‖ nonce (12) ‖ ChaCha20-Poly1305(key, nonce, aad, payload) ‖ tag (16)
 *     key  = HKDF-SHA256(ikm = cluster key, salt none, info = GOSSIPSUB_KEY_DOMAIN, cluster name)
 *     aad  = version ‖ hint ‖ the publisher's PeerId
 *
 * `hint` is the first byte of the primary key's id, so a receiver tries only the installed
 * keys that can match (normally one) and a publication under a key it does not hold costs no
 * AEAD check. A keyless cluster seals the same way with hint 0 and a key derived from the
 * cluster name alone: no secrecy, but a keyless and a keyed node, or two clusters of
 * different names, never read each other's publications. The aad binds a publication to its
 * publisher, whom gossipsub's signature authenticates, so a member cannot pass another's
 * sealed publication off as its own.
 *
 * Nonces are random: 96 bits repeat with probability about 2^-33 after 2^32 publications
 * under one key, and a member publishes only its own changes. Replays are gossipsub's
 * concern (its seen-cache) and harmless to SWIM (records and claims carry incarnations).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomFillSync } from 'node:crypto'
import { GOSSIPSUB_KEY_DOMAIN, lengthPrefixed } from './key-derivation.ts'
import { keyHint } from './keyring.ts'
import type { Keyring } from './keyring.ts'

/** The format version this module writes and reads. */
export const GOSSIPSUB_SEAL_VERSION = 1

const NONCE_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 2
const AEAD = 'chacha20-poly1305'

/** Bytes a sealed publication adds to its payload. */
export const GOSSIPSUB_SEAL_OVERHEAD = HEADER_BYTES + NONCE_BYTES + TAG_BYTES

/**
 * Why a publication did not open:
 * - `short`: fewer than GOSSIPSUB_SEAL_OVERHEAD bytes;
 * - `version`: not this format version;
 * - `foreign-key`: sealed under a key this node does not hold (or keyless while this node
 *   is keyed, or the reverse): a node outside the cluster;
 * - `forged`: failed authentication (altered, another cluster name, another publisher).
 */
export type SealError = 'short' | 'version' | 'foreign-key' | 'forged'

export type UnsealResult = { payload: Uint8Array } | { error: SealError }

const encoder = new TextEncoder()

export class GossipsubSeal {
  private readonly keyring: Keyring
  private readonly cluster: string
  /** Derived keys by cluster key id ('' keyless), for `generation` of the keyring. */
  private readonly derived = new Map<string, Buffer>()
  private generation = -1

  constructor (init: { keyring: Keyring, cluster: string }) {
    this.keyring = init.keyring
    this.cluster = init.cluster
  }

  /** `payload` sealed under the primary key (the keyless key when there is none), by `publisher`. */
  seal (publisher: string, payload: Uint8Array): Uint8Array {
    const id = this.keyring.primaryId
    const hint = id == null ? 0 : keyHint(id)
    const out = new Uint8Array(GOSSIPSUB_SEAL_OVERHEAD + payload.byteLength)
    out[0] = GOSSIPSUB_SEAL_VERSION
    out[1] = hint
    const nonce = out.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES)
    randomFillSync(nonce)
    const cipher = createCipheriv(AEAD, this.key(id ?? '', this.keyring.primary), nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(aad(out[1], publisher), { plaintextLength: payload.byteLength })
    const body = Buffer.concat([cipher.update(payload), cipher.final()])
    out.set(body, HEADER_BYTES + NONCE_BYTES)
    out.set(cipher.getAuthTag(), HEADER_BYTES + NONCE_BYTES + body.byteLength)
    return out
  }

  /** The payload `publisher` sealed in `data`, or why it did not open. Never throws. */
  open (publisher: string, data: Uint8Array): UnsealResult {
    if (data.byteLength < GOSSIPSUB_SEAL_OVERHEAD) return { error: 'short' }
    if (data[0] !== GOSSIPSUB_SEAL_VERSION) return { error: 'version' }
    const hint = data[1]
    const candidates: Array<{ id: string, key?: Uint8Array }> = this.keyring.keyless
      ? (hint === 0 ? [{ id: '' }] : [])
      : this.keyring.match(hint)
    if (candidates.length === 0) return { error: 'foreign-key' }
    const nonce = data.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES)
    const body = data.subarray(HEADER_BYTES + NONCE_BYTES, data.byteLength - TAG_BYTES)
    const tag = data.subarray(data.byteLength - TAG_BYTES)
    const header = aad(hint, publisher)
    for (const candidate of candidates) {
      try {
        const decipher = createDecipheriv(AEAD, this.key(candidate.id, candidate.key), nonce, { authTagLength: TAG_BYTES })
        decipher.setAAD(header, { plaintextLength: body.byteLength })
        decipher.setAuthTag(tag)
        const payload = Buffer.concat([decipher.update(body), decipher.final()])
        return { payload: new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength) }
      } catch {}
    }
    return { error: 'forged' }
  }

  /** The topic key of cluster key `id` (`key` its bytes; none for the keyless key ''). */
  private key (id: string, key: Uint8Array | undefined): Buffer {
    if (this.generation !== this.keyring.generation) {
      this.derived.clear()
      this.generation = this.keyring.generation
    }
    let derived = this.derived.get(id)
    if (derived == null) {
      const info = lengthPrefixed(GOSSIPSUB_KEY_DOMAIN, [this.cluster])
      derived = Buffer.from(hkdfSync('sha256', key ?? new Uint8Array(0), new Uint8Array(0), info, 32))
      this.derived.set(id, derived)
    }
    return derived
  }
}

function aad (hint: number, publisher: string): Uint8Array {
  const id = encoder.encode(publisher)
  const out = new Uint8Array(HEADER_BYTES + id.byteLength)
  out[0] = GOSSIPSUB_SEAL_VERSION
  out[1] = hint
  out.set(id, HEADER_BYTES)
  return out
}
