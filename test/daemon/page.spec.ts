/**
 * The page's files as the API serves them: content types, the Content-Security-Policy and the
 * other headers, a fixed set of paths (nothing else of the file system), and files that keep
 * to the policy (no inline script or style) and never parse network data as HTML.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { MEMBER_STATES, MEMBERSHIP_EVENT_TYPES } from '../../src/core/types.ts'
import { PAGE_CSP, pageDir } from '../../src/daemon/page.ts'
import { ROOT } from '../e2e/processes.ts'
import { startApi } from './api-harness.ts'
import type { Harness } from './api-harness.ts'

const test = suite('the page served by the HTTP API')
let harness: Harness

test.before(async () => { harness = await startApi() })
test.after(async () => { await harness.close() })

test('the page knows exactly the member states and event types of the contract (it is a static file and cannot import them)', async () => {
  const script = await readFile(join(pageDir(), 'app.js'), 'utf8')
  const listed = (pattern: RegExp): unknown => {
    const list = pattern.exec(script)?.[1]
    assert.ok(list != null, `app.js matches ${String(pattern)}`)
    return JSON.parse(list.replaceAll("'", '"'))
  }
  assert.equal(listed(/^const STATES = (\[[^\]]*\])$/m), [...MEMBER_STATES])
  assert.equal(listed(/^const EVENT_TYPES = new Set\((\[[^\]]*\])\)$/m), [...MEMBERSHIP_EVENT_TYPES])
})

const FILES: Array<[string, string, string]> = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/page/app.js', 'app.js', 'text/javascript; charset=utf-8'],
  ['/page/app.css', 'app.css', 'text/css; charset=utf-8'],
  ['/page/favicon.svg', 'favicon.svg', 'image/svg+xml']
]

test('GET / and the page files answer 200 with their content type, the CSP and the safety headers', async () => {
  for (const [path, file, type] of FILES) {
    const res = await fetch(`${harness.base}${path}`)
    assert.is(res.status, 200, path)
    assert.is(res.headers.get('content-type'), type, path)
    assert.is(res.headers.get('content-security-policy'), PAGE_CSP, path)
    assert.is(res.headers.get('x-content-type-options'), 'nosniff', path)
    assert.is(res.headers.get('x-frame-options'), 'DENY', path)
    assert.is(res.headers.get('referrer-policy'), 'no-referrer', path)
    assert.equal(Buffer.from(await res.arrayBuffer()), await readFile(join(pageDir(), file)), path)
  }
})

test('the CSP allows this origin only, no inline code, no framing', () => {
  const directives = new Map(PAGE_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]))
  assert.is(directives.get('default-src'), "'self'")
  assert.is(directives.get('script-src'), "'self'")
  assert.is(directives.get('style-src'), "'self'")
  assert.is(directives.get('connect-src'), "'self'")
  assert.is(directives.get('frame-ancestors'), "'none'")
  assert.is(directives.get('object-src'), "'none'")
  assert.is(directives.get('base-uri'), "'none'")
  assert.not.match(PAGE_CSP, /unsafe-|data:|\*/)
})

test('HEAD / answers the headers without a body; other methods are refused', async () => {
  const head = await fetch(`${harness.base}/`, { method: 'HEAD' })
  assert.is(head.status, 200)
  assert.is(head.headers.get('content-security-policy'), PAGE_CSP)
  assert.is(await head.text(), '')
  const post = await fetch(`${harness.base}/`, { method: 'POST', body: '{}' })
  assert.is(post.status, 405)
  assert.is(post.headers.get('allow'), 'GET')
})

test('paths outside the fixed set answer 404, traversal attempts included', async () => {
  for (const path of ['/page/', '/page', '/index.html', '/page/../package.json', '/page/%2e%2e/page.ts', '/page/..%2fpage.ts',
    '/page/app.js/../../../package.json', '/page/APP.JS', '/page/app.js%00.css', '//etc/passwd', '/page/app.js.map']) {
    const res = await fetch(`${harness.base}${path}`)
    const body = await res.text()
    assert.is(res.status, 404, `${path}: ${res.status} ${body.slice(0, 80)}`)
    assert.not.match(body, /"name"|import |function /, `${path} leaked a file`)
  }
})

test('the HTML has no inline script, inline style or event handler attribute; the script never writes HTML', async () => {
  const html = await readFile(join(pageDir(), 'index.html'), 'utf8')
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\ssrc="\/page\//, tag)
  assert.not.match(html, /<script\b[^>]*>[^<]+<\/script>/)
  assert.not.match(html, /<style\b/)
  assert.not.match(html, /\sstyle=/)
  assert.not.match(html, /\son[a-z]+=/i)
  const script = await readFile(join(pageDir(), 'app.js'), 'utf8')
  assert.not.match(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/)
})

test('the built module finds the page files too (from dist, which tsc fills with .js only)', async () => {
  const built = resolve(ROOT, 'dist', 'src', 'daemon', 'page.js')
  assert.ok(existsSync(built), 'dist is missing: npm ci (or npm run build) builds it')
  const { pageDir: builtPageDir } = await import(pathToFileURL(built).href) as { pageDir: () => string }
  assert.ok(existsSync(join(builtPageDir(), 'index.html')), builtPageDir())
  assert.is(await readFile(join(builtPageDir(), 'app.js'), 'utf8'), await readFile(join(pageDir(), 'app.js'), 'utf8'))
})

test.run()
