/**
 * The small HTTP pieces of the API: JSON responses, `{ "error": … }` bodies, bounded JSON request
 * bodies and bearer-token checks.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A request that ends in a 4xx/5xx with `{ "error": message }`. */
export class HttpError extends Error {
  static override name = 'HttpError'
  readonly status: number
  readonly headers: Record<string, string>

  constructor (status: number, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.status = status
    this.headers = headers
  }
}

/** Largest request body the API reads. */
export const MAX_BODY_BYTES = 64 * 1024

export function sendJson (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers
  })
  res.end(text)
}

export function sendError (res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { error: error.message }, error.headers)
}

/**
 * Reads and parses a JSON body of at most `maxBytes`. A body announced or found to be larger
 * is a 413 and the connection is closed after the answer, so the rest is never read.
 */
export async function readJsonBody (req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = new HttpError(413, `Request body too large: the limit is ${maxBytes} bytes`, { connection: 'close' })
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) throw tooLarge
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') throw new HttpError(400, 'Request body is empty: send a JSON object')
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new HttpError(400, `Cannot parse request body as JSON: ${(err as Error).message}`)
  }
}

/**
 * Checks `Authorization: Bearer <token>`. The comparison is over SHA-256 digests with
 * `timingSafeEqual`, so its time reveals neither the token nor its length.
 */
export function checkBearer (req: IncomingMessage, token: string): void {
  const header = req.headers.authorization
  const challenge = { 'www-authenticate': 'Bearer realm="swimd"' }
  if (header == null || header === '') {
    throw new HttpError(401, 'Missing bearer token: send "Authorization: Bearer <token>" with the token from swimd\'s --api-token file (by default DATA_DIR/api-token)', challenge)
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  const given = createHash('sha256').update(match?.[1] ?? '').digest()
  const expected = createHash('sha256').update(token).digest()
  if (match == null || !timingSafeEqual(given, expected)) {
    throw new HttpError(401, 'Wrong bearer token: use the token from swimd\'s --api-token file (by default DATA_DIR/api-token)', challenge)
  }
}
