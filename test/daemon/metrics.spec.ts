import { register as globalRegistry } from 'prom-client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMetrics } from '../../src/daemon/metrics.ts'
import { COUNTERS, GAUGES } from '../../src/libp2p/counters.ts'
import { fakeStats, FakeSwim } from './fake-swim.ts'
import { parsePrometheus, sampleValue } from './prometheus.ts'

test('createMetrics mirrors every SwimStats figure at scrape time', async () => {
  const swim = new FakeSwim()
  swim.emit('join', 'peer-a')
  swim.emit('fail', 'peer-b')
  const stats = fakeStats(swim)
  const { registry } = createMetrics({ stats: () => stats, eventSubscribers: () => 3, processMetrics: false })
  const m = parsePrometheus(await registry.metrics())
  assert.is(sampleValue(m, 'swim_members', { state: 'alive' }), 2)
  assert.is(sampleValue(m, 'swim_members', { state: 'dead' }), 1)
  assert.is(sampleValue(m, 'swim_members', { state: 'left' }), 0)
  assert.is(sampleValue(m, 'swim_probes_sent_total'), 120)
  assert.is(sampleValue(m, 'swim_probes_failed_total'), 3)
  assert.is(sampleValue(m, 'swim_indirect_probes_sent_total'), 9)
  assert.is(sampleValue(m, 'swim_suspicions_raised_total'), 2)
  assert.is(sampleValue(m, 'swim_suspicions_refuted_total'), 1)
  assert.is(sampleValue(m, 'swim_fails_total'), 1)
  assert.is(sampleValue(m, 'swim_awareness_score'), 2)
  assert.is(sampleValue(m, 'swim_decode_errors_total'), 4)
  assert.is(sampleValue(m, 'swim_foreign_cluster_total'), 31)
  assert.is(sampleValue(m, 'swim_gossipsub_deliveries_total'), 7)
  assert.is(sampleValue(m, 'swim_nacks_received_total'), 5)
  assert.is(sampleValue(m, 'swim_refutations_total'), 6)
  assert.is(sampleValue(m, 'swim_records_rejected_total'), 8)
  assert.is(sampleValue(m, 'swim_claims_rejected_total'), 10)
  assert.is(sampleValue(m, 'swim_stale_updates_total'), 11)
  assert.is(sampleValue(m, 'swim_misdirected_pings_total'), 12)
  assert.is(sampleValue(m, 'swim_messages_ignored_total'), 13)
  assert.is(sampleValue(m, 'swim_frames_dropped_total'), 14)
  assert.is(sampleValue(m, 'swim_unreachable_total'), 15)
  assert.is(sampleValue(m, 'swim_streams_rejected_total'), 16)
  assert.is(sampleValue(m, 'swim_pending_broadcasts'), 17)
  assert.is(sampleValue(m, 'swim_connections'), 18)
  assert.is(sampleValue(m, 'swim_members_rejected_total'), 19)
  assert.is(sampleValue(m, 'swim_sign_failures_total'), 20)
  assert.is(sampleValue(m, 'swim_budget_exceeded_total'), 21)
  assert.is(sampleValue(m, 'swim_dials_held_back_total'), 22)
  assert.is(sampleValue(m, 'swim_messages_total', { direction: 'in', type: 'ack' }), 98)
  assert.is(sampleValue(m, 'swim_messages_total', { direction: 'out', type: 'ping-req' }), 9)
  assert.is(sampleValue(m, 'swim_bytes_total', { direction: 'out', type: 'ping' }), 4800)
  assert.is(sampleValue(m, 'swimd_event_subscribers'), 3)
  assert.is(m.types.get('swim_probes_sent_total'), 'counter')
  assert.is(m.types.get('swim_awareness_score'), 'gauge')
})

test('every number of SwimStats is published, as a counter or a gauge', async () => {
  const stats = fakeStats(new FakeSwim())
  const { registry } = createMetrics({ stats: () => stats, processMetrics: false })
  const m = parsePrometheus(await registry.metrics())
  const published = [...COUNTERS.map(({ stat, name }) => [stat, `swim_${name}_total`, 'counter']), ...GAUGES.map(({ stat, name }) => [stat, `swim_${name}`, 'gauge'])]
  const numeric = Object.keys(stats).filter((key) => typeof stats[key as keyof typeof stats] === 'number').sort()
  assert.equal(published.map(([stat]) => stat).sort(), numeric)
  for (const [stat, name, type] of published) {
    assert.is(sampleValue(m, name), stats[stat as keyof typeof stats], name)
    assert.is(m.types.get(name), type, name)
  }
})

test('counters follow the service\'s running totals from scrape to scrape', async () => {
  const swim = new FakeSwim()
  const stats = fakeStats(swim)
  const { registry } = createMetrics({ stats: () => stats, processMetrics: false })
  assert.is(sampleValue(parsePrometheus(await registry.metrics()), 'swim_probes_sent_total'), 120)
  stats.probesSent = 125
  stats.messagesIn = { ping: 101, ack: 99, nack: 1 }
  const m = parsePrometheus(await registry.metrics())
  assert.is(sampleValue(m, 'swim_probes_sent_total'), 125, 'not 245: the value is mirrored, not added')
  assert.is(sampleValue(m, 'swim_messages_total', { direction: 'in', type: 'nack' }), 1)
})

test('one scrape reads the stats once', async () => {
  let reads = 0
  const stats = fakeStats(new FakeSwim())
  const { registry } = createMetrics({ stats: () => { reads++; return stats }, processMetrics: false })
  await registry.metrics()
  assert.is(reads, 1)
  await registry.metrics()
  assert.is(reads, 2)
})

test('the registry is the daemon\'s own, with process metrics, and nothing lands in the global registry', async () => {
  const { registry, stop } = createMetrics({ stats: () => fakeStats(new FakeSwim()) })
  const m = parsePrometheus(await registry.metrics())
  stop()
  assert.ok(sampleValue(m, 'process_cpu_user_seconds_total') != null, 'process metrics are there')
  assert.ok(sampleValue(m, 'nodejs_heap_size_used_bytes') != null)
  assert.is(globalRegistry.getSingleMetric('swim_members'), undefined)
  assert.is(globalRegistry.getSingleMetric('process_cpu_user_seconds_total'), undefined)
})

test('without stats only the daemon\'s and process metrics are exported', async () => {
  const { registry } = createMetrics({ eventSubscribers: () => 0, processMetrics: false })
  const m = parsePrometheus(await registry.metrics())
  assert.equal(m.samples.map((sample) => sample.name), ['swimd_event_subscribers'])
})

test.run()
