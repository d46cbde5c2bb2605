import { createServer } from 'node:http'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CliError } from '../../src/cli/api-client.ts'
import { backoffDelay, followEvents } from '../../src/cli/sse-client.ts'
import { makeMember } from '../daemon/fake-swim.ts'
import { waitFor } from '../daemon/wait.ts'
import type { StreamedEvent, StreamReset } from '../../src/daemon/event-frames.ts'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

test('backoffDelay grows exponentially from the initial delay, with equal jitter, up to the cap', () => {
  const options = { initialMs: 100, maxMs: 1000 }
  assert.is(backoffDelay(0, options, () => 0), 50)
  assert.is(backoffDelay(0, options, () => 1), 100)
  assert.is(backoffDelay(1, options, () => 1), 200)
  assert.is(backoffDelay(3, options, () => 1), 800)
  assert.is(backoffDelay(4, options, () => 1), 1000, 'capped')
  assert.is(backoffDelay(500, options, () => 0), 500, 'capped, and half of it fixed')
  for (let i = 0; i < 100; i++) {
    const delay = backoffDelay(2, options)
    assert.ok(delay >= 200 && delay <= 400, `${delay} within [200, 400]`)
  }
})

function event (seq: number, type = 'join'): string {
  return `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ seq, type, at: seq, member: makeMember(`m${seq}`) })}\n\n`
}

type Script = (req: IncomingMessage, res: ServerResponse) => void

async function scriptedServer (scripts: Script[]): Promise<{ server: Server, url: string, lastEventIds: string[] }> {
  const lastEventIds: string[] = []
  const server = createServer((req, res) => {
    lastEventIds.push(String(req.headers['last-event-id'] ?? ''))
    const script = scripts[lastEventIds.length - 1]
    if (script == null) {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      return
    }
    script(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`, lastEventIds }
}

async function stop (server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
}

test('followEvents resumes with the last seq seen and drops events at or below it', async () => {
  const { server, url, lastEventIds } = await scriptedServer([
    (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end('id: 0\n\n' + event(1) + event(2) + event(2)) },
    (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(event(1) + event(2) + event(3)) },
    (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write(event(4, 'fail')) }
  ])
  const controller = new AbortController()
  const seen: StreamedEvent[] = []
  try {
    const following = followEvents({
      url,
      signal: controller.signal,
      backoff: { initialMs: 5, maxMs: 20 },
      onEvent: (e) => { seen.push(e) },
      onReset: () => { assert.unreachable('no reset expected') }
    })
    await waitFor('four events', () => seen.length === 4)
    controller.abort()
    await following
    assert.equal(seen.map((e) => e.seq), [1, 2, 3, 4])
    assert.equal(lastEventIds.slice(0, 3), ['', '2', '3'])
  } finally {
    await stop(server)
  }
})

test('followEvents starts from the position marker of a new-events-only stream', async () => {
  const { server, url, lastEventIds } = await scriptedServer([
    (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end('id: 41\n\n') },
    (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write(event(42)) }
  ])
  const controller = new AbortController()
  const seen: number[] = []
  try {
    const following = followEvents({ url, signal: controller.signal, backoff: { initialMs: 5 }, onEvent: (e) => { seen.push(e.seq) }, onReset: () => {} })
    await waitFor('the event after the marker', () => seen.length === 1)
    controller.abort()
    await following
    assert.equal(lastEventIds.slice(0, 2), ['', '41'], 'the reconnect resumed from the marker')
  } finally {
    await stop(server)
  }
})

test('followEvents hands a reset to onReset and continues counting from its seq, even when lower', async () => {
  const members = [makeMember('a')]
  const { server, url, lastEventIds } = await scriptedServer([
    (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(event(10)) },
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(`id: 2\nevent: reset\ndata: ${JSON.stringify({ seq: 2, members })}\n\n` + event(3))
    },
    (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }) }
  ])
  const controller = new AbortController()
  const seen: number[] = []
  const resets: StreamReset[] = []
  try {
    const following = followEvents({
      url,
      since: 9,
      signal: controller.signal,
      backoff: { initialMs: 5 },
      onEvent: (e) => { seen.push(e.seq) },
      onReset: (r) => { resets.push(r) }
    })
    await waitFor('the third connection', () => lastEventIds.length === 3)
    controller.abort()
    await following
    assert.equal(seen, [10, 3])
    assert.equal(resets, [{ seq: 2, members }])
    assert.equal(lastEventIds, ['9', '10', '3'])
  } finally {
    await stop(server)
  }
})

test('followEvents rejects with the server\'s error on a 4xx answer instead of retrying', async () => {
  const { server, url, lastEventIds } = await scriptedServer([
    (_req, res) => { res.writeHead(400, { 'content-type': 'application/json' }); res.end('{"error":"Invalid since \\"x\\""}') }
  ])
  try {
    await followEvents({ url, onEvent: () => {}, onReset: () => {} })
    assert.unreachable('should reject')
  } catch (err) {
    assert.instance(err, CliError)
    assert.is((err as Error).message, 'swimd answered 400: Invalid since "x"')
    assert.is(lastEventIds.length, 1)
  } finally {
    await stop(server)
  }
})

test('followEvents reopens a stream that stays silent past the idle timeout', async () => {
  const { server, url, lastEventIds } = await scriptedServer([
    (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write(event(1)) }
  ])
  const controller = new AbortController()
  try {
    const following = followEvents({ url, signal: controller.signal, idleTimeoutMs: 50, backoff: { initialMs: 5 }, onEvent: () => {}, onReset: () => {} })
    await waitFor('a second connection', () => lastEventIds.length >= 2)
    controller.abort()
    await following
    assert.is(lastEventIds[1], '1')
  } finally {
    await stop(server)
  }
})

test.run()
