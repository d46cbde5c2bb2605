import { createServer } from 'node:http'
import { connect } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SseParser } from '../../src/cli/sse-parser.ts'
import { SseWriter, formatSse, formatSseComment } from '../../src/daemon/sse.ts'
import { openStream } from './sse-stream.ts'
import { waitFor } from './wait.ts'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

test('formatSse writes event, id, retry and data lines and ends with a blank line', () => {
  assert.is(formatSse({ id: 7, event: 'join', data: '{"a":1}', retry: 1000 }), 'event: join\nid: 7\nretry: 1000\ndata: {"a":1}\n\n')
  assert.is(formatSse({ data: 'x' }), 'data: x\n\n')
})

test('formatSse splits multi-line data on LF, CRLF and CR into one data line each', () => {
  assert.is(formatSse({ data: 'a\nb\r\nc\rd' }), 'data: a\ndata: b\ndata: c\ndata: d\n\n')
  assert.is(formatSse({ data: '' }), 'data: \n\n')
  assert.is(formatSse({ data: 'trailing\n' }), 'data: trailing\ndata: \n\n')
})

test('formatSse round-trips multi-line data through an SSE parser', () => {
  const data = 'line one\nline two\n\nline four'
  const [event] = new SseParser().push(formatSse({ id: 3, event: 'update', data }))
  assert.equal(event, { type: 'update', data, lastEventId: '3' })
})

test('formatSse without data is a position marker that only sets the last event ID', () => {
  assert.is(formatSse({ id: 12 }), 'id: 12\n\n')
  const parser = new SseParser()
  assert.equal(parser.push(formatSse({ id: 12 })), [])
  assert.is(parser.lastEventId, '12')
})

test('formatSse refuses line breaks in event and id, and bad retry values', () => {
  assert.throws(() => formatSse({ event: 'a\nb', data: '' }), /Cannot format SSE field "event"/)
  assert.throws(() => formatSse({ id: '1\r2', data: '' }), /Cannot format SSE field "id"/)
  assert.throws(() => formatSse({ retry: -1, data: '' }), /Cannot format SSE field "retry"/)
})

test('formatSseComment prefixes every line with a colon', () => {
  assert.is(formatSseComment('heartbeat'), ': heartbeat\n\n')
  assert.is(formatSseComment('a\nb'), ': a\n: b\n\n')
  assert.is(formatSseComment(), ':\n\n')
})

async function withServer (handler: (writer: SseWriter) => void, options: { heartbeatMs?: number } = {}): Promise<{ server: Server, port: number }> {
  const server = createServer((_req, res) => { handler(new SseWriter(res, options)) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port }
}

async function stop (server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
}

test('SseWriter sends the event-stream headers before any event, and heartbeats while idle', async () => {
  const { server, port } = await withServer(() => {}, { heartbeatMs: 20 })
  try {
    const stream = await openStream(`http://127.0.0.1:${port}/`)
    assert.is(stream.status, 200)
    assert.is(stream.headers['content-type'], 'text/event-stream; charset=utf-8')
    assert.is(stream.headers['cache-control'], 'no-cache, no-transform')
    await waitFor('a heartbeat comment', () => stream.raw.includes(': heartbeat\n\n'))
    assert.equal(stream.events, [], 'heartbeats dispatch no events')
    stream.close()
  } finally {
    await stop(server)
  }
})

test('SseWriter.send waits for the socket to drain when the client stops reading', async () => {
  let writer: SseWriter | undefined
  const { server, port } = await withServer((w) => { writer = w }, { heartbeatMs: 60_000 })
  const socket = connect(port, '127.0.0.1')
  try {
    socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n')
    socket.pause()
    await waitFor('the stream to open', () => writer != null)
    const frame = { data: 'x'.repeat(64 * 1024) }
    let blocked: Promise<boolean> | undefined
    for (let i = 0; i < 2000 && blocked == null; i++) {
      const sent = writer!.send(frame)
      const settled = await Promise.race([sent.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))])
      if (!settled) blocked = sent
    }
    assert.ok(blocked != null, 'send eventually waits for the socket')
    let resolved = false
    void blocked.then(() => { resolved = true })
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.not.ok(resolved, 'still waiting while the client does not read')
    socket.resume()
    await waitFor('send to resolve after the client reads again', () => resolved)
    assert.is(await blocked, true)
  } finally {
    socket.destroy()
    await stop(server)
  }
})

test('SseWriter reports a closed stream once the client goes away', async () => {
  let writer: SseWriter | undefined
  const { server, port } = await withServer((w) => { writer = w })
  try {
    const stream = await openStream(`http://127.0.0.1:${port}/`)
    await waitFor('the stream to open', () => writer != null)
    stream.close()
    await writer!.done
    assert.ok(writer!.closed)
    assert.is(await writer!.send({ data: 'late' }), false)
  } finally {
    await stop(server)
  }
})

test.run()
