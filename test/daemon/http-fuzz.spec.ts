/**
 * HTTP API fuzzing: 5,000 generated requests (fast-check, fixed seed) against two real
 * `createApi(...)` servers on 127.0.0.1 (without and with a bearer token). The generator and the
 * rules an answer must follow live in `bench/fuzz-http.ts` (which runs the same at 100,000):
 * a valid HTTP response, status < 500 except `/readyz`'s 503 while not ready, every API error
 * `{ "error": string }` as JSON; Node's own parser answers (bare 400/417/431…) and closed
 * CONNECT/Upgrade requests are named there.
 */
import { Agent } from 'node:http'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkExchange, describe, fuzzRequest, healthz, send, startTargets } from '../../bench/fuzz-http.ts'
import type { FuzzTarget, Outcome } from '../../bench/fuzz-http.ts'

const RUNS = 5000

test('5,000 generated requests: every answer is valid, < 500 unless expected, errors are { error }', async () => {
  const rejections: unknown[] = []
  const exceptions: unknown[] = []
  const onRejection = (r: unknown): void => { rejections.push(r) }
  const onException = (e: unknown): void => { exceptions.push(e) }
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  const target: FuzzTarget = await startTargets()
  const agent = new Agent({ keepAlive: true, maxSockets: 4 })
  const outcomes: Partial<Record<Outcome, number>> = {}
  let runs = 0
  try {
    await fc.assert(fc.asyncProperty(fuzzRequest, async (req) => {
      // /readyz alternates between not ready (503) and ready (200)
      target.setReady(Math.floor(runs++ / 250) % 2 === 1)
      const exchange = await send(req, target, agent)
      const verdict = checkExchange(req, exchange)
      outcomes[verdict.outcome] = (outcomes[verdict.outcome] ?? 0) + 1
      if (verdict.outcome === 'violation') throw new Error(`${verdict.reason ?? ''}\n  request: ${describe(req)}`)
    }), { numRuns: RUNS, seed: 20_240_601, endOnFailure: true })

    // the servers are still up and answer on fresh connections
    for (const port of target.ports) {
      const health = await healthz(port)
      assert.is(health.status, 200)
      assert.equal(JSON.parse(health.body), { status: 'ok' })
    }
    for (const server of target.servers) assert.ok(server.listening)
    // let late socket errors surface before judging
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(rejections, [], 'no unhandled rejection')
    assert.equal(exceptions, [], 'no uncaught exception')
    // the run reached the handlers, not only the router
    assert.ok((outcomes.ok ?? 0) > 500, `answers 2xx: ${outcomes.ok ?? 0}`)
    assert.ok((outcomes['api-error'] ?? 0) > 500, `API errors: ${outcomes['api-error'] ?? 0}`)
    assert.ok((outcomes.stream ?? 0) > 0, 'some event streams opened')
  } finally {
    process.off('unhandledRejection', onRejection)
    process.off('uncaughtException', onException)
    agent.destroy()
    await target.close()
  }
})

// Regressions the fuzzer found.
test('a request target URL() cannot parse ("//", "http://[") answers 400, not 500', async () => {
  const target = await startTargets()
  try {
    for (const path of ['//', '//x', 'http://[', 'http://a:b/healthz']) {
      const exchange = await send({ server: 0, raw: true, method: 'GET', path, headers: [], bodyKind: 'none', body: undefined, chunked: false, lie: 'none', junkHead: undefined, httpVersion: '1.1' }, target, new Agent())
      assert.ok(exchange.status != null && exchange.status < 500, `${path}: status ${String(exchange.status)}: ${exchange.body}`)
    }
  } finally {
    await target.close()
  }
})

test('PUT /v1/meta with a deeply nested value answers 400, not 500', async () => {
  const target = await startTargets()
  try {
    const body = new TextEncoder().encode(`{"k":${'['.repeat(20_000)}${']'.repeat(20_000)}}`)
    const exchange = await send({ server: 0, raw: false, method: 'PUT', path: '/v1/meta', headers: [['Content-Type', 'application/json']], bodyKind: 'deep', body, chunked: false, lie: 'none', junkHead: undefined, httpVersion: '1.1' }, target, new Agent())
    assert.is(exchange.status, 400, exchange.body.slice(0, 200))
  } finally {
    await target.close()
  }
})

test.run()
