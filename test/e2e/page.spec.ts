/**
 * End to end in a real browser: swimd's live membership page (`GET /`), opened in headless
 * Chromium on one of three real daemons on loopback (profile `local`).
 *
 * - it lists the three members alive, with their addresses and metadata;
 * - a metadata change (`PUT /v1/meta` on another daemon) appears without a reload, and an XSS
 *   payload in metadata shows as its characters: no dialog, no injected element, no script run;
 * - a SIGKILLed daemon turns suspect and then dead, within the detection bounds;
 * - stopping the watched daemon shows the disconnected banner; restarting it on the same data
 *   dir and API port brings the page back live by itself, with the new run's events.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { launchBrowser, screenshot } from '../helpers/browser.ts'
import { freePort } from '../helpers/ports.ts'
import { apiWrite, killAll, startDaemon, tempDir, waitFor } from './processes.ts'
import type { Browser, OpenedPage } from '../helpers/browser.ts'
import type { Daemon } from './processes.ts'

/**
 * Detection bounds with profile `local` (probe interval 1 s) and two survivors: each probes
 * the victim within two rounds (randomized round robin over two others), a failed probe takes
 * its timeout plus one indirect check; then the suspicion runs at most 6 × its 3 s minimum
 * (less once confirmed, 2 s when the victim's host refuses connections) plus its 1 s grace.
 * Margins on top for a shared machine.
 */
const SUSPECT_WITHIN_MS = 15_000
const DEAD_WITHIN_MS = 15_000 + 6 * 3_000 + 1_000 + 10_000

async function putMeta (daemon: Daemon, meta: Record<string, string>): Promise<void> {
  const res = await apiWrite(daemon, 'PUT', '/v1/meta', meta)
  assert.is(res.status, 200, await res.text())
}

/** The state words shown in the page's rows, by member id. */
async function statesShown (opened: OpenedPage): Promise<Map<string, string>> {
  const rows = await opened.page.locator('#member-rows .row').evaluateAll((trs) => trs.map((tr) => [
    tr.getAttribute('data-id') ?? '',
    tr.querySelector('.badge')?.textContent ?? ''
  ]))
  return new Map(rows as Array<[string, string]>)
}

/** Starts recording, in the page, every state change of every row (time, id, state). */
async function recordTransitions (opened: OpenedPage): Promise<void> {
  await opened.page.evaluate(`(() => {
    window.__transitions = []
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes' && r.attributeName === 'data-state') window.__transitions.push([Date.now(), r.target.dataset.id, r.target.dataset.state])
      }
    }).observe(document.getElementById('member-rows'), { subtree: true, attributes: true, attributeFilter: ['data-state'] })
  })()`)
}

async function transitions (opened: OpenedPage): Promise<Array<[number, string, string]>> {
  return await opened.page.evaluate('window.__transitions') as Array<[number, string, string]>
}

// ---------------------------------------------------------------------------------------------
const test = suite('the live membership page in a real browser, three swimd daemons')

let browser: Browser
let opened: OpenedPage
let a: Daemon
let b: Daemon
let c: Daemon
let aApiPort = 0
let aSwimPort = 0

test.before(async () => {
  aApiPort = await freePort()
  aSwimPort = await freePort()
  const dirs = await Promise.all(['a', 'b', 'c'].map(async (n) => await tempDir(`swimd-e2e-page-${n}-`)))
  a = await startDaemon(dirs[0], ['--listen', `/ip4/127.0.0.1/tcp/${aSwimPort}`, '--api', `127.0.0.1:${aApiPort}`, '--meta', 'role=api'])
  ;[b, c] = await Promise.all([
    startDaemon(dirs[1], ['--seed', a.addrs[0], '--meta', 'role=db']),
    startDaemon(dirs[2], ['--seed', a.addrs[0], '--meta', 'role=cache'])
  ])
  browser = await launchBrowser()
})

test.after(async () => {
  await browser?.close()
  await killAll()
})

test('the page lists the three members alive, with addresses and metadata, and runs under its CSP without errors', async () => {
  opened = await browser.open(`${a.api}/`)
  await waitFor('three alive rows', async () => {
    const shown = await statesShown(opened)
    return [a.id, b.id, c.id].every((id) => shown.get(id) === 'alive') && shown.size === 3
  }, 20_000, 200)
  const rowOf = (d: Daemon): ReturnType<typeof opened.page.locator> => opened.page.locator(`#member-rows .row[data-id="${d.id}"]`)
  assert.match(await rowOf(b).locator('.addrs').innerText(), b.addrs[0].replace(/\/p2p\/.*$/, ''))
  assert.match(await rowOf(c).locator('.meta').innerText(), 'role=cache')
  // the mark comes from /v1/self, asked beside the stream: it may land after the rows
  await waitFor('the page to mark the node it is served by', async () => /\bself\b/.test(await rowOf(a).getAttribute('class') ?? ''), 10_000, 100)
  assert.not.match(await rowOf(b).getAttribute('class') ?? '', /\bself\b/, 'only that node')
  // the full id is on hover (title) and in the copy data; the cell shows a short one
  assert.is(await rowOf(b).locator('code.id').getAttribute('title'), b.id)
  assert.ok((await rowOf(b).locator('code.id').innerText()).length < b.id.length)
  assert.is(await opened.page.locator('#counts [data-count="alive"]').innerText(), '3')
  assert.is(await opened.page.locator('#connection').innerText(), 'live')
  assert.ok(await opened.page.locator('#banner-disconnected').isHidden())
  // the daemon's quorum and ring endpoints: the panel shows the state, every row a share
  await opened.page.locator('#quorum').waitFor({ state: 'visible', timeout: 10_000 })
  assert.ok(['forming', 'quorum'].includes(await opened.page.locator('#quorum-state').innerText()))
  await waitFor('each member\'s share of the keys', async () => {
    const shares = await opened.page.locator('#member-rows .row .share').allInnerTexts()
    return shares.length === 3 && shares.every((text) => /^\d+\.\d %$/.test(text.trim()))
  }, 10_000, 200)
  // the feed holds the joins the daemon retained from before the page was opened
  await waitFor('the joins in the feed', async () => (await opened.page.locator('#feed li[data-type="join"]').count()) >= 2, 10_000, 200)
  assert.equal(opened.errors, [])
  assert.equal(opened.violations, [])
})

test('a metadata change appears without a reload; an XSS payload in it shows as text and runs nothing', async () => {
  await recordTransitions(opened) // also proves the page was not reloaded: the recorder lives in this document
  const payload = '<img src=x onerror="window.__xss=1;alert(1)">'
  await putMeta(b, { role: 'db', note: payload, '<b id=injected>k</b>': '<script>window.__xss=2</script>' })
  const meta = opened.page.locator(`#member-rows .row[data-id="${b.id}"] .meta`)
  await waitFor('the new metadata on the page', async () => (await meta.innerText()).includes(payload), 20_000, 200)
  assert.match(await meta.innerText(), '<script>window.__xss=2</script>')
  assert.match(await meta.innerText(), '<b id=injected>k</b>')
  await waitFor('the update in the feed', async () => (await opened.page.locator('#feed li[data-type="update"]').innerText()).includes(payload), 10_000, 200)
  assert.is(await opened.page.locator('#member-rows img, #feed img, #member-rows script, #feed script, #injected').count(), 0, 'an element was injected')
  assert.is(await opened.page.evaluate('window.__xss'), undefined, 'the payload ran')
  assert.equal(opened.dialogs, [], 'a dialog opened')
  assert.equal(opened.errors, [])
  assert.is(await opened.page.evaluate('Array.isArray(window.__transitions)'), true, 'the page was reloaded')
  const path = await screenshot(opened.page, 'page-three-members')
  console.log(`  [page] screenshot ${path}`)
})

test('SIGKILL one daemon: the page shows it suspect, then dead, within the detection bounds', async () => {
  // ordinary metadata again, for the screenshot
  await putMeta(b, { role: 'db', zone: 'eu-west-1' })
  await waitFor('the plain metadata on the page', async () => (await opened.page.locator(`#member-rows .row[data-id="${b.id}"] .meta`).innerText()).includes('eu-west-1'), 20_000, 200)
  const killedAt = Date.now()
  c.proc.child.kill('SIGKILL')
  await c.proc.exited
  const row = opened.page.locator(`#member-rows .row[data-id="${c.id}"]`)
  await waitFor('the killed member dead on the page', async () => await row.getAttribute('data-state') === 'dead', DEAD_WITHIN_MS, 200)
  const states = (await transitions(opened)).filter(([, id]) => id === c.id)
  const suspect = states.find(([, , state]) => state === 'suspect')
  const dead = states.find(([, , state]) => state === 'dead')
  assert.ok(suspect != null, `no suspect state shown before dead: ${JSON.stringify(states)}`)
  assert.ok(dead != null && dead[0] >= suspect[0])
  assert.ok(suspect[0] - killedAt <= SUSPECT_WITHIN_MS, `suspect shown ${suspect[0] - killedAt} ms after the kill`)
  assert.ok(dead[0] - killedAt <= DEAD_WITHIN_MS, `dead shown ${dead[0] - killedAt} ms after the kill`)
  // colour and word: the badge reads "dead" and the counts follow
  assert.is(await row.locator('.badge').innerText(), 'dead')
  assert.is(await opened.page.locator('#counts [data-count="dead"]').innerText(), '1')
  await waitFor('suspect and fail in the feed', async () => {
    const feed = await opened.page.locator('#feed').innerText()
    return feed.includes('suspect') && feed.includes('fail')
  }, 5_000, 200)
  console.log(`  [page] screenshot ${await screenshot(opened.page, 'page-member-failed', 'content')}`)
  console.log(`  [page] suspect shown after ${suspect[0] - killedAt} ms, dead after ${dead[0] - killedAt} ms`)
})

test('stopping the daemon shows the disconnected banner; restarting it (same data dir and port) resumes the feed', async () => {
  const banner = opened.page.locator('#banner-disconnected')
  a.proc.child.kill('SIGTERM')
  await a.proc.exited
  await waitFor('the disconnected banner', async () => await banner.isVisible(), 20_000, 200)
  assert.match(await banner.innerText(), /Lost the connection to swimd/)
  assert.is(await opened.page.locator('#connection').innerText(), 'disconnected')
  await screenshot(opened.page, 'page-disconnected')

  a = await startDaemon(a.dataDir, ['--listen', `/ip4/127.0.0.1/tcp/${aSwimPort}`, '--api', `127.0.0.1:${aApiPort}`, '--meta', 'role=api', '--seed', b.addrs[0]])
  // the page retries with backoff (at most 10 s apart)
  await waitFor('the page live again', async () => await banner.isHidden(), 30_000, 200)
  assert.is(await opened.page.locator('#connection').innerText(), 'live')
  // the restarted daemon numbers its events anew: the page took its snapshot (a reset)
  await waitFor('the reload note in the feed', async () => (await opened.page.locator('#feed li.note').allInnerTexts()).some((t) => t.includes('view reloaded')), 10_000, 200)
  // and new events keep coming without a reload
  await waitFor('B alive as seen by the restarted A', async () => (await statesShown(opened)).get(b.id) === 'alive', 20_000, 200)
  await putMeta(b, { role: 'db', after: 'restart' })
  await waitFor('the metadata set after the restart', async () => (await opened.page.locator(`#member-rows .row[data-id="${b.id}"] .meta`).innerText()).includes('restart'), 20_000, 200)
  assert.is(await opened.page.evaluate('Array.isArray(window.__transitions)'), true, 'the page was reloaded')
  assert.equal(opened.errors, [])
  assert.equal(opened.dialogs, [])
})

test.run()
