/**
 * swimd's `--allow-peer` and `--allow-cidr`: who may connect at all. Both lists are optional;
 * each one given must admit a peer.
 *
 * - Peers: a libp2p connection gater refuses other PeerIds as soon as the connection is
 *   authenticated, in both directions, and the SWIM service's `allowList` drops their
 *   messages and records however they arrive (gossip, push-pull, gossipsub).
 * - Networks: the gater refuses inbound connections from, and dials to, addresses outside the
 *   networks (node:net BlockList), before any byte of the handshake is read.
 *
 * `admitsAddress` is exported for the datagram path, which must apply the same rule to the
 * source address of every UDP packet before it is opened.
 */
import { BlockList, isIP } from 'node:net'
import { allowListGater } from '../libp2p/admission.ts'
import type { ConnectionGater } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface PeerAdmission {
  /** Whether `id` may take part (always true without `--allow-peer`). */
  admitsPeer: (id: string) => boolean
  /** Whether an IP address may connect or send (always true without `--allow-cidr`). */
  admitsAddress: (ip: string) => boolean
  /** The PeerIds for the service's `allowList`, when restricted. */
  allowList?: string[]
  /** The gater to create the libp2p node with, when anything is restricted. */
  gater?: ConnectionGater
}

/** `10.0.0.0/8`, `fd00::/8` → a BlockList holding those networks. */
export function networkList (cidrs: readonly string[]): BlockList {
  const list = new BlockList()
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/')
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    list.addSubnet(address, Number(prefix), family)
  }
  return list
}

export function createPeerAdmission (options: { peers: readonly string[], cidrs: readonly string[] }): PeerAdmission {
  const peers = options.peers.length > 0 ? new Set(options.peers) : undefined
  const networks = options.cidrs.length > 0 ? networkList(options.cidrs) : undefined

  const admitsAddress = (ip: string): boolean => {
    if (networks == null) return true
    // an IPv4 client of a dual-stack socket shows up as ::ffff:a.b.c.d
    const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip
    const family = isIP(plain)
    if (family === 0) return false
    return networks.check(plain, family === 6 ? 'ipv6' : 'ipv4')
  }
  /** Addresses without an IP part (dns names, relays) are refused when networks are restricted. */
  const admitsMultiaddr = (addr: Multiaddr): boolean => {
    if (networks == null) return true
    const ip = addr.getComponents().find((component) => component.name === 'ip4' || component.name === 'ip6')?.value
    return ip != null && admitsAddress(ip)
  }

  const admission: PeerAdmission = {
    admitsPeer: (id) => peers == null || peers.has(id),
    admitsAddress
  }
  if (peers == null && networks == null) return admission

  let gater: ConnectionGater = {}
  if (networks != null) {
    gater = {
      denyDialMultiaddr: (addr) => !admitsMultiaddr(addr),
      denyInboundConnection: (conn) => !admitsMultiaddr(conn.remoteAddr),
      denyOutboundConnection: (_peer, conn) => !admitsMultiaddr(conn.remoteAddr)
    }
  }
  if (peers != null) {
    admission.allowList = [...peers]
    gater = allowListGater(peers, gater)
  }
  admission.gater = gater
  return admission
}
