/**
 * Bytes to messages. Decoding never throws: it bounds the input size and every list before
 * allocating, and checks every field, returning either a message that is exactly the core's
 * shape (`src/core/messages.ts`) or a `WireError`.
 */

import { reader as createReader } from 'protons-runtime'
import type { DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { MemberRecord, Message, PingReq, SyncEntry, Update } from '../core/messages.ts'
import type { WireOptions } from './options.ts'
import { Failure } from './errors.ts'
import type { DecodeResult, WireError } from './errors.ts'
import { DEFAULT_LIMITS, MAX_DIGEST_BYTES, resolveLimits, sameLimits } from './limits.ts'
import type { WireLimits } from './limits.ts'
import * as pb from './swim.ts'
import { checkMessage, isSafeNatural } from './validate.ts'

/** Envelope field numbers of the message bodies (`SwimMessage.body` in swim.proto): 1..6. */
const LAST_BODY_FIELD = 6
const SYNC_FIELD = 6

type DecodeLimits = NonNullable<DecodeOptions<pb.SwimMessage>['limits']>

const STATE_FROM_PB: Partial<Record<pb.SyncEntry.State, SyncEntry['state']>> = {
  [pb.SyncEntry.State.ALIVE]: 'alive',
  [pb.SyncEntry.State.SUSPECT]: 'suspect',
  [pb.SyncEntry.State.DEAD]: 'dead',
  [pb.SyncEntry.State.LEFT]: 'left'
}

const DEFAULT_DECODE_LIMITS = pbLimits(DEFAULT_LIMITS)

/**
 * Decodes one message. Never throws: garbage, hostile or oversized input gives
 * `{ ok: false, error }`. On success the message is exactly the core's shape: plain
 * objects and arrays, `meta` an ordinary object with own properties only, `signature`
 * present only when non-empty and never sharing memory with `bytes`. Updates of a kind
 * this version does not know are dropped (the rest of the message still counts). With
 * `options.clusterTag`, a message holding a record stamped with another cluster's tag is
 * rejected as `foreign-cluster`; a record without a tag (an older sender) is decoded as
 * usual, its signature deciding.
 */
export function decodeMessage (bytes: Uint8Array | Uint8ArrayList, limits?: Partial<WireLimits>, options?: WireOptions): DecodeResult {
  try {
    return { ok: true, message: decode(bytes, limits, options) }
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

function decode (bytes: Uint8Array | Uint8ArrayList, limits: Partial<WireLimits> | undefined, options: WireOptions | undefined): Message {
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
  if (options?.clusterTag !== undefined) checkClusterTags(envelope, options.clusterTag)
  if (envelope.ping?.target === '' && options?.impliedTarget !== undefined) envelope.ping.target = options.impliedTarget
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

/**
 * Rejects the message when one of its records is stamped with a tag other than `tag`: its
 * sender speaks for another cluster, and none of its records could verify here. Untagged
 * records pass (older senders). Runs before any record is mapped or verified.
 */
function checkClusterTags (env: pb.SwimMessage, tag: number): void {
  const updates = env.ping?.updates ?? env.ack?.updates ?? env.pingReq?.updates ?? env.nack?.updates ?? env.gossip?.updates
  if (updates !== undefined) {
    for (let i = 0; i < updates.length; i++) {
      const theirs = updates[i].record?.clusterTag
      if (theirs !== undefined && theirs !== tag) throw new Failure('foreign-cluster', 'A record of another cluster', `updates[${i}].record`)
    }
  }
  const entries = env.sync?.entries
  if (entries !== undefined) {
    for (let i = 0; i < entries.length; i++) {
      const theirs = entries[i].record?.clusterTag
      if (theirs !== undefined && theirs !== tag) throw new Failure('foreign-cluster', 'A record of another cluster', `entries[${i}].record`)
    }
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
