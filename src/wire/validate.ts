/**
 * The protocol's rules for a message or record, shared by encoding and decoding: ids,
 * integers, strings, lists and metadata within the caps of `WireLimits`, well-formed Unicode,
 * addresses that parse as multiaddrs.
 */

import { multiaddr } from '@multiformats/multiaddr'
import type { MemberRecord, Message, SyncEntry, Update } from '../core/messages.ts'
import { MEMBER_STATES } from '../core/types.ts'
import { Failure } from './errors.ts'
import type { WireError } from './errors.ts'
import { DEFAULT_LIMITS, MAX_DIGEST_BYTES, resolveLimits } from './limits.ts'
import type { WireLimits } from './limits.ts'
import { encodedSize, recordSize, utf8Length } from './size.ts'

/**
 * Whether a receiver with caps `limits` (default: `DEFAULT_LIMITS`) would accept `msg`,
 * including its encoded size: `undefined` if so, else the reason. Does not encode.
 */
export function validateMessage (msg: Message, limits?: Partial<WireLimits>): WireError | undefined {
  const caps = capsOf(limits)
  if ('code' in caps) return caps
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
  const caps = capsOf(limits)
  if ('code' in caps) return caps
  return check(() => { checkRecord(record, caps, 'record', true) })
}

/** The caps a receiver with `limits` applies, or the `bad-limits` error of malformed ones. */
function capsOf (limits: Partial<WireLimits> | undefined): WireLimits | WireError {
  try {
    return limits === undefined ? DEFAULT_LIMITS : resolveLimits(limits)
  } catch (err) {
    return { code: 'bad-limits', message: err instanceof Error ? err.message : 'Invalid wire limits' }
  }
}

export function check (fn: () => void): WireError | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    if (err instanceof Failure) return err.error
    return { code: 'invalid', message: err instanceof Error ? err.message : 'Not a valid message' }
  }
}

export function checkMessage (msg: Message, caps: WireLimits): void {
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
  if (!MEMBER_STATES.includes(entry.state)) throw new Failure('invalid', 'Unknown member state', `${path}.state`)
  checkIncarnation(entry.incarnation, `${path}.incarnation`)
}

export function checkRecord (record: Omit<MemberRecord, 'signature'> & { signature?: unknown }, caps: WireLimits, path: string, withSignature: boolean): void {
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

export function isSafeNatural (n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0
}
