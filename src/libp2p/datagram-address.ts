/**
 * Datagram addresses: a member advertises where it takes SWIM datagrams as a
 * `/ip4/H/udp/P` (or `/ip6/H/udp/P`) multiaddr among the addresses of its signed record.
 * The record is signed by the member's own key, so nobody can point another member's
 * probes elsewhere; a bare `/udp/P` with nothing after it is never a libp2p transport
 * address (QUIC and WebRTC add their protocol after it), so it cannot be mistaken for one.
 */
import { isIP } from 'node:net'

export interface DatagramAddress {
  family: 4 | 6
  host: string
  port: number
}

const PATTERN = /^\/(ip4|ip6)\/([^/]+)\/udp\/(\d{1,5})$/

/** The datagram address a multiaddr string denotes, or undefined if it is none. */
export function parseDatagramAddr (addr: string): DatagramAddress | undefined {
  const m = PATTERN.exec(addr)
  if (m == null) return undefined
  const family = m[1] === 'ip4' ? 4 : 6
  if (isIP(m[2]) !== family) return undefined
  const port = Number(m[3])
  if (port < 1 || port > 65535) return undefined
  if (isWildcard(m[2])) return undefined
  return { family, host: m[2], port }
}

export function formatDatagramAddr (a: DatagramAddress): string {
  return `/ip${a.family}/${a.host}/udp/${a.port}`
}

/** The first datagram address among a member's addresses. */
export function datagramAddrOf (addrs: readonly string[]): string | undefined {
  for (const a of addrs) if (parseDatagramAddr(a) != null) return a
  return undefined
}

/** Whether an address is a datagram address (and so not for libp2p's dialer). */
export function isDatagramAddr (addr: string): boolean {
  return parseDatagramAddr(addr) != null
}

const TCP = /^\/(ip4|ip6)\/([^/]+)\/tcp\/(\d{1,5})(\/.*)?$/

/**
 * Host and port of a TCP multiaddr (`/ip4/H/tcp/P...`), for binding the datagram socket
 * where libp2p listens (memberlist's convention of one port for TCP and UDP).
 */
export function tcpHostPort (addr: string): DatagramAddress | undefined {
  return hostPort(TCP, addr)
}

/** Parses a `/ip4/H/udp/P` listen option (port 0 and wildcard hosts allowed). */
export function parseListenAddr (addr: string): DatagramAddress | undefined {
  return hostPort(PATTERN, addr)
}

/** Family, host and port of an address matched by `pattern` (groups: ip4|ip6, host, port). */
function hostPort (pattern: RegExp, addr: string): DatagramAddress | undefined {
  const m = pattern.exec(addr)
  if (m == null) return undefined
  const family = m[1] === 'ip4' ? 4 : 6
  if (isIP(m[2]) !== family) return undefined
  const port = Number(m[3])
  if (port > 65535) return undefined
  return { family, host: m[2], port }
}

export function isWildcard (host: string): boolean {
  return host === '0.0.0.0' || host === '::'
}
