import { Registry } from 'prom-client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LOOP_DELAY_GAUGES, registerLoopDelay } from '../../src/daemon/loop-delay.ts'
import { createMetrics } from '../../src/daemon/metrics.ts'
import { waitFor } from '../helpers/wait.ts'
import { parsePrometheus, sampleValue } from './prometheus.ts'

const block = (ms: number): void => {
  const until = performance.now() + ms
  while (performance.now() < until) { /* the loop is blocked */ }
}

const scrape = async (registry: Registry): Promise<Record<string, number | undefined>> => {
  const m = parsePrometheus(await registry.metrics())
  return Object.fromEntries(LOOP_DELAY_GAUGES.map(([name]) => [name.replace(/^nodejs_eventloop_lag_|_seconds$/g, ''), sampleValue(m, name)]))
}

test('a block of the loop shows as its lateness, and each scrape reads the samples since the last one', async () => {
  const registry = new Registry()
  const stop = registerLoopDelay(registry, 100)
  await waitFor('a recorded sample', async () => (await scrape(registry)).max !== 0, 5000, 150)
  block(700)
  await new Promise((resolve) => setTimeout(resolve, 250))
  const blocked = await scrape(registry)
  // the sample due during the block came when it ended: at least block − period late
  assert.ok(blocked.max != null && blocked.max >= 0.55, `max ${blocked.max}`)
  assert.ok(blocked.min != null && blocked.min < blocked.max, `min ${blocked.min} below max ${blocked.max}`)
  assert.ok(blocked.p99 != null && blocked.p99 >= 0.55, `p99 ${blocked.p99}`)
  // the next window no longer holds the block
  await new Promise((resolve) => setTimeout(resolve, 450))
  const calm = await scrape(registry)
  stop()
  assert.ok(calm.max != null && calm.max < 0.55, `max of the calm window ${calm.max}`)
})

test('a scrape with no sample since the last one keeps the previous figures', async () => {
  const registry = new Registry()
  const stop = registerLoopDelay(registry, 100)
  await new Promise((resolve) => setTimeout(resolve, 350))
  block(300)
  await new Promise((resolve) => setTimeout(resolve, 20))
  const first = await scrape(registry)
  const second = await scrape(registry)
  stop()
  assert.ok(first.max != null && first.max >= 0.15, `max ${first.max}`)
  assert.equal(second, first)
})

test('the daemon\'s registry has each event-loop delay gauge once, as lateness (not the 1 s sample period)', async () => {
  const { registry, stop } = createMetrics({ processMetrics: true })
  await new Promise((resolve) => setTimeout(resolve, 2100))
  const m = parsePrometheus(await registry.metrics())
  stop()
  for (const [name] of LOOP_DELAY_GAUGES) {
    assert.is(m.samples.filter((s) => s.name === name).length, 1, name)
    assert.is(m.types.get(name), 'gauge', name)
  }
  const min = sampleValue(m, 'nodejs_eventloop_lag_min_seconds')
  assert.ok(min != null && min >= 0 && min < 0.9, `min ${min}`)
  assert.ok(sampleValue(m, 'nodejs_eventloop_lag_seconds') != null, 'prom-client\'s lag at scrape stays')
})

test.run()
