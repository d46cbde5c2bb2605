/**
 * Talking to swimd's HTTP API: where it is, requests with bounded time, and errors turned into
 * one line a person can act on.
 */

import { escapeText } from './format.ts'
import { TOKEN_HINT } from './token.ts'

export const DEFAULT_API = 'http://127.0.0.1:7947'

/** A failure the CLI reports as one line on stderr, exiting with `exitCode`. */
export class CliError extends Error {
  static override name = 'CliError'
  readonly exitCode: number
  /** The HTTP status swimd answered with, when it answered. */
  readonly status?: number

  constructor (message: string, exitCode = 1, status?: number) {
    super(message)
    this.exitCode = exitCode
    if (status != null) this.status = status
  }
}

/**
 * Normalises an API base: adds `http://` when no scheme is given, drops a trailing slash.
 * Throws a usage error (exit 2) naming `source` for anything that is not an http(s) URL.
 */
export function parseApiBase (value: string, source: string): string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new CliError(`Invalid ${source} "${value}": not a URL (expected e.g. ${DEFAULT_API})`, 2)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`Invalid ${source} "${value}": expected an http:// or https:// URL (e.g. ${DEFAULT_API})`, 2)
  }
  if (url.search !== '' || url.hash !== '') {
    throw new CliError(`Invalid ${source} "${value}": expected a base URL without query or fragment (e.g. ${DEFAULT_API})`, 2)
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/** `Cannot reach swimd at <api>: connection refused`. */
export function unreachable (api: string, err: unknown): CliError {
  return new CliError(`Cannot reach swimd at ${api}: ${networkReason(err)}`)
}

/** A short reason for a failed `fetch`: "connection refused", "host not found", … */
export function networkReason (err: unknown): string {
  const error = err as { name?: string, message?: string, cause?: { code?: string, message?: string, errors?: Array<{ code?: string }> } }
  if (error?.name === 'TimeoutError') return 'timed out'
  const cause = error?.cause
  const code = cause?.code ?? cause?.errors?.[0]?.code
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused'
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host not found'
    case 'ETIMEDOUT': case 'UND_ERR_CONNECT_TIMEOUT': return 'timed out'
    case 'ECONNRESET': case 'UND_ERR_SOCKET': return 'connection reset'
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'host unreachable'
    default: return cause?.message ?? error?.message ?? String(err)
  }
}

/** What to do about a refusal the CLI can help with. */
function hint (status: number): string {
  return status === 401 ? ` (${TOKEN_HINT})` : ''
}

export interface RequestOptions {
  method?: string
  token?: string
  body?: unknown
  /** @default 10000 */
  timeoutMs?: number
}

/** Sends a request and returns the parsed JSON answer; any failure is a `CliError` (exit 1). */
export async function requestJson (api: string, path: string, options: RequestOptions = {}): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (options.token != null) headers.authorization = `Bearer ${options.token}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`${api}${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
    })
  } catch (err) {
    throw unreachable(api, err)
  }
  const text = await res.text().catch((err: unknown) => { throw unreachable(api, err) })
  if (!res.ok) throw new CliError(`swimd at ${api} answered ${res.status}: ${errorText(text, res.statusText)}${hint(res.status)}`, 1, res.status)
  try {
    return JSON.parse(text)
  } catch {
    throw new CliError(`swimd at ${api} answered ${res.status} with a body that is not JSON: ${escapeText(JSON.stringify(text.slice(0, 80)))}`)
  }
}

/** The `error` of a `{ "error": … }` body, else the status text; escaped for the terminal. */
export function errorText (body: string, fallback: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    if (typeof parsed.error === 'string') return escapeText(parsed.error)
  } catch {}
  return escapeText(fallback)
}
