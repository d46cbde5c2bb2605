/**
 * The only place where bytes become protocol messages and back.
 *
 * Encoding maps the core's plain messages (`src/core/messages.ts`) to the protobuf schema in
 * `swim.proto` (code generated into `swim.ts`) and writes metadata sorted by key, so equal
 * messages always encode to equal bytes. Decoding never throws: it bounds the input size and
 * every list before allocating, and checks every field, returning either a message that is
 * exactly the core's shape or a `WireError`.
 */

import { multiaddr } from '@multiformats/multiaddr'
import { reader as createReader } from 'protons-runtime'
import type { DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { MemberRecord, Message, PingReq, SyncEntry, Update } from '../core/messages.ts'
import { DEFAULT_LIMITS, NO_LIMITS, resolveLimits, sameLimits } from './limits.ts'
import type { WireLimits } from './limits.ts'
import * as pb from './swim.ts'

/**
 * - `too-large`: the message, a list or a string exceeds a `WireLimits` cap
 * - `malformed`: the bytes are not a protobuf encoding of a SwimMessage
 * - `invalid`: well-formed protobuf that breaks the protocol's rules (missing id, unknown
 *   state, unsafe integer, duplicate metadata key, ...)
 * - `unsupported`: a well-formed envelope with no message kind this version knows, most
 *   likely sent by a newer version; safe to ignore quietly
 * - `bad-limits`: the caller passed caps that are not non-negative whole numbers (a local
 *   mistake, not the peer's)
 */
export type WireErrorCode = 'too-large' | 'malformed' | 'invalid' | 'unsupported' | 'bad-limits'

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
 * Prefix of the bytes a record signature covers, so that a signature made for a SWIM record
 * can never be replayed as a signature over any other payload made with the same key.
 */
/** A view digest is 8 bytes; anything much longer is not one. */
const MAX_DIGEST_BYTES = 32

export const RECORD_SIGNING_DOMAIN = 'libp2p-swim:member-record:v1\n'

const SIGNING_PREFIX = new TextEncoder().encode(RECORD_SIGNING_DOMAIN)

/** Envelope field numbers of the message bodies (`SwimMessage.body` in swim.proto): 1..6. */
const LAST_BODY_FIELD = 6
const SYNC_FIELD = 6

type DecodeLimits = NonNullable<DecodeOptions<pb.SwimMessage>['limits']>

const STATE_TO_PB: Record<SyncEntry['state'], pb.SyncEntry.State> = {
  alive: pb.SyncEntry.State.ALIVE,
  suspect: pb.SyncEntry.State.SUSPECT,
  dead: pb.SyncEntry.State.DEAD,
  left: pb.SyncEntry.State.LEFT
}

const STATE_FROM_PB: Partial<Record<pb.SyncEntry.State, SyncEntry['state']>> = {
  [pb.SyncEntry.State.ALIVE]: 'alive',
  [pb.SyncEntry.State.SUSPECT]: 'suspect',
  [pb.SyncEntry.State.DEAD]: 'dead',
  [pb.SyncEntry.State.LEFT]: 'left'
}

const EMPTY_BYTES = new Uint8Array(0)

/** Internal: carries a WireError out of nested checks. Not an Error, so no stack is captured. */
class Failure {
  readonly error: WireError
  constructor (code: WireErrorCode, message: string, field?: string) {
    this.error = field === undefined ? { code, message } : { code, message, field }
  }
}

// ---------------------------------------------------------------------------------------
// Encoding

/**
 * The message's bytes. Throws a `WireEncodeError` when the message cannot be represented
 * (an unsafe or negative integer, an empty id, an ill-formed string, ...): any receiver
 * would reject those. With `limits`, also throws when the message breaks those caps,
 * including its encoded size; without, the caps are the receiver's business. Malformed
 * `limits` themselves throw a RangeError, as `resolveLimits` does.
 */
export function encodeMessage (msg: Message, limits?: Partial<WireLimits>): Uint8Array {
  const caps = limits === undefined ? NO_LIMITS : resolveLimits(limits)
  const error = check(() => { checkMessage(msg, caps) })
  if (error !== undefined) throw new WireEncodeError(error)
  const bytes = pb.SwimMessage.encode(messageToPb(msg))
  const max = msg.type === 'sync' ? caps.maxSyncBytes : caps.maxMessageBytes
  if (bytes.byteLength > max) {
    throw new WireEncodeError({ code: 'too-large', message: `Encoded ${msg.type} message is ${bytes.byteLength} bytes, above the limit of ${max}` })
  }
  return bytes
}

/**
 * The deterministic bytes a record's signature covers: `RECORD_SIGNING_DOMAIN` followed by
 * the record's protobuf encoding without its signature, metadata sorted by key. Equal
 * records give equal bytes whatever their metadata's insertion order, and a `signature`
 * property, if present, is ignored. Throws a `WireEncodeError` for a record that cannot be
 * encoded.
 */
export function encodeRecordForSigning (record: Omit<MemberRecord, 'signature'>): Uint8Array {
  const error = check(() => { checkRecord(record, NO_LIMITS, 'record', false) })
  if (error !== undefined) throw new WireEncodeError(error)
  const body = pb.MemberRecord.encode(recordToPb(record, false))
  const out = new Uint8Array(SIGNING_PREFIX.byteLength + body.byteLength)
  out.set(SIGNING_PREFIX, 0)
  out.set(body, SIGNING_PREFIX.byteLength)
  return out
}

function messageToPb (msg: Message): pb.SwimMessage {
  switch (msg.type) {
    case 'ping':
      return { ping: { seq: msg.seq, target: msg.target, updates: msg.updates.map(updateToPb) } }
    case 'ack':
      return { ack: { seq: msg.seq, updates: msg.updates.map(updateToPb) } }
    case 'ping-req':
      return { pingReq: { seq: msg.seq, target: msg.target, targetAddrs: msg.targetAddrs, updates: msg.updates.map(updateToPb), timeout: msg.timeout } }
    case 'nack':
      return { nack: { seq: msg.seq, updates: msg.updates.map(updateToPb) } }
    case 'gossip':
      return { gossip: { updates: msg.updates.map(updateToPb) } }
    case 'sync':
      return {
        sync: {
          join: msg.join,
          response: msg.response,
          entries: msg.entries.map(entry => ({
            record: recordToPb(entry.record, true),
            state: STATE_TO_PB[entry.state],
            incarnation: entry.incarnation
          })),
          digest: (msg.digest ?? EMPTY_BYTES) as Uint8Array<ArrayBuffer>
        }
      }
  }
}

function updateToPb (update: Update): pb.Update {
  switch (update.type) {
    case 'record':
      return { record: recordToPb(update.record, true) }
    case 'suspect':
      return { suspect: { id: update.id, incarnation: update.incarnation, from: update.from, refused: update.refused === true } }
    case 'dead':
      return { dead: { id: update.id, incarnation: update.incarnation, from: update.from, refused: false } }
    case 'forget':
      return { forget: { id: update.id, incarnation: update.incarnation, from: update.from, refused: false } }
  }
}

function recordToPb (record: Omit<MemberRecord, 'signature'> & { signature?: Uint8Array }, withSignature: boolean): pb.MemberRecord {
  const signature = withSignature && record.signature !== undefined ? record.signature : EMPTY_BYTES
  return {
    id: record.id,
    incarnation: record.incarnation,
    addrs: record.addrs,
    meta: sortedMeta(record.meta),
    leaving: record.leaving,
    // Left out when unknown, so a record of an older member keeps its signing bytes.
    generation: record.generation !== undefined && record.generation > 0 ? record.generation : undefined,
    // The writer only copies the bytes, whatever buffer backs them.
    signature: signature as Uint8Array<ArrayBuffer>
  }
}

function sortedMeta (meta: Record<string, string>): pb.MetaEntry[] {
  return Object.keys(meta).sort(compareUtf8).map(key => ({ key, value: meta[key] }))
}

/**
 * Orders well-formed strings as their UTF-8 bytes would (code point order), so that any
 * implementation can reproduce the metadata order from the bytes alone. JavaScript's
 * default sort compares UTF-16 units, which differs only between surrogates and U+E000+.
 */
function compareUtf8 (a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y)
  }
  return a.length - b.length
}

function codeUnitRank (unit: number): number {
  if (unit >= 0xe000) return unit - 0x800
  if (unit >= 0xd800) return unit + 0x2000
  return unit
}

// ---------------------------------------------------------------------------------------
// Decoding

const DEFAULT_DECODE_LIMITS = pbLimits(DEFAULT_LIMITS)

/**
 * Decodes one message. Never throws: garbage, hostile or oversized input gives
 * `{ ok: false, error }`. On success the message is exactly the core's shape: plain
 * objects and arrays, `meta` an ordinary object with own properties only, `signature`
 * present only when non-empty and never sharing memory with `bytes`. Updates of a kind
 * this version does not know are dropped (the rest of the message still counts).
 */
export function decodeMessage (bytes: Uint8Array | Uint8ArrayList, limits?: Partial<WireLimits>): DecodeResult {
  try {
    return { ok: true, message: decode(bytes, limits) }
  } catch (err) {
    return { ok: false, error: describeThrown(err) }
  }
}

interface ResolvedLimits {
  /** The caller's values when resolved, to notice a limits object changed since. */
  source: Partial<WireLimits>
  caps: WireLimits
  decodeLimits: DecodeLimits
}

const DEFAULT_RESOLVED: ResolvedLimits = { source: DEFAULT_LIMITS, caps: DEFAULT_LIMITS, decodeLimits: DEFAULT_DECODE_LIMITS }

/**
 * Callers pass the same limits object with every message; resolving it each time would
 * cost more than decoding a small ping. Cached per object, re-resolved if its values changed.
 */
const resolvedByObject = new WeakMap<object, ResolvedLimits>()

function resolveForDecode (limits: Partial<WireLimits> | undefined): ResolvedLimits {
  if (limits === undefined) return DEFAULT_RESOLVED
  const hit = resolvedByObject.get(limits)
  if (hit !== undefined && sameLimits(hit.source, limits)) return hit
  let caps: WireLimits
  try {
    caps = resolveLimits(limits)
  } catch (err) {
    throw new Failure('bad-limits', err instanceof Error ? err.message : 'Invalid wire limits')
  }
  const resolved = { source: { ...limits }, caps, decodeLimits: pbLimits(caps) }
  resolvedByObject.set(limits, resolved)
  return resolved
}

function decode (bytes: Uint8Array | Uint8ArrayList, limits: Partial<WireLimits> | undefined): Message {
  const { caps, decodeLimits } = resolveForDecode(limits)

  const size = byteLengthOf(bytes)
  if (size > Math.max(caps.maxMessageBytes, caps.maxSyncBytes)) {
    throw new Failure('too-large', `Message is ${size} bytes, above the limit of ${Math.max(caps.maxMessageBytes, caps.maxSyncBytes)}`)
  }
  const buf = bytes instanceof Uint8Array ? bytes : bytes.subarray()

  const body = scanEnvelope(buf)
  const max = body === SYNC_FIELD ? caps.maxSyncBytes : caps.maxMessageBytes
  if (size > max) {
    throw new Failure('too-large', `${body === SYNC_FIELD ? 'Sync' : 'Probe or gossip'} message is ${size} bytes, above the limit of ${max}`)
  }

  const envelope = pb.SwimMessage.decode(buf, { limits: decodeLimits })
  const msg = messageFromPb(envelope)
  checkMessage(msg, caps)
  return msg
}

function byteLengthOf (bytes: Uint8Array | Uint8ArrayList): number {
  const size = (bytes as { byteLength?: unknown } | null | undefined)?.byteLength
  if (typeof size !== 'number' || typeof (bytes as { subarray?: unknown }).subarray !== 'function') {
    throw new Failure('malformed', 'Input is not a byte array')
  }
  return size
}

/**
 * Walks the envelope's top-level fields without decoding them, to learn which body it holds
 * (so the size cap for that kind applies before anything is allocated) and to reject
 * envelopes a conforming encoder never writes: several bodies, a body that is not
 * length-delimited, groups. Returns the body's field number.
 */
function scanEnvelope (buf: Uint8Array): number {
  const reader = createReader(buf)
  let body = 0
  let unknown = false
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    const field = tag >>> 3
    const wireType = tag & 7
    if (field === 0) throw new Failure('malformed', `Field number 0 at offset ${reader.pos}`)
    if (wireType === 3 || wireType === 4 || wireType > 5) {
      throw new Failure('malformed', `Unexpected wire type ${wireType} at offset ${reader.pos}`)
    }
    if (field <= LAST_BODY_FIELD) {
      if (wireType !== 2) throw new Failure('malformed', `Message body ${field} is not length-delimited`)
      if (body !== 0) throw new Failure('malformed', 'Envelope holds more than one message body')
      body = field
    } else {
      unknown = true
    }
    reader.skipType(wireType)
  }
  if (body === 0) {
    if (unknown) throw new Failure('unsupported', 'Envelope holds no message kind this version knows')
    throw new Failure('malformed', 'Envelope is empty')
  }
  return body
}

/** The protons decode limits for `caps`: bounds every list before its elements are allocated. */
function pbLimits (caps: WireLimits): DecodeLimits {
  const record = { addrs: caps.maxAddrs, meta: caps.maxMetaEntries }
  const updates$ = { record }
  const piggyback = { updates: caps.maxUpdates, updates$ }
  return {
    ping: piggyback,
    ack: piggyback,
    nack: piggyback,
    gossip: piggyback,
    pingReq: { targetAddrs: caps.maxAddrs, updates: caps.maxUpdates, updates$ },
    sync: { entries: caps.maxSyncEntries, entries$: { record } }
  }
}

function messageFromPb (env: pb.SwimMessage): Message {
  if (env.ping != null) {
    const { seq, target, updates } = env.ping
    return { type: 'ping', seq: toNumber(seq, 'seq'), target, updates: updatesFromPb(updates) }
  }
  if (env.ack != null) {
    const { seq, updates } = env.ack
    return { type: 'ack', seq: toNumber(seq, 'seq'), updates: updatesFromPb(updates) }
  }
  if (env.pingReq != null) {
    const { seq, target, targetAddrs, updates, timeout } = env.pingReq
    const req: PingReq = { type: 'ping-req', seq: toNumber(seq, 'seq'), target, targetAddrs, updates: updatesFromPb(updates) }
    if (timeout !== undefined) req.timeout = timeout
    return req
  }
  if (env.nack != null) {
    const { seq, updates } = env.nack
    return { type: 'nack', seq: toNumber(seq, 'seq'), updates: updatesFromPb(updates) }
  }
  if (env.gossip != null) {
    return { type: 'gossip', updates: updatesFromPb(env.gossip.updates) }
  }
  if (env.sync != null) {
    const { join, response, entries, digest } = env.sync
    if (digest.byteLength > MAX_DIGEST_BYTES) throw new Failure('too-large', `Sync digest is ${digest.byteLength} bytes, above the limit of ${MAX_DIGEST_BYTES}`, 'digest')
    const sync: Message = { type: 'sync', join, response, entries: entries.map((entry, i) => entryFromPb(entry, `entries[${i}]`)) }
    if (digest.byteLength > 0) sync.digest = digest.slice()
    return sync
  }
  // scanEnvelope saw a body field, so protons set one of the above.
  throw new Failure('malformed', 'Envelope holds no message body')
}

function updatesFromPb (updates: pb.Update[]): Update[] {
  const out: Update[] = []
  for (const u of updates) {
    // Paths name the index in the decoded list, which is what later checks report too.
    const path = `updates[${out.length}]`
    if (u.record != null) {
      out.push({ type: 'record', record: recordFromPb(u.record, `${path}.record`) })
    } else if (u.suspect != null) {
      const suspect: Update = { type: 'suspect', id: u.suspect.id, incarnation: toNumber(u.suspect.incarnation, `${path}.incarnation`), from: u.suspect.from }
      if (u.suspect.refused) suspect.refused = true
      out.push(suspect)
    } else if (u.dead != null) {
      out.push({ type: 'dead', id: u.dead.id, incarnation: toNumber(u.dead.incarnation, `${path}.incarnation`), from: u.dead.from })
    } else if (u.forget != null) {
      out.push({ type: 'forget', id: u.forget.id, incarnation: toNumber(u.forget.incarnation, `${path}.incarnation`), from: u.forget.from })
    }
    // Otherwise a kind this version does not know (swim.proto: dropped, not fatal).
  }
  return out
}

function entryFromPb (entry: pb.SyncEntry, path: string): SyncEntry {
  if (entry.record == null) throw new Failure('invalid', 'Sync entry has no record', `${path}.record`)
  const state = STATE_FROM_PB[entry.state]
  if (state === undefined) throw new Failure('invalid', 'Sync entry has no state', `${path}.state`)
  return { record: recordFromPb(entry.record, `${path}.record`), state, incarnation: toNumber(entry.incarnation, `${path}.incarnation`) }
}

function recordFromPb (record: pb.MemberRecord, path: string): MemberRecord {
  const meta: Record<string, string> = {}
  for (const { key, value } of record.meta) {
    // Checked here, before the key is ever used as a property name.
    if (key === '__proto__') throw new Failure('invalid', 'Metadata key "__proto__" is reserved', `${path}.meta`)
    if (Object.hasOwn(meta, key)) throw new Failure('invalid', 'Metadata key appears twice', `${path}.meta`)
    meta[key] = value
  }
  const out: MemberRecord = {
    id: record.id,
    incarnation: toNumber(record.incarnation, `${path}.incarnation`),
    addrs: record.addrs,
    meta,
    leaving: record.leaving
  }
  if (record.generation !== undefined && record.generation > 0) out.generation = toNumber(record.generation, `${path}.generation`)
  // A copy: the decoder's bytes alias the input buffer, which the caller may reuse and
  // which would otherwise stay alive as long as the record does.
  if (record.signature.byteLength > 0) out.signature = record.signature.slice()
  return out
}

/** Integers arrive as sint64, so a hostile peer can send negative or unsafe ones. */
function toNumber (value: number, field: string): number {
  if (!isSafeNatural(value)) {
    throw new Failure('invalid', value < 0 ? 'Integer is negative' : 'Integer is above 2^53 - 1', field)
  }
  return value
}

function describeThrown (err: unknown): WireError {
  if (err instanceof Failure) return err.error
  const name = err instanceof Error ? err.name : ''
  const text = err instanceof Error ? err.message : ''
  if (name === 'MaxLengthError') {
    const field = /field "([^"]+)"/.exec(text)?.[1]
    return field === undefined
      ? { code: 'too-large', message: 'A list holds more elements than allowed' }
      : { code: 'too-large', message: `List "${field}" holds more elements than allowed`, field }
  }
  if (text === 'Invalid enum value') {
    // The schema's only enum is SyncEntry.State.
    return { code: 'invalid', message: 'Unknown member state in a sync entry' }
  }
  if (err instanceof RangeError && /call stack/i.test(text)) {
    return { code: 'malformed', message: 'Nesting too deep' }
  }
  return { code: 'malformed', message: text === '' ? 'Not a valid encoding' : `Not a valid encoding: ${text}` }
}

// ---------------------------------------------------------------------------------------
// Checks shared by encoding and decoding

/**
 * Whether a receiver with caps `limits` (default: `DEFAULT_LIMITS`) would accept `msg`,
 * including its encoded size: `undefined` if so, else the reason. Does not encode.
 */
export function validateMessage (msg: Message, limits?: Partial<WireLimits>): WireError | undefined {
  let caps: WireLimits
  try {
    caps = limits === undefined ? DEFAULT_LIMITS : resolveLimits(limits)
  } catch (err) {
    return { code: 'bad-limits', message: err instanceof Error ? err.message : 'Invalid wire limits' }
  }
  return check(() => {
    checkMessage(msg, caps)
    const size = encodedSize(msg)
    const max = msg.type === 'sync' ? caps.maxSyncBytes : caps.maxMessageBytes
    if (size > max) throw new Failure('too-large', `Encoded ${msg.type} message is ${size} bytes, above the limit of ${max}`)
  })
}

/**
 * Whether `record` is one a receiver with caps `limits` (default: `DEFAULT_LIMITS`) accepts:
 * `undefined` if so, else the reason. Lets a node check its own record (metadata from
 * configuration, say) once at startup rather than on every send.
 */
export function validateRecord (record: MemberRecord, limits?: Partial<WireLimits>): WireError | undefined {
  let caps: WireLimits
  try {
    caps = limits === undefined ? DEFAULT_LIMITS : resolveLimits(limits)
  } catch (err) {
    return { code: 'bad-limits', message: err instanceof Error ? err.message : 'Invalid wire limits' }
  }
  return check(() => { checkRecord(record, caps, 'record', true) })
}

function check (fn: () => void): WireError | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    if (err instanceof Failure) return err.error
    return { code: 'invalid', message: err instanceof Error ? err.message : 'Not a valid message' }
  }
}

function checkMessage (msg: Message, caps: WireLimits): void {
  if (msg == null || typeof msg !== 'object') throw new Failure('invalid', 'Message is not an object')
  switch (msg.type) {
    case 'ping':
      checkSeq(msg.seq)
      checkId(msg.target, caps, 'target')
      checkUpdates(msg.updates, caps)
      return
    case 'ack':
    case 'nack':
      checkSeq(msg.seq)
      checkUpdates(msg.updates, caps)
      return
    case 'ping-req':
      checkSeq(msg.seq)
      checkId(msg.target, caps, 'target')
      checkAddrs(msg.targetAddrs, caps, 'targetAddrs')
      if (msg.timeout !== undefined) checkTimeout(msg.timeout)
      checkUpdates(msg.updates, caps)
      return
    case 'gossip':
      checkUpdates(msg.updates, caps)
      return
    case 'sync':
      checkBoolean(msg.join, 'join')
      checkBoolean(msg.response, 'response')
      checkList(msg.entries, caps.maxSyncEntries, 'entries', 'sync entries')
      for (let i = 0; i < msg.entries.length; i++) checkEntry(msg.entries[i], caps, `entries[${i}]`)
      if (msg.digest !== undefined) {
        if (!(msg.digest instanceof Uint8Array)) throw new Failure('invalid', 'Sync digest is not a byte array', 'digest')
        if (msg.digest.byteLength > MAX_DIGEST_BYTES) throw new Failure('too-large', `Sync digest is ${msg.digest.byteLength} bytes, above the limit of ${MAX_DIGEST_BYTES}`, 'digest')
      }
      return
    default:
      throw new Failure('invalid', 'Unknown message type', 'type')
  }
}

function checkUpdates (updates: Update[], caps: WireLimits): void {
  checkList(updates, caps.maxUpdates, 'updates', 'updates')
  for (let i = 0; i < updates.length; i++) {
    const update = updates[i]
    const path = `updates[${i}]`
    if (update == null || typeof update !== 'object') throw new Failure('invalid', 'Update is not an object', path)
    switch (update.type) {
      case 'record':
        checkRecord(update.record, caps, `${path}.record`, true)
        break
      case 'suspect':
        if (update.refused !== undefined) checkBoolean(update.refused, `${path}.refused`)
        checkId(update.id, caps, `${path}.id`)
        checkIncarnation(update.incarnation, `${path}.incarnation`)
        checkId(update.from, caps, `${path}.from`)
        break
      case 'dead':
      case 'forget':
        checkId(update.id, caps, `${path}.id`)
        checkIncarnation(update.incarnation, `${path}.incarnation`)
        checkId(update.from, caps, `${path}.from`)
        break
      default:
        throw new Failure('invalid', 'Unknown update type', `${path}.type`)
    }
  }
}

function checkEntry (entry: SyncEntry, caps: WireLimits, path: string): void {
  if (entry == null || typeof entry !== 'object') throw new Failure('invalid', 'Sync entry is not an object', path)
  checkRecord(entry.record, caps, `${path}.record`, true)
  if (!Object.hasOwn(STATE_TO_PB, entry.state)) throw new Failure('invalid', 'Unknown member state', `${path}.state`)
  checkIncarnation(entry.incarnation, `${path}.incarnation`)
}

function checkRecord (record: Omit<MemberRecord, 'signature'> & { signature?: unknown }, caps: WireLimits, path: string, withSignature: boolean): void {
  if (record == null || typeof record !== 'object') throw new Failure('invalid', 'Record is missing', path)
  checkId(record.id, caps, `${path}.id`)
  checkIncarnation(record.incarnation, `${path}.incarnation`)
  checkAddrs(record.addrs, caps, `${path}.addrs`)
  checkMeta(record.meta, caps, `${path}.meta`)
  checkBoolean(record.leaving, `${path}.leaving`)
  if (record.generation !== undefined && !isSafeNatural(record.generation)) {
    throw new Failure('invalid', 'Generation is not a whole number of ms in 0..2^53 - 1', `${path}.generation`)
  }
  if (withSignature && record.signature !== undefined) {
    if (!(record.signature instanceof Uint8Array)) throw new Failure('invalid', 'Signature is not a byte array', `${path}.signature`)
    if (record.signature.byteLength > caps.maxSignatureBytes) {
      throw new Failure('too-large', `Signature is ${record.signature.byteLength} bytes, above the limit of ${caps.maxSignatureBytes}`, `${path}.signature`)
    }
  }
  if (caps.maxRecordBytes !== Infinity) {
    const size = recordSize(record as MemberRecord)
    if (size > caps.maxRecordBytes) {
      throw new Failure('too-large', `Record is ${size} bytes, above the limit of ${caps.maxRecordBytes}`, path)
    }
  }
}

/** Addresses known to parse, so a full sync does not parse every address again. */
const PARSED_ADDRS = new Set<string>()
const MAX_PARSED_ADDRS = 16_384

/** Every address must be a multiaddr: anything else would only be dialed to fail. */
function checkMultiaddr (addr: string, path: string): void {
  if (PARSED_ADDRS.has(addr)) return
  try {
    multiaddr(addr)
  } catch {
    throw new Failure('invalid', 'Address is not a multiaddr', path)
  }
  if (PARSED_ADDRS.size >= MAX_PARSED_ADDRS) PARSED_ADDRS.clear()
  PARSED_ADDRS.add(addr)
}

/** C0 and C1 control characters and DEL: metadata is shown in terminals, logs and pages. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

function checkAddrs (addrs: string[], caps: WireLimits, path: string): void {
  checkList(addrs, caps.maxAddrs, path, 'addresses')
  for (let i = 0; i < addrs.length; i++) {
    checkString(addrs[i], 1, caps.maxAddrBytes, `${path}[${i}]`, 'Address')
    checkMultiaddr(addrs[i], `${path}[${i}]`)
  }
}

function checkMeta (meta: Record<string, string>, caps: WireLimits, path: string): void {
  if (meta == null || typeof meta !== 'object' || Array.isArray(meta)) throw new Failure('invalid', 'Metadata is not an object', path)
  const keys = Object.keys(meta)
  if (keys.length > caps.maxMetaEntries) {
    throw new Failure('too-large', `Metadata holds ${keys.length} entries, above the limit of ${caps.maxMetaEntries}`, path)
  }
  for (const key of keys) {
    if (key === '__proto__') throw new Failure('invalid', 'Metadata key "__proto__" is reserved', path)
    checkString(key, 1, caps.maxMetaKeyBytes, path, 'Metadata key')
    checkString(meta[key], 0, caps.maxMetaValueBytes, path, 'Metadata value')
    if (CONTROL.test(key)) throw new Failure('invalid', 'Metadata key holds a control character', path)
    if (CONTROL.test(meta[key])) throw new Failure('invalid', 'Metadata value holds a control character', path)
  }
}

function checkList (list: unknown[], max: number, path: string, what: string): void {
  if (!Array.isArray(list)) throw new Failure('invalid', `The ${what} are not an array`, path)
  if (list.length > max) throw new Failure('too-large', `${list.length} ${what}, above the limit of ${max}`, path)
}

function checkId (id: string, caps: WireLimits, path: string): void {
  checkString(id, 1, caps.maxIdBytes, path, 'Id')
}

/** Matches lone surrogates only: a paired one is a single supplementary code point under /u. */
const LONE_SURROGATE = /\p{Cs}/u

function checkString (value: string, minBytes: number, maxBytes: number, path: string, what: string): void {
  if (typeof value !== 'string') throw new Failure('invalid', `${what} is not a string`, path)
  const bytes = utf8Length(value)
  if (bytes < minBytes) throw new Failure('invalid', `${what} is empty`, path)
  if (bytes > maxBytes) throw new Failure('too-large', `${what} is ${bytes} bytes, above the limit of ${maxBytes}`, path)
  // A lone surrogate has no UTF-8 form: it would not survive a round trip.
  if (LONE_SURROGATE.test(value)) throw new Failure('invalid', `${what} is not well-formed Unicode`, path)
}

function checkSeq (seq: number): void {
  if (!isSafeNatural(seq)) throw new Failure('invalid', 'Sequence number is not a whole number in 0..2^53 - 1', 'seq')
}

function checkTimeout (timeout: number): void {
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > 0xffffffff) throw new Failure('invalid', 'Timeout is not a whole number of ms in 0..2^32 - 1', 'timeout')
}

function checkIncarnation (incarnation: number, path: string): void {
  if (!isSafeNatural(incarnation)) throw new Failure('invalid', 'Incarnation is not a whole number in 0..2^53 - 1', path)
}

function checkBoolean (value: boolean, path: string): void {
  if (typeof value !== 'boolean') throw new Failure('invalid', 'Flag is not a boolean', path)
}

function isSafeNatural (n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0
}

// ---------------------------------------------------------------------------------------
// Sizes, computed from the schema's layout without encoding. Every tag in the schema is one
// byte (field numbers < 16); fields at their default value are not written, except message
// fields and repeated elements, which always are.

/**
 * Exact size in bytes of `update` as it appears inside a message: its field tag, length
 * prefix and body. A message's size is the sum over its updates plus the rest of the
 * message, plus at most a byte or two when a body's length prefix grows. Assumes a valid
 * update (one `encodeMessage` accepts).
 */
export function updateSize (update: Update): number {
  return lengthDelimited(updateBodySize(update))
}

/** Exact size of `encodeMessage(msg)` for a valid message, without encoding it. */
export function encodedSize (msg: Message): number {
  return lengthDelimited(messageBodySize(msg))
}

function messageBodySize (msg: Message): number {
  switch (msg.type) {
    case 'ping':
      return sint64Field(msg.seq) + stringField(msg.target) + updatesSize(msg.updates)
    case 'ack':
    case 'nack':
      return sint64Field(msg.seq) + updatesSize(msg.updates)
    case 'ping-req':
      return sint64Field(msg.seq) + stringField(msg.target) + repeatedStrings(msg.targetAddrs) + updatesSize(msg.updates) +
        (msg.timeout === undefined ? 0 : 1 + varintSize(msg.timeout))
    case 'gossip':
      return updatesSize(msg.updates)
    case 'sync': {
      let size = boolField(msg.join) + boolField(msg.response)
      if (msg.digest !== undefined && msg.digest.byteLength > 0) size += lengthDelimited(msg.digest.byteLength)
      for (const entry of msg.entries) {
        // record, then state (tag + a one-byte value: 1..4), then incarnation
        size += lengthDelimited(lengthDelimited(recordSize(entry.record)) + 2 + sint64Field(entry.incarnation))
      }
      return size
    }
  }
}

function updatesSize (updates: Update[]): number {
  let size = 0
  for (const update of updates) size += updateSize(update)
  return size
}

function updateBodySize (update: Update): number {
  switch (update.type) {
    case 'record':
      return lengthDelimited(recordSize(update.record))
    case 'suspect':
      return lengthDelimited(stringField(update.id) + sint64Field(update.incarnation) + stringField(update.from) + (update.refused === true ? 2 : 0))
    case 'dead':
    case 'forget':
      return lengthDelimited(stringField(update.id) + sint64Field(update.incarnation) + stringField(update.from))
  }
}

function recordSize (record: MemberRecord): number {
  let size = stringField(record.id) + sint64Field(record.incarnation) + repeatedStrings(record.addrs) + boolField(record.leaving)
  if (record.generation !== undefined && record.generation > 0) size += 1 + varintSize(record.generation)
  for (const key of Object.keys(record.meta)) {
    size += lengthDelimited(stringField(key) + stringField(record.meta[key]))
  }
  const signature = record.signature?.byteLength ?? 0
  if (signature > 0) size += lengthDelimited(signature)
  return size
}

/** Tag, length prefix and `length` bytes of body. */
function lengthDelimited (length: number): number {
  return 1 + varintSize(length) + length
}

function stringField (value: string): number {
  return value === '' ? 0 : lengthDelimited(utf8Length(value))
}

function repeatedStrings (values: string[]): number {
  let size = 0
  for (const value of values) size += lengthDelimited(utf8Length(value))
  return size
}

/** A non-negative sint64: zigzag makes it 2 × value. */
function sint64Field (value: number): number {
  return value === 0 ? 0 : 1 + varintSize(value * 2)
}

function boolField (value: boolean): number {
  return value ? 2 : 0
}

/** Bytes an unsigned varint takes. */
export function varintSize (value: number): number {
  let size = 1
  while (value >= 128) {
    value = Math.floor(value / 128)
    size++
  }
  return size
}

function utf8Length (value: string): number {
  let length = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x80) {
      length += 1
    } else if (c < 0x800) {
      length += 2
    } else if ((c & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      i++
      length += 4
    } else {
      length += 3
    }
  }
  return length
}
