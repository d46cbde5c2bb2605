/**
 * The library example exists three times: the README's "As a library" block, the
 * `@example` in src/index.ts (what editors show) and examples/library.ts, which
 * `npm run typecheck` compiles against the sources (tsconfig.test.json maps `libp2p-swim`
 * to src/index.ts). They must be the same text, so the documented example always compiles.
 * And the README's architecture section names only files that exist, so it cannot drift
 * from the tree as files are split, renamed or removed.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')

/** The first ```ts block under "## As a library" in the README. */
function readmeExample (): string {
  const readme = read('README.md')
  const section = readme.indexOf('\n## As a library')
  assert.ok(section >= 0, 'README.md has an "As a library" section')
  const match = /\n```ts\n([\s\S]*?)\n```\n/.exec(readme.slice(section))
  assert.ok(match != null, 'the section has a ```ts block')
  return match[1]
}

/** The ```ts block of the `@example` in src/index.ts's @packageDocumentation, without the ` * `. */
function packageDocExample (): string {
  const source = read('src/index.ts')
  const doc = /^\/\*\*\n([\s\S]*?)\n \*\//.exec(source)
  assert.ok(doc?.[1].includes('@packageDocumentation') === true, 'src/index.ts opens with the package documentation')
  const lines = doc[1].split('\n').map((line) => line.replace(/^ \* ?/, '').replace(/^ \*$/, ''))
  const example = lines.indexOf('@example')
  assert.ok(example >= 0, 'the package documentation has an @example')
  const open = lines.indexOf('```ts', example)
  const close = lines.indexOf('```', open + 1)
  assert.ok(open > example && close > open, 'the @example is a ```ts block')
  return lines.slice(open + 1, close).join('\n')
}

test('the README example, src/index.ts\'s @example and examples/library.ts are one text', () => {
  const readme = readmeExample()
  assert.ok(readme.includes("from 'libp2p-swim'"), 'the README block is the library example')
  assert.fixture(packageDocExample(), readme, 'src/index.ts @example')
  assert.fixture(read('examples/library.ts').replace(/\n$/, ''), readme, 'examples/library.ts (type-checked)')
})

/** The README's "## Architecture" section, up to the next section of its level. */
function architectureSection (readme: string): string {
  const start = readme.indexOf('\n## Architecture\n')
  assert.ok(start >= 0, 'README.md has an "## Architecture" section')
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end === -1 ? undefined : end)
}

/**
 * The files and folders `text` names that are not in `files` (paths under src/):
 * a `src/…` path must be one of them or a folder holding some; `area/name.ts` must be
 * `src/area/name.ts`; a bare `name.ts` (or .js, .proto) must be some file's name under src/.
 */
function missingFiles (text: string, files: string[]): string[] {
  const names = new Set<string>()
  for (const [name] of text.matchAll(/src\/[\w./-]*|[\w./-]*[\w-]\.(?:ts|js|proto)\b/g)) names.add(name)
  const sources = files.filter((file) => file.startsWith('src/'))
  return [...names].filter((name) => {
    if (name.startsWith('src/')) {
      const path = name.replace(/[./]+$/, '')
      return !files.some((file) => file === path || file.startsWith(`${path}/`))
    }
    if (name.includes('/')) return !sources.includes(`src/${name}`)
    return !sources.some((file) => file.endsWith(`/${name}`))
  })
}

/** Every file under src/, as `src/…`. */
const sourceFiles = (): string[] => readdirSync(new URL('../src/', import.meta.url), { recursive: true, encoding: 'utf8' })
  .map((path) => `src/${path.split('\\').join('/')}`)

test('every file and folder the README\'s architecture section names exists', () => {
  assert.equal(missingFiles(architectureSection(read('README.md')), sourceFiles()), [])
})

test('missingFiles reports a renamed file, a wrong area and a folder that is gone', () => {
  const files = ['src/core/machine.ts', 'src/daemon/metrics.ts', 'src/wire/swim.proto']
  const text = '`machine.ts`, daemon/metrics.ts, swim.proto and src/core/ exist; ' +
    'codec.ts, cli/metrics.ts, src/transport/ and src/core/probe.ts do not'
  assert.equal(missingFiles(text, files), ['codec.ts', 'cli/metrics.ts', 'src/transport/', 'src/core/probe.ts'])
})

test.run()
