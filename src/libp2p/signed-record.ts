/**
 * Signing and verification of member records: the `sign` and `verify` hooks of the core.
 *
 * A signature covers the libp2p signed-envelope payload (RFC 0002, as `@libp2p/peer-record`
 * RecordEnvelope formats it) with domain `recordDomain(cluster)` (RECORD_DOMAIN for the
 * default cluster), payload type RECORD_PAYLOAD_TYPE and payload
 * `encodeRecordForSigning(record)`. So a record and its signature can be turned into a
 * RecordEnvelope that `RecordEnvelope.validate(recordDomain(cluster))` accepts; a record of
 * another cluster fails verification (and is counted as rejected).
 *
 * Verification takes the public key from the record's own id (an Ed25519 or secp256k1
 * PeerId embeds it), so a record can only be signed by the member it describes: nobody can
 * forge another member's liveness, addresses or metadata.
 *
 * The core calls the hooks synchronously. Ed25519 signing and verification in Node.js are
 * synchronous (`node:crypto`), as are secp256k1's; a key type whose operations return a
 * promise cannot be used for signing, and its records are rejected.
 */
import { createPublicKey, verify } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import type { MemberRecord } from '../core/messages.ts'
import type { UnsignedRecord } from '../core/machine.ts'
import { encodeRecordForSigning } from '../wire/encode.ts'
import { varintSize } from '../wire/size.ts'
import { DEFAULT_CLUSTER, MAX_CACHED_KEYS, RECORD_PAYLOAD_TYPE, recordDomain } from './constants.ts'

const domains = new Map<string, Uint8Array>()
function domainBytes (cluster: string): Uint8Array {
  let bytes = domains.get(cluster)
  if (bytes == null) {
    bytes = new TextEncoder().encode(recordDomain(cluster))
    if (domains.size < 64) domains.set(cluster, bytes)
  }
  return bytes
}

/**
 * The bytes a signed envelope's signature covers: each of domain, payload type and payload
 * preceded by its length as an unsigned varint (RFC 0002, `formatSignaturePayload`).
 */
export function envelopeSignaturePayload (domain: Uint8Array, payloadType: Uint8Array, payload: Uint8Array): Uint8Array {
  const parts = [domain, payloadType, payload]
  let size = 0
  for (const p of parts) size += varintSize(p.byteLength) + p.byteLength
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) {
    at = writeVarint(out, at, p.byteLength)
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/** What a member record's signature covers: the cluster's name is part of its domain. */
export function recordSignaturePayload (record: UnsignedRecord, cluster: string = DEFAULT_CLUSTER): Uint8Array {
  return envelopeSignaturePayload(domainBytes(cluster), RECORD_PAYLOAD_TYPE, encodeRecordForSigning(record))
}

/**
 * The core's `sign` hook for this node's key. Throws a TypeError at once for a key whose
 * signatures are asynchronous (the core needs them synchronously).
 */
export function createRecordSigner (privateKey: PrivateKey, cluster: string = DEFAULT_CLUSTER): (record: UnsignedRecord) => Uint8Array {
  const sign = (record: UnsignedRecord): Uint8Array => {
    const signature = privateKey.sign(recordSignaturePayload(record, cluster))
    if (signature instanceof Promise) {
      signature.catch(() => {})
      throw new TypeError(`Cannot sign member records with a ${privateKey.type} key: its signatures are asynchronous; use an Ed25519 key`)
    }
    return signature
  }
  return sign
}

/**
 * The core's `verify` hook: true when `record.signature` was made by the key embedded in
 * `record.id` over this record. Never throws; an id without an embedded key (RSA), a
 * malformed id or signature, or a key with asynchronous verification yields false.
 */
export function createRecordVerifier (admits: (id: string) => boolean = () => true, cluster: string = DEFAULT_CLUSTER): (record: MemberRecord) => boolean {
  return (record: MemberRecord): boolean => {
    if (record.signature == null || record.signature.byteLength === 0) return false
    if (!admits(record.id)) return false
    const key = keyOf(record.id)
    if (key == null) return false
    try {
      const valid = key.verify(recordSignaturePayload(record, cluster), record.signature)
      if (valid instanceof Promise) {
        valid.catch(() => {})
        return false
      }
      return valid
    } catch {
      return false
    }
  }
}

/**
 * Members' public keys by id, shared by every verifier of this process (the key is a
 * function of the id alone; a process hosting many nodes would otherwise make each key
 * once per node).
 */
const verifiers = new Map<string, Verifier | null>()

function keyOf (id: string): Verifier | null {
  let key = verifiers.get(id)
  if (key === undefined) {
    try {
      key = verifierOf(peerIdFromString(id).publicKey)
    } catch {
      key = null
    }
    if (verifiers.size >= MAX_CACHED_KEYS) verifiers.clear()
    verifiers.set(id, key)
  }
  return key
}

/** A member's public key, ready to check signatures with. */
interface Verifier { verify: (data: Uint8Array, signature: Uint8Array) => boolean | Promise<boolean> }

/** DER prefix of an Ed25519 public key (SPKI) before its 32 raw bytes. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/**
 * An Ed25519 key checks signatures with a key object made once (libp2p's own `verify`
 * builds one from JWK on every call, which costs as much as the check itself); other key
 * types as libp2p checks them.
 */
function verifierOf (key: PublicKey | undefined): Verifier | null {
  if (key == null) return null
  if (key.type !== 'Ed25519') return key
  const object = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, key.raw]), format: 'der', type: 'spki' })
  return { verify: (data, signature) => signature.byteLength === 64 && verify(null, data, object, signature) }
}

function writeVarint (out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 128) | 0x80
    n = Math.floor(n / 128)
  }
  out[at++] = n
  return at
}
