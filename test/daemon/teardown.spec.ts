import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Teardown } from '../../src/daemon/teardown.ts'

test('Teardown stops in the reverse order of start, awaiting each step', async () => {
  const order: string[] = []
  const teardown = new Teardown(() => { assert.unreachable('no step fails') })
  teardown.add('lock', () => { order.push('lock') })
  teardown.add('node', async () => { await new Promise((resolve) => setImmediate(resolve)); order.push('node') })
  teardown.add('api', () => { order.push('api') })
  await teardown.run()
  assert.equal(order, ['api', 'node', 'lock'])
})

test('Teardown reports a failed step by name and still runs the others', async () => {
  const order: string[] = []
  const failures: string[] = []
  const teardown = new Teardown((what, err) => { failures.push(`${what}: ${(err as Error).message}`) })
  teardown.add('lock', () => { order.push('lock') })
  teardown.add('node', async () => { throw new Error('stuck') })
  teardown.add('api', () => { order.push('api') })
  await teardown.run()
  assert.equal(order, ['api', 'lock'])
  assert.equal(failures, ['node: stuck'])
})

test('Teardown run twice stops nothing twice', async () => {
  let stops = 0
  const teardown = new Teardown(() => {})
  teardown.add('node', () => { stops++ })
  await teardown.run()
  await teardown.run()
  assert.is(stops, 1)
})

test.run()
