/**
 * Cluster keys: the libp2p private-network pre-shared key (`@libp2p/pnet`, PSK v1 format).
 * `swimd keygen` writes a new one; `--cluster-key FILE` is checked here before libp2p sees it,
 * so a bad file is a config error (exit 2) rather than a failure deep inside connection setup.
 * The format itself lives with the library's keyring (`src/libp2p/cluster-key.ts`).
 */
import { clusterKeyFileProblem, generateClusterKeyFile } from '../libp2p/cluster-key.ts'

/** A new key in the PSK v1 text format, ending with a newline (which libp2p accepts). */
export function generateClusterKey (): Uint8Array {
  return generateClusterKeyFile()
}

/**
 * Checks that `bytes` hold a PSK v1 key. Returns a reason for the error message when they do
 * not, `undefined` when they do.
 */
export function clusterKeyProblem (bytes: Uint8Array): string | undefined {
  return clusterKeyFileProblem(bytes)
}
