/**
 * `PUT /v1/meta` (the complete new metadata) and `PATCH /v1/meta` (keys to set, nulls to
 * delete): the member's metadata, announced to the cluster and kept across restarts.
 */
import { HttpError, readJsonBody, sendJson } from './http-io.ts'
import { mergeMeta } from './meta-store.ts'
import type { Routes } from './http-route.ts'
import type { DaemonLogger } from './logger.ts'
import type { Swim } from '../libp2p/types.ts'

export interface MetaRouteOptions {
  swim: Pick<Swim, 'localMember' | 'setMetadata'>
  /** Keeps the metadata across restarts; runs after every change. */
  saveMeta?: (meta: Record<string, string>) => Promise<void>
  logger: Pick<DaemonLogger, 'warn'>
  maxBodyBytes: number
}

export function metaRoutes (options: MetaRouteOptions): Routes {
  const { swim, logger, maxBodyBytes } = options

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

  return {
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
    }
  }
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

/** A short description of a JSON value for an error message, whatever its depth. */
function describeJson (value: unknown): string {
  try {
    const text = JSON.stringify(value)
    return text.length > 80 ? `${text.slice(0, 77)}...` : text
  } catch {
    return 'a value nested too deeply to show' // JSON.stringify overflows the stack
  }
}
