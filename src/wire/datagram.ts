/**
 * The datagram envelope: the fixed header in front of every SWIM datagram and the AEAD tag
 * behind it. Sealing and opening (the cryptography) are in `src/libp2p/packet-crypto.ts`;
 * this file only lays the bytes out and reads them back, so it can be fuzzed and pinned on
 * its own.
 *
 *      0         1        2                 6          8                          16
 *     +---------+--------+-----------------+----------+--------------------------+
 *     | version | key    | sender tag      | epoch    | counter                  |
 *     | + keyed | hint   | (uint32)        | (uint16) | (uint64, big-endian)     |
 *     +---------+--------+-----------------+----------+--------------------------+
 *     | ciphertext (as long as the payload) ...             | AEAD tag (16 bytes) |
 *     +-----------------------------------------------------+---------------------+
 *
 * - version: low 7 bits, DATAGRAM_VERSION; the top bit is set when the datagram is sealed
 *   under a cluster key, clear for a keyless cluster (so a keyless node and a keyed one
 *   tell each other apart without trying a key).
 * - key hint: first byte of the id of the cluster key used (0 when keyless).
 * - sender tag: first 4 bytes of SHA-256 of the sender's PeerId bytes, so the receiver
 *   knows whose pair key to use without the 38 bytes of a PeerId.
 * - epoch: random per sender start, so a sender whose clock went back across a restart
 *   still (almost surely) never reuses a nonce.
 * - counter: per sender, strictly increasing, started at the sender's clock in µs; the
 *   receiver's replay window runs on it. Always below 2^53 (safe as a JS number until the
 *   year 2255); a larger value is refused.
 *
 * The whole header is the AEAD's associated data; the AEAD nonce is its last 12 bytes
 * (two bytes of the tag, epoch, counter): unique per key as long as the counter is.
 */

/** Format version in the low 7 bits of the first byte. */
export const DATAGRAM_VERSION = 1

/** Top bit of the first byte: sealed under a cluster key. */
export const KEYED_FLAG = 0x80

/** Bytes before the payload. */
export const DATAGRAM_HEADER_BYTES = 16

/** Bytes of the AEAD tag after the payload (Poly1305). */
export const DATAGRAM_TAG_BYTES = 16

/** Bytes a datagram adds to its payload: header plus tag. */
export const DATAGRAM_OVERHEAD = DATAGRAM_HEADER_BYTES + DATAGRAM_TAG_BYTES

/** Where the AEAD nonce starts within the header; it runs to the header's end. */
export const NONCE_OFFSET = 4

/** Length of the AEAD nonce (ChaCha20-Poly1305, RFC 8439). */
export const NONCE_BYTES = DATAGRAM_HEADER_BYTES - NONCE_OFFSET

/** Largest counter: 2^53 − 1, so it is exact as a JS number. */
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER

const TWO_32 = 2 ** 32

export interface DatagramHeader {
  /** Sealed under a cluster key (else keyless). */
  keyed: boolean
  /** First byte of the key id; 0 when keyless. */
  hint: number
  /** Sender tag, as an unsigned 32-bit number. */
  sender: number
  /** Per-start random number of the sender, 0..65535. */
  epoch: number
  /** Per-sender counter, 0..MAX_COUNTER. */
  counter: number
}

export type DatagramHeaderResult =
  | { ok: true, header: DatagramHeader }
  | { ok: false, error: 'short' | 'version' | 'counter' }

/** Writes `header` into the first DATAGRAM_HEADER_BYTES of `out`. */
export function writeDatagramHeader (out: Uint8Array, header: DatagramHeader): void {
  if (out.byteLength < DATAGRAM_HEADER_BYTES) throw new RangeError(`A datagram header needs ${DATAGRAM_HEADER_BYTES} bytes, got ${out.byteLength}`)
  if (!Number.isSafeInteger(header.counter) || header.counter < 0) throw new RangeError(`Datagram counter ${header.counter} is not an integer in 0..2^53-1`)
  const view = new DataView(out.buffer, out.byteOffset, DATAGRAM_HEADER_BYTES)
  view.setUint8(0, DATAGRAM_VERSION | (header.keyed ? KEYED_FLAG : 0))
  view.setUint8(1, header.hint)
  view.setUint32(2, header.sender)
  view.setUint16(6, header.epoch)
  view.setUint32(8, Math.floor(header.counter / TWO_32))
  view.setUint32(12, header.counter % TWO_32)
}

/**
 * Reads the header of a datagram. `short`: fewer bytes than a header and a tag (an empty
 * payload is allowed); `version`: another format version; `counter`: a counter no honest
 * sender writes (2^53 or more). Never throws.
 */
export function readDatagramHeader (packet: Uint8Array): DatagramHeaderResult {
  if (packet.byteLength < DATAGRAM_OVERHEAD) return { ok: false, error: 'short' }
  const view = new DataView(packet.buffer, packet.byteOffset, DATAGRAM_HEADER_BYTES)
  const first = view.getUint8(0)
  if ((first & ~KEYED_FLAG) !== DATAGRAM_VERSION) return { ok: false, error: 'version' }
  const high = view.getUint32(8)
  if (high >= 2 ** 21) return { ok: false, error: 'counter' }
  return {
    ok: true,
    header: {
      keyed: (first & KEYED_FLAG) !== 0,
      hint: view.getUint8(1),
      sender: view.getUint32(2),
      epoch: view.getUint16(6),
      counter: high * TWO_32 + view.getUint32(12)
    }
  }
}
