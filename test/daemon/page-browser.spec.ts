/**
 * The membership page in headless Chromium against the HTTP API over a fake swim service:
 *
 * - 1,000 members, then a burst of 3,000 events: the page keeps its rows (patched in place,
 *   never rebuilt), ends showing exactly the daemon's states, and its main thread stays
 *   responsive (long tasks and timer lag measured in the page, with a generous bound: the
 *   figures are printed, the bound only catches a page that freezes);
 * - an API that requires its token for reads: the page asks for it, refuses to go on with a
 *   wrong one, sends it as a bearer header (never in a URL), and takes it from `#token=`.
 */
import { request, createServer } from 'node:http'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { startApi } from './api-harness.ts'
import { waitFor } from './wait.ts'
import type { Browser, OpenedPage } from '../helpers/browser.ts'
import type { Harness } from './api-harness.ts'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { MembershipEventType } from '../../src/core/types.ts'

const MEMBERS = 1000
const BURST = 3000
/** A page that re-renders its table per event spends seconds per burst in one task; a keyed page, tens of ms. */
const LONGEST_TASK_BOUND_MS = 2000

const ids = Array.from({ length: MEMBERS - 1 }, (_, i) => `12D3KooWFake${String(i).padStart(6, '0')}Member${(i * 7919 % 1000).toString(36)}`)

/** Records, in the page, long tasks and the worst lag of a 50 ms timer. */
const MEASURE = `
  window.__long = []
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration) }).observe({ type: 'longtask', buffered: true })
  window.__lag = 0
  let last = performance.now()
  setInterval(() => { const now = performance.now(); window.__lag = Math.max(window.__lag, now - last - 50); last = now }, 50)
`

async function lastSeqShown (opened: OpenedPage): Promise<number> {
  const text = await opened.page.locator('#last-seq').innerText()
  return Number(/seq (\d+)/.exec(text)?.[1] ?? NaN)
}

/**
 * An HTTP server in front of the API on `port`: `intercept` answers a request itself (and
 * returns true) or lets it through (false).
 */
async function startProxy (port: number, intercept: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<{ server: Server, base: string }> {
  const server = createServer((req, res) => {
    if (intercept(req, res)) return
    const upstream = request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => { res.destroy() })
    res.on('close', () => { upstream.destroy() })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve) })
  const address = server.address()
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address != null ? address.port : 0}` }
}

async function stopProxy (server: Server | undefined): Promise<void> {
  if (server == null) return
  server.closeAllConnections()
  await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
}

const scale = suite('the page at 1,000 members')
let browser: Browser
let harness: Harness

scale.before(async () => {
  harness = await startApi({ capacity: 8192 })
  for (const [i, id] of ids.entries()) {
    harness.swim.emit('join', id, { addrs: [`/ip4/10.0.${i >> 8}.${i & 255}/tcp/7946`], meta: { role: ['api', 'db', 'cache'][i % 3], zone: `z${i % 4}` } })
  }
  browser = await launchBrowser()
})

scale.after(async () => {
  await browser?.close()
  await harness?.close()
})

scale('renders 1,000 rows, then patches them through a burst of 3,000 events without freezing', async () => {
  const opened = await browser.open(`${harness.base}/`, [MEASURE])
  const { page } = opened
  await waitFor('1,000 rows', async () => await page.locator('#member-rows .row').count() === MEMBERS, 30_000)
  assert.is(await page.locator('#counts [data-count="alive"]').innerText(), String(MEMBERS))
  const initial = await page.evaluate('({ long: window.__long.slice(), lag: window.__lag })') as { long: number[], lag: number }

  // every row element is marked: a row rebuilt instead of patched loses its mark
  await page.evaluate("for (const tr of document.querySelectorAll('#member-rows .row')) tr.__kept = true; window.__long = []; window.__lag = 0")
  const types: MembershipEventType[] = ['suspect', 'alive', 'update']
  const started = Date.now()
  for (let i = 0; i < BURST; i++) {
    const id = ids[(i * 37) % ids.length]
    const type = types[i % types.length]
    harness.swim.emit(type, id, type === 'update' ? { meta: { role: 'api', seen: String(i) } } : {})
  }
  // a last suspicion on a few, so that the final states differ from where they began
  for (const id of ids.slice(0, 10)) harness.swim.emit('suspect', id)
  const latest = harness.eventLog.latestSeq
  await waitFor('the page to show the last event', async () => await lastSeqShown(opened) === latest, 60_000)
  const caughtUpMs = Date.now() - started
  const burst = await page.evaluate('({ long: window.__long.slice(), lag: window.__lag })') as { long: number[], lag: number }

  // render what changed: the same 1,000 row elements, their cells rewritten
  assert.is(await page.locator('#member-rows .row').count(), MEMBERS)
  assert.is(await page.evaluate("[...document.querySelectorAll('#member-rows .row')].filter((tr) => tr.__kept !== true).length"), 0, 'rows were rebuilt')
  const shown = new Map(await page.locator('#member-rows .row').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-id'), tr.getAttribute('data-state')])) as Array<[string, string]>)
  for (const member of harness.swim.members()) assert.is(shown.get(member.id), member.state, member.id)
  const suspects = harness.swim.members().filter((m) => m.state === 'suspect').length
  assert.is(await page.locator('#counts [data-count="suspect"]').innerText(), String(suspects))
  assert.is(await page.locator('#feed li').count(), 200, 'the feed keeps the latest 200')
  const updated = harness.swim.members().find((m) => m.meta.seen != null)
  assert.ok(updated != null)
  assert.match(await page.locator(`#member-rows .row[data-id="${updated.id}"] .meta`).textContent() ?? '', `seen=${updated.meta.seen}`)

  const longest = Math.max(0, ...burst.long)
  const total = burst.long.reduce((sum, d) => sum + d, 0)
  console.log(`  [page] 1,000 rows: initial long tasks ${Math.round(initial.long.reduce((s, d) => s + d, 0))} ms (longest ${Math.round(Math.max(0, ...initial.long))}); ` +
    `burst of ${BURST}: caught up in ${caughtUpMs} ms, ${burst.long.length} long tasks, ${Math.round(total)} ms in them, longest ${Math.round(longest)} ms, worst timer lag ${Math.round(burst.lag)} ms`)
  assert.ok(longest < LONGEST_TASK_BOUND_MS, `a main-thread task took ${Math.round(longest)} ms`)
  assert.ok(burst.lag < LONGEST_TASK_BOUND_MS, `a 50 ms timer ran ${Math.round(burst.lag)} ms late`)
  assert.equal(opened.errors, [])
  assert.equal(opened.violations, [])
  await screenshot(page, 'page-1000-members', 'viewport')
})

scale.run()

// ---------------------------------------------------------------------------------------------
const TOKEN = 's3cret-token'
const guarded = suite('the page when the API requires its token for reads')
let api: Harness
let proxy: Server
let proxyBase = ''
const seen: Array<{ url: string, authorization: string | undefined }> = []

guarded.before(async () => {
  api = await startApi()
  api.swim.emit('join', ids[0], { meta: { role: 'db' } })
  // reads of /v1/* need the bearer token, as swimd asks when its API is bound beyond loopback
  ;({ server: proxy, base: proxyBase } = await startProxy(api.port, (req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization })
    if (!(req.url ?? '').startsWith('/v1/') || req.headers.authorization === `Bearer ${TOKEN}`) return false
    res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer realm="swimd"' })
    res.end(JSON.stringify({ error: 'Missing bearer token' }))
    return true
  }))
  browser = await launchBrowser()
})

guarded.after(async () => {
  await browser?.close()
  await stopProxy(proxy)
  await api?.close()
})

guarded('asks for the token, refuses a wrong one, then follows the stream with it', async () => {
  const opened = await browser.open(`${proxyBase}/`)
  const { page } = opened
  await page.locator('#token-form').waitFor({ state: 'visible', timeout: 10_000 })
  assert.is(await page.locator('#member-rows .row').count(), 0)

  await page.locator('#token-input').fill('wrong')
  await page.locator('#token-form button[type="submit"]').click()
  await page.locator('#token-error').waitFor({ state: 'visible', timeout: 10_000 })
  assert.match(await page.locator('#token-error').innerText(), /refused/)
  assert.ok(await page.locator('#token-form').isVisible())

  await page.locator('#token-input').fill(TOKEN)
  await page.locator('#token-form button[type="submit"]').click()
  await waitFor('the members after the token', async () => await page.locator('#member-rows .row').count() === 2, 10_000)
  assert.ok(await page.locator('#token-form').isHidden())
  // live with the token: a new event arrives
  api.swim.emit('join', ids[1])
  await page.locator(`#member-rows .row[data-id="${ids[1]}"]`).waitFor({ timeout: 10_000 })

  const streams = seen.filter((r) => r.url.startsWith('/v1/events'))
  assert.ok(streams.some((r) => r.authorization === `Bearer ${TOKEN}`), 'the stream was read with the bearer token')
  assert.ok(seen.every((r) => !r.url.includes(TOKEN) && !r.url.includes('wrong')), 'a token went into a URL')
  assert.equal(opened.errors, [])
  await page.close()
})

guarded('takes the token from the #token= fragment and removes it from the address bar', async () => {
  const before = seen.length
  const opened = await browser.open(`${proxyBase}/#token=${encodeURIComponent(TOKEN)}`)
  const { page } = opened
  await waitFor('the members', async () => await page.locator('#member-rows .row').count() === 3, 10_000)
  assert.ok(await page.locator('#token-form').isHidden())
  assert.is(await page.evaluate('location.hash'), '')
  assert.ok(seen.slice(before).every((r) => !r.url.includes(TOKEN)), 'the fragment reached the server')
  assert.equal(opened.errors, [])
})

guarded.run()

// ---------------------------------------------------------------------------------------------
const offered = suite('the page when the daemon offers /v1/quorum and /v1/ring')
let quorum: Record<string, unknown> = { state: 'quorum', alive: 3, expected: 3, since: Date.now() - 60_000 }
let shares: Record<string, number> = {}
/** How many more `/v1/self` requests the proxy answers with 503. */
let selfFailures = 0

offered.before(async () => {
  api = await startApi()
  api.swim.emit('join', ids[0])
  api.swim.emit('join', ids[1])
  shares = { [api.swim.self.id]: 0.25, [ids[0]]: 0.4, [ids[1]]: 0.35 }
  ;({ server: proxy, base: proxyBase } = await startProxy(api.port, (req, res) => {
    if (req.url === '/v1/self' && selfFailures > 0) {
      selfFailures--
      res.writeHead(503).end()
      return true
    }
    const body = req.url === '/v1/quorum' ? quorum : req.url === '/v1/ring' ? { members: Object.entries(shares).map(([id, share]) => ({ id, share })) } : undefined
    if (body == null) return false
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify(body))
    return true
  }))
  browser = await launchBrowser()
})

offered.after(async () => {
  await browser?.close()
  await stopProxy(proxy)
  await api?.close()
})

offered('shows the quorum state, a minority banner while in the minority, and each member\'s share', async () => {
  const opened = await browser.open(`${proxyBase}/`)
  const { page } = opened
  await page.locator('#quorum').waitFor({ state: 'visible', timeout: 10_000 })
  assert.is(await page.locator('#quorum-state').innerText(), 'quorum')
  assert.match(await page.locator('#quorum-detail').innerText(), '3 alive of 3 expected')
  assert.ok(await page.locator('#banner-minority').isHidden())
  await waitFor('the shares', async () => (await page.locator(`#member-rows .row[data-id="${ids[0]}"] .share`).textContent()) === '40.0 %', 10_000)
  assert.ok(await page.locator('.row.head .share-col').isVisible())

  quorum = { state: 'minority', alive: 1, expected: 3, since: Date.now() }
  await page.locator('#banner-minority').waitFor({ state: 'visible', timeout: 10_000 })
  assert.match(await page.locator('#banner-minority').innerText(), /minority.*1 of 3/)
  assert.is(await page.locator('#quorum-state').innerText(), 'minority')
  await screenshot(page, 'page-minority')

  quorum = { state: 'quorum', alive: 3, expected: 3, since: Date.now() }
  await page.locator('#banner-minority').waitFor({ state: 'hidden', timeout: 10_000 })
  // an attacker-shaped answer renders nothing odd
  quorum = { state: '<img src=x onerror=alert(1)>', alive: '<b>', expected: 3 }
  await page.locator('#quorum').waitFor({ state: 'hidden', timeout: 10_000 })
  assert.is(await page.locator('img').count(), 0)
  assert.equal(opened.errors, [])
  assert.equal(opened.dialogs, [])
})

offered('a /v1/self that fails is asked again: the page still marks the node it is served by', async () => {
  selfFailures = 2
  const opened = await browser.open(`${proxyBase}/`)
  const { page } = opened
  const selfRow = page.locator(`#member-rows .row[data-id="${api.swim.self.id}"]`)
  await selfRow.waitFor({ timeout: 10_000 })
  await waitFor('the self mark after two failed answers', async () => /\bself\b/.test(await selfRow.getAttribute('class') ?? ''), 15_000)
  assert.is(selfFailures, 0, 'both failures were served')
  assert.not.match(await page.locator(`#member-rows .row[data-id="${ids[0]}"]`).getAttribute('class') ?? '', /\bself\b/)
})

offered('the state counts filter the rows; copying a short id copies the full id', async () => {
  api.swim.emit('suspect', ids[1])
  const opened = await browser.open(`${proxyBase}/`)
  const { page } = opened
  await page.locator(`#member-rows .row[data-id="${ids[1]}"][data-state="suspect"]`).waitFor({ timeout: 10_000 })
  await page.locator('#counts button[data-filter="suspect"]').click()
  assert.is(await page.locator('#member-rows .row:visible').count(), 1)
  assert.ok(await page.locator(`#member-rows .row[data-id="${ids[1]}"]`).isVisible())
  await page.locator('#counts button[data-filter=""]').click()
  assert.is(await page.locator('#member-rows .row:visible').count(), 3)

  const copied = await page.evaluate(`(() => {
    const code = document.querySelector('#member-rows .row[data-id="${ids[0]}"] code.id')
    getSelection().selectAllChildren(code)
    let data
    window.addEventListener('copy', (e) => { data = e.clipboardData.getData('text/plain') }, { once: true })
    document.execCommand('copy')
    return { shown: code.textContent, data }
  })()`) as { shown: string, data: string }
  assert.ok(copied.shown.length < ids[0].length, copied.shown)
  assert.is(copied.data, ids[0])
  assert.equal(opened.errors, [])
})

offered.run()
