/**
 * The built binaries' V8 code cache (`npm run build` makes it, bin/launch.ts uses it): the
 * build's own cache is accepted, and every way a cache can be wrong (missing, corrupt,
 * truncated, made for another bundle or Node, refused by V8 under other flags) falls back to a
 * plain compile with the same output and exit code, never a failure. Each case runs a copy of
 * `dist/bin` beside it (so the package's files are found as from `dist/bin`), broken as the
 * case says.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseStartupLine } from '../../src/daemon/banner.ts'
import { ROOT, killAll, tempDir, track, waitFor } from './processes.ts'

const BIN = join(ROOT, 'dist', 'bin')
const NAMES = ['swimd', 'membership-events'] as const
const copies: string[] = []
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

interface Ran { code: number | null, stdout: string, stderr: string }

async function runBuilt (file: string, args: string[], { nodeArgs = [], debug = false }: { nodeArgs?: string[], debug?: boolean } = {}): Promise<Ran> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' }
  delete env.NODE_OPTIONS
  if (debug) env.NODE_DEBUG = 'code-cache'
  else delete env.NODE_DEBUG
  const proc = track(spawn(process.execPath, [...nodeArgs, file, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }))
  const { code } = await proc.exited
  return { code, stdout: proc.stdout(), stderr: proc.stderr() }
}

/** A copy of one binary's entry, bundle, map and cache in a new directory under dist/. */
function copyOf (name: string): { dir: string, entry: string, bundle: string, cache: string } {
  const dir = mkdtempSync(join(ROOT, 'dist', 'code-cache-test-'))
  copies.push(dir)
  for (const file of [`${name}.js`, `${name}.cjs`, `${name}.cjs.map`, `${name}.code-cache`]) copyFileSync(join(BIN, file), join(dir, file))
  return { dir, entry: join(dir, `${name}.js`), bundle: join(dir, `${name}.cjs`), cache: join(dir, `${name}.code-cache`) }
}

/** The cache file's header line and V8's bytes after it. */
function split (file: Buffer): { header: Record<string, unknown>, data: Buffer } {
  const nl = file.indexOf(10)
  return { header: JSON.parse(file.subarray(0, nl).toString('utf8')), data: file.subarray(nl + 1) }
}

function join2 (header: Record<string, unknown>, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), data])
}

const test = suite('the built binaries\' code cache')

test.before(() => {
  for (const name of NAMES) {
    for (const file of [`${name}.js`, `${name}.cjs`, `${name}.code-cache`]) {
      if (!existsSync(join(BIN, file))) throw new Error(`${join(BIN, file)} is missing: run npm run build`)
    }
  }
})

test.after(async () => {
  await killAll()
  for (const dir of copies) rmSync(dir, { recursive: true, force: true })
})

test('the build\'s cache is accepted by the Node that built it, for both binaries', async () => {
  for (const name of NAMES) {
    const ran = await runBuilt(join(BIN, `${name}.js`), ['--help'], { debug: true })
    assert.is(ran.code, 0, ran.stderr)
    assert.match(ran.stderr, /code cache for \S+ accepted/, `${name}: ${ran.stderr}`)
  }
})

/** Each way to break the cache (or the bundle under it), and the path the launcher must take then. */
const BROKEN: Array<{ what: string, expect: RegExp, nodeArgs?: string[], breakIt: (c: ReturnType<typeof copyOf>) => void }> = [
  { what: 'a missing cache', expect: /no usable code cache .*ENOENT/, breakIt: (c) => { rmSync(c.cache) } },
  { what: 'an empty cache', expect: /no usable code cache .*no header/, breakIt: (c) => { writeFileSync(c.cache, '') } },
  { what: 'random bytes', expect: /no usable code cache/, breakIt: (c) => { writeFileSync(c.cache, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))) } },
  { what: 'a header that is not JSON', expect: /no usable code cache .*unreadable header/, breakIt: (c) => { writeFileSync(c.cache, Buffer.concat([Buffer.from('{"format":1,\n'), split(readFileSync(c.cache)).data])) } },
  {
    what: 'a cache made for another Node',
    expect: /no usable code cache .*another node/,
    breakIt: (c) => { const { header, data } = split(readFileSync(c.cache)); writeFileSync(c.cache, join2({ ...header, node: 'v0.0.1' }, data)) }
  },
  {
    what: 'a cache made for another bundle',
    expect: /no usable code cache .*another bundle/,
    breakIt: (c) => { const { header, data } = split(readFileSync(c.cache)); writeFileSync(c.cache, join2({ ...header, bundle: '0'.repeat(64) }, data)) }
  },
  {
    what: 'V8 bytes cut in half',
    expect: /no usable code cache .*corrupt/,
    breakIt: (c) => { const { header, data } = split(readFileSync(c.cache)); writeFileSync(c.cache, join2(header, data.subarray(0, data.length >> 1))) }
  },
  {
    // a release V8 does not check this itself: it crashes deserializing them
    what: 'V8 bytes overwritten in their middle',
    expect: /no usable code cache .*corrupt/,
    breakIt: (c) => { const { header, data } = split(readFileSync(c.cache)); const bad = Buffer.from(data); bad.fill(0xa5, 64, bad.length - 64); writeFileSync(c.cache, join2(header, bad)) }
  },
  {
    what: 'V8 bytes with their header zeroed',
    expect: /no usable code cache .*corrupt/,
    breakIt: (c) => { const { header, data } = split(readFileSync(c.cache)); const bad = Buffer.from(data); bad.fill(0, 0, 32); writeFileSync(c.cache, join2(header, bad)) }
  },
  {
    // the case V8's own checks are there for: its header's magic, version and flag hash
    what: 'V8 bytes with their header zeroed, the hash in the cache\'s header updated',
    expect: /rejected by V8/,
    breakIt: (c) => { const { header, data } = split(readFileSync(c.cache)); const bad = Buffer.from(data); bad.fill(0, 0, 32); writeFileSync(c.cache, join2({ ...header, data: sha256(bad) }, bad)) }
  },
  { what: 'other V8 flags than the build\'s (--max-semi-space-size)', expect: /rejected by V8/, nodeArgs: ['--max-semi-space-size=2'], breakIt: () => {} },
  { what: 'source maps on (--enable-source-maps)', expect: /source maps are on/, nodeArgs: ['--enable-source-maps'], breakIt: () => {} }
]

for (const name of NAMES) {
  for (const { what, expect, nodeArgs, breakIt } of BROKEN) {
    test(`${name} --help with ${what}: the same output and exit code as with the build's cache`, async () => {
      const reference = await runBuilt(join(BIN, `${name}.js`), ['--help'])
      assert.is(reference.code, 0, reference.stderr)
      const c = copyOf(name)
      breakIt(c)
      const ran = await runBuilt(c.entry, ['--help'], { nodeArgs })
      assert.equal(ran, reference)
      const told = await runBuilt(c.entry, ['--help'], { nodeArgs, debug: true })
      assert.match(told.stderr, expect)
    })
  }
}

test('a bundle edited to the same length is run as edited, not from the old cache (V8 alone checks only the length)', async () => {
  const c = copyOf('swimd')
  const text = readFileSync(c.bundle, 'utf8')
  const from = 'SWIM + Lifeguard membership daemon'
  assert.ok(text.includes(from), 'the help text is in the bundle')
  writeFileSync(c.bundle, text.replace(from, from.toUpperCase()))
  const ran = await runBuilt(c.entry, ['--help'], { debug: true })
  assert.is(ran.code, 0, ran.stderr)
  assert.ok(ran.stdout.includes(from.toUpperCase()), ran.stdout)
  assert.match(ran.stderr, /no usable code cache .*another bundle/)
})

test('a usage error exits 2 with the same message whether the cache is used or not', async () => {
  const reference = await runBuilt(join(BIN, 'swimd.js'), ['--no-such-flag'])
  assert.is(reference.code, 2)
  const c = copyOf('swimd')
  writeFileSync(c.cache, 'garbage\n')
  assert.equal(await runBuilt(c.entry, ['--no-such-flag']), reference)
})

const DAEMON_CASES: Array<{ what: string, expect: RegExp, nodeArgs: string[], breakIt: (c: ReturnType<typeof copyOf>) => void }> = [
  {
    what: 'whose cache is damaged',
    expect: /no usable code cache .*corrupt/,
    nodeArgs: [],
    breakIt: (c) => { const { header, data } = split(readFileSync(c.cache)); const bad = Buffer.from(data); bad.fill(0xa5, 64, bad.length - 64); writeFileSync(c.cache, join2(header, bad)) }
  },
  { what: 'whose cache V8 rejects (other flags)', expect: /rejected by V8/, nodeArgs: ['--max-semi-space-size=2'], breakIt: () => {} }
]

for (const { what, expect, nodeArgs, breakIt } of DAEMON_CASES) {
  test(`a daemon ${what} starts, serves its API and stops on SIGTERM with exit 0`, async () => {
    const c = copyOf('swimd')
    breakIt(c)
    const dataDir = await tempDir()
    const env: Record<string, string | undefined> = { ...process.env, NODE_DEBUG: 'code-cache' }
    delete env.NODE_OPTIONS
    const proc = track(spawn(process.execPath, [...nodeArgs, c.entry, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--data-dir', dataDir, '--profile', 'local', '--log-level', 'warn'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }))
    const line = await waitFor(`the start-up line of the daemon ${what}`, () => {
      if (!proc.running()) throw new Error(`swimd exited early: ${proc.stderr()}`)
      return parseStartupLine(proc.stdout())
    }, 30_000)
    assert.match(proc.stderr(), expect)
    const health = await fetch(`${line.api}/healthz`)
    assert.is(health.status, 200)
    proc.child.kill('SIGTERM')
    assert.equal(await proc.exited, { code: 0, signal: null }, proc.stderr())
  })
}

test.run()
