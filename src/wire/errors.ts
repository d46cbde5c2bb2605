/**
 * How the wire layer reports a message it cannot accept: decoding returns a `WireError` as a
 * value, encoding throws it inside a `WireEncodeError`.
 */

import type { Message } from '../core/messages.ts'

/**
 * - `too-large`: the message, a list or a string exceeds a `WireLimits` cap
 * - `malformed`: the bytes are not a protobuf encoding of a SwimMessage
 * - `invalid`: well-formed protobuf that breaks the protocol's rules (missing id, unknown
 *   state, unsafe integer, duplicate metadata key, ...)
 * - `unsupported`: a well-formed envelope with no message kind this version knows, most
 *   likely sent by a newer version; safe to ignore quietly
 * - `bad-limits`: the caller passed caps that are not non-negative whole numbers (a local
 *   mistake, not the peer's)
 * - `foreign-cluster`: a record carries another cluster's tag (the sender belongs to
 *   another cluster, or claims to); rejected before any signature is checked
 */
export type WireErrorCode = 'too-large' | 'malformed' | 'invalid' | 'unsupported' | 'bad-limits' | 'foreign-cluster'

export interface WireError {
  code: WireErrorCode
  /** A sentence for logs; never contains the offending value itself. */
  message: string
  /** Where the problem is, e.g. `updates[2].record.addrs`, when known. */
  field?: string
}

export type DecodeResult =
  | { ok: true; message: Message }
  | { ok: false; error: WireError }

/** Thrown by the encoding functions when a message cannot be encoded (or breaks caps given). */
export class WireEncodeError extends Error {
  readonly code: WireErrorCode
  readonly field?: string

  constructor (error: WireError) {
    super(error.message)
    this.name = 'WireEncodeError'
    this.code = error.code
    if (error.field !== undefined) this.field = error.field
  }
}

/**
 * Internal to `src/wire`: carries a WireError out of nested checks. Not an Error, so no stack
 * is captured.
 */
export class Failure {
  readonly error: WireError
  constructor (code: WireErrorCode, message: string, field?: string) {
    this.error = field === undefined ? { code, message } : { code, message, field }
  }
}
