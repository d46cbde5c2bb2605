/**
 * The node as a process: `POST /v1/leave`, `POST /v1/join`, and what operators and
 * orchestrators poll, `GET /metrics`, `/healthz` and `/readyz[?quorum=1]`.
 */
import { quorumProblem } from './consumer-routes.ts'
import { HttpError, readJsonBody, sendJson } from './http-io.ts'
import type { Routes } from './http-route.ts'
import type { DaemonLogger } from './logger.ts'
import type { Swim } from '../libp2p/types.ts'
import type { Registry } from 'prom-client'

export interface NodeRouteOptions {
  swim: Pick<Swim, 'quorum'>
  registry: Registry
  /** Runs once `POST /v1/leave` has been answered. */
  onLeave: () => unknown
  /** Joins through `seeds` at run time. */
  join?: (seeds: string[]) => Promise<{ joined: number, errors: Array<{ seed: string, message: string }> }>
  isReady: () => boolean
  logger: Pick<DaemonLogger, 'error'>
  maxBodyBytes: number
}

export function nodeRoutes (options: NodeRouteOptions): Routes {
  const { swim, registry, logger, maxBodyBytes } = options
  return {
    '/v1/leave': {
      POST: (_req, res) => {
        res.once('close', () => {
          Promise.resolve().then(options.onLeave).catch((err: unknown) => { logger.error({ err }, 'leave failed') })
        })
        sendJson(res, 202, { status: 'leaving' })
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
    }
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
