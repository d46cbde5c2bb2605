import { TypedEventEmitter } from 'main-event'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { logJoinErrors } from '../../src/daemon/join-log.ts'
import type { JoinErrorDetail } from '../../src/libp2p/join-errors.ts'
import type { SwimEvents } from '../../src/libp2p/types.ts'

function setup (windowMs = 1000): { emit: (d: Partial<JoinErrorDetail>) => void, lines: Array<{ level: string, obj: Record<string, unknown>, msg: string }>, clock: { t: number }, gaveUp: JoinErrorDetail[], stop: () => void } {
  const target = new TypedEventEmitter<SwimEvents>()
  const lines: Array<{ level: string, obj: Record<string, unknown>, msg: string }> = []
  const clock = { t: 0 }
  const gaveUp: JoinErrorDetail[] = []
  const logger = {
    warn: (obj: Record<string, unknown>, msg: string) => { lines.push({ level: 'warn', obj, msg }) },
    error: (obj: Record<string, unknown>, msg: string) => { lines.push({ level: 'error', obj, msg }) }
  }
  const stop = logJoinErrors(target, logger as never, { windowMs, now: () => clock.t, onGaveUp: (d) => gaveUp.push(d) })
  const emit = (d: Partial<JoinErrorDetail>): void => {
    target.safeDispatchEvent('join:error', { detail: { seed: '/ip4/10.0.0.1/tcp/7946', cause: 'refused', message: 'connection refused', attempt: 1, ...d } })
  }
  return { emit, lines, clock, gaveUp, stop }
}

test('a failed seed is one warn line naming the seed and the cause', () => {
  const { emit, lines } = setup()
  emit({})
  assert.is(lines.length, 1)
  assert.is(lines[0].level, 'warn')
  assert.is(lines[0].msg, 'cannot join through seed /ip4/10.0.0.1/tcp/7946: connection refused')
  assert.is(lines[0].obj.cause, 'refused')
})

test('the same seed and cause within the window are counted, then reported with the count', () => {
  const { emit, lines, clock } = setup(1000)
  emit({}); clock.t = 200; emit({}); clock.t = 400; emit({})
  assert.is(lines.length, 1)
  emit({ cause: 'timeout', message: 'no answer in time' })
  assert.is(lines.length, 2, 'another cause is news')
  clock.t = 1500; emit({})
  assert.is(lines.length, 3)
  assert.is(lines[2].obj.repeated, 2)
})

test('a seed that is this node is said once; gave-up is an error and calls back', () => {
  const { emit, lines, clock, gaveUp, stop } = setup(1000)
  emit({ cause: 'self', message: 'the seed is this node itself' })
  clock.t = 10_000
  emit({ cause: 'self', message: 'the seed is this node itself' })
  assert.is(lines.length, 1)
  emit({ cause: 'gave-up', seed: 'a b', message: 'giving up', attempt: 3 })
  assert.is(lines.at(-1)?.level, 'error')
  assert.is(gaveUp.length, 1)
  stop()
  emit({ cause: 'timeout', seed: 'x' })
  assert.is(lines.length, 2, 'unsubscribed')
})

test.run()
