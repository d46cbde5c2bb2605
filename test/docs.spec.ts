/**
 * The library example exists three times: the README's "As a library" block, the
 * `@example` in src/index.ts (what editors show) and examples/library.ts, which
 * `npm run typecheck` compiles against the sources (tsconfig.test.json maps `libp2p-swim`
 * to src/index.ts). They must be the same text, so the documented example always compiles.
 */
import { readFileSync } from 'node:fs'
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

test.run()
