/**
 * Who may talk to swimd's HTTP API, checked once per request before any route runs.
 *
 * 1. `Host`: a browser page can reach a loopback API through DNS rebinding (a name the attacker
 *    controls, re-pointed at 127.0.0.1), and then sends that name as `Host`. Only names that
 *    cannot be rebound are accepted: IP literals, `localhost` (and `*.localhost`, which
 *    resolvers keep on loopback), this machine's host name, and names configured with
 *    `--api-host`. Anything else is 421 Misdirected Request.
 * 2. Writes (any method but GET and HEAD): a browser marks cross-site requests, so one whose
 *    `Origin` is not the API's own (scheme-less host:port compared with `Host`), or whose
 *    `Sec-Fetch-Site` is neither `same-origin` nor `none`, is 403.
 * 3. The bearer token: required on writes; on reads too when `guardReads` (the API listens
 *    beyond loopback), except on `openPaths` (liveness, readiness and metrics, which carry no
 *    member data and are polled by probes that hold no token). 401 otherwise.
 * 4. A write carrying a body or a content type must be `application/json`, which a page cannot
 *    send cross-site without a CORS preflight that this API never grants (415 otherwise).
 */
import { isIP } from 'node:net'
import { hostname } from 'node:os'
import { checkBearer, HttpError } from './http-io.ts'
import type { IncomingMessage } from 'node:http'

export interface GuardOptions {
  /** Bearer token; without one, nothing is token-checked (library use and tests only). */
  token?: string
  /** Require the token on reads too. @default false */
  guardReads?: boolean
  /** Extra names accepted as `Host` (lower case). */
  hosts?: readonly string[]
  /** Paths readable without the token even when `guardReads`. */
  openPaths?: readonly string[]
}

export const OPEN_PATHS = ['/healthz', '/readyz', '/metrics']

export interface RequestGuard {
  /** Throws the HttpError to answer with when the request's Host is not one of the API's names. */
  checkHost: (req: IncomingMessage) => void
  /** Throws the HttpError to answer with when the request may not run `method` on `path`. */
  checkAccess: (req: IncomingMessage, method: string, path: string) => void
}

export function createRequestGuard (options: GuardOptions = {}): RequestGuard {
  const names = new Set(['localhost', hostname().toLowerCase(), ...(options.hosts ?? [])])
  const openPaths = new Set(options.openPaths ?? OPEN_PATHS)
  const token = options.token

  const acceptedName = (name: string): boolean =>
    isIP(name) !== 0 || names.has(name) || name.endsWith('.localhost')

  return {
    checkHost: (req) => {
      const header = req.headers.host
      // HTTP/1.0 clients may omit Host (Node refuses HTTP/1.1 requests without one); browsers never do
      if (header == null || header === '') return
      const name = hostName(header)
      if (name == null || !acceptedName(name)) {
        throw new HttpError(421, `Host ${JSON.stringify(header.slice(0, 100))} is not a name of this API: use its IP address or localhost, or start swimd with --api-host NAME`)
      }
    },
    checkAccess: (req, method, path) => {
      const write = method !== 'GET' && method !== 'HEAD'
      if (write) checkSameOrigin(req)
      if (token != null && (write || (options.guardReads === true && !openPaths.has(path)))) checkBearer(req, token)
      if (write) checkJsonBody(req)
    }
  }
}

/** `example.com:7947` → `example.com`, `[::1]:7947` → `::1`; lower case, no trailing dot; undefined when malformed. */
export function hostName (header: string): string | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+))(?::(\d{1,5}))?$/.exec(header.trim())
  if (match == null) return undefined
  const name = (match[1] ?? match[2]).toLowerCase()
  return name.endsWith('.') ? name.slice(0, -1) : name
}

function single (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value
}

function checkSameOrigin (req: IncomingMessage): void {
  const site = single(req.headers['sec-fetch-site'])?.trim().toLowerCase()
  if (site != null && site !== '' && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(403, `Refusing a ${site} request: writes are accepted only from the API's own origin or from non-browser clients`)
  }
  const origin = single(req.headers.origin)?.trim()
  if (origin == null || origin === '') return
  let originHost: string | undefined
  try {
    const url = new URL(origin)
    originHost = url.protocol === 'http:' || url.protocol === 'https:' ? url.host.toLowerCase() : undefined
  } catch {}
  const host = single(req.headers.host)?.trim().toLowerCase()
  if (originHost == null || host == null || originHost !== defaultPortless(host, origin)) {
    throw new HttpError(403, `Refusing a write from origin ${JSON.stringify(origin.slice(0, 100))}: writes are accepted only from the API's own origin or from non-browser clients`)
  }
}

/** URL.host drops a default port (`:80`, `:443`); drop it from Host too before comparing. */
function defaultPortless (host: string, origin: string): string {
  const port = origin.startsWith('https:') ? ':443' : ':80'
  return host.endsWith(port) ? host.slice(0, -port.length) : host
}

function checkJsonBody (req: IncomingMessage): void {
  const type = single(req.headers['content-type'])
  const length = Number(req.headers['content-length'] ?? 0)
  const hasBody = req.headers['transfer-encoding'] != null || (Number.isFinite(length) && length > 0) || !Number.isFinite(length)
  if (type == null && !hasBody) return
  const essence = (type ?? '').split(';')[0].trim().toLowerCase()
  if (essence !== 'application/json') {
    throw new HttpError(415, `Unsupported request body type ${JSON.stringify((type ?? 'none').slice(0, 100))}: send Content-Type: application/json`)
  }
}
