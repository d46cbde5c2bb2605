/**
 * Messages to bytes. Maps the core's plain messages (`src/core/messages.ts`) to the protobuf
 * schema in `swim.proto` (code generated into `swim.ts`) and writes metadata sorted by key, so
 * equal messages always encode to equal bytes.
 */

import type { MemberRecord, Message, SyncEntry, Update } from '../core/messages.ts'
import { DEFAULT_CLUSTER_TAG } from './cluster-tag.ts'
import type { WireOptions } from './options.ts'
import { WireEncodeError } from './errors.ts'
import { NO_LIMITS, resolveLimits } from './limits.ts'
import type { WireLimits } from './limits.ts'
import * as pb from './swim.ts'
import { check, checkMessage, checkRecord } from './validate.ts'

/**
 * Prefix of the bytes a record signature covers, so that a signature made for a SWIM record
 * can never be replayed as a signature over any other payload made with the same key.
 */
export const RECORD_SIGNING_DOMAIN = 'libp2p-swim:member-record:v1\n'

const SIGNING_PREFIX = new TextEncoder().encode(RECORD_SIGNING_DOMAIN)

const STATE_TO_PB: Record<SyncEntry['state'], pb.SyncEntry.State> = {
  alive: pb.SyncEntry.State.ALIVE,
  suspect: pb.SyncEntry.State.SUSPECT,
  dead: pb.SyncEntry.State.DEAD,
  left: pb.SyncEntry.State.LEFT
}

const EMPTY_BYTES = new Uint8Array(0)

/**
 * The message's bytes. Throws a `WireEncodeError` when the message cannot be represented
 * (an unsafe or negative integer, an empty id, an ill-formed string, ...): any receiver
 * would reject those. With `limits`, also throws when the message breaks those caps,
 * including its encoded size; without, the caps are the receiver's business. Malformed
 * `limits` themselves throw a RangeError, as `resolveLimits` does. Every record is stamped
 * with `options.clusterTag` (the default cluster's when not given); a tag that is not a
 * 32-bit unsigned integer throws a RangeError.
 */
export function encodeMessage (msg: Message, limits?: Partial<WireLimits>, options?: WireOptions): Uint8Array {
  const caps = limits === undefined ? NO_LIMITS : resolveLimits(limits)
  const tag = options?.clusterTag ?? DEFAULT_CLUSTER_TAG
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff) throw new RangeError('Invalid cluster tag: use clusterTag(name), a 32-bit unsigned integer')
  const error = check(() => { checkMessage(msg, caps) })
  if (error !== undefined) throw new WireEncodeError(error)
  const env = messageToPb(msg, tag)
  if (env.ping != null && env.ping.target === options?.impliedTarget) env.ping.target = ''
  const bytes = pb.SwimMessage.encode(env)
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
 * encoded. The cluster tag is not part of them (it is a hint, not signed).
 */
export function encodeRecordForSigning (record: Omit<MemberRecord, 'signature'>): Uint8Array {
  const error = check(() => { checkRecord(record, NO_LIMITS, 'record', false) })
  if (error !== undefined) throw new WireEncodeError(error)
  const body = pb.MemberRecord.encode(recordToPb(record, false, undefined))
  const out = new Uint8Array(SIGNING_PREFIX.byteLength + body.byteLength)
  out.set(SIGNING_PREFIX, 0)
  out.set(body, SIGNING_PREFIX.byteLength)
  return out
}

function messageToPb (msg: Message, tag: number): pb.SwimMessage {
  const updateToPb = (update: Update): pb.Update => toPbUpdate(update, tag)
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
          entries: msg.entries.map((entry) => ({
            record: recordToPb(entry.record, true, tag),
            state: STATE_TO_PB[entry.state],
            incarnation: entry.incarnation
          })),
          digest: (msg.digest ?? EMPTY_BYTES) as Uint8Array<ArrayBuffer>
        }
      }
  }
}

function toPbUpdate (update: Update, tag: number): pb.Update {
  switch (update.type) {
    case 'record':
      return { record: recordToPb(update.record, true, tag) }
    case 'suspect':
      return { suspect: { id: update.id, incarnation: update.incarnation, from: update.from, refused: update.refused === true } }
    case 'dead':
      return { dead: { id: update.id, incarnation: update.incarnation, from: update.from, refused: false } }
    case 'forget':
      return { forget: { id: update.id, incarnation: update.incarnation, from: update.from, refused: false } }
  }
}

function recordToPb (record: Omit<MemberRecord, 'signature'> & { signature?: Uint8Array }, withSignature: boolean, tag: number | undefined): pb.MemberRecord {
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
    signature: signature as Uint8Array<ArrayBuffer>,
    // Undefined only for the signing bytes, which never carry it.
    clusterTag: tag
  }
}

function sortedMeta (meta: Record<string, string>): pb.MetaEntry[] {
  return Object.keys(meta).sort(compareUtf8).map((key) => ({ key, value: meta[key] }))
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
