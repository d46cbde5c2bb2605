/**
 * swimd's HTTP API over `node:http`: the endpoints of the public contract and nothing else.
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
import { createServer as createTlsServer } from 'node:https'
import { AnswerCache } from './answer-cache.ts'
import { consumerRoutes, quorumProblem } from './consumer-routes.ts'
import { createRequestGuard } from './http-guard.ts'
import { HttpError, MAX_BODY_BYTES, readJsonBody, sendError, sendJson } from './http-io.ts'
import { applyLimits, checkIntervalMs, resolveLimits } from './http-limits.ts'
import { keyRoutes } from './keys-api.ts'
import { pageRoutes } from './page.ts'
import { mergeMeta } from './meta-store.ts'
import { SseWriter } from './sse.ts'
import type { GuardOptions } from './http-guard.ts'
import type { HttpLimits } from './http-limits.ts'
import type { KeyringApi } from './keys-api.ts'
import { eventFrame, resetFrame } from './event-frames.ts'
import type { EventLog } from './event-log.ts'
import type { DaemonLogger } from './logger.ts'
import type { SseMessage } from './sse.ts'
import { MEMBER_STATES } from '../core/types.ts'
import type { MemberState } from '../core/types.ts'
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

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void

export function createApi (options: ApiOptions): Api {
  const { swim, eventLog, registry, token, logger } = options
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES
  const streams = new Set<SseWriter>()
  const limits = resolveLimits(options.limits)
  const guard = createRequestGuard({ ...options.guard, token })
  const answers = new AnswerCache({ version: () => eventLog.latestSeq })
  const keys = keyRoutes(options.keys ?? (() => undefined), maxBodyBytes)

  const routes: Record<string, Partial<Record<Method, Handler>>> = {
    ...pageRoutes(),
    '/v1/self': {
      GET: (_req, res) => { sendJson(res, 200, swim.localMember()) }
    },
    '/v1/members': {
      GET: (_req, res, url) => {
        const states = parseStates(url.searchParams.get('state'))
        const { body } = answers.get(`members?${states?.join(',') ?? ''}`, () => ({
          members: swim.members().filter((member) => states == null || states.includes(member.state))
        }))
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': body.length,
          'cache-control': 'no-store'
        })
        res.end(body)
      }
    },
    '/v1/events': {
      GET: async (req, res, url) => { await streamEvents(req, res, url) }
    },
    '/v1/leave': {
      POST: (_req, res) => {
        res.once('close', () => {
          Promise.resolve().then(options.onLeave).catch((err: unknown) => { logger.error({ err }, 'leave failed') })
        })
        sendJson(res, 202, { status: 'leaving' })
      }
    },
    '/v1/meta': {
      PUT: async (req, res) => {
        await changeMeta(parseMeta(await readJsonBody(req, maxBodyBytes)))
        sendJson(res, 200, swim.localMember())
      },
      PATCH: async (req, res) => {
        const body = await readJsonBody(req, maxBodyBytes)
        if (body == null || typeof body !== 'object' || Array.isArray(body)) {
          throw new HttpError(400, 'Invalid metadata patch: expected a JSON object of strings (to set) and nulls (to delete), e.g. { "role": "api", "old": null }')
        }
        let next: Record<string, string>
        try {
          next = mergeMeta(swim.localMember().meta, body as Record<string, unknown>)
        } catch (err) {
          throw new HttpError(400, (err as Error).message)
        }
        await changeMeta(next)
        sendJson(res, 200, swim.localMember())
      }
    },
    '/v1/forget': {
      POST: async (req, res) => {
        if (swim.forget == null) throw new HttpError(404, 'Unknown path "/v1/forget": this server cannot forget members')
        const id = (await readJsonBody(req, maxBodyBytes) as { id?: unknown } | null)?.id
        if (typeof id !== 'string' || id === '' || id.length > 128) throw new HttpError(400, 'Invalid forget request: expected { "id": "<PeerId of a failed or departed member>" }')
        const member = swim.members().find((m) => m.id === id)
        if (member == null) throw new HttpError(404, `No member ${id}: see GET /v1/members`)
        if (member.state === 'alive' || member.state === 'suspect') {
          throw new HttpError(409, `Cannot forget ${id}: it is ${member.state}; only failed or departed members can be removed (a live one would come back at once)`)
        }
        try {
          swim.forget(id)
        } catch (err) {
          if (err instanceof RangeError) throw new HttpError(409, err.message)
          throw err
        }
        sendJson(res, 200, { forgotten: id })
      }
    },
    '/v1/join': {
      POST: async (req, res) => {
        if (options.join == null) throw new HttpError(404, 'Unknown path "/v1/join": this server cannot join at run time')
        const seeds = parseSeeds(await readJsonBody(req, maxBodyBytes))
        const { joined, errors } = await options.join(seeds)
        if (joined === 0) {
          const why = errors.length > 0 ? errors.map((e) => `${e.seed}: ${e.message}`).join('; ') : 'no seed answered'
          throw new HttpError(502, `Joined through none of the seeds: ${why}`)
        }
        sendJson(res, 200, { joined })
      }
    },
    '/metrics': {
      GET: async (_req, res) => {
        const text = await registry.metrics()
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' })
        res.end(text)
      }
    },
    '/healthz': {
      GET: (_req, res) => { sendJson(res, 200, { status: 'ok' }) }
    },
    '/readyz': {
      GET: (_req, res, url) => {
        if (!options.isReady()) throw new HttpError(503, 'Not ready: this node has not joined a cluster yet')
        const problem = url.searchParams.get('quorum') === '1' ? quorumProblem(swim) : undefined
        if (problem != null) throw new HttpError(503, problem)
        sendJson(res, 200, { status: 'ready' })
      }
    },
    ...consumerRoutes(swim),
    ...keys.routes
  }

  async function changeMeta (meta: Record<string, string>): Promise<void> {
    try {
      await swim.setMetadata(meta)
    } catch (err) {
      // the service refuses metadata it cannot carry (sizes, counts) with a RangeError or TypeError
      if (err instanceof RangeError || err instanceof TypeError) throw new HttpError(400, err.message)
      // Valid metadata that could not be announced (the record could not be signed):
      // the node's fault, said plainly, and logged.
      logger.warn({ err }, 'could not announce new metadata')
      throw new HttpError(500, `Cannot announce the metadata: ${(err as Error).message}`)
    }
    // announced already; a failed save is the operator's to know, not the client's to retry
    await options.saveMeta?.(swim.localMember().meta).catch((err: unknown) => { logger.warn({ err }, 'cannot save the metadata to the data directory') })
  }

  async function streamEvents (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (streams.size >= limits.maxStreams) {
      throw new HttpError(503, `Too many event streams (${limits.maxStreams}, swimd's --api-max-streams): try again later`, { 'retry-after': '5' })
    }
    const resume = resumePoint(req, url)
    const after = resume ?? eventLog.latestSeq
    const subscription = eventLog.subscribe(after, { snapshot: () => swim.members() })
    const writer = new SseWriter(res, { heartbeatMs: options.heartbeatMs })
    streams.add(writer)
    void writer.done.then(() => { subscription.close() })
    try {
      // a client that asked for new events only learns where "now" is, so that a reconnect
      // before the first event still resumes without a gap
      if (resume == null && !await writer.send({ id: after })) return
      for (let delivery = await subscription.next(); delivery != null; delivery = await subscription.next()) {
        const frames: SseMessage[] = delivery.kind === 'reset'
          ? [resetFrame(delivery)]
          : delivery.events.map(eventFrame)
        for (const frame of frames) {
          if (!await writer.send(frame)) return
        }
      }
    } finally {
      subscription.close()
      writer.close()
      streams.delete(writer)
    }
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
  const server: Server = options.tls != null
    ? createTlsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }) as unknown as Server
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

/** `Last-Event-ID` (sent by reconnecting clients) wins over `?since=`. */
function resumePoint (req: IncomingMessage, url: URL): number | undefined {
  const header = req.headers['last-event-id']
  const fromHeader = Array.isArray(header) ? header[0] : header
  if (fromHeader != null && fromHeader.trim() !== '') return parseSeq(fromHeader.trim(), 'Last-Event-ID')
  const since = url.searchParams.get('since')
  if (since != null) return parseSeq(since, 'since')
  return undefined
}

function parseSeq (value: string, name: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new HttpError(400, `Invalid ${name} "${value}": expected an event sequence number (a whole number, 0 for everything retained)`)
  }
  return Number(value)
}

function parseStates (value: string | null): MemberState[] | undefined {
  if (value == null || value === '') return undefined
  const states = value.split(',').map((state) => state.trim())
  for (const state of states) {
    if (!(MEMBER_STATES as readonly string[]).includes(state)) {
      throw new HttpError(400, `Invalid state "${state}": expected one of ${MEMBER_STATES.join(', ')}`)
    }
  }
  return states as MemberState[]
}

/** The request target as a URL; a target that is not one is the client's error. */
function parseTarget (target: string): URL {
  try {
    return new URL(target, 'http://swimd.invalid')
  } catch {
    throw new HttpError(400, `Cannot parse the request target ${JSON.stringify(target.slice(0, 200))}: send a path such as /v1/members`)
  }
}

/** A short description of a JSON value for an error message, whatever its depth. */
function describeJson (value: unknown): string {
  try {
    const text = JSON.stringify(value)
    return text.length > 80 ? `${text.slice(0, 77)}...` : text
  } catch {
    return 'a value nested too deeply to show' // JSON.stringify overflows the stack
  }
}

/** Bounds of a run-time join request: a handful of seeds, each a short multiaddr. */
const MAX_JOIN_SEEDS = 16
const MAX_SEED_LENGTH = 512

function parseSeeds (body: unknown): string[] {
  const seeds = (body as { seeds?: unknown } | null)?.seeds
  if (!Array.isArray(seeds) || seeds.length === 0 || seeds.length > MAX_JOIN_SEEDS || !seeds.every((s) => typeof s === 'string' && s !== '' && s.length <= MAX_SEED_LENGTH)) {
    throw new HttpError(400, `Invalid join request: expected { "seeds": ["/ip4/10.0.0.1/tcp/7946", ...] } with 1 to ${MAX_JOIN_SEEDS} multiaddrs of at most ${MAX_SEED_LENGTH} characters`)
  }
  return seeds as string[]
}

function parseMeta (body: unknown): Record<string, string> {
  if (body == null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'Invalid metadata: expected a JSON object of strings, e.g. { "role": "api" }')
  }
  const meta: Record<string, string> = {}
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') {
      throw new HttpError(400, `Invalid metadata: "${key}" must be a string, got ${describeJson(value)} (send every value as a JSON string)`)
    }
    meta[key] = value
  }
  return meta
}
