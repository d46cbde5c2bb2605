/**
 * A large sync message decoded in bounded parts, so its receiver can yield to the event loop
 * between them: one full state (up to `maxSyncBytes`, 12 MiB by default) decoded in one go
 * takes hundreds of milliseconds, during which no ack, timer or other stream is served.
 *
 * The wire does not change: a sync is still one protobuf message in one frame. Its entries
 * are consecutive length-delimited fields of the sync body, so the body is walked once
 * without decoding anything (a few microseconds per entry), and runs of entries of at most
 * SYNC_PART_BYTES are each wrapped as a sync message of their own and decoded by
 * `decodeMessage`, with the same checks and errors as the whole message would get. The
 * fields other than entries (join, response, digest, fields of newer versions) go with the
 * first part, in their order, so they decode as they would in one piece.
 */
import { reader as createReader } from 'protons-runtime'
import type { Sync, SyncEntry } from '../core/messages.ts'
import type { WireOptions } from './options.ts'
import { decodeMessage } from './decode.ts'
import type { DecodeResult, WireError } from './errors.ts'
import { resolveLimits } from './limits.ts'
import type { WireLimits } from './limits.ts'

/**
 * Encoded entries decoded in one step. A part of 32 KiB (about 200 to 1,000 entries) takes
 * about 1 ms to decode on a laptop core and a few ms on a loaded 2-core machine.
 */
export const SYNC_PART_BYTES = 32 * 1024

/**
 * Bytes an entry may take beyond `maxRecordBytes` (its state, incarnation and framing take
 * about 20): an entry larger than that cannot hold a record within the cap, and is refused
 * before it is decoded, so no single entry makes a part large.
 */
const ENTRY_SLACK = 1024

/** Field numbers of the schema (swim.proto): SwimMessage.sync, Sync.entries. */
const SYNC_FIELD = 6
const ENTRIES_FIELD = 3
const LAST_BODY_FIELD = 6
const LENGTH_DELIMITED = 2

/**
 * Decodes `bytes` as `decodeMessage` does, one part per step: each `next()` does a bounded
 * amount of work and yields the sync decoded so far (its entries grow from one step to the
 * next; a caller may check them and stop), and the generator returns the result. A message
 * that is not a sync, or small, or that `decodeMessage` refuses before decoding (too
 * large), takes one step.
 */
export function * decodeInParts (bytes: Uint8Array, limits?: Partial<WireLimits>, partBytes = SYNC_PART_BYTES, options?: WireOptions): Generator<Sync, DecodeResult> {
  let caps: WireLimits
  try {
    caps = resolveLimits(limits)
  } catch {
    return decodeMessage(bytes, limits, options)
  }
  if (bytes.byteLength <= partBytes || bytes.byteLength > caps.maxSyncBytes) return decodeMessage(bytes, limits, options)
  let layout: Layout | undefined
  try {
    layout = scan(bytes)
  } catch (err) {
    // The scan follows wire types strictly; protons reads a known field by its schema type
    // whatever its wire type. Within one part's size the frame decodes as it would whole;
    // beyond it, a body that does not scan is refused rather than decoded in one long step.
    if (bytes.byteLength <= SYNC_PART_BYTES) return decodeMessage(bytes, limits, options)
    return failed({ code: 'malformed', message: `Not a valid encoding: ${err instanceof Error ? err.message : String(err)}` })
  }
  // Not one sync body as a conforming encoder writes it: `decodeMessage` says what is wrong,
  // cheaply (it walks the envelope before decoding anything, and caps a body other than
  // sync at maxMessageBytes).
  if (layout === undefined) return decodeMessage(bytes, limits, options)
  const { rest, entries } = layout
  if (entries.length > caps.maxSyncEntries) {
    return failed({ code: 'too-large', message: `Sync holds ${entries.length} entries, above the limit of ${caps.maxSyncEntries}`, field: 'entries' })
  }
  const maxEntry = caps.maxRecordBytes + ENTRY_SLACK
  for (let i = 0; i < entries.length; i++) {
    const size = entries[i].end - entries[i].start
    if (size > maxEntry) return failed({ code: 'too-large', message: `Sync entry is ${size} bytes, above the limit of ${maxEntry}`, field: `entries[${i}]` })
  }
  let sync: Sync | undefined
  const all: SyncEntry[] = []
  let first = 0
  while (sync === undefined || first < entries.length) {
    let last = first
    let size = sync === undefined ? byteLength(rest) : 0
    while (last < entries.length && (last === first || size + entries[last].end - entries[last].start <= partBytes)) {
      size += entries[last].end - entries[last].start
      last++
    }
    const part = wrap(bytes, sync === undefined ? rest : [], entries.slice(first, last), size)
    const result = decodeMessage(part, limits, options)
    if (!result.ok) return failed(shifted(result.error, first))
    if (result.message.type !== 'sync') return failed({ code: 'malformed', message: 'A part of a sync decoded as another message' })
    for (const entry of result.message.entries) all.push(entry)
    if (sync === undefined) {
      sync = result.message
      sync.entries = all
    }
    first = last
    if (first < entries.length) yield sync
  }
  return { ok: true, message: sync }
}

interface Span { start: number, end: number }

interface Layout {
  /** The sync body's fields other than entries, in order. */
  rest: Span[]
  /** Each entry field, tag and length included. */
  entries: Span[]
}

/**
 * Where the sync body's fields lie; undefined when the envelope is not a single sync body
 * (fields of newer versions beside it are skipped, as the decoder skips them). Throws when
 * the body's fields do not parse.
 */
function scan (bytes: Uint8Array): Layout | undefined {
  const envelope = createReader(bytes)
  let body: Span | undefined
  while (envelope.pos < envelope.len) {
    const tag = envelope.uint32()
    const field = tag >>> 3
    const wireType = tag & 7
    if (field === 0 || wireType === 3 || wireType === 4 || wireType > 5) return undefined
    if (field <= LAST_BODY_FIELD) {
      if (field !== SYNC_FIELD || wireType !== LENGTH_DELIMITED || body !== undefined) return undefined
      const length = envelope.uint32()
      body = { start: envelope.pos, end: envelope.pos + length }
      if (body.end > envelope.len) return undefined
      envelope.pos = body.end
    } else {
      envelope.skipType(wireType)
    }
  }
  if (body === undefined) return undefined
  const reader = createReader(bytes.subarray(0, body.end))
  reader.pos = body.start
  const rest: Span[] = []
  const entries: Span[] = []
  while (reader.pos < body.end) {
    const start = reader.pos
    const tag = reader.uint32()
    if ((tag >>> 3) === 0) throw new Error(`Field number 0 at offset ${start}`)
    reader.skipType(tag & 7)
    if (reader.pos > body.end) throw new Error(`Field at offset ${start} runs past the end of the sync`)
    const span = { start, end: reader.pos }
    if ((tag >>> 3) === ENTRIES_FIELD && (tag & 7) === LENGTH_DELIMITED) entries.push(span)
    else rest.push(span)
  }
  return { rest, entries }
}

/** A sync envelope holding the `rest` fields and `entries` of `bytes` (`size` bytes of them). */
function wrap (bytes: Uint8Array, rest: Span[], entries: Span[], size: number): Uint8Array {
  const head = [SYNC_FIELD << 3 | LENGTH_DELIMITED, ...varint(size)]
  const out = new Uint8Array(head.length + size)
  out.set(head, 0)
  let at = head.length
  for (const span of [...rest, ...entries]) {
    out.set(bytes.subarray(span.start, span.end), at)
    at += span.end - span.start
  }
  return out
}

function varint (value: number): number[] {
  const out: number[] = []
  while (value > 0x7f) {
    out.push((value & 0x7f) | 0x80)
    value = Math.floor(value / 128)
  }
  out.push(value)
  return out
}

function byteLength (spans: Span[]): number {
  let size = 0
  for (const span of spans) size += span.end - span.start
  return size
}

/** A part's error, its entry index counted from the whole message's first entry. */
function shifted (error: WireError, offset: number): WireError {
  if (offset === 0 || error.field === undefined) return error
  const field = error.field.replace(/^entries\[(\d+)\]/, (_, i: string) => `entries[${Number(i) + offset}]`)
  return { ...error, field, message: error.message.replace(/entries\[(\d+)\]/g, (_, i: string) => `entries[${Number(i) + offset}]`) }
}

function failed (error: WireError): DecodeResult {
  return { ok: false, error }
}
