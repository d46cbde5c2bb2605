/**
 * Datagram framing without authentication: the sender's id, then the encoded message.
 *
 *   0x00 | id length (1 byte) | id (UTF-8) | message
 *
 * Only for a cluster that opts out of authenticated datagrams; the service seals datagrams
 * with `PacketCrypto` otherwise. Anyone who can reach the socket can claim any sender here.
 */
import type { PacketSealer } from './transport.ts'

const VERSION = 0
const MAX_ID_BYTES = 128

export class PlainPackets implements PacketSealer {
  readonly overhead = 2 + MAX_ID_BYTES
  private readonly self: Uint8Array

  constructor (selfId: string) {
    this.self = new TextEncoder().encode(selfId)
    if (this.self.byteLength > MAX_ID_BYTES) throw new RangeError('Member id too long for a datagram')
  }

  seal (_to: string, message: Uint8Array): Uint8Array {
    const out = new Uint8Array(2 + this.self.byteLength + message.byteLength)
    out[0] = VERSION
    out[1] = this.self.byteLength
    out.set(this.self, 2)
    out.set(message, 2 + this.self.byteLength)
    return out
  }

  open (packet: Uint8Array): { ok: true, from: string, message: Uint8Array } | { ok: false, reason: string } {
    if (packet.byteLength < 3 || packet[0] !== VERSION) return { ok: false, reason: 'malformed' }
    const n = packet[1]
    if (n === 0 || packet.byteLength < 2 + n) return { ok: false, reason: 'malformed' }
    let from: string
    try {
      from = new TextDecoder('utf-8', { fatal: true }).decode(packet.subarray(2, 2 + n))
    } catch {
      return { ok: false, reason: 'malformed' }
    }
    return { ok: true, from, message: packet.subarray(2 + n) }
  }

  know (): void {}
  forget (): void {}
}
