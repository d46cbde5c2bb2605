/**
 * Why a join through a seed failed, in the operator's terms. The service reports each failed
 * seed as a `join:error` event (`JoinErrorDetail`); what to do with it (log, count, alert) is
 * the application's choice, so nothing here logs.
 *
 * The causes are the ones an operator can act on; `message` says which setting to check.
 */
import { dialFailure } from './dialer.ts'

export type JoinErrorCause =
  /** the seed's host answered that nothing listens on that port */
  | 'refused'
  /** no route to the seed's host */
  | 'unreachable'
  /** no answer in time: host down, a firewall dropping packets, a wrong address */
  | 'timeout'
  /**
   * the seed holds other cluster keys (or only one side has a key): it reset the SWIM stream
   * whose key proof it rejected (or, with libp2p's pnet protector, the handshake failed)
   */
  | 'key-mismatch'
  /** a process answered, but with another PeerId than the seed's /p2p/ part */
  | 'wrong-peer'
  /** connected, but the peer does not speak this cluster's SWIM protocols (another cluster label or version, or not a member) */
  | 'protocol'
  /** the seed is this node itself */
  | 'self'
  /** the seed is not a multiaddr */
  | 'invalid'
  /** connected, but the peer did not answer the state exchange (and did not reset it) */
  | 'no-answer'
  /** every attempt failed and the retry limit is reached; the service stops trying */
  | 'gave-up'
  | 'other'

export interface JoinErrorDetail {
  /** The seed as given (a multiaddr), or for `gave-up` every seed, space-separated. */
  seed: string
  cause: JoinErrorCause
  /** One sentence: what happened and what to check. */
  message: string
  /** Which attempt of the background join this was (1 = the first); 0 for a `join()` call. */
  attempt: number
}

const KEY_MISMATCH = 'the seed rejected this node\'s cluster key: it uses another --cluster-key (or only one side has a key), or does not admit this node'
const NO_ANSWER = 'connected, but it did not answer the SWIM state exchange: another --cluster label or version, not a swimd, or overloaded'

/**
 * Why the state exchange with a seed that was dialed failed; `err` is what the exchange's
 * stream ended with (undefined: it never opened, or it closed without an answer). A member
 * resets a stream whose cluster key proof does not hold before reading a byte more, and
 * answers every stream that proves a key it has, so a reset before any answer is a key that
 * differs. (A member whose allow list leaves this node out resets it too, but never lets the
 * connection come up in the first place: swimd's gater refuses it.)
 */
export function classifyExchangeError (err: unknown): { cause: JoinErrorCause, message: string } {
  const name = (err as { name?: string } | undefined)?.name
  if (name === 'StreamResetError') return { cause: 'key-mismatch', message: KEY_MISMATCH }
  if (err != null) {
    const dialed = classifyJoinError(err)
    if (dialed.cause === 'key-mismatch') return dialed
  }
  return { cause: 'no-answer', message: NO_ANSWER }
}

/** The cause of a failed dial or stream to a seed. */
export function classifyJoinError (err: unknown): { cause: JoinErrorCause, message: string } {
  const error = err as { name?: string, message?: string } | undefined
  const name = error?.name ?? ''
  const text = String(error?.message ?? err)
  const failure = dialFailure(err)
  if (failure === 'refused') return { cause: 'refused', message: 'connection refused: nothing listens there (is swimd running on that host and port?)' }
  if (failure === 'unreachable') return { cause: 'unreachable', message: `no route to the host (${text})` }
  if (name === 'TimeoutError' || name === 'AbortError' || /timed? ?out|aborted/i.test(text)) {
    return { cause: 'timeout', message: 'no answer in time: the host is down, a firewall drops the packets, or the address is wrong' }
  }
  if (name === 'EncryptionFailedError' || name === 'InvalidCryptoExchangeError' || /pre-shared key|psk|decrypt|stream proof/i.test(text)) {
    return { cause: 'key-mismatch', message: KEY_MISMATCH }
  }
  if (name === 'UnexpectedPeerError' || /unexpected peer|peer id mismatch/i.test(text)) {
    return { cause: 'wrong-peer', message: 'a different node answered than the /p2p/ id in the seed address (it was replaced, or the id is wrong)' }
  }
  if (name === 'UnsupportedProtocolError' || /protocol selection failed|not supported/i.test(text)) {
    return { cause: 'protocol', message: 'connected, but it does not speak this cluster\'s SWIM protocols: another --cluster label, another version, or not a swimd' }
  }
  if (/dial self/i.test(text)) return { cause: 'self', message: 'the seed is this node itself' }
  return { cause: 'other', message: text.split('\n')[0] }
}
