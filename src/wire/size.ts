/**
 * Exact encoded sizes, computed from the schema's layout without encoding. Every tag in the
 * schema is one byte (field numbers < 16); fields at their default value are not written,
 * except message fields and repeated elements, which always are.
 */

import type { MemberRecord, Message, Update } from '../core/messages.ts'
import { CLUSTER_TAG_BYTES } from './cluster-tag.ts'

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
        // record (with its cluster tag), then state (tag + a one-byte value: 1..4), then incarnation
        size += lengthDelimited(lengthDelimited(recordSize(entry.record) + CLUSTER_TAG_BYTES) + 2 + sint64Field(entry.incarnation))
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
      return lengthDelimited(recordSize(update.record) + CLUSTER_TAG_BYTES)
    case 'suspect':
      return lengthDelimited(stringField(update.id) + sint64Field(update.incarnation) + stringField(update.from) + (update.refused === true ? 2 : 0))
    case 'dead':
    case 'forget':
      return lengthDelimited(stringField(update.id) + sint64Field(update.incarnation) + stringField(update.from))
  }
}

/**
 * Size of the record's own fields, as its member wrote them: what `maxRecordBytes` caps. On
 * the wire, a record also carries the sender's cluster tag (CLUSTER_TAG_BYTES more).
 */
export function recordSize (record: MemberRecord): number {
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

export function utf8Length (value: string): number {
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
