/**
 * Fuzzing of swimd's HTTP API: generated requests (fast-check) against real `createApi(...)`
 * servers on 127.0.0.1 over a FakeSwim, one without and one with a bearer token. Random and
 * real methods, the real paths with junk around them, query strings, headers (junk
 * Last-Event-ID, Authorization, Content-Type, Expect, Upgrade…), bodies of random bytes,
 * random / deep / huge JSON, metadata with non-string values, oversized bodies; about one
 * request in ten goes over a raw socket with things a well-behaved client cannot send
 * (control bytes in the request line, bare LF, Content-Length lies, junk request lines).
 *
 * What every answer must be (`checkExchange`):
 * - a parseable HTTP/1.x response, within the timeout;
 * - status < 500, except 503 from `/readyz` while not ready (its contract);
 * - a 4xx/5xx from the API carries `Content-Type: application/json` and a body
 *   `{ "error": string }` and nothing else (HEAD answers have no body);
 * - responses that do not come from the API are named: Node's HTTP parser answers a request it
 *   cannot parse (a method it does not know, control bytes, headers over 16 KiB) with a bare
 *   400 / 413 / 414 / 431 / 501 / 505 and closes, and an `Expect` other than 100-continue with a
 *   bare 417: the API never sees these; a CONNECT or an Upgrade request is closed without an answer (the server has no
 *   `connect` / `upgrade` handler); a body cut short by the client is closed without an answer;
 *   an oversized body may be reset by the server after (or instead of reading) the 413.
 *
 * This file is the fuzzer used by `test/daemon/http-fuzz.spec.ts` (5,000 requests) and the
 * benchmark run (100,000 requests by default, with timing and memory):
 *
 *   node --import tsx bench/fuzz-http.ts [--count 100000] [--seed 1] [--concurrency 16] [--json]
 *
 * Exits with status 1 if any exchange broke an invariant, the server stopped answering, or the
 * heap grew by more than `--max-heap-growth-mib` (default 64).
 */
import { Agent, METHODS as NODE_METHODS, request } from 'node:http'
import { connect } from 'node:net'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { pino } from 'pino'
import { EventLog } from '../src/daemon/event-log.ts'
import { createApi } from '../src/daemon/http-api.ts'
import { createMetrics } from '../src/daemon/metrics.ts'
import { recordMembershipEvents } from '../src/daemon/record-events.ts'
import { Keyring } from '../src/libp2p/keyring.ts'
import { FakeSwim } from '../test/daemon/fake-swim.ts'
import type { Api } from '../src/daemon/http-api.ts'
import type { Server } from 'node:http'

export const TOKEN = 'fuzz-token-0123456789'
export const MAX_BODY = 64 * 1024
const REAL_PATHS = ['/v1/self', '/v1/members', '/v1/events', '/v1/leave', '/v1/meta', '/metrics', '/healthz', '/readyz', '/v1/keys', '/v1/keys/primary'] as const
const ROUTES = [['PUT', '/v1/meta'], ['PUT', '/v1/meta'], ['PUT', '/v1/meta'], ['POST', '/v1/leave'], ['GET', '/v1/events'], ['GET', '/v1/members'], ['GET', '/v1/self'], ['GET', '/metrics'], ['HEAD', '/readyz'], ['GET', '/v1/keys'], ['POST', '/v1/keys'], ['PUT', '/v1/keys/primary'], ['DELETE', '/v1/keys/0123456789abcdef']] as const
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'] as const

// ---------------------------------------------------------------- requests

export type BodyKind = 'none' | 'bytes' | 'json' | 'meta' | 'valid-meta' | 'deep' | 'huge' | 'oversized'

export interface FuzzRequest {
  /** 0: no token configured; 1: token required for non-GET requests. */
  server: 0 | 1
  /** Over a raw socket, verbatim; otherwise through `http.request` (a well-behaved client). */
  raw: boolean
  method: string
  path: string
  headers: Array<[string, string]>
  bodyKind: BodyKind
  body: Uint8Array | undefined
  /** http: send without Content-Length (chunked). */
  chunked: boolean
  /** raw only: declare a different Content-Length than the body has. */
  lie: 'none' | 'short' | 'long'
  /** raw only: replaces the whole request head with these bytes. */
  junkHead: Uint8Array | undefined
  httpVersion: '1.1' | '1.0'
}

const enc = new TextEncoder()
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1')

const junkSuffix = fc.oneof(
  fc.constantFrom('/', '//', '/..', '/../healthz', '%00', '%ZZ', '%2F', '.json', '/x', ';a=b', '#frag', '?', '??', '&', '\u00e9', '\u{1F6F0}', ' ', '\t', '\0'),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 })
)

const query = fc.oneof(
  fc.constant(''),
  fc.webQueryParameters().map((q) => `?${q}`),
  fc.tuple(
    fc.constantFrom('state', 'since', 'State', 'state[]', 'since', ''),
    fc.oneof(
      fc.constantFrom('alive', 'suspect', 'dead', 'left', 'alive,suspect', 'alive,,dead', ' alive ', 'ALIVE', '', '0', '-1', '1e3', '99999999999999999999', '%', '%zz', '1.5', 'NaN'),
      fc.nat().map(String),
      fc.string({ maxLength: 40 })
    )
  ).map(([k, v]) => `?${k}=${v}`),
  fc.array(fc.constantFrom('state=alive', 'since=1', 'state=bogus', 'since=x', 'a', '=', '&&'), { maxLength: 6 }).map((xs) => `?${xs.join('&')}`)
)

const path = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...REAL_PATHS), query).map(([p, q]) => p + q) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...REAL_PATHS), junkSuffix, query).map(([p, s, q]) => p + s + q) },
  { weight: 1, arbitrary: fc.webPath().map((p) => p === '' ? '/' : p) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }).map((s) => `/${s}`) },
  { weight: 1, arbitrary: fc.constantFrom('*', '', 'http://[', 'http://a:b/healthz', 'http://x/healthz', '//healthz', '/%', '/v1/events?since=%FF', 'healthz', '\\healthz') },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => `/v1/${'a'.repeat(n)}`) }
)

const lastEventId = fc.oneof(
  fc.constantFrom('', ' ', '0', '1', '-1', '1.5', '1e3', '  7  ', '99999999999999999999', '9007199254740993', '0x10', 'NaN', 'null', '١٢', '\u00ff'),
  fc.nat().map(String),
  fc.string({ maxLength: 40 })
)

const headerValue = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.integer().map(String))

const header: fc.Arbitrary<[string, string]> = fc.oneof(
  { weight: 3, arbitrary: lastEventId.map((v) => ['Last-Event-ID', v] as [string, string]) },
  { weight: 2, arbitrary: fc.oneof(fc.constant(`Bearer ${TOKEN}`), fc.constant(`bearer   ${TOKEN}  `), fc.constant('Bearer'), fc.constant(`Basic ${TOKEN}`), headerValue.map((v) => `Bearer ${v}`), headerValue).map((v) => ['Authorization', v] as [string, string]) },
  { weight: 2, arbitrary: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1').map((v) => ['Content-Type', v] as [string, string]) },
  // the request guard's inputs: rebinding names, cross-site marks, origins same and foreign
  { weight: 2, arbitrary: fc.oneof(fc.constantFrom('attacker.example', 'localhost', 'LOCALHOST.', '[::1]', '[::1]:7947', '127.0.0.1:1', 'a.localhost', 'x:y:z', '[', ''), headerValue).map((v) => ['Host', v] as [string, string]) },
  { weight: 2, arbitrary: fc.oneof(fc.constantFrom('null', 'https://attacker.example', 'http://127.0.0.1', 'http://localhost:7947', 'file://', 'http://[', ''), headerValue).map((v) => ['Origin', v] as [string, string]) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('cross-site', 'same-site', 'same-origin', 'none', 'CROSS-SITE', ''), headerValue).map((v) => ['Sec-Fetch-Site', v] as [string, string]) },
  { weight: 1, arbitrary: fc.constantFrom<[string, string]>(['Expect', '100-continue'], ['Expect', 'junk'], ['Accept', 'text/event-stream'], ['Accept-Encoding', 'gzip, br'], ['Connection', 'keep-alive'], ['Cookie', 'a=b'], ['Range', 'bytes=0-1'], ['If-None-Match', '*'], ['X-Forwarded-For', '1.2.3.4']) },
  { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}$/), headerValue) }
)

/** Bodies; all the big ones are built from a length, so generating them stays cheap. */
const body: fc.Arbitrary<{ kind: BodyKind, bytes: Uint8Array | undefined }> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'none' as const, bytes: undefined }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => ({ kind: 'bytes' as const, bytes: b })) },
  { weight: 2, arbitrary: fc.json({ depthSize: 'small' }).map((j) => ({ kind: 'json' as const, bytes: enc.encode(j) })) },
  {
    weight: 3,
    arbitrary: fc.dictionary(
      fc.string({ maxLength: 20 }),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 }), fc.double())
    ).map((d) => ({ kind: 'meta' as const, bytes: enc.encode(JSON.stringify(d)) }))
  },
  { weight: 3, arbitrary: fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 8 }).map((d) => ({ kind: 'valid-meta' as const, bytes: enc.encode(JSON.stringify(d)) })) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.integer({ min: 50, max: 40_000 }), fc.constantFrom('array', 'object', 'meta-array', 'meta-object')).map(([depth, shape]) => {
      const nested = shape.endsWith('array') ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
      return { kind: 'deep' as const, bytes: enc.encode(shape.startsWith('meta') ? `{"k":${nested}}` : nested) }
    })
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.integer({ min: 1000, max: 100_000 }), fc.constantFrom('string', 'keys', 'array')).map(([size, shape]) => {
      const text = shape === 'string'
        ? JSON.stringify({ role: 'x'.repeat(size) })
        : shape === 'keys'
          ? JSON.stringify(Object.fromEntries(Array.from({ length: Math.ceil(size / 12) }, (_, i) => [`k${i}`, String(i)])))
          : JSON.stringify({ k: Array.from({ length: Math.ceil(size / 2) }, () => 1) })
      return { kind: 'huge' as const, bytes: enc.encode(text) }
    })
  },
  { weight: 1, arbitrary: fc.integer({ min: MAX_BODY + 1, max: 400_000 }).map((n) => ({ kind: 'oversized' as const, bytes: new Uint8Array(n).fill(0x61) })) }
)

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  server: fc.constantFrom<0 | 1>(0, 1),
  raw: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
  method: fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...METHODS) },
    { weight: 1, arbitrary: fc.constantFrom('get', 'CONNECT', 'PROPFIND', 'BREW', 'G ET', 'PUT\0', '') },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/) }
  ),
  path,
  headers: fc.array(header, { maxLength: 8 }),
  body,
  chunked: fc.boolean(),
  lie: fc.constantFrom<'none' | 'short' | 'long'>('none', 'none', 'none', 'short', 'long'),
  junkHead: fc.option(fc.uint8Array({ minLength: 1, maxLength: 300 }), { freq: 12 }).map((x) => x ?? undefined),
  httpVersion: fc.constantFrom<'1.1' | '1.0'>('1.1', '1.1', '1.1', '1.0'),
  /** One request in four uses a real method + route pair, so handlers see the junk, not only the router. */
  aim: fc.option(fc.tuple(fc.constantFrom(...ROUTES), query), { freq: 3 })
}).map(({ aim, ...r }) => ({
  ...r,
  ...(aim != null ? { method: aim[0][0], path: aim[0][1] + aim[1] } : {}),
  bodyKind: r.body.kind,
  body: r.body.bytes,
  lie: r.raw ? r.lie : 'none',
  junkHead: r.raw ? r.junkHead : undefined
}))

// ---------------------------------------------------------------- servers

export interface FuzzTarget {
  ports: [number, number]
  swims: [FakeSwim, FakeSwim]
  servers: [Server, Server]
  /** `/readyz` answers 503 until this is true. */
  setReady: (ready: boolean) => void
  leaveCalls: () => number
  close: () => Promise<void>
}

export async function startTargets (): Promise<FuzzTarget> {
  let ready = false
  let leaves = 0
  const apis: Api[] = []
  const detaches: Array<() => void> = []
  const swims: FakeSwim[] = []
  const ports: number[] = []
  for (const token of [undefined, TOKEN]) {
    const swim = new FakeSwim()
    const eventLog = new EventLog({ capacity: 64 })
    detaches.push(recordMembershipEvents(swim, eventLog))
    for (let i = 0; i < 5; i++) swim.emit('join', `12D3KooWPeer${i}`)
    const { registry } = createMetrics({ eventSubscribers: () => eventLog.subscriberCount, processMetrics: false })
    const keyring = new Keyring([new Uint8Array(32).fill(7)])
    const api = createApi({
      swim,
      eventLog,
      registry,
      keys: () => keyring,
      ...(token != null ? { token } : {}),
      onLeave: () => { leaves++ },
      isReady: () => ready,
      logger: pino({ level: 'silent' }),
      closeTimeoutMs: 500
    })
    const { port } = await api.listen('127.0.0.1', 0)
    apis.push(api)
    swims.push(swim)
    ports.push(port)
  }
  return {
    ports: ports as [number, number],
    swims: swims as [FakeSwim, FakeSwim],
    servers: apis.map((a) => a.server) as [Server, Server],
    setReady: (r) => { ready = r },
    leaveCalls: () => leaves,
    close: async () => {
      for (const d of detaches) d()
      await Promise.all(apis.map(async (a) => { await a.close() }))
    }
  }
}

// ---------------------------------------------------------------- sending

export interface Exchange {
  /** null: no response (the connection closed or timed out first). */
  status: number | null
  headers: Record<string, string>
  body: string
  /** Why there is no response, or how the connection ended. */
  error?: string
  timedOut: boolean
  stream: boolean
}

const TIMEOUT_MS = 5000

export async function send (req: FuzzRequest, target: FuzzTarget, agent: Agent): Promise<Exchange> {
  return req.raw ? await sendRaw(req, target.ports[req.server]) : await sendHttp(req, target.ports[req.server], agent)
}

/** Header values `http.request` accepts (it refuses CR, LF, NUL and other controls). */
const legalValue = (v: string): string => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')
/** A request target `http.request` accepts: printable ASCII, the rest percent-encoded. */
const legalPath = (p: string): string => {
  const s = p.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c).replace(/%25/g, '%'))
  return s.startsWith('/') ? s : `/${s}`
}

async function sendHttp (req: FuzzRequest, port: number, agent: Agent): Promise<Exchange> {
  const method = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(req.method) && req.method !== 'CONNECT' ? req.method : 'GET'
  // a headers array is sent as is: Host included (Node's server answers 400 without one)
  const given = req.headers.map(([k, v]): [string, string] => [k, legalValue(v)])
  const hasHost = given.some(([k]) => k.toLowerCase() === 'host')
  const headers: Array<[string, string]> = [...(hasHost ? [] : [['Host', `127.0.0.1:${port}`] as [string, string]]), ...given]
  // Node's client frames a body without Content-Length as chunked only for some methods: say so
  if (req.body != null) headers.push(req.chunked ? ['Transfer-Encoding', 'chunked'] : ['Content-Length', String(req.body.length)])
  return await new Promise((resolve) => {
    let settled = false
    const done = (x: Exchange): void => { if (!settled) { settled = true; clearTimeout(timer); resolve(x) } }
    let clientReq: ReturnType<typeof request>
    const timer = setTimeout(() => {
      clientReq?.destroy()
      done({ status: null, headers: {}, body: '', error: 'timeout', timedOut: true, stream: false })
    }, TIMEOUT_MS)
    try {
      clientReq = request({ host: '127.0.0.1', port, method, path: legalPath(req.path), headers: headers.flat(), agent, setHost: true }, (res) => {
        const resHeaders = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]))
        if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          // a stream resumed at the latest event has nothing to say until the next one: the
          // headers are the answer; take the first frame if it comes at once
          let first = ''
          const end = (): void => {
            res.destroy()
            done({ status: res.statusCode ?? null, headers: resHeaders, body: first, timedOut: false, stream: true })
          }
          const quiet = setTimeout(end, 50)
          res.once('data', (chunk: Buffer) => { first = chunk.toString('utf8'); clearTimeout(quiet); end() })
          res.once('close', () => { clearTimeout(quiet); end() })
          return
        }
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => { chunks.push(c) })
        res.on('end', () => { done({ status: res.statusCode ?? null, headers: resHeaders, body: Buffer.concat(chunks).toString('utf8'), timedOut: false, stream: false }) })
        res.on('error', (err) => { done({ status: res.statusCode ?? null, headers: resHeaders, body: Buffer.concat(chunks).toString('utf8'), error: err.message, timedOut: false, stream: false }) })
      })
    } catch (err) {
      done({ status: null, headers: {}, body: '', error: `client refused to send: ${(err as Error).message}`, timedOut: false, stream: false })
      return
    }
    clientReq.on('error', (err: NodeJS.ErrnoException) => { done({ status: null, headers: {}, body: '', error: err.code ?? err.message, timedOut: false, stream: false }) })
    if (req.body != null) {
      if (req.chunked && req.body.length > 1) {
        const mid = req.body.length >> 1
        clientReq.write(req.body.subarray(0, mid))
        clientReq.write(req.body.subarray(mid))
      } else {
        clientReq.write(req.body)
      }
    }
    clientReq.end()
  })
}

function rawBytes (req: FuzzRequest): Uint8Array {
  const body = req.body ?? new Uint8Array(0)
  if (req.junkHead != null) return Buffer.concat([req.junkHead, Buffer.from('\r\n\r\n'), body])
  let head = `${req.method} ${req.path} HTTP/${req.httpVersion}\r\nHost: 127.0.0.1\r\nConnection: close\r\n`
  for (const [k, v] of req.headers) head += `${k}: ${v}\r\n`
  const declared = req.lie === 'short' ? Math.max(0, body.length - 7) : req.lie === 'long' ? body.length + 1000 : body.length
  if (req.body != null || req.lie !== 'none') head += `Content-Length: ${declared}\r\n`
  return Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), body])
}

async function sendRaw (req: FuzzRequest, port: number): Promise<Exchange> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const chunks: Buffer[] = []
    let settled = false
    const finish = (error?: string, timedOut = false): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(parseRaw(Buffer.concat(chunks), error, timedOut))
    }
    const timer = setTimeout(() => { finish('timeout', true) }, TIMEOUT_MS)
    socket.on('data', (c: Buffer) => {
      chunks.push(c)
      const text = Buffer.concat(chunks).toString('latin1')
      const headEnd = text.indexOf('\r\n\r\n')
      if (headEnd >= 0 && /\r\ncontent-type: text\/event-stream/i.test(text.slice(0, headEnd))) setTimeout(finish, text.length > headEnd + 4 ? 0 : 50)
    })
    socket.on('error', (err: NodeJS.ErrnoException) => { finish(err.code ?? err.message) })
    socket.on('close', () => { finish(chunks.length === 0 ? 'closed without a response' : undefined) })
    socket.write(rawBytes(req))
    // a body shorter than declared: tell the server no more is coming
    if (req.lie === 'long') socket.end()
  })
}

function parseRaw (data: Buffer, error: string | undefined, timedOut: boolean): Exchange {
  // skip interim responses (100 Continue) before the final one
  for (let m = /^HTTP\/1\.[01] 1\d\d[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/.exec(data.toString('latin1')); m != null; m = /^HTTP\/1\.[01] 1\d\d[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/.exec(data.toString('latin1'))) {
    data = data.subarray(Buffer.byteLength(m[0], 'latin1'))
  }
  const text = data.toString('latin1')
  const headEnd = text.indexOf('\r\n\r\n')
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?\r\n/.exec(text)
  if (headEnd < 0 || statusLine == null) {
    return { status: null, headers: {}, body: text.slice(0, 200), error: error ?? (text.length === 0 ? 'closed without a response' : `not an HTTP response: ${JSON.stringify(text.slice(0, 80))}`), timedOut, stream: false }
  }
  const headers: Record<string, string> = {}
  for (const line of text.slice(statusLine[0].length, headEnd).split('\r\n')) {
    if (line === '') continue
    const colon = line.indexOf(':')
    if (colon <= 0) return { status: null, headers, body: '', error: `malformed header line ${JSON.stringify(line)}`, timedOut, stream: false }
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  let rest = data.subarray(Buffer.byteLength(text.slice(0, headEnd + 4), 'latin1'))
  const stream = (headers['content-type'] ?? '').startsWith('text/event-stream')
  if (headers['content-length'] != null) rest = rest.subarray(0, Number(headers['content-length']))
  else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) rest = stream ? rest.subarray(rest.indexOf('\r\n') + 2) : dechunk(rest)
  return { status: Number(statusLine[1]), headers, body: rest.toString('utf8'), error, timedOut: false, stream }
}

function dechunk (data: Buffer): Buffer {
  const out: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at)
    if (lineEnd < 0) break
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16)
    if (!(size > 0)) break
    out.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
  return Buffer.concat(out)
}

// ---------------------------------------------------------------- checking

/** How an exchange was classified; `violation` is a broken invariant. */
export type Outcome =
  | 'ok' | 'api-error' | 'stream' | 'readyz-503'
  | 'parser-rejected' | 'closed:connect-or-upgrade' | 'closed:short-body' | 'reset:oversized'
  | 'known-bug:unparseable-target' | 'known-bug:deep-meta-value' | 'waiting:incomplete-request'
  | 'violation'

export interface Verdict { outcome: Outcome, reason?: string }

const PARSER_STATUSES = new Set([400, 413, 414, 417, 431, 501, 505])

/** An `Expect` other than 100-continue: Node's server answers 417 itself. */
const expectsJunk = (req: FuzzRequest): boolean => req.headers.some(([k, v]) => k.toLowerCase() === 'expect' && v.toLowerCase() !== '100-continue')

export function checkExchange (req: FuzzRequest, ex: Exchange): Verdict {
  const fail = (reason: string): Verdict => ({ outcome: 'violation', reason })
  const upgrade = req.headers.some(([k]) => k.toLowerCase() === 'upgrade') || req.method === 'CONNECT'
  const oversized = (req.body?.length ?? 0) > MAX_BODY
  if (ex.status == null) {
    // junk that parses as the start of a request: the server waits for the rest (until its headersTimeout)
    if (ex.timedOut && req.raw && req.junkHead != null) return { outcome: 'waiting:incomplete-request' }
    if (ex.timedOut) return fail(`no answer within ${TIMEOUT_MS} ms`)
    if (req.raw && upgrade) return { outcome: 'closed:connect-or-upgrade' }
    if (req.raw && req.lie === 'long') return { outcome: 'closed:short-body' }
    if (oversized && /ECONNRESET|EPIPE|closed/.test(ex.error ?? '')) return { outcome: 'reset:oversized' }
    if (!req.raw && ex.error?.startsWith('client refused') === true) return { outcome: 'ok' }
    return fail(`no response: ${ex.error ?? 'unknown'}`)
  }
  if (ex.status < 100 || ex.status > 599) return fail(`status ${ex.status}`)
  const contentType = ex.headers['content-type'] ?? ''
  const isApi = contentType.startsWith('application/json') || contentType.startsWith('text/event-stream') || contentType.startsWith('text/plain; version=') || isPageFile(contentType)
  // Node's HTTP parser refused the request before the API saw it: a bare status, no body
  if (!isApi) {
    if (PARSER_STATUSES.has(ex.status) && ex.body === '' && (req.raw || ex.status === 431 || (ex.status === 400 && !NODE_METHODS.includes(req.method)) || (ex.status === 417 && expectsJunk(req)))) return { outcome: 'parser-rejected' }
    return fail(`status ${ex.status} without the API's content type (${JSON.stringify(contentType)}), body ${JSON.stringify(ex.body.slice(0, 120))}`)
  }
  if (ex.stream) {
    if (ex.status !== 200) return fail(`event stream with status ${ex.status}`)
    if (ex.body !== '' && !/^(id|event|data|:)/.test(ex.body)) return fail(`event stream starts with ${JSON.stringify(ex.body.slice(0, 60))}`)
    return { outcome: 'stream' }
  }
  const head = req.method === 'HEAD'
  if (ex.status >= 400) {
    if (!contentType.startsWith('application/json')) return fail(`error ${ex.status} with content type ${contentType}`)
    if (!head) {
      let parsed: unknown
      try { parsed = JSON.parse(ex.body) } catch { return fail(`error ${ex.status} body is not JSON: ${JSON.stringify(ex.body.slice(0, 120))}`) }
      if (parsed == null || typeof parsed !== 'object' || Array.isArray(parsed) || typeof (parsed as { error?: unknown }).error !== 'string' || Object.keys(parsed).length !== 1) {
        return fail(`error ${ex.status} body is not { "error": string }: ${ex.body.slice(0, 120)}`)
      }
    }
    if (ex.status >= 500) {
      const target = req.raw ? req.path : legalPath(req.path)
      if (ex.status === 503 && pathnameOf(target) === '/readyz') return { outcome: 'readyz-503' }
      return fail(`${ex.status} ${ex.body.trim().slice(0, 160)}`)
    }
    return { outcome: 'api-error' }
  }
  if (contentType.startsWith('application/json') && !head) {
    try { JSON.parse(ex.body) } catch { return fail(`status ${ex.status} body is not JSON`) }
  }
  // the request guard: a rebinding name is never served, a cross-site write never runs
  const values = (name: string): string[] => req.headers.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v.trim().toLowerCase())
  if (/^attacker\.example(:\d+)?$/.test(values('host')[0] ?? '')) return fail(`status ${ex.status} for a foreign Host`)
  const write = ['POST', 'PUT', 'DELETE', 'PATCH'].includes(req.method)
  if (write && (values('origin').some((v) => v === 'null' || v.includes('attacker.example')) || values('sec-fetch-site').some((v) => v === 'cross-site' || v === 'same-site'))) {
    return fail(`status ${ex.status} for a cross-site write`)
  }
  return { outcome: 'ok' }
}

/** The membership page and its files (`GET /`, `/page/…`), served under the page's CSP. */
function isPageFile (contentType: string): boolean {
  return /^(text\/html|text\/javascript|text\/css|image\/svg\+xml)\b/.test(contentType)
}

/** The path the API routes on, as it parses it; undefined when it cannot. */
function pathnameOf (target: string): string | undefined {
  try {
    return new URL(target, 'http://swimd.invalid').pathname
  } catch {
    return undefined
  }
}

/** One line to reproduce a request in a failure message. */
export function describe (req: FuzzRequest): string {
  const body = req.body == null ? 'no body' : `${req.bodyKind} body of ${req.body.length} bytes: ${JSON.stringify(latin1(req.body.subarray(0, 80)))}`
  return `${req.raw ? 'raw ' : ''}${JSON.stringify(req.method)} ${JSON.stringify(req.path.slice(0, 120))} server ${req.server} headers ${JSON.stringify(req.headers).slice(0, 200)} ${body}${req.lie !== 'none' ? ` (Content-Length ${req.lie})` : ''}${req.junkHead != null ? ' (junk head)' : ''}`
}

/** `GET /healthz` over a fresh connection. */
export async function healthz (port: number): Promise<{ status: number, body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`)
  return { status: res.status, body: await res.text() }
}

// ---------------------------------------------------------------- benchmark

async function main (): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      count: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '16' },
      json: { type: 'boolean', default: false },
      'max-heap-growth-mib': { type: 'string', default: '64' }
    }
  })
  const count = Number(args.count)
  const seed = Number(args.seed)
  const concurrency = Number(args.concurrency)
  const { setFlagsFromString } = await import('node:v8')
  const { runInNewContext } = await import('node:vm')
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const mib = (x: number): number => Math.round(x / 2 ** 20 * 10) / 10

  const rejections: unknown[] = []
  process.on('unhandledRejection', (r) => { rejections.push(r) })
  const target = await startTargets()
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  gc()
  const before = process.memoryUsage()
  const started = performance.now()
  const outcomes: Record<string, number> = {}
  const violations: string[] = []
  const latencies: number[] = []
  const BATCH = 1000
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done)
    target.setReady((done / BATCH) % 2 === 1)
    const requests = fc.sample(fuzzRequest, { numRuns: n, seed: seed * 1_000_003 + done })
    let next = 0
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const req = requests[next++]
        const t0 = performance.now()
        const ex = await send(req, target, agent)
        latencies.push(performance.now() - t0)
        const verdict = checkExchange(req, ex)
        outcomes[verdict.outcome] = (outcomes[verdict.outcome] ?? 0) + 1
        if (verdict.outcome === 'violation' && violations.length < 20) violations.push(`${verdict.reason ?? ''} ← ${describe(req)}`)
      }
    }))
    if (!args.json && (done / BATCH) % 10 === 9) process.stderr.write(`${done + n} requests, ${Math.round((performance.now() - started) / 1000)} s\n`)
  }
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  const health = await Promise.all(target.ports.map(async (p) => await healthz(p).catch((err: Error) => ({ status: 0, body: err.message }))))
  await new Promise((resolve) => setTimeout(resolve, 200))
  gc()
  const after = process.memoryUsage()
  await target.close()
  latencies.sort((a, b) => a - b)
  const q = (p: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 100) / 100
  const heapGrowth = mib(after.heapUsed - before.heapUsed)
  const report = {
    bench: 'fuzz-http',
    count,
    seed,
    concurrency,
    seconds: Math.round(seconds * 10) / 10,
    requestsPerSecond: Math.round(count / seconds),
    latencyMs: { p50: q(0.5), p99: q(0.99), max: q(1) },
    outcomes,
    violations,
    unhandledRejections: rejections.length,
    healthzAfter: health.map((h) => h.status),
    leaveCalls: target.leaveCalls(),
    memoryMiB: {
      heapBefore: mib(before.heapUsed),
      heapAfter: mib(after.heapUsed),
      heapGrowth,
      rssBefore: mib(before.rss),
      rssAfter: mib(after.rss)
    }
  }
  const ok = violations.length === 0 && rejections.length === 0 && health.every((h) => h.status === 200) && heapGrowth <= Number(args['max-heap-growth-mib'])
  if (args.json) {
    console.log(JSON.stringify({ ...report, ok }, null, 2))
  } else {
    console.log(`HTTP API fuzz: ${count} requests (seed ${seed}, ${concurrency} in flight) in ${report.seconds} s, ${report.requestsPerSecond} req/s; latency p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms`)
    console.log('')
    console.log('| outcome | count |')
    console.log('|---|---|')
    for (const [k, v] of Object.entries(outcomes).sort((a, b) => b[1] - a[1])) console.log(`| ${k} | ${v} |`)
    console.log('')
    console.log(`heap after GC: ${report.memoryMiB.heapBefore} → ${report.memoryMiB.heapAfter} MiB (growth ${heapGrowth} MiB); RSS ${report.memoryMiB.rssBefore} → ${report.memoryMiB.rssAfter} MiB`)
    console.log(`unhandled rejections: ${rejections.length}; /healthz afterwards: ${report.healthzAfter.join(', ')}; leave calls: ${report.leaveCalls}`)
    for (const v of violations) console.log(`VIOLATION: ${v}`)
    console.log(ok ? 'OK' : 'FAILED')
  }
  process.exitCode = ok ? 0 : 1
}

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
