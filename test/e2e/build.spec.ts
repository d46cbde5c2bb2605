/**
 * The built binaries (`npm run build`): `dist/bin/swimd.js` and `dist/bin/membership-events.js`,
 * the entries `npm start`, the package's `bin`, the container image and the systemd unit run,
 * each starting its bundle (`dist/bin/*.cjs`) with its code cache (test/e2e/code-cache.spec.ts). The other end-to-end suites run the sources through tsx, so this
 * one is what shows that the bundle starts, finds the page it serves from the package, joins,
 * talks to the CLI and stops gracefully.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseStartupLine } from '../../src/daemon/banner.ts'
import { ROOT, killAll, tempDir, track, waitFor } from './processes.ts'
import type { Proc } from './processes.ts'

const SWIMD = join(ROOT, 'dist', 'bin', 'swimd.js')
const CLI = join(ROOT, 'dist', 'bin', 'membership-events.js')

function built (file: string, args: string[]): Proc {
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`)
  return track(spawn(process.execPath, [file, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }))
}

async function startBuilt (seeds: string[] = []): Promise<{ proc: Proc, id: string, addrs: string[], api: string }> {
  const dataDir = await tempDir()
  const proc = built(SWIMD, ['--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--data-dir', dataDir, '--profile', 'local', '--log-level', 'warn', ...seeds.flatMap((seed) => ['--seed', seed])])
  const line = await waitFor('the start-up line of the built swimd', () => {
    if (!proc.running()) throw new Error(`swimd exited early: ${proc.stderr()}`)
    return parseStartupLine(proc.stdout())
  }, 30_000)
  return { proc, id: line.peerId, addrs: line.addrs, api: line.api }
}

const test = suite('the built daemon and CLI')

test.after(async () => { await killAll() })

test('each binary is its entry and its bundle: they load nothing but Node\'s built-in modules and each other', () => {
  const builtin = (path: string): boolean => path.startsWith('node:') || builtinModules.includes(path.split('/')[0])
  for (const file of [SWIMD, CLI]) {
    if (!existsSync(file)) assert.unreachable(`${file} is missing: run npm run build`)
    const entry = readFileSync(file, 'utf8')
    assert.ok(entry.startsWith('#!/usr/bin/env node\n'), `${file} starts with its shebang`)
    const imported = [...entry.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']/g)].map((m) => m[1] ?? m[2])
    assert.ok(imported.length > 0 && imported.every(builtin), `${file} imports only built-in modules: ${imported.join(', ')}`)
    const bundle = readFileSync(file.replace(/\.js$/, '.cjs'), 'utf8')
    assert.not.match(bundle, /(^|[^.\w$])import\s*\(/, `${file}'s bundle has no import() (a script compiled with a code cache cannot import)`)
    const required = [...bundle.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1])
    assert.ok(required.length > 0 && required.every(builtin), `${file}'s bundle requires only built-in modules: ${required.filter((r) => !builtin(r)).join(', ')}`)
  }
})

test('two built daemons form a cluster, serve the page and metrics, the CLI lists them, SIGTERM leaves with exit 0', async () => {
  const a = await startBuilt()
  const b = await startBuilt([`${a.addrs[0]}`])
  await waitFor('each built daemon to see the other alive', async () => {
    const views = await Promise.all([a, b].map(async (d) => ((await (await fetch(`${d.api}/v1/members?state=alive`)).json()) as { members: Array<{ id: string }> }).members.map((m) => m.id).sort()))
    return views.every((view) => view.length === 2) || undefined
  }, 30_000)

  const page = await fetch(`${a.api}/`)
  assert.is(page.status, 200)
  assert.match(await page.text(), /<html/i)
  const metrics = await fetch(`${a.api}/metrics`)
  assert.is(metrics.status, 200)
  assert.match(await metrics.text(), /^swim_members\{/m)

  const cli = built(CLI, ['members', '--api', a.api, '--json'])
  const { code } = await cli.exited
  assert.is(code, 0, cli.stderr())
  const listed = (JSON.parse(cli.stdout()) as { members: Array<{ id: string }> }).members.map((m) => m.id)
  assert.equal(listed.sort(), [a.id, b.id].sort())

  b.proc.child.kill('SIGTERM')
  assert.equal(await b.proc.exited, { code: 0, signal: null }, b.proc.stderr())
  await waitFor('the leave to reach the other daemon', async () => {
    const members = ((await (await fetch(`${a.api}/v1/members`)).json()) as { members: Array<{ id: string, state: string }> }).members
    return members.find((m) => m.id === b.id)?.state === 'left' || undefined
  }, 30_000)
})

test.run()
