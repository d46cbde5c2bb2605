/**
 * Starts a bundled program (`dist/bin/swimd.cjs`, `dist/bin/membership-events.cjs`) from its
 * entry (`dist/bin/swimd.js`, …) with the V8 code cache the build made for it.
 *
 * Parsing and compiling the 1.2 MB daemon bundle was most of a daemon's start-up CPU, paid
 * again by every process. Node 20 caches compiled code only for its own built-in modules, so
 * the build runs each bundle once (`scripts/train-code-cache.ts`: the daemon until it has
 * joined a seed and probed it), asks V8 for the code of every function compiled by then
 * (`createCachedData()` after execution, so the lazily compiled functions of start-up and join
 * are in it too) and writes it beside the bundle. Here the bundle is compiled with that cache, which V8 deserializes instead
 * of compiling.
 *
 * A cache is only a hint: one that is missing, unreadable, damaged or written for another
 * bundle (the SHA-256s in its header), by another Node or V8, or that V8 rejects (other V8
 * flags, e.g. `--max-old-space-size`, change its flag hash) falls back to a plain compile,
 * silently. `NODE_DEBUG=code-cache` says which way a start went, on stderr.
 *
 * With no usable cache, or with source maps on (`--enable-source-maps`: Node maps stack traces
 * only of code its own module loader compiled), the bundle is loaded by Node's CommonJS loader
 * instead; on Node >= 22.1 with `module.enableCompileCache()` first, Node's own on-disk cache
 * (keyed by content, flags and version, in the OS temp directory) then serves later starts.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { debuglog } from 'node:util'
import { Script } from 'node:vm'

const debug = debuglog('code-cache')

/** Version of the cache file's layout: a JSON header line, then V8's bytes. */
const FORMAT = 1

/** What a cache file says it was made for; all of it must match this process and bundle. */
export interface CacheHeader {
  format: number
  node: string
  v8: string
  arch: string
  /** SHA-256 of the bundle's bytes. V8 itself checks only the source's length. */
  bundle: string
  /**
   * SHA-256 of V8's bytes after the header. V8 checks their checksum only in debug builds: a
   * cache damaged on disk but with a valid V8 header crashes a release Node in deserializing.
   */
  data: string
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** The bundle beside an entry: `…/swimd.js` → `…/swimd.cjs`. */
export function bundlePath (entry: string): string {
  return entry.replace(/\.js$/, '.cjs')
}

/** The code cache beside a bundle: `…/swimd.cjs` → `…/swimd.code-cache`. */
export function cachePath (bundle: string): string {
  return bundle.replace(/\.cjs$/, '.code-cache')
}

export function headerFor (source: Buffer, data: Buffer): CacheHeader {
  return { format: FORMAT, node: process.version, v8: process.versions.v8, arch: process.arch, bundle: sha256(source), data: sha256(data) }
}

/** A cache file: its header line, then `data`. */
export function encodeCache (header: CacheHeader, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), data])
}

/** V8's bytes from a cache file made for `source` by this Node, else why not. */
export function decodeCache (file: Buffer, source: Buffer): Buffer | string {
  const nl = file.indexOf(10)
  if (nl < 0 || nl > 1024) return 'no header'
  let header: Partial<CacheHeader>
  try {
    header = JSON.parse(file.subarray(0, nl).toString('utf8'))
  } catch {
    return 'unreadable header'
  }
  const data = file.subarray(nl + 1)
  const want = headerFor(source, data)
  for (const key of ['format', 'node', 'v8', 'arch', 'bundle'] as const) {
    if (header[key] !== want[key]) return `made for another ${key}`
  }
  if (header.data !== want.data) return 'corrupt'
  return data
}

/**
 * The bundle as a script of its own: Node's CommonJS wrapper around its text, so the same file
 * also loads with `require` (it sets `module.exports` to the program's promise).
 */
export function compileBundle (bundle: string, source: Buffer, cachedData?: Buffer): { script: Script, run: () => Promise<unknown> } {
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source.toString('utf8')}\n})`
  const script = new Script(wrapped, { filename: bundle, ...(cachedData != null ? { cachedData } : {}) })
  return {
    script,
    run: async () => {
      const mod = { exports: {} as unknown }
      const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void
      fn(mod.exports, nodeModule.createRequire(bundle), mod, bundle, dirname(bundle))
      return await mod.exports
    }
  }
}

function readOrWhy (file: string): Buffer | string {
  try {
    return readFileSync(file)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err)
  }
}

/** Node's own loader for the bundle: source maps apply, and Node's compile cache where it has one. */
async function viaNodeLoader (bundle: string): Promise<unknown> {
  const { enableCompileCache, flushCompileCache } = nodeModule as { enableCompileCache?: () => unknown, flushCompileCache?: () => void }
  if (typeof enableCompileCache === 'function') debug('Node compile cache: %o', enableCompileCache())
  const program = nodeModule.createRequire(bundle)(bundle) as Promise<unknown>
  // Node writes its cache at exit, which a daemon stopped with SIGKILL never reaches; the
  // bundle is compiled by now, and a CommonJS module's cache is made when it is compiled
  flushCompileCache?.()
  return await program
}

/** Runs the bundle beside `entryUrl` (the entry's `import.meta.url`); resolves when the program's top level has. */
export async function launch (entryUrl: string): Promise<unknown> {
  const bundle = bundlePath(fileURLToPath(entryUrl))
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true) {
    debug('source maps are on: loading %s with Node\'s loader, without the code cache', bundle)
    return await viaNodeLoader(bundle)
  }
  const run = compileWithCache(bundle)
  return await (run != null ? run() : viaNodeLoader(bundle))
}

/**
 * The bundle compiled with its code cache, or undefined when the cache cannot be used. Apart
 * from `launch`, whose frame lives as long as the program: the bundle's bytes and the cache's
 * (3.6 MB) are garbage once compiled, not held for the daemon's life.
 */
function compileWithCache (bundle: string): (() => Promise<unknown>) | undefined {
  const source = readFileSync(bundle)
  const file = readOrWhy(cachePath(bundle))
  const data = typeof file === 'string' ? file : decodeCache(file, source)
  if (typeof data === 'string') {
    debug('no usable code cache for %s (%s): loading it with Node\'s loader', bundle, data)
    return undefined
  }
  const { script, run } = compileBundle(bundle, source, data)
  debug('code cache for %s %s', bundle, script.cachedDataRejected === true ? 'rejected by V8: compiled without it' : 'accepted')
  return run
}
