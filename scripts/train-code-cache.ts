/**
 * Makes the V8 code cache of one bundle (scripts/bundle.ts runs it at build time): runs the
 * bundle as bin/launch.ts does, then writes the code of every function compiled so far.
 *
 * - `swimd`: a daemon on loopback (port 0, a temporary data directory) seeded by a second
 *   one (a child process), until it holds the other alive and a few probe rounds have passed:
 *   parsing the configuration, the data directory, starting libp2p and the API, then joining
 *   (dial, noise, yamux, identify, push-pull) and probing are in the cache. If the join does
 *   not happen within 15 s the cache is the one made at its start-up line. It is not stopped
 *   gracefully: the process just exits.
 * - `membership-events`: `--help` (commander and the top level of every command's module).
 *
 *   node --import tsx scripts/train-code-cache.ts swimd|membership-events
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cachePath, compileBundle, encodeCache, headerFor } from '../bin/launch.ts'
import { parseStartupLine } from '../src/daemon/banner.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const name = process.argv[2]
if (name !== 'swimd' && name !== 'membership-events') {
  process.stderr.write('usage: train-code-cache.ts swimd|membership-events\n')
  process.exit(2)
}
const bundle = join(ROOT, 'dist', 'bin', `${name}.cjs`)
const source = readFileSync(bundle)
const { script, run } = compileBundle(bundle, source)

function encode (): Buffer {
  const data = script.createCachedData()
  return encodeCache(headerFor(source, data), data)
}

function save (cache: Buffer): void {
  const file = cachePath(bundle)
  writeFileSync(`${file}.tmp`, cache)
  renameSync(`${file}.tmp`, file)
}

setTimeout(() => {
  process.stderr.write(`${name} did not reach the point to cache within 45 s\n`)
  process.exit(1)
}, 45_000).unref()

const dirs: string[] = []
let peer: ChildProcess | undefined
process.on('exit', () => {
  peer?.kill('SIGKILL')
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'swimd-code-cache-'))
  dirs.push(dir)
  return dir
}
const daemonArgs = (dataDir: string): string[] => ['--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'error']

/** The seed: the built daemon in a process of its own; its address, or undefined if it does not start. */
async function startPeer (): Promise<string | undefined> {
  const child = spawn(process.execPath, [join(dirname(bundle), 'swimd.js'), ...daemonArgs(tempDir())], { stdio: ['ignore', 'pipe', 'inherit'] })
  peer = child
  return await new Promise((resolve) => {
    let text = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk
      const line = parseStartupLine(text)
      if (line != null) resolve(line.addrs[0])
    })
    child.once('exit', () => { resolve(undefined) })
    setTimeout(() => { resolve(undefined) }, 15_000).unref()
  })
}

/** After the start-up line: until the daemon holds both members alive, then 3 s of probing; the cache then, else `atLine`. */
async function afterJoin (api: string, atLine: Buffer): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    try {
      const body = await (await fetch(`${api}/v1/members?state=alive`)).json() as { members: unknown[] }
      if (body.members.length >= 2) {
        await new Promise((resolve) => setTimeout(resolve, 3000))
        save(encode())
        process.exit(0)
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  process.stderr.write('swimd did not join its seed within 15 s: caching its start-up only\n')
  save(atLine)
  process.exit(0)
}

let out = ''
let started = false
process.stdout.write = ((chunk: string | Uint8Array): boolean => {
  out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
  const line = name === 'swimd' && !started ? parseStartupLine(out) : undefined
  if (line != null) {
    started = true
    void afterJoin(line.api, encode())
  }
  return true
}) as typeof process.stdout.write

if (name === 'swimd') {
  const seed = await startPeer()
  if (seed == null) process.stderr.write('the seed daemon did not start: caching the start-up only\n')
  process.argv = [process.argv[0], join(dirname(bundle), 'swimd.js'), ...daemonArgs(tempDir()), ...(seed != null ? ['--seed', seed] : [])]
  await run()
  process.stderr.write(`swimd stopped (exit code ${process.exitCode}) before it could be cached; its output: ${out}\n`)
  process.exit(1)
} else {
  process.argv = [process.argv[0], join(dirname(bundle), `${name}.js`), '--help']
  await run()
  save(encode())
  process.exit(0)
}
