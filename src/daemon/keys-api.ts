/**
 * Cluster-key rotation over the HTTP API, on the SWIM service's keyring
 * (`node.services.swim.keys`): one primary key that seals what this member sends, older keys
 * still accepted on what it receives.
 *
 * | endpoint | answer |
 * |---|---|
 * | `GET /v1/keys` | `{ "keys": [{ "id", "primary" }] }` (ids are 16 hex digits of SHA-256 of the key) |
 * | `POST /v1/keys` | body `{ "key": "<PSK v1 file text, or 64 hex digits>" }`; 201 `{ "id", "keys" }` (installing twice is harmless) |
 * | `PUT /v1/keys/primary` | body `{ "id" }`: that installed key becomes primary; 200 `{ "keys" }` |
 * | `DELETE /v1/keys/<id>` | removes a key that is not primary; 200 `{ "keys" }` |
 *
 * Errors: 400 malformed body, 404 unknown id, 409 removing the primary key, 501 when the service
 * has no keyring. Writes need the API token like every other write.
 *
 * The rotation, on a running cluster: `install` the new key on every member, then `use` it on
 * every member, then `remove` the old one everywhere. At every step each member accepts what
 * every other sends, so no member is ever suspected for it.
 */
import type { Handler } from './http-route.ts'
import { HttpError, readJsonBody, sendJson } from './http-io.ts'
import { decodeClusterKeyFile } from '../libp2p/cluster-key.ts'
import { KeyringError } from '../libp2p/keyring.ts'
import type { Keyring } from '../libp2p/keyring.ts'
import type { ServerResponse } from 'node:http'

/** The part of the library's `Keyring` the API uses. */
export type KeyringApi = Pick<Keyring, 'list' | 'install' | 'use' | 'remove'>

const KEY_ID = /^[0-9a-f]{16}$/

/** The 32 key bytes from a PSK v1 file's text or from 64 hex digits; a string saying why not otherwise. */
export function parseClusterKey (text: string): Uint8Array | string {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Uint8Array.from(Buffer.from(trimmed.toLowerCase(), 'hex'))
  try {
    return decodeClusterKeyFile(text)
  } catch (err) {
    return (err as Error).message
  }
}

/** A keyring refusal as the API's answer: 400 invalid, 404 unknown, 409 the primary key. */
function keyringCall<T> (call: () => T): T {
  try {
    return call()
  } catch (err) {
    if (!(err instanceof KeyringError)) throw err
    const status = err.code === 'unknown-key' ? 404 : err.code === 'primary-key' ? 409 : 400
    throw new HttpError(status, err.message)
  }
}

/**
 * The key routes for `createApi`: exact paths, and a resolver for `/v1/keys/<id>`.
 * `keys()` is asked on every request, so a keyring wired in later is seen.
 */
export function keyRoutes (keys: () => KeyringApi | undefined, maxBodyBytes: number): {
  routes: Record<string, Record<string, Handler>>
  resolve: (path: string) => { pattern: string, route: Record<string, Handler> } | undefined
} {
  const keyring = (): KeyringApi => {
    const ring = keys()
    if (ring == null) throw new HttpError(501, 'This swimd has no cluster keyring: key rotation needs a SWIM service with cluster keys')
    return ring
  }
  const answer = (res: ServerResponse, status: number, ring: KeyringApi, extra: Record<string, unknown> = {}): void => {
    sendJson(res, status, { ...extra, keys: ring.list() })
  }
  const known = (ring: KeyringApi, id: string): void => {
    if (!ring.list().some((key) => key.id === id)) throw new HttpError(404, `Unknown key id "${id}": see GET /v1/keys`)
  }
  const idRoute: Record<string, Handler> = {
    DELETE: (_req, res, url) => {
      const id = decodeURIComponent(url.pathname.slice('/v1/keys/'.length))
      if (!KEY_ID.test(id)) throw new HttpError(400, `Invalid key id ${JSON.stringify(id.slice(0, 40))}: expected 16 hex digits, as GET /v1/keys lists them`)
      const ring = keyring()
      known(ring, id)
      if (ring.list().some((key) => key.id === id && key.primary)) {
        throw new HttpError(409, `Key ${id} is the primary key: make another key primary first (PUT /v1/keys/primary)`)
      }
      keyringCall(() => { ring.remove(id) })
      answer(res, 200, ring)
    }
  }
  return {
    routes: {
      '/v1/keys': {
        GET: (_req, res) => { answer(res, 200, keyring()) },
        POST: async (req, res) => {
          const ring = keyring()
          const body = await readJsonBody(req, maxBodyBytes) as { key?: unknown } | null
          if (body == null || typeof body !== 'object' || typeof body.key !== 'string') {
            throw new HttpError(400, 'Invalid body: expected { "key": "<the key file\'s text>" }')
          }
          const key = parseClusterKey(body.key)
          if (typeof key === 'string') throw new HttpError(400, `Invalid key: ${key}`)
          const id = keyringCall(() => ring.install(key))
          answer(res, 201, ring, { id })
        }
      },
      '/v1/keys/primary': {
        PUT: async (req, res) => {
          const ring = keyring()
          const body = await readJsonBody(req, maxBodyBytes) as { id?: unknown } | null
          if (body == null || typeof body !== 'object' || typeof body.id !== 'string' || !KEY_ID.test(body.id)) {
            throw new HttpError(400, 'Invalid body: expected { "id": "<16 hex digits>" } naming an installed key')
          }
          known(ring, body.id)
          keyringCall(() => { ring.use(body.id as string) })
          answer(res, 200, ring)
        }
      }
    },
    resolve: (path) => path.startsWith('/v1/keys/') && path !== '/v1/keys/primary'
      ? { pattern: '/v1/keys/:id', route: idRoute }
      : undefined
  }
}
