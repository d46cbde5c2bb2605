import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { pushPullScale, retransmitLimit, scaleByHealth, suspicionBounds, suspicionConfirmationsNeeded, suspicionTimeout } from '../../src/core/formulas.ts'

test('suspicionBounds matches memberlist for the lan profile (N=100: 8 s to 48 s)', () => {
  assert.equal(suspicionBounds(100, 4, 6, 1000), { min: 8000, max: 48000 })
  assert.equal(suspicionBounds(5, 4, 6, 1000), { min: 4000, max: 24000 }, 'log10 N is floored at 1')
  assert.equal(suspicionBounds(1000, 4, 6, 1000), { min: 12000, max: 72000 })
})

test('suspicionTimeout shortens toward min as independent confirmations arrive', () => {
  const rows: Array<[number, number]> = [[0, 48000], [1, 22762], [2, 8000], [3, 8000]]
  for (const [c, expected] of rows) assert.is(suspicionTimeout(c, 2, 8000, 48000), expected, `c=${c}`)
  assert.is(suspicionTimeout(0, 0, 8000, 48000), 8000, 'with nobody to confirm, min applies')
})

test('suspicionConfirmationsNeeded is mult − 2, or 0 in a cluster too small to supply them', () => {
  assert.is(suspicionConfirmationsNeeded(100, 4), 2)
  assert.is(suspicionConfirmationsNeeded(3, 4), 0)
  assert.is(suspicionConfirmationsNeeded(4, 4), 2)
})

test('retransmitLimit grows with log10 of the cluster', () => {
  assert.is(retransmitLimit(4, 1), 4)
  assert.is(retransmitLimit(4, 9), 4)
  assert.is(retransmitLimit(4, 10), 8)
  assert.is(retransmitLimit(4, 1000), 16)
})

test('pushPullScale leaves small clusters alone and stretches large ones', () => {
  assert.is(pushPullScale(30000, 32), 30000)
  assert.is(pushPullScale(30000, 33), 60000)
  assert.is(pushPullScale(30000, 1000), 30000 * 6)
})

test('scaleByHealth multiplies by score + 1', () => {
  assert.is(scaleByHealth(500, 0), 500)
  assert.is(scaleByHealth(500, 7), 4000)
})

test.run()
