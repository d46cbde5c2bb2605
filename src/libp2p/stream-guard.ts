/**
 * Stream admission: every SWIM stream begins with the opener's proof of a cluster key
 * (stream-auth.ts), written before anything else and checked by the receiver before it
 * reads anything else, so a node without the key never gets a byte of SWIM parsed.
 */
import { byteStream } from '@libp2p/utils'
import type { AbortOptions, Stream } from '@libp2p/interface'
import type { Keyring } from './keyring.ts'
import { STREAM_PROOF_BYTES, checkStreamProof, streamProof } from './stream-auth.ts'

export interface StreamGuard {
  /** Writes this node's proof for a stream to member `to`, first thing on the stream. */
  prove: (stream: Stream, to: string) => void
  /** Reads and checks the proof of a stream from `from`; false when it does not hold. */
  admit: (stream: Stream, from: string, options: AbortOptions) => Promise<boolean>
  /** Checks proof bytes already read from a stream from `from`. */
  check: (from: string, proof: Uint8Array) => boolean
}

export function createStreamGuard (keyring: Keyring, cluster: string, self: string): StreamGuard {
  return {
    prove (stream, to) {
      stream.send(streamProof(keyring, cluster, self, to))
    },
    async admit (stream, from, options) {
      const bytes = byteStream(stream)
      let proof
      try {
        proof = await bytes.read({ bytes: STREAM_PROOF_BYTES, ...options })
      } finally {
        // What follows the proof goes back to the stream for the protocol to read.
        bytes.unwrap()
      }
      return checkStreamProof(keyring, cluster, from, self, proof.subarray())
    },
    check (from, proof) {
      return checkStreamProof(keyring, cluster, from, self, proof)
    }
  }
}
