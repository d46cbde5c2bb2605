/**
 * A few lines of hand-rolled protobuf, for tests that need bytes a conforming encoder would
 * never write (unsafe integers, unknown enum values, missing fields, duplicate bodies).
 */

export type Bytes = number[]

export function varint (value: number | bigint): Bytes {
  let n = BigInt(value)
  if (n < 0n) n = BigInt.asUintN(64, n)
  const out: Bytes = []
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80)
    n >>= 7n
  }
  out.push(Number(n))
  return out
}

export function varintField (field: number, value: number | bigint): Bytes {
  return [...varint(field << 3), ...varint(value)]
}

export function lenField (field: number, payload: Bytes | Uint8Array): Bytes {
  return [...varint((field << 3) | 2), ...varint(payload.length), ...payload]
}

export function stringField (field: number, value: string): Bytes {
  return lenField(field, new TextEncoder().encode(value))
}

/** Envelope body field numbers, as in swim.proto. */
export const BODY = { ping: 1, ack: 2, pingReq: 3, nack: 4, gossip: 5, sync: 6 } as const

export function envelope (body: number, payload: Bytes): Uint8Array {
  return Uint8Array.from(lenField(body, payload))
}
