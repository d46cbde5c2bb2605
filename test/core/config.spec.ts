import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PROFILES, resolveConfig } from '../../src/core/config.ts'

test('resolveConfig applies overrides on top of the profile', () => {
  const c = resolveConfig('wan', { gossipNodes: 5 })
  assert.is(c.probeInterval, PROFILES.wan.probeInterval)
  assert.is(c.gossipNodes, 5)
  assert.is(PROFILES.wan.gossipNodes, 4, 'the profile itself is not modified')
})

test('resolveConfig rejects a probeTimeout that is not below probeInterval', () => {
  assert.throws(() => resolveConfig('lan', { probeTimeout: 1000 }), /probeTimeout: 1000 ms must be smaller than probeInterval \(1000 ms\)/)
})

test('resolveConfig names the knob, the value and the rule', () => {
  assert.throws(() => resolveConfig('lan', { indirectChecks: 1.5 }), /Invalid indirectChecks: 1.5 must be a whole number/)
  assert.throws(() => resolveConfig('lan', { probeInterval: -1 }), /Invalid probeInterval: -1 is below the minimum/)
  assert.throws(() => resolveConfig('lan', { gossipNodes: Number.NaN }), /Invalid gossipNodes: NaN is not a finite number/)
})

test('resolveConfig rejects an unknown profile and lists the known ones', () => {
  assert.throws(() => resolveConfig('moon' as 'lan'), /Unknown profile "moon": use one of lan, wan, local/)
})

test.run()
