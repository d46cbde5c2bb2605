/**
 * The cluster key file format: `@libp2p/pnet`'s pre-shared key v1 text, as `swimd keygen`
 * writes it (and `generateKey` of `@libp2p/pnet`):
 *
 *     /key/swarm/psk/1.0.0/
 *     /base16/
 *     <64 lowercase hex digits>
 *
 * with an optional trailing newline. The 32 bytes the hex digits spell are the key a
 * `Keyring` holds.
 */
import { randomBytes } from 'node:crypto'
import { CLUSTER_KEY_LENGTH } from './keyring.ts'

const PSK_TAG = '/key/swarm/psk/1.0.0/'
const PSK_CODEC = '/base16/'

/** The largest file worth reading as a key: the 95 bytes of the format plus whitespace. */
export const MAX_CLUSTER_KEY_FILE = 4096

/** `key` (32 bytes) in the PSK v1 text format, ending with a newline. */
export function encodeClusterKeyFile (key: Uint8Array): Uint8Array {
  if (key.byteLength !== CLUSTER_KEY_LENGTH) throw new RangeError(`Cannot encode a cluster key of ${key.byteLength} bytes: a key is ${CLUSTER_KEY_LENGTH} bytes`)
  return new TextEncoder().encode(`${PSK_TAG}\n${PSK_CODEC}\n${Buffer.from(key).toString('hex')}\n`)
}

/** A new random key in the PSK v1 text format, ending with a newline. */
export function generateClusterKeyFile (): Uint8Array {
  return encodeClusterKeyFile(randomBytes(CLUSTER_KEY_LENGTH))
}

/**
 * Why `file` is not a PSK v1 key, for an error message, or `undefined` when it is one.
 */
export function clusterKeyFileProblem (file: Uint8Array | string): string | undefined {
  if (file.length > MAX_CLUSTER_KEY_FILE) return `the file is ${file.length} bytes, a key file is about 96`
  const text = typeof file === 'string' ? file : new TextDecoder().decode(file)
  const lines = text.split(/\r\n|\r|\n/)
  if (lines[0] !== PSK_TAG) return `the first line must be ${PSK_TAG}`
  if (lines[1] !== PSK_CODEC) return `the second line must be ${PSK_CODEC}`
  if (!/^[0-9a-f]{64}$/.test(lines[2] ?? '')) return 'the third line must be 64 lowercase hex digits'
  if (lines.slice(3).some((line) => line.trim() !== '')) return 'unexpected text after the key'
  return undefined
}

/**
 * The 32-byte key of a PSK v1 file (its bytes or its text). Throws a SyntaxError naming
 * what is wrong when it is not one.
 */
export function decodeClusterKeyFile (file: Uint8Array | string): Uint8Array {
  const problem = clusterKeyFileProblem(file)
  if (problem != null) throw new SyntaxError(`Not a cluster key file (libp2p pre-shared key v1): ${problem} (create one with "swimd keygen")`)
  const text = typeof file === 'string' ? file : new TextDecoder().decode(file)
  return new Uint8Array(Buffer.from(text.split(/\r\n|\r|\n/)[2], 'hex'))
}
