/**
 * Cluster keys: the libp2p private-network pre-shared key (`@libp2p/pnet`, PSK v1 format).
 * `swimd keygen` writes a new one; `--cluster-key FILE` is checked here before libp2p sees it,
 * so a bad file is a config error (exit 2) rather than a failure deep inside connection setup.
 */
import { generateKey } from '@libp2p/pnet'

/** Length of a PSK v1 file without a trailing newline: two header lines plus 64 hex digits. */
const PSK_FILE_LENGTH = 95
const PSK_TAG = '/key/swarm/psk/1.0.0/'
const PSK_CODEC = '/base16/'

/** A new key in the PSK v1 text format, ending with a newline (which libp2p accepts). */
export function generateClusterKey (): Uint8Array {
  const key = new Uint8Array(PSK_FILE_LENGTH + 1)
  generateKey(key)
  key[PSK_FILE_LENGTH] = 0x0a
  return key
}

/**
 * Checks that `bytes` hold a PSK v1 key. Returns a reason for the error message when they do
 * not, `undefined` when they do.
 */
export function clusterKeyProblem (bytes: Uint8Array): string | undefined {
  const lines = new TextDecoder().decode(bytes).split(/\r\n|\r|\n/)
  if (lines[0] !== PSK_TAG) return `the first line must be ${PSK_TAG}`
  if (lines[1] !== PSK_CODEC) return `the second line must be ${PSK_CODEC}`
  if (!/^[0-9a-f]{64}$/.test(lines[2] ?? '')) return 'the third line must be 64 lowercase hex digits'
  if (lines.slice(3).some((line) => line.trim() !== '')) return 'unexpected text after the key'
  return undefined
}
