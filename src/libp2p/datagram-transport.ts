/**
 * The packet transport over `node:dgram`: one UDP socket, bound where the options say
 * (by default the host and port of libp2p's first TCP listen address; port 0 gives a port
 * of its own). Datagrams larger than maxPacketSize are neither sent nor read; a full socket
 * buffer or a send error drops the datagram, as UDP would.
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { isIP } from 'node:net'
import type { Logger } from '@libp2p/interface'
import { formatDatagramAddr, isWildcard, parseDatagramAddr } from './datagram-address.ts'
import type { DatagramAddress } from './datagram-address.ts'
import type { PacketSource, PacketTransport } from './transport.ts'

export interface DatagramTransportInit {
  /** Where to bind. */
  bind: DatagramAddress
  /** Host to advertise when the socket binds a wildcard host (the node's announced host). */
  announceHost: () => string | undefined
  maxPacketSize: number
  log: Logger
}

/** Socket buffers: a few hundred datagrams of the default size, so bursts are not dropped. */
const SOCKET_BUFFER = 256 * 1024

/**
 * The socket's name lookup. Datagrams only ever go to the IP literal of a member's signed
 * record (datagram-address.ts refuses names), so nothing needs resolving: this answers at
 * once, where `dns.lookup` would take a turn of the event loop for every datagram, and it
 * refuses a name rather than resolving it.
 */
function literalOnly (address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  const version = isIP(address)
  if (version === 0) callback(new Error(`Not an IP address: ${address}`), address, 0)
  else callback(null, address, version)
}

export class DatagramTransport implements PacketTransport {
  readonly maxPacketSize: number
  private readonly init: DatagramTransportInit
  private socket?: Socket
  private bound?: DatagramAddress

  constructor (init: DatagramTransportInit) {
    this.init = init
    this.maxPacketSize = init.maxPacketSize
  }

  get address (): string | undefined {
    if (this.bound == null) return undefined
    let host = this.bound.host
    if (isWildcard(host)) {
      const announced = this.init.announceHost()
      if (announced == null) return undefined
      host = announced
    }
    return formatDatagramAddr({ ...this.bound, host })
  }

  async start (onPacket: (packet: Uint8Array, source: PacketSource) => void): Promise<void> {
    if (this.socket != null) return
    const { bind } = this.init
    const socket = createSocket({ type: bind.family === 4 ? 'udp4' : 'udp6', recvBufferSize: SOCKET_BUFFER, sendBufferSize: SOCKET_BUFFER, lookup: literalOnly })
    socket.on('message', (msg, rinfo) => {
      if (msg.byteLength > this.maxPacketSize) return
      try {
        onPacket(msg, { address: rinfo.address, port: rinfo.port })
      } catch (err) {
        this.init.log.error('a datagram handler threw - %e', err)
      }
    })
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => { reject(new Error(`Cannot bind the SWIM datagram socket to ${bind.host} port ${bind.port}: ${err.message}`, { cause: err })) }
      socket.once('error', onError)
      socket.bind({ address: bind.host, port: bind.port, exclusive: true }, () => {
        socket.off('error', onError)
        resolve()
      })
    })
    // After binding, errors (an ICMP unreachable on some platforms) are per datagram.
    socket.on('error', (err) => { this.init.log.trace('datagram socket error - %e', err) })
    const a = socket.address()
    this.bound = { family: bind.family, host: a.address, port: a.port }
    this.socket = socket
  }

  send (to: string, packet: Uint8Array): boolean {
    const socket = this.socket
    if (socket == null || packet.byteLength > this.maxPacketSize) return false
    const addr = parseDatagramAddr(to)
    if (addr == null || addr.family !== this.bound?.family) return false
    try {
      // No callback: Node then tries the send at once, without a request object and a
      // completion to wait for; a datagram the kernel refuses is dropped, as UDP would.
      socket.send(packet, addr.port, addr.host)
      return true
    } catch (err) {
      this.init.log.trace('datagram to %s not sent - %e', to, err)
      return false
    }
  }

  async stop (): Promise<void> {
    const socket = this.socket
    this.socket = undefined
    this.bound = undefined
    if (socket == null) return
    await new Promise<void>((resolve) => {
      try {
        socket.close(() => { resolve() })
      } catch {
        resolve()
      }
    })
  }
}
