/**
 * Sealing and opening SWIM datagrams: every datagram is authenticated and encrypted with
 * ChaCha20-Poly1305 under a key only its sender and its receiver can derive, for 32 bytes
 * of overhead (`src/wire/datagram.ts` lays them out) and no signature per packet.
 *
 * Keys. Each member's libp2p identity is an Ed25519 key, and its PeerId embeds the public
 * half; converted to X25519 (the birational map of RFC 7748, `@noble/curves`), two members
 * agree on a shared secret with no handshake, so the first datagram from a member is
 * verifiable as soon as its PeerId is known. From that secret, each direction gets its own
 * key (HKDF-SHA256):
 *
 *     key(A → B) = HKDF(ikm = X25519(A, B), salt = cluster key or none,
 *                       info = DATAGRAM_KEY_DOMAIN, SHA-256(cluster name), A's PeerId, B's PeerId)
 *
 * Without a cluster key, only A (or B) can seal a datagram B accepts as A's. With one, the
 * sealer must also hold that key, and datagrams of another cluster name never open. Separate
 * directions mean a datagram reflected back at its sender does not open either.
 *
 * Nonces. A sender's counter starts at its clock in µs and goes up by one per datagram, so
 * a restart moves it forward (unless the clock went back by more than the downtime); a random
 * 16-bit epoch per start makes even that case reuse a nonce with probability 2^-16 only. The
 * receiver keeps, per sender, the highest counter and a window of the REPLAY_WINDOW below it,
 * so a datagram is accepted at most once and reordering within the window is tolerated.
 *
 * Cost of a drop: a datagram that is short, of another version, sealed under a key this
 * node does not hold, from an unknown sender or with a counter already seen costs no AEAD
 * check; anything else costs one (one per candidate in the rare case that two installed
 * keys share a hint byte or two known members share a sender tag). Shared secrets are
 * computed once per member (lazily, at its first datagram either way) and kept while the
 * member is known; derived keys once per member, direction and cluster key.
 *
 * Nothing here throws on any datagram: `open` returns the reason as a value.
 */
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, randomInt } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { ed25519 } from '@noble/curves/ed25519.js'
import type { PrivateKey } from '@libp2p/interface'
import {
  DATAGRAM_HEADER_BYTES,
  DATAGRAM_OVERHEAD,
  DATAGRAM_TAG_BYTES,
  MAX_COUNTER,
  NONCE_OFFSET,
  readDatagramHeader,
  writeDatagramHeader
} from '../wire/datagram.ts'
import { DATAGRAM_KEY_DOMAIN, lengthPrefixed } from './key-derivation.ts'
import { ReplayWindow } from './replay-window.ts'
import { keyHint } from './keyring.ts'
import type { Keyring } from './keyring.ts'

/**
 * Members whose datagrams can be opened at once (least recently used forgotten first).
 * Each costs about 2 KB of heap once talked to (ids, shared secret, derived keys, replay
 * window; `bench/crypto.ts`), so 10,000 is ~20 MB; a cluster larger than this opens the
 * datagrams of its most active members only and reaches the others over streams.
 */
export const MAX_KNOWN_PEERS = 10_000

/**
 * Forgotten members whose highest counter is remembered, so a member that leaves and comes
 * back cannot be replayed its old datagrams.
 */
export const MAX_RETIRED_PEERS = 10_000

/**
 * Members sharing one sender tag that are told apart by trying each. Honest members collide
 * with probability ~N²/2^33 (1 in 8,600 clusters of 1,000); a member aiming at another's tag
 * must generate ~2^32 keys. Beyond this, a new member with a taken tag is not indexed: its
 * datagrams are dropped as unknown and it is reached over streams.
 */
export const MAX_TAG_CANDIDATES = 4

/** Longest PeerId string considered (a base58 Ed25519 PeerId is 52 characters). */
const MAX_PEER_ID_LENGTH = 128

/** The AEAD: ChaCha20-Poly1305 (RFC 8439) in node:crypto. */
const AEAD = 'chacha20-poly1305'

/** DER prefixes of an X25519 private key (PKCS #8) and public key (SPKI) around the 32 raw bytes. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')

/** The salt of a keyless cluster's keys: HKDF's default (zeros). */
const NO_SALT = Buffer.alloc(0)
const KEYLESS = ''
const KEYLESS_IDS: readonly string[] = [KEYLESS]

export interface PacketCryptoInit {
  /** This node's libp2p identity key; must be Ed25519. */
  privateKey: PrivateKey
  /** Cluster name: datagrams of another cluster name never open. */
  cluster: string
  /** Cluster keys; an empty keyring is a keyless cluster. Changes apply at once. */
  keyring: Keyring
  /** Clock in ms (as Date.now), read once to start the counter. @default Date.now */
  now?: () => number
  /** The 16-bit epoch of this start (for known-answer tests). @default random */
  epoch?: number
}

export type OpenResult =
  | { from: string, payload: Uint8Array }
  | { error: OpenError }

/**
 * Why a datagram was dropped:
 * - `short`: fewer than `overhead` bytes;
 * - `version`: not this format version;
 * - `unknown-sender`: its sender tag matches no member passed to `know`;
 * - `foreign-key`: sealed under a cluster key this node does not hold (or keyed while this
 *   cluster is keyless, or the reverse);
 * - `forged`: failed authentication (altered, sealed for someone else, another cluster name,
 *   a removed key, a counter no honest sender writes);
 * - `replay`: its counter was already accepted from that sender, or is below its window
 *   (checked before authentication, so a forgery reusing a counter is counted here).
 */
export type OpenError = 'short' | 'version' | 'unknown-sender' | 'foreign-key' | 'forged' | 'replay'

interface Peer {
  id: string
  /** The PeerId's bytes (multihash), as they enter key derivation. */
  bytes: Uint8Array
  tag: number
  /** Ed25519 public key; null when the PeerId is not Ed25519 (no datagrams with it). */
  publicKey: Uint8Array | null
  /** X25519 shared secret; undefined until needed, null when the agreement failed. */
  shared?: Buffer | null
  /** Derived keys by cluster key id ('' keyless), valid for `generation` of the keyring. */
  keys: Map<string, { send?: Buffer, recv?: Buffer }>
  generation: number
  window: ReplayWindow
  /** In the sender-tag index (false when its tag was taken MAX_TAG_CANDIDATES times). */
  indexed: boolean
}

/** First 4 bytes of SHA-256 of PeerId bytes, as a number: the datagram sender tag. */
export function senderTag (peerIdBytes: Uint8Array): number {
  return createHash('sha256').update(peerIdBytes).digest().readUInt32BE(0)
}

export class PacketCrypto {
  /** Bytes a sealed datagram adds to its payload. */
  readonly overhead = DATAGRAM_OVERHEAD

  private readonly self: string
  private readonly selfBytes: Uint8Array
  private readonly selfTag: number
  private readonly secret: ReturnType<typeof createPrivateKey>
  private readonly clusterDigest: Uint8Array
  private readonly keyring: Keyring
  private readonly epoch: number
  private counter: number
  /** Known members, least recently used first. */
  private readonly peers = new Map<string, Peer>()
  private readonly byTag = new Map<number, Peer[]>()
  /** Highest counters of forgotten members, oldest first. */
  private readonly retired = new Map<string, number>()
  /** Key ids by hint byte (at most 256 entries), for `hintGeneration` of the keyring. */
  private readonly hintIds = new Map<number, string[]>()
  private hintGeneration = -1

  /** Throws a TypeError when `privateKey` is not an Ed25519 key. */
  constructor (init: PacketCryptoInit) {
    const { privateKey } = init
    if (privateKey.type !== 'Ed25519') throw new TypeError(`Cannot seal datagrams with a ${privateKey.type} identity key: datagram keys come from Ed25519 identities; use an Ed25519 key`)
    const self = peerIdFromPrivateKey(privateKey)
    this.self = self.toString()
    this.selfBytes = self.toMultihash().bytes
    this.selfTag = senderTag(this.selfBytes)
    // libp2p's raw Ed25519 private key is seed ‖ public key; X25519 uses the hashed seed.
    const secret = ed25519.utils.toMontgomerySecret(privateKey.raw.subarray(0, 32))
    this.secret = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' })
    this.clusterDigest = createHash('sha256').update(init.cluster).digest()
    this.keyring = init.keyring
    this.epoch = init.epoch ?? randomInt(0x10000)
    if (!Number.isInteger(this.epoch) || this.epoch < 0 || this.epoch > 0xffff) throw new RangeError(`Datagram epoch ${this.epoch} is not an integer in 0..65535`)
    const now = init.now ?? Date.now
    this.counter = Math.min(Math.max(0, Math.floor(now() * 1000)), MAX_COUNTER - 2 ** 40) - 1
  }

  /**
   * Registers a member so its datagrams can be opened (and sealing to it is ready). Its
   * public key comes from its PeerId; a string that is not a PeerId is ignored. Keeps at most
   * MAX_KNOWN_PEERS members, forgetting the least recently used.
   */
  know (peerId: string): void {
    this.peerFor(peerId)
  }

  /** Forgets a member: its datagrams no longer open. Its highest counter is kept (bounded). */
  forget (peerId: string): void {
    const peer = this.peers.get(peerId)
    if (peer == null) return
    this.drop(peer)
  }

  /**
   * `payload` sealed for member `to` (who is known from now on if it was not), or undefined
   * when there is no usable key for it: `to` is not an Ed25519 PeerId, is this node, or its
   * key agreement failed (a malformed or low-order public key).
   */
  seal (to: string, payload: Uint8Array): Uint8Array | undefined {
    const peer = this.peerFor(to)
    if (peer == null) return undefined
    const keyed = !this.keyring.keyless
    const id = keyed ? this.keyring.primaryId as string : KEYLESS
    const key = this.pairKey(peer, 'send', id)
    if (key == null) return undefined
    if (this.counter >= MAX_COUNTER) return undefined
    this.counter++
    const out = new Uint8Array(payload.byteLength + DATAGRAM_OVERHEAD)
    writeDatagramHeader(out, { keyed, hint: keyed ? keyHint(id) : 0, sender: this.selfTag, epoch: this.epoch, counter: this.counter })
    const cipher = createCipheriv(AEAD, key, out.subarray(NONCE_OFFSET, DATAGRAM_HEADER_BYTES), { authTagLength: DATAGRAM_TAG_BYTES })
    cipher.setAAD(out.subarray(0, DATAGRAM_HEADER_BYTES), { plaintextLength: payload.byteLength })
    const body = cipher.update(payload)
    const rest = cipher.final()
    out.set(body, DATAGRAM_HEADER_BYTES)
    out.set(rest, DATAGRAM_HEADER_BYTES + body.byteLength)
    out.set(cipher.getAuthTag(), DATAGRAM_HEADER_BYTES + payload.byteLength)
    this.touch(peer)
    return out
  }

  /**
   * The sender and payload of a datagram, or why it was dropped (see OpenError). Never
   * throws; a datagram that fails authentication never yields any of its bytes.
   */
  open (packet: Uint8Array): OpenResult {
    try {
      return this.openChecked(packet)
    } catch {
      return { error: 'forged' }
    }
  }

  private openChecked (packet: Uint8Array): OpenResult {
    const read = readDatagramHeader(packet)
    if (!read.ok) return { error: read.error === 'counter' ? 'forged' : read.error }
    const { header } = read
    let ids: readonly string[]
    if (this.keyring.keyless) {
      if (header.keyed || header.hint !== 0) return { error: 'foreign-key' }
      ids = KEYLESS_IDS
    } else {
      if (!header.keyed) return { error: 'foreign-key' }
      ids = this.idsFor(header.hint)
      if (ids.length === 0) return { error: 'foreign-key' }
    }
    const candidates = this.byTag.get(header.sender)
    if (candidates == null) return { error: 'unknown-sender' }
    let replayed = false
    for (const peer of candidates) {
      if (!peer.window.fresh(header.counter)) {
        replayed = true
        continue
      }
      for (const id of ids) {
        const key = this.pairKey(peer, 'recv', id)
        if (key == null) continue
        const payload = decrypt(key, packet)
        if (payload == null) continue
        peer.window.accept(header.counter)
        this.touch(peer)
        return { from: peer.id, payload }
      }
    }
    return { error: replayed ? 'replay' : 'forged' }
  }

  /** Ids of the installed keys with this hint; cached until the keyring changes. */
  private idsFor (hint: number): readonly string[] {
    if (this.hintGeneration !== this.keyring.generation) {
      this.hintIds.clear()
      this.hintGeneration = this.keyring.generation
    }
    let ids = this.hintIds.get(hint)
    if (ids == null) {
      ids = this.keyring.match(hint).map((entry) => entry.id)
      this.hintIds.set(hint, ids)
    }
    return ids
  }

  private peerFor (peerId: string): Peer | undefined {
    if (peerId === this.self) return undefined
    let peer = this.peers.get(peerId)
    if (peer != null) {
      this.touch(peer)
      return peer.publicKey == null ? undefined : peer
    }
    if (typeof peerId !== 'string' || peerId.length > MAX_PEER_ID_LENGTH) return undefined
    let parsed
    try {
      parsed = peerIdFromString(peerId)
    } catch {
      return undefined
    }
    if (parsed.toString() !== peerId) return undefined
    const bytes = parsed.toMultihash().bytes
    peer = {
      id: peerId,
      bytes,
      tag: senderTag(bytes),
      publicKey: parsed.type === 'Ed25519' ? parsed.publicKey.raw : null,
      keys: new Map(),
      generation: this.keyring.generation,
      window: new ReplayWindow(),
      indexed: false
    }
    const retired = this.retired.get(peerId)
    if (retired != null) {
      this.retired.delete(peerId)
      peer.window.accept(retired)
    }
    if (peer.publicKey != null) {
      const sharing = this.byTag.get(peer.tag) ?? []
      if (sharing.length < MAX_TAG_CANDIDATES) {
        sharing.push(peer)
        this.byTag.set(peer.tag, sharing)
        peer.indexed = true
      }
    }
    this.peers.set(peerId, peer)
    if (this.peers.size > MAX_KNOWN_PEERS) {
      const oldest = this.peers.values().next().value as Peer
      this.drop(oldest)
    }
    return peer.publicKey == null ? undefined : peer
  }

  private drop (peer: Peer): void {
    this.peers.delete(peer.id)
    if (peer.indexed) {
      const sharing = (this.byTag.get(peer.tag) ?? []).filter((p) => p !== peer)
      if (sharing.length === 0) this.byTag.delete(peer.tag)
      else this.byTag.set(peer.tag, sharing)
    }
    if (peer.window.highest >= 0) {
      this.retired.delete(peer.id)
      this.retired.set(peer.id, peer.window.highest)
      if (this.retired.size > MAX_RETIRED_PEERS) this.retired.delete(this.retired.keys().next().value as string)
    }
  }

  private touch (peer: Peer): void {
    this.peers.delete(peer.id)
    this.peers.set(peer.id, peer)
  }

  /**
   * The key for datagrams from this node to `peer` (send) or from `peer` to this node (recv)
   * under the cluster key `id` ('' keyless), derived on first use.
   */
  private pairKey (peer: Peer, direction: 'send' | 'recv', id: string): Buffer | undefined {
    if (peer.generation !== this.keyring.generation) {
      peer.keys.clear()
      peer.generation = this.keyring.generation
    }
    let pair = peer.keys.get(id)
    const cached = pair?.[direction]
    if (cached != null) return cached
    const shared = this.shared(peer)
    if (shared == null) return undefined
    let salt: Uint8Array = NO_SALT
    if (id !== KEYLESS) {
      const key = this.keyring.match(keyHint(id)).find((entry) => entry.id === id)?.key
      if (key == null) return undefined
      salt = key
    }
    const [from, to] = direction === 'send' ? [this.selfBytes, peer.bytes] : [peer.bytes, this.selfBytes]
    const info = lengthPrefixed(DATAGRAM_KEY_DOMAIN, [this.clusterDigest, from, to])
    const key = Buffer.from(hkdfSync('sha256', shared, salt, info, 32))
    if (pair == null) {
      pair = {}
      peer.keys.set(id, pair)
    }
    pair[direction] = key
    return key
  }

  private shared (peer: Peer): Buffer | undefined {
    if (peer.shared === undefined) {
      peer.shared = null
      try {
        const secret = diffieHellman({ privateKey: this.secret, publicKey: x25519PublicKey(peer.id, peer.publicKey as Uint8Array) })
        // OpenSSL already refuses the all-zero result of a low-order point; be explicit.
        if (secret.some((b) => b !== 0)) peer.shared = secret
      } catch {}
    }
    return peer.shared ?? undefined
  }
}

/**
 * X25519 public keys of members, by PeerId, shared by every node of this process: the
 * conversion from Ed25519 (a field inversion in JavaScript) and the key object depend on the
 * public key alone, and a process hosting many nodes would otherwise convert each member's
 * key once per node. Bounded like the members a node knows (oldest forgotten first).
 */
const x25519Keys = new Map<string, KeyObject>()

function x25519PublicKey (peerId: string, ed25519PublicKey: Uint8Array): KeyObject {
  let key = x25519Keys.get(peerId)
  if (key == null) {
    const montgomery = ed25519.utils.toMontgomery(ed25519PublicKey)
    key = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, montgomery]), format: 'der', type: 'spki' })
    if (x25519Keys.size >= MAX_KNOWN_PEERS) x25519Keys.delete(x25519Keys.keys().next().value as string)
    x25519Keys.set(peerId, key)
  }
  return key
}

/** The plaintext of `packet` under `key`, or undefined when it does not authenticate. */
function decrypt (key: Buffer, packet: Uint8Array): Uint8Array | undefined {
  const end = packet.byteLength - DATAGRAM_TAG_BYTES
  const decipher = createDecipheriv(AEAD, key, packet.subarray(NONCE_OFFSET, DATAGRAM_HEADER_BYTES), { authTagLength: DATAGRAM_TAG_BYTES })
  decipher.setAAD(packet.subarray(0, DATAGRAM_HEADER_BYTES), { plaintextLength: end - DATAGRAM_HEADER_BYTES })
  decipher.setAuthTag(packet.subarray(end))
  const body = decipher.update(packet.subarray(DATAGRAM_HEADER_BYTES, end))
  try {
    decipher.final()
  } catch {
    return undefined
  }
  // a copy: the cipher's output may be a view into a shared pool
  return new Uint8Array(body)
}
