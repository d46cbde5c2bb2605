/**
 * The live membership page: `GET /` and the few static files it loads, served from
 * `src/daemon/page/` (shipped in the package as they are; no build step, no CDN).
 *
 * Every answer carries a strict Content-Security-Policy: scripts, styles and connections from
 * this origin only, no inline script or style, no framing, no plugins, no forms posting
 * anywhere. The page holds no data: it reads everything from the API (`/v1/events`,
 * `/v1/self`, `/v1/quorum`) with the same credentials as any other client.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { IncomingMessage, ServerResponse } from 'node:http'

export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

/** Headers of every page answer, besides its content type. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // small files; always revalidated so an upgraded daemon serves its own page
  'cache-control': 'no-cache'
}

/** URL path → file under the page directory. A fixed table: no path from a request reaches the file system. */
const FILES: Readonly<Record<string, { file: string, type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/page/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/page/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/page/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' }
}

/**
 * The page's paths. They hold no data, so they stay readable without the API token: the page
 * has to load before it can ask for the token.
 */
export const PAGE_PATHS: ReadonlySet<string> = new Set(Object.keys(FILES))

/**
 * The page directory. From the sources (tsx) it sits beside this module; from the build
 * (`dist/src/daemon/page.js`, or the bundled daemon `dist/bin/swimd.js`) it is the shipped
 * `src/daemon/page/` of the package, which neither tsc nor the bundler copies.
 */
export function pageDir (): string {
  const here = fileURLToPath(new URL('.', import.meta.url))
  const candidates = [join(here, 'page'), join(here, '..', '..', '..', 'src', 'daemon', 'page'), join(here, '..', '..', 'src', 'daemon', 'page')]
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]
}

type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/** Routes for the API's route table: `GET` (and so `HEAD`) of each page file. */
export function pageRoutes (dir: string = pageDir()): Record<string, { GET: PageHandler }> {
  const cache = new Map<string, Buffer>()
  const routes: Record<string, { GET: PageHandler }> = {}
  for (const [path, { file, type }] of Object.entries(FILES)) {
    routes[path] = {
      GET: async (_req, res) => {
        let body = cache.get(file)
        if (body == null) {
          body = await readFile(join(dir, file))
          cache.set(file, body)
        }
        res.writeHead(200, { ...PAGE_HEADERS, 'content-type': type, 'content-length': body.length })
        res.end(body)
      }
    }
  }
  return routes
}
