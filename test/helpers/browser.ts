/**
 * A real, headless Chromium for the page tests: the system's `chromium` (Debian package), driven
 * by `playwright-core`, which downloads no browser. Each launch gets a fresh profile directory,
 * removed when the browser closes. Screenshots go to `test-results/` (ignored by git).
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import type { BrowserContext, Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-results')

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

export interface Browser {
  context: BrowserContext
  /**
   * Opens `url` in a new tab; collects console errors, page errors and dialogs. `initScripts`
   * run in the page before its own scripts (source text: they are not type-checked as DOM code).
   */
  open: (url: string, initScripts?: string[]) => Promise<OpenedPage>
  close: () => Promise<void>
}

export interface OpenedPage {
  page: Page
  /** Uncaught errors and `console.error` lines of the page. */
  errors: string[]
  /** Messages of every dialog (alert, confirm, prompt) the page opened; each is dismissed. */
  dialogs: string[]
  /** Content-Security-Policy violations reported in the page. */
  violations: string[]
}

export async function launchBrowser (): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`)
  }
  const profile = await mkdtemp(join(tmpdir(), 'swim-chromium-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1400, height: 900 },
      timeout: 60_000
    })
  } catch (err) {
    await rm(profile, { recursive: true, force: true })
    throw err
  }
  return {
    context,
    open: async (url, initScripts = []) => {
      const page = await context.newPage()
      const opened: OpenedPage = { page, errors: [], dialogs: [], violations: [] }
      page.on('pageerror', (err) => { opened.errors.push(err.message) })
      page.on('console', (message) => {
        if (message.type() !== 'error') return
        const text = message.text()
        // a stopped daemon makes fetch fail; the page reports that itself in its banner
        if (/net::ERR_|Failed to load resource/.test(text)) return
        opened.errors.push(text)
      })
      page.on('dialog', (dialog) => {
        opened.dialogs.push(dialog.message())
        void dialog.dismiss().catch(() => {})
      })
      await page.exposeFunction('__reportViolation', (text: string) => { opened.violations.push(text) })
      // runs in the page (injected by the driver, so the page's CSP does not apply to it)
      await page.addInitScript({
        content: "document.addEventListener('securitypolicyviolation', (e) => { window.__reportViolation(e.violatedDirective + ' ' + e.blockedURI) })"
      })
      for (const content of initScripts) await page.addInitScript({ content })
      await page.goto(url)
      return opened
    },
    close: async () => {
      await context.close().catch(() => {})
      await rm(profile, { recursive: true, force: true })
    }
  }
}

/**
 * Saves a PNG screenshot of `page` under `test-results/` and returns its path: the whole page,
 * the viewport, or only the body's box (`content`: no empty space below a short page).
 */
export async function screenshot (page: Page, name: string, mode: 'full' | 'viewport' | 'content' = 'full'): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true })
  const path = join(RESULTS_DIR, `${name}.png`)
  if (mode === 'content') await page.locator('body').screenshot({ path })
  else await page.screenshot({ path, fullPage: mode === 'full' })
  return path
}
