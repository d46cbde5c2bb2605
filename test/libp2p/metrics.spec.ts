import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { COUNTERS, GAUGES } from '../../src/libp2p/counters.ts'
import { registerSwimMetrics } from '../../src/libp2p/metrics.ts'
import { fakeStats, FakeSwim } from '../daemon/fake-swim.ts'
import type { CalculatedMetricOptions, Metrics } from '@libp2p/interface'

/** A `Metrics` that only keeps what was registered, to compute it as a scrape would. */
function recordingMetrics (): { metrics: Metrics, calculate: (name: string) => unknown } {
  const registered = new Map<string, CalculatedMetricOptions<unknown>>()
  const keep = (name: string, options: unknown): void => { registered.set(name, options as CalculatedMetricOptions<unknown>) }
  const metrics = {
    registerMetric: keep,
    registerMetricGroup: keep,
    registerCounter: keep,
    registerCounterGroup: keep
  } as unknown as Metrics
  return {
    metrics,
    calculate: (name) => {
      const options = registered.get(name)
      assert.ok(options != null, `${name} is registered`)
      return options.calculate()
    }
  }
}

test('registerSwimMetrics publishes every counter and gauge of the one list, under the names the daemon uses too', async () => {
  const stats = fakeStats(new FakeSwim())
  const { metrics, calculate } = recordingMetrics()
  registerSwimMetrics(metrics, () => stats)
  const events = await calculate('libp2p_swim_events_total') as Record<string, number>
  assert.equal(Object.keys(events), COUNTERS.map(({ name }) => name))
  assert.is(events.indirect_probes_sent, 9)
  assert.is(events.nacks_received, 5)
  assert.is(events.stale_updates, 11)
  assert.is(events.misdirected_pings, 12)
  assert.is(events.messages_ignored, 13)
  for (const { name, stat } of GAUGES) assert.is(await calculate(`libp2p_swim_${name}`), stats[stat], name)
  assert.equal(await calculate('libp2p_swim_members'), stats.membersByState)
  assert.is((await calculate('libp2p_swim_messages_total') as Record<string, number>)['out_ping-req'], 9)
})

test.run()
