/**
 * The one line swimd prints on stdout once it is up: its PeerId, the addresses members can
 * reach it on, and where its API listens. Scripts may parse it (`parseStartupLine` is the one
 * parser); keep the shape stable.
 */

export interface BannerInfo {
  peerId: string
  /** The node's multiaddrs (announced, else listening). */
  addrs: string[]
  api: { host: string, port: number }
  /** The API speaks HTTPS. */
  tls?: boolean
}

const NO_ADDRESSES = '(no addresses)'

/** `swimd 12D3KooW… listening on /ip4/10.0.0.1/tcp/7946, API http://127.0.0.1:7947` */
export function startupLine (info: BannerInfo): string {
  const host = info.api.host.includes(':') ? `[${info.api.host}]` : info.api.host
  const addrs = info.addrs.length === 0 ? NO_ADDRESSES : info.addrs.join(' ')
  return `swimd ${info.peerId} listening on ${addrs}, API ${info.tls === true ? 'https' : 'http'}://${host}:${info.api.port}`
}

/** What a start-up line says, as a script reads it. */
export interface StartupLine {
  peerId: string
  addrs: string[]
  /** The API's base URL, e.g. `http://127.0.0.1:7947`. */
  api: string
}

const STARTUP = /^swimd (\S+) listening on (.*), API (https?:\/\/\S+)$/m

/** The first start-up line in `output` (a process's stdout so far), or undefined before it. */
export function parseStartupLine (output: string): StartupLine | undefined {
  const match = STARTUP.exec(output)
  if (match == null) return undefined
  return { peerId: match[1], addrs: match[2] === NO_ADDRESSES ? [] : match[2].split(' '), api: match[3] }
}
