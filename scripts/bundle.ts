/**
 * The build's last step (`npm run bundle`, after tsc): the two binaries as bundles, their
 * entries, and a V8 code cache for each.
 *
 * - `dist/bin/<name>.cjs` (+ `.map`): `bin/<name>.ts` and everything it imports, minified, as
 *   one CommonJS module whose body runs the program inside an async function (the sources use
 *   top-level await, which CommonJS has not) and exports its promise. A script, not an ES
 *   module, because only scripts can be compiled with a code cache on Node 20 (`vm.Script`).
 * - `dist/bin/<name>.js`: the entry `npm start`, the package's `bin`, the image and the unit run
 *   (shebang, ES module): `bin/launch.ts`, which runs the bundle with its cache.
 * - `dist/bin/<name>.code-cache`: made by running the bundle once (scripts/train-code-cache.ts).
 *   A build that cannot make one still succeeds, with a warning: the binaries then compile at
 *   each start, as they would with a stale cache.
 *
 *   node --import tsx scripts/bundle.ts
 */
import { spawnSync } from 'node:child_process'
import { builtinModules } from 'node:module'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Plugin } from 'esbuild'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'dist', 'bin')
const NAMES = ['swimd', 'membership-events']

const BUILTINS = new Set(builtinModules)
const isBuiltin = (path: string): boolean => path.startsWith('node:') || BUILTINS.has(path) || BUILTINS.has(path.split('/')[0])

/**
 * `import … from 'node:fs'` as `require('node:fs')`: with format `esm` (kept for the top-level
 * await) esbuild would emit import statements, which cannot stand inside the function the
 * bundle's body becomes. A built-in imported so is a CommonJS module of one line.
 */
const builtinsAsRequire: Plugin = {
  name: 'builtins-as-require',
  setup (b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined
      if (args.kind === 'import-statement' || args.kind === 'dynamic-import') return { path: args.path, namespace: 'builtin' }
      return { path: args.path, external: true }
    })
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)})`, loader: 'js' }))
  }
}

/**
 * The bundles' entries import `bin/<name>.ts` rather than being it: esbuild keeps an entry's
 * shebang at the top of its output, where it would stand inside the function.
 */
const programs: Plugin = {
  name: 'programs',
  setup (b) {
    b.onResolve({ filter: /^program:/ }, (args) => ({ path: args.path.slice('program:'.length), namespace: 'program' }))
    b.onLoad({ filter: /.*/, namespace: 'program' }, (args) => ({ contents: `import './${args.path}.ts'\n`, resolveDir: join(ROOT, 'bin'), loader: 'ts' }))
  }
}

for (const name of NAMES) {
  // tsc's map of the entry it compiled, which the launcher below replaces; a cache of an older bundle
  for (const stale of [`${name}.js.map`, `${name}.code-cache`]) rmSync(join(OUT, stale), { force: true })
}

await build({
  entryPoints: Object.fromEntries(NAMES.map((name) => [name, `program:${name}`])),
  outdir: OUT,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
  plugins: [programs, builtinsAsRequire],
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: 'module.exports = (async function () { "use strict"; const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  footer: { js: '})()' }
})

for (const name of NAMES) {
  await build({
    stdin: { contents: 'import { launch } from \'./launch.ts\'\nawait launch(import.meta.url)\n', resolveDir: join(ROOT, 'bin'), sourcefile: `${name}.ts`, loader: 'ts' },
    outfile: join(OUT, `${name}.js`),
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: '#!/usr/bin/env node' }
  })
}

// NODE_OPTIONS left out: a cache carries the hash of the V8 flags it was made under, so it
// must be made under a plain `node`'s, as the binaries are run.
const env = { ...process.env }
delete env.NODE_OPTIONS
for (const name of NAMES) {
  const train = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'train-code-cache.ts'), name], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 })
  if (train.status !== 0) {
    process.stderr.write(`warning: no code cache for dist/bin/${name}.cjs (${train.error?.message ?? `exit ${train.status ?? train.signal}`}): it is compiled at each start\n${train.stderr}`)
  }
}
