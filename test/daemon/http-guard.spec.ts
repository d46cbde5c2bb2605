/**
 * The API's request guard, limits and shared answers, against a real `createApi(...)` server:
 * DNS rebinding (foreign Host), cross-site writes, non-JSON bodies, the token on reads beyond
 * loopback, connection/stream/deadline limits answered 503 while probes are still served, one
 * member-list serialisation shared by many clients, TLS, and the key-rotation routes.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { generateClusterKey } from '../../src/daemon/keygen.ts'
import { startApi } from './api-harness.ts'
import { Keyring, keyId } from '../../src/libp2p/keyring.ts'
import { waitFor } from '../e2e/processes.ts'
import type { Harness, HarnessOptions } from './api-harness.ts'

const TOKEN = 'guard-token-0123456789'
const AUTH = { authorization: `Bearer ${TOKEN}` }
const JSON_BODY = { 'content-type': 'application/json' }

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: string }

async function send (h: Harness, method: string, path: string, headers: Record<string, string> = {}, body?: string, ca?: Buffer): Promise<Answer> {
  const url = new URL(h.base)
  return await new Promise<Answer>((resolve, reject) => {
    const options = { host: '127.0.0.1', port: url.port, method, path, headers: { host: `127.0.0.1:${url.port}`, ...headers }, ...(ca != null ? { ca } : {}) }
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }) })
    })
    req.on('error', reject)
    req.setTimeout(5000, () => { req.destroy(new Error('timeout')) })
    req.end(body)
  })
}

let harnesses: Harness[] = []
async function api (options: HarnessOptions = {}): Promise<Harness> {
  const h = await startApi({ token: TOKEN, ...options })
  harnesses.push(h)
  return h
}
test.after.each(async () => {
  await Promise.all(harnesses.map(async (h) => { await h.close() }))
  harnesses = []
})

test('a foreign Host (DNS rebinding) is refused with 421; IP literals, localhost and configured names are served', async () => {
  const h = await api({ guard: { hosts: ['swimd.example.internal'] } })
  for (const host of ['attacker.example', 'attacker.example:7947', 'localhost.attacker.example', '127.0.0.1.nip.io', 'bad host']) {
    const res = await send(h, 'GET', '/v1/members', { host })
    assert.is(res.status, 421, host)
    assert.match(JSON.parse(res.body).error, '--api-host')
  }
  for (const host of [`127.0.0.1:${h.port}`, '127.0.0.1', `localhost:${h.port}`, 'LOCALHOST.', 'app.localhost', '[::1]:7947', '10.1.2.3', 'swimd.example.internal:7947', 'SWIMD.example.internal']) {
    const res = await send(h, 'GET', '/v1/members', { host })
    assert.is(res.status, 200, host)
  }
})

test('a cross-site write (foreign Origin, Sec-Fetch-Site) is refused with 403 before the token is even looked at; the daemon does not leave', async () => {
  const h = await api()
  const attacks: Array<Record<string, string>> = [
    { origin: 'https://attacker.example', 'content-type': 'text/plain' },
    { origin: 'null' },
    { origin: `http://localhost:${h.port + 1}` },
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site', ...AUTH },
    { origin: 'https://attacker.example', ...AUTH, ...JSON_BODY }
  ]
  for (const headers of attacks) {
    const res = await send(h, 'POST', '/v1/leave', headers, headers['content-type'] != null ? '{}' : undefined)
    assert.is(res.status, 403, JSON.stringify(headers))
  }
  assert.is(h.leaveCalls, 0)
  // same origin, or no browser at all: on to the token check
  assert.is((await send(h, 'POST', '/v1/leave', { origin: `http://127.0.0.1:${h.port}` })).status, 401)
  assert.is((await send(h, 'POST', '/v1/leave', { origin: `http://127.0.0.1:${h.port}`, 'sec-fetch-site': 'same-origin', ...AUTH })).status, 202)
  await waitFor('the leave callback', () => h.leaveCalls === 1)
})

test('a write with a body that is not application/json is refused with 415; a body-less write needs no content type', async () => {
  const h = await api()
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
    const res = await send(h, 'PUT', '/v1/meta', { ...AUTH, 'content-type': type }, '{"role":"x"}')
    assert.is(res.status, 415, type)
  }
  assert.is((await send(h, 'PUT', '/v1/meta', AUTH, '{"role":"x"}')).status, 415, 'a body without a content type')
  assert.is((await send(h, 'PUT', '/v1/meta', { ...AUTH, 'content-type': 'Application/JSON; charset=utf-8' }, '{"role":"x"}')).status, 200)
  assert.equal(h.swim.self.meta, { role: 'x' })
})

test('beyond loopback the token guards reads too, except liveness, readiness and metrics', async () => {
  const h = await api({ guard: { guardReads: true } })
  h.ready = true
  for (const path of ['/v1/members', '/v1/self', '/v1/events']) {
    assert.is((await send(h, 'GET', path)).status, 401, path)
    if (path !== '/v1/events') assert.is((await send(h, 'HEAD', path)).status, 401, `HEAD ${path}`)
  }
  assert.is((await send(h, 'GET', '/v1/members', AUTH)).status, 200)
  for (const path of ['/healthz', '/readyz', '/metrics']) assert.is((await send(h, 'GET', path)).status, 200, path)
  const loopback = await api()
  assert.is((await send(loopback, 'GET', '/v1/members')).status, 200, 'on loopback reads need no token')
})

test('event streams over --api-max-streams are answered 503 with Retry-After while probes are still answered', async () => {
  const h = await api({ limits: { maxStreams: 2 } })
  const url = new URL(h.base)
  const open = await Promise.all([0, 1].map(async () => await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: url.port, path: '/v1/events' }, resolve).on('error', reject).end()
  })))
  try {
    for (const res of open) assert.is(res.statusCode, 200)
    const refused = await send(h, 'GET', '/v1/events')
    assert.is(refused.status, 503)
    assert.is(refused.headers['retry-after'], '5')
    assert.match(JSON.parse(refused.body).error, '--api-max-streams')
    assert.is((await send(h, 'GET', '/healthz')).status, 200)
  } finally {
    for (const res of open) res.destroy()
  }
  // a slot freed is a slot taken again
  await waitFor('a stream slot', async () => (await send(h, 'GET', '/healthz')).status === 200 && h.eventLog.subscriberCount === 0)
})

test('connections over --api-max-connections get a clean 503; idle unfinished requests are cut at the headers deadline', async () => {
  const h = await api({ limits: { maxConnections: 3, headersTimeoutMs: 400, requestTimeoutMs: 800 } })
  const sockets = await Promise.all([0, 1, 2].map(async () => await new Promise<import('node:net').Socket>((resolve) => {
    const socket = connect(h.port, '127.0.0.1', () => {
      socket.write('GET /v1/members HTTP/1.1\r\nHost: 127.0.0.1\r\n') // never finished
      resolve(socket)
    })
    socket.on('error', () => {})
  })))
  const closed = sockets.map(async (socket) => await new Promise<string>((resolve) => {
    let text = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
    socket.on('close', () => { resolve(text) })
  }))
  await waitFor('the three connections counted', async () => {
    const text = await new Promise<string>((resolve) => {
      let got = ''
      const extra = connect(h.port, '127.0.0.1', () => { extra.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n') })
      extra.setEncoding('utf8').on('data', (chunk: string) => { got += chunk })
      extra.on('close', () => { resolve(got) })
      extra.on('error', () => { resolve(got) })
    })
    return text.startsWith('HTTP/1.1 503') && text.includes('Too many connections') ? text : undefined
  }, 5000)
  // the deadline frees the slots: each idle client is answered 408 and closed
  const answers = await Promise.all(closed)
  for (const text of answers) assert.ok(text === '' || text.startsWith('HTTP/1.1 408'), JSON.stringify(text))
  await waitFor('healthz served again', async () => (await send(h, 'GET', '/healthz')).status === 200, 5000)
})

test('the member list is serialised once per change and shared by every client', async () => {
  const h = await api()
  for (let i = 0; i < 200; i++) h.swim.emit('join', `12D3KooWPeer${i}`, { meta: { blob: 'x'.repeat(200) } })
  let built = 0
  const members = h.swim.members.bind(h.swim)
  h.swim.members = () => { built++; return members() }
  const answers = await Promise.all(Array.from({ length: 100 }, async () => await send(h, 'GET', '/v1/members')))
  assert.ok(answers.every((a) => a.status === 200 && a.body === answers[0].body))
  assert.is(JSON.parse(answers[0].body).members.length, 201)
  assert.ok(built <= 2, `built ${built} times for 100 requests`)
  h.swim.emit('join', '12D3KooWNewcomer')
  const after = await send(h, 'GET', '/v1/members')
  assert.is(JSON.parse(after.body).members.length, 202, 'a change is seen at once')
  const alive = await send(h, 'GET', '/v1/members?state=dead')
  assert.equal(JSON.parse(alive.body).members, [], 'filters are cached apart')
})

test('the API is served over TLS with --api-cert/--api-key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swimd-tls-'))
  try {
    const cert = join(dir, 'api.crt')
    const key = join(dir, 'api.key')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' })
    const h = await api({ tls: { cert: readFileSync(cert), key: readFileSync(key) } })
    assert.ok(h.base.startsWith('https://'))
    const res = await send(h, 'GET', '/healthz', {}, undefined, readFileSync(cert))
    assert.is(res.status, 200)
    const plain = await new Promise<string>((resolve) => {
      let text = ''
      const socket = connect(h.port, '127.0.0.1', () => { socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n') })
      socket.setEncoding('latin1').on('data', (chunk: string) => { text += chunk })
      socket.on('close', () => { resolve(text) })
      socket.on('error', () => { resolve(text) })
    })
    assert.not.ok(plain.includes('"status":"ok"'), 'nothing is served in plain text')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('key routes: list, install (idempotent), use, remove; the primary cannot be removed; writes need the token', async () => {
  const first = generateClusterKey()
  const firstBytes = Uint8Array.from(Buffer.from(new TextDecoder().decode(first).split('\n')[2], 'hex'))
  const keyring = new Keyring([firstBytes])
  const h = await api({ keyring })
  const list = await send(h, 'GET', '/v1/keys')
  assert.equal(JSON.parse(list.body), { keys: [{ id: keyId(firstBytes), primary: true }] })

  const second = new TextDecoder().decode(generateClusterKey())
  const secondId = keyId(Buffer.from(second.split('\n')[2], 'hex'))
  assert.is((await send(h, 'POST', '/v1/keys', JSON_BODY, JSON.stringify({ key: second }))).status, 401)
  const installed = await send(h, 'POST', '/v1/keys', { ...AUTH, ...JSON_BODY }, JSON.stringify({ key: second }))
  assert.is(installed.status, 201)
  assert.is(JSON.parse(installed.body).id, secondId)
  assert.is((await send(h, 'POST', '/v1/keys', { ...AUTH, ...JSON_BODY }, JSON.stringify({ key: second.split('\n')[2] }))).status, 201, 'bare hex, again')
  assert.is(keyring.list().length, 2)

  for (const body of ['{"key":"nope"}', '{"key":1}', '[]']) {
    assert.is((await send(h, 'POST', '/v1/keys', { ...AUTH, ...JSON_BODY }, body)).status, 400, body)
  }
  assert.is((await send(h, 'PUT', '/v1/keys/primary', { ...AUTH, ...JSON_BODY }, '{"id":"0000000000000000"}')).status, 404)
  assert.is((await send(h, 'DELETE', `/v1/keys/${secondId}`)).status, 401)
  assert.is((await send(h, 'DELETE', `/v1/keys/${keyId(firstBytes)}`, AUTH)).status, 409)

  const used = await send(h, 'PUT', '/v1/keys/primary', { ...AUTH, ...JSON_BODY }, JSON.stringify({ id: secondId }))
  assert.is(used.status, 200)
  assert.equal(JSON.parse(used.body).keys.find((k: { primary: boolean }) => k.primary).id, secondId)
  const removed = await send(h, 'DELETE', `/v1/keys/${keyId(firstBytes)}`, AUTH)
  assert.is(removed.status, 200)
  assert.equal(JSON.parse(removed.body), { keys: [{ id: secondId, primary: true }] })
  assert.is((await send(h, 'DELETE', '/v1/keys/zz', AUTH)).status, 400)
  assert.is((await send(h, 'DELETE', `/v1/keys/${keyId(firstBytes)}`, AUTH)).status, 404)

  const none = await api()
  assert.is((await send(none, 'GET', '/v1/keys')).status, 501, 'no keyring')
})

test.run()
