/** Every row of the scenario table (scenarios.ts), replayed in the simulator. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SCENARIOS, runScenario } from './scenarios.ts'

for (const row of SCENARIOS) {
  test(row.name, () => {
    const { failures } = runScenario(row)
    assert.equal(failures, [], failures.join('\n'))
  })
}

test('a row that expects what does not happen fails, naming what was missing', () => {
  const { failures } = runScenario({
    name: 'nobody crashes',
    size: 5,
    seed: 1,
    ops: [],
    duration: 10_000,
    faulty: [],
    expect: [{ expect: 'fails', node: 2, by: 10_000 }, { expect: 'max-suspects', max: -1 }]
  })
  assert.equal(failures, ['nobody crashes: 4 members had not failed node 2 10000 ms in', 'nobody crashes: 0 suspect events of healthy members at healthy observers, at most -1 expected'])
})

test.run()
