/**
 * swimd's HTTP API over `node:http`: the endpoints of the public contract and nothing else.
 * The route table is in `createApi`, one line a group; each group's handlers live in their
 * own file (member-routes.ts, event-routes.ts, meta-routes.ts, node-routes.ts, …).
 *
 * | endpoint | answer |
 * |---|---|
 * | `GET /v1/self` | the local Member |
 * | `GET /v1/members[?state=alive[,suspect…]]` | `{ "members": Member[] }` |
 * | `GET /v1/events[?since=SEQ]` | SSE: `id: <seq>`, `event: <type>`, `data: { seq, type, at, member }`; resumes after `Last-Event-ID` (preferred) or `since`; a `reset` event `{ seq, members }` first when that point is no longer retained (or was never issued: the daemon restarted). Without either, new events only, after a data-less `id: <latest seq>` frame that tells the client its resume point |
 * | `POST /v1/leave` | 202, then `onLeave()` runs (the daemon leaves and exits) |
 * | `PUT /v1/meta` | body: object of strings, the member's complete new metadata; 200 with the updated Member |
 * | `PATCH /v1/meta` | body: object of strings or null; sets those keys, deletes the null ones, keeps the rest; 200 with the updated Member |
 * | `POST /v1/forget` | body `{ "id": PeerId }`; forgets a failed or departed member cluster-wide now; 200 `{ "forgotten": id }`, 404 unknown, 409 for a member alive or suspect |
 * | `POST /v1/join` | body `{ "seeds": [multiaddr, …] }`; 200 `{ "joined": n }`, or 502 naming each seed and why it failed |
 * | `GET /metrics` | Prometheus text format |
 * | `GET /healthz` | 200 while serving |
 * | `GET /readyz[?quorum=1]` | 200 once `isReady()` (and, with `quorum=1`, while this side holds a quorum), else 503 |
 * | `GET /v1/lookup`, `/v1/quorum`, `/v1/sd/prometheus` | see `consumer-routes.ts` |
 * | `GET /` | the live membership page (and its files under `/page/`), see page.ts |
 * | `/v1/keys…` | cluster-key rotation, see keys-api.ts |
 *
 * Every request first passes http-guard.ts (Host, same-origin writes, JSON bodies, the token)
 * and the bounds of http-limits.ts (connections, request deadlines, event streams).
 * Errors are `{ "error": "…" }` with a 4xx/5xx status: 400 bad query or body, 401 missing or
 * wrong bearer token, 403 cross-site write, 404 unknown path, 405 method not allowed (with
 * `Allow`), 413 body over the limit, 415 body not JSON, 421 foreign Host, 503 not ready or a
 * limit reached, 500 otherwise.
 * HEAD is answered like GET, except on the event stream.
 */
import { createServer } from 'node:http'
import { AnswerCache } from './answer-cache.ts'
import { consumerRoutes } from './consumer-routes.ts'
import { eventRoutes } from './event-routes.ts'
import { createRequestGuard } from './http-guard.ts'
import { HttpError, MAX_BODY_BYTES, sendError } from './http-io.ts'
import { applyLimits, checkIntervalMs, resolveLimits } from './http-limits.ts'
import { keyRoutes } from './keys-api.ts'
import { memberRoutes } from './member-routes.ts'
import { metaRoutes } from './meta-routes.ts'
import { nodeRoutes } from './node-routes.ts'
import { pageRoutes } from './page.ts'
import type { SseWriter } from './sse.ts'
import type { GuardOptions } from './http-guard.ts'
import type { HttpLimits } from './http-limits.ts'
import type { Method, Routes } from './http-route.ts'
import type { KeyringApi } from './keys-api.ts'
import type { EventLog } from './event-log.ts'
import type { DaemonLogger } from './logger.ts'
import type { Swim } from '../libp2p/types.ts'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'

/** The part of the `Swim` service the API calls. */
export type ApiSwim = Pick<Swim, 'members' | 'localMember' | 'setMetadata' | 'lookup' | 'quorum' | 'shares'> & Partial<Pick<Swim, 'forget'>>

export interface ApiOptions {
  swim: ApiSwim
  eventLog: EventLog
  /** The daemon's metrics registry, served on `GET /metrics`. */
  registry: Registry
  /** When set, writes (and reads too with `guard.guardReads`) must carry `Authorization: Bearer <token>`. */
  token?: string
  /** Host names, read guarding; see http-guard.ts. */
  guard?: Omit<GuardOptions, 'token'>
  /** Serve over HTTPS with this PEM certificate and key. */
  tls?: { cert: Buffer | string, key: Buffer | string }
  /** Connection, deadline and stream limits; see http-limits.ts. */
  limits?: Partial<HttpLimits>
  /** The service's cluster keyring, for the `/v1/keys` routes; asked per request. */
  keys?: () => KeyringApi | undefined
  /** Runs once `POST /v1/leave` has been answered. */
  onLeave: () => unknown
  /** Keeps the metadata across restarts; runs after every change through the API. */
  saveMeta?: (meta: Record<string, string>) => Promise<void>
  /** Joins through `seeds` at run time; resolves to how many answered and why the others failed. */
  join?: (seeds: string[]) => Promise<{ joined: number, errors: Array<{ seed: string, message: string }> }>
  /** True once the node has joined; drives `/readyz`. */
  isReady: () => boolean
  logger: Pick<DaemonLogger, 'debug' | 'info' | 'warn' | 'error'>
  /** SSE heartbeat interval. @default 15000 */
  heartbeatMs?: number
  /** @default 65536 */
  maxBodyBytes?: number
  /** How long `close()` lets in-flight requests finish before cutting them. @default 2000 */
  closeTimeoutMs?: number
}

export interface Api {
  readonly server: Server
  /** Starts listening; resolves to the bound address (useful with port 0). */
  listen: (host: string, port: number) => Promise<{ host: string, port: number }>
  /** Ends event streams, stops accepting connections and waits for in-flight requests. */
  close: () => Promise<void>
}

export function createApi (options: ApiOptions): Api {
  const { swim, eventLog, token, logger } = options
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES
  const streams = new Set<SseWriter>()
  const limits = resolveLimits(options.limits)
  const guard = createRequestGuard({ ...options.guard, token })
  const answers = new AnswerCache({ version: () => eventLog.latestSeq })
  const keys = keyRoutes(options.keys ?? (() => undefined), maxBodyBytes)

  const routes: Routes = {
    // GET /, /page/app.js, /page/app.css, /page/favicon.svg
    ...pageRoutes(),
    // GET /v1/self, GET /v1/members, POST /v1/forget
    ...memberRoutes(swim, answers, maxBodyBytes),
    // GET /v1/events
    ...eventRoutes({ swim, eventLog, streams, maxStreams: limits.maxStreams, heartbeatMs: options.heartbeatMs }),
    // PUT /v1/meta, PATCH /v1/meta
    ...metaRoutes({ swim, saveMeta: options.saveMeta, logger, maxBodyBytes }),
    // POST /v1/leave, POST /v1/join, GET /metrics, GET /healthz, GET /readyz
    ...nodeRoutes({ ...options, maxBodyBytes }),
    // GET /v1/lookup, GET /v1/quorum, GET /v1/sd/prometheus
    ...consumerRoutes(swim),
    // /v1/keys, /v1/keys/primary; /v1/keys/:id is resolved in handle()
    ...keys.routes
  }

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    guard.checkHost(req)
    const url = parseTarget(req.url ?? '/')
    const route = routes[url.pathname] ?? keys.resolve(url.pathname)?.route
    if (route == null) throw new HttpError(404, `Unknown path "${url.pathname}": see the API endpoints under /v1/`)
    const method = req.method === 'HEAD' && url.pathname !== '/v1/events' ? 'GET' : req.method as Method
    const handler = route[method]
    if (handler == null) {
      const allowed = Object.keys(route).join(', ')
      throw new HttpError(405, `Method ${req.method ?? ''} not allowed on ${url.pathname}: use ${allowed}`, { allow: allowed })
    }
    guard.checkAccess(req, method, url.pathname)
    await handler(req, res, url)
  }

  const serverOptions = { connectionsCheckingInterval: checkIntervalMs(limits) }
  // node:https (and node:tls under it) is loaded only for an API served over TLS: a plain
  // daemon would keep their code and objects for nothing (0.3 MB)
  const server: Server = options.tls != null
    ? process.getBuiltinModule('node:https').createServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }) as unknown as Server
    : createServer(serverOptions)
  applyLimits(server, limits, options.tls != null)
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now()
    res.once('finish', () => {
      logger.debug({ method: req.method, path: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request')
    })
    handle(req, res).catch((err: unknown) => {
      const error = err instanceof HttpError ? err : new HttpError(500, `Internal error: ${(err as Error).message}`)
      // 503 is an expected state (not joined yet, polled by health checks): no stack, no alarm
      if (error.status === 503) logger.info({ method: req.method, path: req.url, status: 503 }, error.message)
      else if (error.status >= 500) logger.error({ err, method: req.method, path: req.url }, 'request failed')
      if (res.headersSent) {
        res.destroy()
        return
      }
      sendError(res, error)
    })
  })

  return {
    server,
    listen: async (host, port) => {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          resolve()
        })
      })
      const address = server.address() as AddressInfo
      return { host: address.address, port: address.port }
    },
    close: async () => {
      for (const writer of streams) writer.close()
      const closed = new Promise<void>((resolve) => { server.close(() => { resolve() }) })
      // keep-alive connections become idle as their last response ends: close them as they do
      server.closeIdleConnections()
      const sweep = setInterval(() => { server.closeIdleConnections() }, 25)
      const deadline = setTimeout(() => { server.closeAllConnections() }, options.closeTimeoutMs ?? 2000)
      await closed
      clearInterval(sweep)
      clearTimeout(deadline)
    }
  }
}
/** The request target as a URL; a target that is not one is the client's error. */
function parseTarget (target: string): URL {
  try {
    return new URL(target, 'http://swimd.invalid')
  } catch {
    throw new HttpError(400, `Cannot parse the request target ${JSON.stringify(target.slice(0, 200))}: send a path such as /v1/members`)
  }
}
