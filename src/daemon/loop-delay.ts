/**
 * The event-loop delay gauges (`nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`,
 * prom-client's names and help texts), sampled every 2 s.
 *
 * prom-client samples with a timer every 10 ms by default: 100 wakeups a second, which cost a
 * calm daemon more CPU than its whole protocol (at N=20, 0.77% of a core per daemon with them,
 * 0.36% without; at 100 ms, still 0.47%). A coarser prom-client precision is no way out: its
 * histogram records the time between two samples, so at 1 s every figure would read 1 s and
 * more. These gauges record how late each sample came (the time between two samples minus the
 * period): a block of the loop longer than the period always shows, a shorter one with a
 * probability of its length over the period. Every 2 s rather than every second: each wakeup of
 * a calm daemon costs about as much as a probe does, and four timers at 2 s instead of 1 s (this
 * one, Node's HTTP deadline check, gossipsub's heartbeat and score decay) took 11-16% off its
 * CPU (see the README's daemon figures).
 */
import { createHistogram } from 'node:perf_hooks'
import { Gauge } from './prom-client.ts'
import type { Registry } from './prom-client.ts'

/** How often the loop is sampled, in ms. */
export const LOOP_SAMPLE_MS = 2000

/** The gauges prom-client's default metrics fill from their own 10 ms histogram. */
export const LOOP_DELAY_GAUGES = [
  ['nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.'],
  ['nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.'],
  ['nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_stddev_seconds', 'The standard deviation of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.']
] as const

/**
 * Registers the gauges on `registry` (after removing any of the same names). Each scrape reads
 * the samples since the previous scrape; a scrape with no new sample keeps the previous figures.
 * Returns a function that stops the sampling.
 *
 * The sampler is a timer of its own, not `monitorEventLoopDelay`: that histogram's `reset()`
 * also forgets when it last sampled, so the first sample after each scrape, and a block of the
 * loop it would have measured, would be lost.
 */
export function registerLoopDelay (registry: Registry, sampleMs: number = LOOP_SAMPLE_MS): () => void {
  const histogram = createHistogram()
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    // how late this sample came, in ns (a histogram records integers of at least 1)
    histogram.record(Math.max(1, Math.round((now - last - sampleMs) * 1e6)))
    last = now
  }, sampleMs)
  timer.unref()
  // in the order of LOOP_DELAY_GAUGES, in seconds
  const figures = (): number[] => [
    histogram.min,
    histogram.max,
    histogram.mean,
    histogram.stddev,
    histogram.percentile(50),
    histogram.percentile(90),
    histogram.percentile(99)
  ].map((ns) => ns / 1e9)
  // the first gauge of a scrape (prom-client collects in registration order, synchronously)
  // reads the histogram for all of them, then starts a new window
  const collect = (): void => {
    if (histogram.count === 0) return
    figures().forEach((value, i) => { gauges[i].set(value) })
    histogram.reset()
  }
  const gauges = LOOP_DELAY_GAUGES.map(([name, help], i) => {
    registry.removeSingleMetric(name)
    return new Gauge({ name, help, registers: [registry], ...(i === 0 ? { collect } : {}) })
  })
  return () => { clearInterval(timer) }
}
