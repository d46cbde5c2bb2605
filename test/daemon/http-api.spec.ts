import { request } from 'node:http'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMetrics } from '../../src/daemon/metrics.ts'
import { startApi } from './api-harness.ts'
import { fakeStats, FakeSwim } from './fake-swim.ts'
import { parsePrometheus, sampleValue } from './prometheus.ts'
import { openStream } from './sse-stream.ts'
import { waitFor } from './wait.ts'
import type { Harness, HarnessOptions } from './api-harness.ts'
import type { OpenStream } from './sse-stream.ts'

const JSON_BODY = { 'content-type': 'application/json' }

const TOKEN = 'test-token-1234'
const open: Harness[] = []
const streams: OpenStream[] = []

async function start (options: HarnessOptions = {}): Promise<Harness> {
  const harness = await startApi(options)
  open.push(harness)
  return harness
}

async function stream (url: string, headers?: Record<string, string>): Promise<OpenStream> {
  const s = await openStream(url, headers)
  streams.push(s)
  return s
}

test.after.each(async () => {
  for (const s of streams.splice(0)) s.close()
  for (const harness of open.splice(0)) await harness.close()
})

async function json (res: Response): Promise<any> {
  assert.match(res.headers.get('content-type') ?? '', 'application/json')
  return await res.json()
}

/** Sends a request with a declared body length, without sending the body. */
async function rawRequest (url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: text }) })
    })
    req.on('error', reject)
    if (body != null) req.write(body)
    req.end()
  })
}

test('GET /v1/self answers the local member', async () => {
  const h = await start()
  const res = await fetch(`${h.base}/v1/self`)
  assert.is(res.status, 200)
  assert.equal(await json(res), h.swim.localMember())
})

test('GET /v1/members lists every member, and ?state= filters them', async () => {
  const h = await start()
  h.swim.emit('join', 'peer-a')
  h.swim.emit('join', 'peer-b')
  h.swim.emit('suspect', 'peer-b')
  const all = await json(await fetch(`${h.base}/v1/members`))
  assert.equal(all.members.map((m: any) => m.id).sort(), [h.swim.self.id, 'peer-a', 'peer-b'].sort())
  const suspects = await json(await fetch(`${h.base}/v1/members?state=suspect`))
  assert.equal(suspects, { members: h.swim.members().filter((m) => m.state === 'suspect') })
  const several = await json(await fetch(`${h.base}/v1/members?state=alive,suspect`))
  assert.is(several.members.length, 3)
})

test('GET /v1/members rejects an unknown state with a 400 JSON error', async () => {
  const h = await start()
  const res = await fetch(`${h.base}/v1/members?state=zombie`)
  assert.is(res.status, 400)
  assert.equal(await json(res), { error: 'Invalid state "zombie": expected one of alive, suspect, dead, left' })
})

test('GET /v1/events streams each new event with id: seq, event: type and data: the event plus seq', async () => {
  const h = await start()
  const s = await stream(`${h.base}/v1/events`)
  assert.is(s.status, 200)
  assert.is(s.headers['content-type'], 'text/event-stream; charset=utf-8')
  await waitFor('the subscription', () => h.eventLog.subscriberCount === 1)
  const joined = h.swim.emit('join', 'peer-a', { meta: { role: 'api' } }, 1234)
  h.swim.emit('suspect', 'peer-a', {}, 1235)
  const events = await s.waitForEvents(2)
  assert.equal(events.map((e) => [e.lastEventId, e.type]), [['1', 'join'], ['2', 'suspect']])
  assert.equal(JSON.parse(events[0].data), { seq: 1, type: 'join', at: 1234, member: joined.member })
  assert.equal(Object.keys(JSON.parse(events[1].data)), ['seq', 'type', 'at', 'member'])
})

test('GET /v1/events carries the reason of a restart\'s update', async () => {
  const h = await start()
  const s = await stream(`${h.base}/v1/events`)
  await waitFor('the subscription', () => h.eventLog.subscriberCount === 1)
  const restarted = h.swim.emit('update', 'peer-a', { generation: 1_700_000_000_500 }, 1234, 'restart')
  const [event] = await s.waitForEvents(1)
  assert.equal(JSON.parse(event.data), { seq: 1, type: 'update', at: 1234, member: restarted.member, reason: 'restart' })
  assert.is(JSON.parse(event.data).member.generation, 1_700_000_000_500)
})

test('GET /v1/events without a resume point starts with a marker of the current seq', async () => {
  const h = await start()
  h.swim.emit('join', 'peer-a')
  h.swim.emit('join', 'peer-b')
  const s = await stream(`${h.base}/v1/events`)
  await waitFor('the position marker', () => s.parser.lastEventId === '2')
  assert.equal(s.events, [], 'no past events are replayed')
})

test('GET /v1/events with Last-Event-ID returns exactly the missing events, then live ones', async () => {
  const h = await start()
  for (const id of ['a', 'b', 'c', 'd', 'e']) h.swim.emit('join', id)
  const s = await stream(`${h.base}/v1/events`, { 'last-event-id': '2' })
  const replayed = await s.waitForEvents(3)
  assert.equal(replayed.map((e) => e.lastEventId), ['3', '4', '5'])
  h.swim.emit('fail', 'a')
  const all = await s.waitForEvents(4)
  assert.equal(all.map((e) => `${e.lastEventId}:${e.type}`), ['3:join', '4:join', '5:join', '6:fail'])
})

test('GET /v1/events?since= returns exactly the events after it, and Last-Event-ID wins over since', async () => {
  const h = await start()
  for (const id of ['a', 'b', 'c', 'd']) h.swim.emit('join', id)
  const bySince = await stream(`${h.base}/v1/events?since=1`)
  assert.equal((await bySince.waitForEvents(3)).map((e) => e.lastEventId), ['2', '3', '4'])
  const both = await stream(`${h.base}/v1/events?since=1`, { 'last-event-id': '3' })
  assert.equal((await both.waitForEvents(1)).map((e) => e.lastEventId), ['4'])
  const fromZero = await stream(`${h.base}/v1/events?since=0`)
  assert.equal((await fromZero.waitForEvents(4)).map((e) => e.lastEventId), ['1', '2', '3', '4'])
  await waitFor('three subscribers', () => h.eventLog.subscriberCount === 3)
  assert.is(bySince.events.length + both.events.length + fromZero.events.length, 8, 'nothing extra')
})

test('GET /v1/events sends a reset with seq and members first when the resume point is too old', async () => {
  const h = await start({ capacity: 4 })
  for (let i = 0; i < 10; i++) h.swim.emit('join', `peer-${i}`)
  const s = await stream(`${h.base}/v1/events`, { 'last-event-id': '3' })
  const [reset] = await s.waitForEvents(1)
  assert.is(reset.type, 'reset')
  assert.is(reset.lastEventId, '10')
  assert.equal(JSON.parse(reset.data), { seq: 10, members: h.swim.members() })
  h.swim.emit('leave', 'peer-1')
  const events = await s.waitForEvents(2)
  assert.equal(events.map((e) => `${e.lastEventId}:${e.type}`), ['10:reset', '11:leave'])
})

test('GET /v1/events sends a reset when the resume point was never issued (swimd restarted)', async () => {
  const h = await start()
  h.swim.emit('join', 'peer-a')
  const s = await stream(`${h.base}/v1/events`, { 'last-event-id': '500' })
  const [reset] = await s.waitForEvents(1)
  assert.is(reset.type, 'reset')
  assert.equal(JSON.parse(reset.data).seq, 1)
})

test('GET /v1/events unsubscribes a client that goes away', async () => {
  const h = await start()
  const s = await stream(`${h.base}/v1/events`)
  await waitFor('the subscription', () => h.eventLog.subscriberCount === 1)
  s.close()
  await waitFor('the subscription to end', () => h.eventLog.subscriberCount === 0)
})

test('GET /v1/events rejects a malformed resume point with 400', async () => {
  const h = await start()
  const res = await fetch(`${h.base}/v1/events?since=abc`)
  assert.is(res.status, 400)
  assert.match((await json(res)).error, 'Invalid since "abc"')
  const header = await fetch(`${h.base}/v1/events`, { headers: { 'last-event-id': '-1' } })
  assert.is(header.status, 400)
  assert.match((await json(header)).error, 'Invalid Last-Event-ID "-1"')
})

test('every write (PUT, PATCH, POST) answers 401 without the bearer token, or with a wrong one, when a token is configured', async () => {
  const h = await start({ token: TOKEN })
  for (const [method, path] of [['PUT', '/v1/meta'], ['PATCH', '/v1/meta'], ['POST', '/v1/leave'], ['POST', '/v1/forget'], ['POST', '/v1/join']]) {
    const missing = await fetch(`${h.base}${path}`, { method, body: '{}' })
    assert.is(missing.status, 401, `${method} ${path} without a token`)
    assert.is(missing.headers.get('www-authenticate'), 'Bearer realm="swimd"')
    assert.match((await json(missing)).error, 'Missing bearer token')
    const wrong = await fetch(`${h.base}${path}`, { method, body: '{}', headers: { authorization: 'Bearer nope' } })
    assert.is(wrong.status, 401, `${method} ${path} with a wrong token`)
    assert.match((await json(wrong)).error, 'Wrong bearer token')
  }
  assert.is(h.leaveCalls, 0)
  assert.equal(h.swim.self.meta, { role: 'test' })
  assert.equal(h.swim.forgotten, [])
})

test('PUT and POST succeed with the right bearer token', async () => {
  const h = await start({ token: TOKEN })
  const auth = { authorization: `Bearer ${TOKEN}` }
  const put = await fetch(`${h.base}/v1/meta`, { method: 'PUT', body: '{"role":"db"}', headers: { ...auth, 'content-type': 'application/json' } })
  assert.is(put.status, 200)
  const post = await fetch(`${h.base}/v1/leave`, { method: 'POST', headers: auth })
  assert.is(post.status, 202)
})

test('GET requests need no token even when one is configured', async () => {
  const h = await start({ token: TOKEN })
  assert.is((await fetch(`${h.base}/v1/self`)).status, 200)
  assert.is((await fetch(`${h.base}/v1/members`)).status, 200)
})

test('PUT /v1/meta replaces the metadata and answers the updated member', async () => {
  const h = await start()
  const res = await fetch(`${h.base}/v1/meta`, { method: 'PUT', body: JSON.stringify({ role: 'db', zone: 'b' }), headers: JSON_BODY })
  assert.is(res.status, 200)
  const member = await json(res)
  assert.equal(member.meta, { role: 'db', zone: 'b' })
  assert.equal(member, h.swim.localMember())
})

test('PUT /v1/meta rejects malformed JSON, non-objects and non-string values with 400', async () => {
  const h = await start()
  const cases: Array<[string, string]> = [
    ['{"role": ', 'Cannot parse request body as JSON'],
    ['', 'Request body is empty'],
    ['["role"]', 'Invalid metadata: expected a JSON object of strings'],
    ['null', 'Invalid metadata: expected a JSON object of strings'],
    ['{"port": 8080}', 'Invalid metadata: "port" must be a string, got 8080'],
    ['{"tags": ["a"]}', 'Invalid metadata: "tags" must be a string, got ["a"]']
  ]
  for (const [body, message] of cases) {
    const res = await fetch(`${h.base}/v1/meta`, { method: 'PUT', body, headers: JSON_BODY })
    assert.is(res.status, 400, body)
    assert.match((await json(res)).error, message)
  }
  assert.equal(h.swim.self.meta, { role: 'test' }, 'unchanged')
})

test('PUT /v1/meta answers 400 when the service refuses the metadata as out of range', async () => {
  const h = await start()
  h.swim.setMetadataError = new RangeError('Invalid metadata: Metadata value is 600 bytes, above the limit of 512')
  const res = await fetch(`${h.base}/v1/meta`, { method: 'PUT', body: '{"a":"b"}', headers: JSON_BODY })
  assert.is(res.status, 400)
  assert.equal(await json(res), { error: 'Invalid metadata: Metadata value is 600 bytes, above the limit of 512' })
})

test('PUT /v1/meta answers 500 with the reason when the node cannot sign its new record', async () => {
  const h = await start()
  h.swim.setMetadataError = new Error('Cannot sign a new member record: incarnation 9007199254740991 is the last one (restart with a new identity)')
  const res = await fetch(`${h.base}/v1/meta`, { method: 'PUT', body: '{"a":"b"}', headers: JSON_BODY })
  assert.is(res.status, 500)
  assert.match((await json(res)).error, /Cannot announce the metadata: Cannot sign a new member record: incarnation/)
})

test('PUT /v1/meta answers 413 for a body over the limit, declared or streamed', async () => {
  const h = await start({ maxBodyBytes: 1024 })
  const declared = await rawRequest(`${h.base}/v1/meta`, 'PUT', { 'content-length': '100000', ...JSON_BODY })
  assert.is(declared.status, 413)
  assert.equal(JSON.parse(declared.body), { error: 'Request body too large: the limit is 1024 bytes' })
  const streamed = await rawRequest(`${h.base}/v1/meta`, 'PUT', { 'transfer-encoding': 'chunked', ...JSON_BODY }, JSON.stringify({ big: 'x'.repeat(2000) }))
  assert.is(streamed.status, 413)
})

test('POST /v1/leave answers 202 and then calls onLeave once', async () => {
  const h = await start()
  const res = await fetch(`${h.base}/v1/leave`, { method: 'POST' })
  assert.is(res.status, 202)
  assert.equal(await json(res), { status: 'leaving' })
  await waitFor('onLeave', () => h.leaveCalls === 1)
})

test('an unknown path answers 404 and a wrong method 405 with Allow, both as JSON errors', async () => {
  const h = await start()
  const missing = await fetch(`${h.base}/v1/nope`)
  assert.is(missing.status, 404)
  assert.equal(await json(missing), { error: 'Unknown path "/v1/nope": see the API endpoints under /v1/' })
  const wrong = await fetch(`${h.base}/v1/self`, { method: 'DELETE' })
  assert.is(wrong.status, 405)
  assert.is(wrong.headers.get('allow'), 'GET')
  assert.equal(await json(wrong), { error: 'Method DELETE not allowed on /v1/self: use GET' })
  const post = await fetch(`${h.base}/v1/meta`, { method: 'POST', body: '{}' })
  assert.is(post.status, 405)
  assert.is(post.headers.get('allow'), 'PUT, PATCH')
})

test('GET /metrics serves Prometheus text with the members-by-state gauge', async () => {
  const swim = new FakeSwim()
  swim.emit('join', 'peer-a')
  swim.emit('join', 'peer-b')
  swim.emit('suspect', 'peer-b')
  const { registry } = createMetrics({ stats: () => fakeStats(swim), processMetrics: false })
  const h = await start({ swim, registry })
  const res = await fetch(`${h.base}/metrics`)
  assert.is(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', 'text/plain')
  const exposition = parsePrometheus(await res.text())
  assert.is(exposition.types.get('swim_members'), 'gauge')
  assert.is(sampleValue(exposition, 'swim_members', { state: 'alive' }), 2)
  assert.is(sampleValue(exposition, 'swim_members', { state: 'suspect' }), 1)
  assert.is(sampleValue(exposition, 'swim_members', { state: 'dead' }), 0)
})

test('GET /healthz answers 200; GET /readyz answers 503 until the node has joined, then 200', async () => {
  const h = await start()
  assert.is((await fetch(`${h.base}/healthz`)).status, 200)
  const before = await fetch(`${h.base}/readyz`)
  assert.is(before.status, 503)
  assert.match((await json(before)).error, 'Not ready')
  h.ready = true
  const after = await fetch(`${h.base}/readyz`)
  assert.is(after.status, 200)
  assert.equal(await json(after), { status: 'ready' })
})

test('HEAD is answered like GET except on the event stream', async () => {
  const h = await start()
  assert.is((await fetch(`${h.base}/healthz`, { method: 'HEAD' })).status, 200)
  assert.is((await fetch(`${h.base}/v1/events`, { method: 'HEAD' })).status, 405)
})

test('close() ends open event streams and stops accepting connections', async () => {
  const h = await startApi()
  const s = await stream(`${h.base}/v1/events`)
  await waitFor('the subscription', () => h.eventLog.subscriberCount === 1)
  const started = Date.now()
  await h.close()
  assert.ok(Date.now() - started < 1500, 'close does not wait for the stream to time out')
  await waitFor('the stream to end', () => s.ended)
  assert.is(h.eventLog.subscriberCount, 0)
  try {
    await fetch(`${h.base}/healthz`)
    assert.unreachable('the server should be closed')
  } catch (err) {
    assert.instance(err, TypeError)
  }
})

test.run()
