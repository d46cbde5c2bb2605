/**
 * Makes the V8 code cache of one bundle (scripts/bundle.ts runs it at build time): runs the
 * bundle as bin/launch.ts does, then writes the code of every function compiled so far.
 *
 * - `swimd`: a daemon on loopback (port 0, a temporary data directory) up to its start-up
 *   line, so parsing the configuration, the data directory, creating and starting libp2p and
 *   the API are in the cache; it is not stopped gracefully, the process just exits.
 * - `membership-events`: `--help` (commander and the top level of every command's module).
 *
 *   node --import tsx scripts/train-code-cache.ts swimd|membership-events
 */
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

function save (): void {
  const file = cachePath(bundle)
  const data = script.createCachedData()
  writeFileSync(`${file}.tmp`, encodeCache(headerFor(source, data), data))
  renameSync(`${file}.tmp`, file)
}

setTimeout(() => {
  process.stderr.write(`${name} did not reach the point to cache within 30 s\n`)
  process.exit(1)
}, 30_000).unref()

let out = ''
process.stdout.write = ((chunk: string | Uint8Array): boolean => {
  out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
  if (name === 'swimd' && parseStartupLine(out) != null) {
    save()
    process.exit(0)
  }
  return true
}) as typeof process.stdout.write

if (name === 'swimd') {
  const dataDir = mkdtempSync(join(tmpdir(), 'swimd-code-cache-'))
  process.on('exit', () => { rmSync(dataDir, { recursive: true, force: true }) })
  process.argv = [process.argv[0], join(dirname(bundle), 'swimd.js'), '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'error']
  await run()
  process.stderr.write(`swimd stopped before its start-up line (exit code ${process.exitCode}); its output: ${out}\n`)
  process.exit(1)
} else {
  process.argv = [process.argv[0], join(dirname(bundle), `${name}.js`), '--help']
  await run()
  save()
  process.exit(0)
}
