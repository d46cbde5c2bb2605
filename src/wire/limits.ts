/**
 * Caps the decoder enforces on everything a peer sends. A peer can put anything on the
 * wire, so each cap bounds the memory and work one message can cost the receiver; each
 * is generous for an honest peer. String lengths count UTF-8 bytes, as on the wire.
 */

export interface WireLimits {
  /**
   * Largest encoded ping, ack, ping-req, nack or gossip message. These carry a seq, an id
   * and piggybacked updates bounded by the sender's `maxPiggybackBytes` (1,200 by default),
   * so 64 KiB leaves ample room for a larger configured budget while keeping a flood of
   * probes cheap to absorb.
   */
  maxMessageBytes: number
  /**
   * Largest encoded sync (push-pull) message: a full state snapshot. It must hold the whole
   * state of `maxMembers` members at the record cap (`syncLimits` sizes it so): 12 MiB holds
   * 10,001 entries of maxRecordBytes with their framing, so no state a node may hold makes
   * push-pull stop. Memory is bounded per node by the push-pull protocol's concurrency cap.
   */
  maxSyncBytes: number
  /**
   * Largest encoded member record, signature included. Every member stores and re-sends
   * every record, so a record is a few addresses and labels (memberlist allows 512 bytes of
   * metadata); 1 KiB fits a signed record with 8 typical addresses and 400 bytes of
   * metadata, and keeps a full sync of maxMembers records within maxSyncBytes.
   */
  maxRecordBytes: number
  /**
   * Most updates piggybacked on one message. The smallest realistic update (a suspicion
   * naming two PeerIds) takes over 100 bytes, so a full 64 KiB message holds ~600; 1,024
   * leaves headroom for short ids without letting a message of empty updates allocate
   * tens of thousands of objects.
   */
  maxUpdates: number
  /**
   * Most entries in one sync message: one per member, so this is the largest cluster a
   * push-pull can describe. 20,000 is above any cluster SWIM's gossip is tuned for.
   */
  maxSyncEntries: number
  /**
   * Longest member id. A base58 Ed25519 PeerId is 52 characters, a CIDv1 one about 60;
   * 128 covers every libp2p key type with headroom.
   */
  maxIdBytes: number
  /**
   * Most addresses in one record (and in a ping-req's target addresses). A node rarely
   * listens on more than a handful of transports × interfaces; 16 bounds what a record
   * can make every member store and redistribute.
   */
  maxAddrs: number
  /**
   * Longest address. A relayed multiaddr with a DNS name (up to 253 bytes) and two
   * PeerIds stays under 512.
   */
  maxAddrBytes: number
  /**
   * Most metadata pairs in one record. Metadata is copied to every member and re-sent in
   * every push-pull, so it is meant for a few labels (role, zone, version), not data.
   */
  maxMetaEntries: number
  /** Longest metadata key: keys are short labels. */
  maxMetaKeyBytes: number
  /** Longest metadata value: values are labels or small settings, not payloads. */
  maxMetaValueBytes: number
  /**
   * Longest record signature. Ed25519 and secp256k1 signatures take 64-72 bytes; an
   * RSA-8192 one, the largest key libp2p accepts, takes 1,024.
   */
  maxSignatureBytes: number
}

export const DEFAULT_LIMITS: Readonly<WireLimits> = Object.freeze({
  maxMessageBytes: 64 * 1024,
  maxSyncBytes: 12 * 1024 * 1024,
  maxRecordBytes: 1024,
  maxUpdates: 1024,
  maxSyncEntries: 20_000,
  maxIdBytes: 128,
  maxAddrs: 16,
  maxAddrBytes: 512,
  maxMetaEntries: 32,
  maxMetaKeyBytes: 64,
  maxMetaValueBytes: 512,
  maxSignatureBytes: 1024
})

/**
 * No caps at all: what the encoder checks by default, so that it refuses only messages no
 * receiver could accept (unsafe integers, missing ids, ill-formed strings), whatever caps
 * that receiver uses.
 */
export const NO_LIMITS: Readonly<WireLimits> = Object.freeze({
  maxMessageBytes: Infinity,
  maxSyncBytes: Infinity,
  maxRecordBytes: Infinity,
  maxUpdates: Infinity,
  maxSyncEntries: Infinity,
  maxIdBytes: Infinity,
  maxAddrs: Infinity,
  maxAddrBytes: Infinity,
  maxMetaEntries: Infinity,
  maxMetaKeyBytes: Infinity,
  maxMetaValueBytes: Infinity,
  maxSignatureBytes: Infinity
})

const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as Array<keyof WireLimits>

/** A view digest is 8 bytes; anything much longer is not one. Not a knob: no peer needs more. */
export const MAX_DIGEST_BYTES = 32

/**
 * Bytes a sync entry adds around its record (entry and record framing, state, incarnation,
 * and the record's 5-byte cluster tag).
 */
export const SYNC_ENTRY_OVERHEAD = 29

/**
 * `limits` with the sync caps raised where needed to carry the whole state of `maxMembers`
 * members (and ourselves) at the record cap: record limits and sync size always agree.
 */
export function syncLimits (limits: WireLimits, maxMembers: number): WireLimits {
  const entries = maxMembers + 1
  return {
    ...limits,
    maxSyncEntries: Math.max(limits.maxSyncEntries, entries),
    maxSyncBytes: Math.max(limits.maxSyncBytes, entries * (limits.maxRecordBytes + SYNC_ENTRY_OVERHEAD) + 64)
  }
}

/**
 * `DEFAULT_LIMITS` with `overrides` on top. Throws a RangeError naming the cap when an
 * override is not a non-negative whole number (or Infinity).
 */
export function resolveLimits (overrides: Partial<WireLimits> = {}): WireLimits {
  const limits = { ...DEFAULT_LIMITS }
  for (const key of LIMIT_KEYS) {
    const value = overrides[key]
    if (value === undefined) continue
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (value !== Infinity && !Number.isInteger(value))) {
      throw new RangeError(`Invalid wire limit ${key}: ${String(value)} must be a non-negative whole number or Infinity`)
    }
    limits[key] = value
  }
  return limits
}

/**
 * Whether two (partial) limits hold the same values. Spelled out field by field: a loop over
 * the keys makes every lookup a slow dynamic one, and this runs on every decode.
 */
export function sameLimits (a: Partial<WireLimits>, b: Partial<WireLimits>): boolean {
  return a.maxMessageBytes === b.maxMessageBytes &&
    a.maxSyncBytes === b.maxSyncBytes &&
    a.maxRecordBytes === b.maxRecordBytes &&
    a.maxUpdates === b.maxUpdates &&
    a.maxSyncEntries === b.maxSyncEntries &&
    a.maxIdBytes === b.maxIdBytes &&
    a.maxAddrs === b.maxAddrs &&
    a.maxAddrBytes === b.maxAddrBytes &&
    a.maxMetaEntries === b.maxMetaEntries &&
    a.maxMetaKeyBytes === b.maxMetaKeyBytes &&
    a.maxMetaValueBytes === b.maxMetaValueBytes &&
    a.maxSignatureBytes === b.maxSignatureBytes
}
