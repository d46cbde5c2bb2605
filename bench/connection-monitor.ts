/**
 * Detection with libp2p's connection monitor on, as libp2p ships it, against detection with
 * it off: real libp2p nodes on 127.0.0.1, probes over streams only (the path the monitor can
 * disturb: it closes connections whose ping fails), `lan` timings; each trial forms a fresh
 * cluster, stops one member and times until every survivor declared it dead.
 *
 *   node --import tsx bench/connection-monitor.ts [--size 8] [--trials 5] [--json]
 */
import '../src/polyfill.ts'
import { parseArgs } from 'node:util'
import { aliveCount, createStreamsOnlyNode, idOf, stateOf, stop, stopAll, waitFor } from '../test/libp2p/helpers.ts'

const { values: args } = parseArgs({ options: { size: { type: 'string', default: '8' }, trials: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } } })
const N = Number(args.size)
const TRIALS = Number(args.trials)

async function trial (monitor: boolean): Promise<number> {
  try {
    const seed = await createStreamsOnlyNode([], monitor)
    const nodes = [seed, ...await Promise.all(Array.from({ length: N - 1 }, async () => await createStreamsOnlyNode(seed.getMultiaddrs().map(String), monitor)))]
    await waitFor(`${N} alive everywhere`, () => nodes.every((n) => aliveCount(n) === N), 60_000, 100)
    const victim = nodes[N - 1]
    const victimId = idOf(victim)
    const stopped = Date.now()
    await stop(victim)
    await waitFor('the victim dead everywhere', () => nodes.slice(0, -1).every((n) => stateOf(n, victimId) === 'dead'), 60_000, 20)
    return Date.now() - stopped
  } finally {
    await stopAll()
  }
}

const results: Record<'on' | 'off', number[]> = { on: [], off: [] }
for (let i = 0; i < TRIALS; i++) {
  results.on.push(await trial(true))
  results.off.push(await trial(false))
}
if (args.json === true) {
  process.stdout.write(`${JSON.stringify({ size: N, trials: TRIALS, deadEverywhereMs: results })}\n`)
} else {
  console.log(`N=${N}, streams only, lan, ${TRIALS} trials each: stopped → dead on every survivor`)
  for (const key of ['on', 'off'] as const) console.log(`  connection monitor ${key.padEnd(3)}: ${results[key].map((ms) => `${ms} ms`).join(', ')}`)
}
process.exit(0)
