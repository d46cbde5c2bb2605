import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const fixture = fileURLToPath(new URL('../fixtures/sim/member-table-memory.ts', import.meta.url))

function bytesPerEntry (kind: 'dense' | 'shared' | 'formed'): number {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, '200', '1000', kind], { encoding: 'utf8' })
  assert.is(child.status, 0, child.stderr)
  const { bytesPerEntry } = JSON.parse(child.stdout) as { bytesPerEntry: number }
  assert.ok(bytesPerEntry > 0, `measured ${bytesPerEntry}`)
  return bytesPerEntry
}

// 10,000 simulated nodes hold 10^8 member entries: at the 160-odd bytes an entry cost as an
// object in three maps, they could not fit in 4 GiB. The compact table costs about 67.
test('a member entry costs at most 80 bytes of memory per node (200 tables × 1,000 members)', () => {
  const bytes = bytesPerEntry('dense')
  assert.ok(bytes < 80, `${bytes.toFixed(1)} bytes per entry`)
})

// In 2 GiB, 10^8 entries leave about 20 bytes each for everything a node holds per member.
// Shared tables keep a state byte and a 2-byte value slot per entry, and `since` (8 bytes
// once most entries have their own, as after a join); a formed view shares even that.
test('a shared member entry costs at most 20 bytes per node, filled one by one with times of its own', () => {
  const bytes = bytesPerEntry('shared')
  assert.ok(bytes < 20, `${bytes.toFixed(1)} bytes per entry`)
})

test('a member entry of a formed view costs at most 8 bytes per node', () => {
  const bytes = bytesPerEntry('formed')
  assert.ok(bytes < 8, `${bytes.toFixed(1)} bytes per entry`)
})

test.run()
