/**
 * The one line swimd prints on stdout once it is up: its PeerId, the addresses members can
 * reach it on, and where its API listens. Scripts may parse it; keep the shape stable.
 */

export interface BannerInfo {
  peerId: string
  /** The node's multiaddrs (announced, else listening). */
  addrs: string[]
  api: { host: string, port: number }
  /** The API speaks HTTPS. */
  tls?: boolean
}

/** `swimd 12D3KooW… listening on /ip4/10.0.0.1/tcp/7946, API http://127.0.0.1:7947` */
export function startupLine (info: BannerInfo): string {
  const host = info.api.host.includes(':') ? `[${info.api.host}]` : info.api.host
  const addrs = info.addrs.length === 0 ? '(no addresses)' : info.addrs.join(' ')
  return `swimd ${info.peerId} listening on ${addrs}, API ${info.tls === true ? 'https' : 'http'}://${host}:${info.api.port}`
}
