/**
 * The shape the fallback probe (ping-protocol.ts) and push-pull (push-pull-protocol.ts) share:
 * one request and one response on a fresh stream, both length-prefixed and decoded by the
 * wire layer, the whole exchange bounded by a timeout.
 *
 *   request:  open a stream, write the request, read one frame, check its kind, close
 *   respond:  read one frame, check its kind, (the protocol answers), write, close
 *
 * Nothing here throws into the caller of `request`; `readRequest` throws only what the
 * stream threw (a reset, a timeout, a bad frame), for the protocol's handler to log.
 */
import { lpStream } from '@libp2p/utils'
import type { Logger, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { Message } from '../core/messages.ts'
import { decodeMessage } from '../wire/decode.ts'
import type { DecodeResult, WireError, WireLimits } from '../wire/index.ts'
import { dialFailure } from './dialer.ts'
import type { Dialer } from './dialer.ts'
import { patientTimeout } from './timeout.ts'

type Framed = ReturnType<typeof lpStream<Stream>>

export interface ExchangeInit {
  protocol: string
  dialer: Dialer
  log: Logger
  limits: WireLimits
  /** This node's cluster tag (`clusterTag(cluster)`): records of another cluster are rejected as `foreign-cluster`. */
  clusterTag?: number
  /** The largest frame read. */
  maxDataLength: number
  maxOutboundStreams: number
  /** Bound of one whole exchange, dial included. */
  timeout: number
  /** Streams in progress, which the protocol aborts when it stops. */
  streams: Set<Stream>
  running: () => boolean
  onDecodeError: (from: string, error: WireError | Error) => void
  onUnreachable: (id: string, refused: boolean) => void
  onDone?: (id: string) => void
  /** Decodes the response; push-pull decodes large syncs in parts. @default decodeMessage */
  decode?: Decode
}

/** A frame's decoding, which may yield to the event loop on the way. */
export type Decode = (raw: Uint8Array) => Promise<DecodeResult>

export interface Expected<T extends Message> {
  /** Whether the decoded message is the kind this exchange expects. */
  is: (message: Message) => message is T
  /** What a message of another kind is, for the decode error count and the log. */
  otherwise: string
}

/**
 * Sends an encoded request to `to` and resolves to its response with its size, or to
 * undefined when the exchange failed in any way (never rejects).
 */
export async function request<T extends Message> (init: ExchangeInit, to: string, addrs: string[], bytes: Uint8Array, expected: Expected<T>, onFailed?: (err: unknown) => void): Promise<{ message: T, bytes: number } | undefined> {
  const signal = patientTimeout(init.timeout)
  let stream: Stream
  try {
    stream = await init.dialer.openStream(to, addrs, init.protocol, { signal, maxOutboundStreams: init.maxOutboundStreams })
  } catch (err) {
    init.log.trace('could not open a %s stream to %s - %e', init.protocol, to, err)
    const failure = dialFailure(err)
    if (init.running() && failure != null) init.onUnreachable(to, failure === 'refused')
    return undefined
  }
  init.streams.add(stream)
  try {
    const framed = lpStream(stream, framing(init.maxDataLength))
    await framed.write(bytes, { signal })
    const raw = await framed.read({ signal })
    const message = await decodeExpected(init, stream, to, raw, expected)
    if (message === undefined) return undefined
    await framed.unwrap().close({ signal }).catch(() => {})
    return { message, bytes: raw.byteLength }
  } catch (err) {
    init.log.trace('%s exchange with %s failed - %e', init.protocol, to, err)
    onFailed?.(err)
    stream.abort(err as Error)
    return undefined
  } finally {
    init.streams.delete(stream)
    init.onDone?.(to)
  }
}

export interface ReadRequestInit {
  limits: WireLimits
  /** This node's cluster tag (`clusterTag(cluster)`): records of another cluster are rejected as `foreign-cluster`. */
  clusterTag?: number
  maxDataLength: number
  onDecodeError: (from: string, error: WireError | Error) => void
  /** Count a frame that is oversized, garbled or cut short as a decode error too. */
  countFramingErrors?: boolean
  /** Decodes the request. @default decodeMessage */
  decode?: Decode
}

/**
 * Reads the one request of an inbound exchange. Resolves to it with the stream framed for
 * the answer, or to undefined when it was not a valid request of the expected kind (counted,
 * the stream reset).
 */
export async function readRequest<T extends Message> (init: ReadRequestInit, stream: Stream, from: string, expected: Expected<T>, signal: AbortSignal): Promise<{ framed: Framed, message: T, bytes: number } | undefined> {
  const framed = lpStream(stream, framing(init.maxDataLength))
  let raw
  try {
    raw = await framed.read({ signal })
  } catch (err) {
    // An oversized, garbled or truncated frame is the peer's fault; a reset stream is not.
    if (init.countFramingErrors === true && isFramingError(err)) init.onDecodeError(from, err as Error)
    throw err
  }
  const message = await decodeExpected(init, stream, from, raw, expected)
  if (message === undefined) return undefined
  return { framed, message, bytes: raw.byteLength }
}

/** The frame as a message of the expected kind, or undefined (counted, the stream reset). */
async function decodeExpected<T extends Message> (init: Pick<ReadRequestInit, 'limits' | 'clusterTag' | 'onDecodeError' | 'decode'>, stream: Stream, peer: string, raw: Uint8ArrayList, expected: Expected<T>): Promise<T | undefined> {
  const result = init.decode == null ? decodeMessage(raw, init.limits, { clusterTag: init.clusterTag }) : await init.decode(raw.subarray())
  if (result.ok && expected.is(result.message)) return result.message
  const error: WireError = result.ok ? { code: 'invalid', message: expected.otherwise } : result.error
  init.onDecodeError(peer, error)
  stream.abort(new Error(error.message))
  return undefined
}

/** Writes the answer, if any, and closes the stream. */
export async function respond (framed: Framed, answer: Uint8Array | undefined, signal: AbortSignal): Promise<void> {
  if (answer != null) await framed.write(answer, { signal })
  await framed.unwrap().close({ signal })
}

/**
 * Frames of up to `maxDataLength` bytes. The stream's read buffer must hold a whole frame
 * and its length prefix: at its default (4 MiB) every sync above 4 MiB, a state well
 * within maxSyncBytes, failed with a read buffer overflow and push-pull silently stopped.
 */
function framing (maxDataLength: number): { maxDataLength: number, maxBufferSize: number } {
  return { maxDataLength, maxBufferSize: maxDataLength + MAX_PREFIX_BYTES }
}

/** Longest varint length prefix (of a 2^53 − 1 length). */
const MAX_PREFIX_BYTES = 8

function isFramingError (err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name
  return name === 'InvalidMessageLengthError' || name === 'InvalidDataLengthError' || name === 'StreamBufferError' ||
    name === 'InvalidDataLengthLengthError' || name === 'UnexpectedEOFError'
}
