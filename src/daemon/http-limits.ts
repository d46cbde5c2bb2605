/**
 * Bounds on what clients can hold of swimd's HTTP API, so that idle or slow clients cannot
 * exhaust it: open connections, time to send a request, event-stream subscribers. Each limit
 * is a flag with a default (see config.ts); hitting one is answered, not silently dropped.
 *
 * - Connections over `maxConnections` get a 503 with `Connection: close` and are closed
 *   (over TLS, where a plain-text answer cannot be read, they are closed).
 * - Headers must arrive within `headersTimeoutMs` and the whole request within
 *   `requestTimeoutMs` (Node answers 408 and closes); the deadlines are checked every
 *   `checkIntervalMs`.
 * - Event streams over `maxStreams` are answered 503 with `Retry-After` by the route itself.
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'

export interface HttpLimits {
  /** @default 256 */
  maxConnections: number
  /** @default 64 */
  maxStreams: number
  /** @default 10000 */
  headersTimeoutMs: number
  /** @default 30000 */
  requestTimeoutMs: number
}

export const DEFAULT_LIMITS: HttpLimits = {
  maxConnections: 256,
  maxStreams: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000
}

export function resolveLimits (limits: Partial<HttpLimits> = {}): HttpLimits {
  return { ...DEFAULT_LIMITS, ...limits }
}

/**
 * How often Node checks the request deadlines: they hold to within 2 s. Node's check is a
 * timer that wakes the daemon whether or not a client is connected, so not every second.
 */
export function checkIntervalMs (limits: HttpLimits): number {
  return Math.max(50, Math.min(2000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)))
}

const BUSY_BODY = `${JSON.stringify({ error: 'Too many connections to the swimd API: try again shortly' })}\n`
const BUSY = `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(BUSY_BODY)}\r\nretry-after: 1\r\nconnection: close\r\n\r\n${BUSY_BODY}`

/** Applies the timeouts and the connection limit to `server`; `tls` says whether it speaks TLS. */
export function applyLimits (server: Server, limits: HttpLimits, tls: boolean): { connections: () => number } {
  // Node requires headersTimeout <= requestTimeout
  server.requestTimeout = limits.requestTimeoutMs
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs)
  const open = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      if (tls) socket.destroy()
      else socket.end(BUSY)
      // a client that never reads its answer does not keep the socket
      setTimeout(() => { socket.destroy() }, 1000).unref()
      return
    }
    open.add(socket)
    socket.once('close', () => { open.delete(socket) })
  })
  return { connections: () => open.size }
}
