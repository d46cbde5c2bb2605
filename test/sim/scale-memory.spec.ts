import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const fixture = fileURLToPath(new URL('../fixtures/sim/member-table-memory.ts', import.meta.url))

// 10,000 simulated nodes hold 10^8 member entries: at the 160-odd bytes an entry cost as an
// object in three maps, they could not fit in 4 GiB. The compact table costs about 60.
test('a member entry costs at most 80 bytes of memory per node (200 tables × 1,000 members)', () => {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, '200', '1000'], { encoding: 'utf8' })
  assert.is(child.status, 0, child.stderr)
  const { bytesPerEntry } = JSON.parse(child.stdout) as { bytesPerEntry: number }
  assert.ok(bytesPerEntry > 0, `measured ${bytesPerEntry}`)
  assert.ok(bytesPerEntry < 80, `${bytesPerEntry.toFixed(1)} bytes per entry`)
})

test.run()
