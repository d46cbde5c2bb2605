import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { labelName, prometheusTargets, MAX_LOOKUP_N } from '../../src/daemon/consumer-routes.ts'
import { startApi } from './api-harness.ts'
import { makeMember } from './fake-swim.ts'
import type { Harness } from './api-harness.ts'

let h: Harness

test.before(async () => {
  h = await startApi()
  h.ready = true
  for (let i = 0; i < 20; i++) h.swim.emit('join', `peer-${i}`, { addrs: [`/ip4/10.0.0.${i + 1}/tcp/7946`], meta: { zone: `z${i % 3}` } })
})

test.after(async () => { await h.close() })

async function get (path: string): Promise<{ status: number, body: any }> {
  const res = await fetch(`${h.base}${path}`)
  return { status: res.status, body: await res.json() }
}

test('GET /v1/lookup answers { key, members } with n distinct owners; n is capped', async () => {
  const { status, body } = await get('/v1/lookup?key=order%2F17&n=3')
  assert.is(status, 200)
  assert.is(body.key, 'order/17')
  assert.equal(body.members, h.swim.lookup('order/17', 3))
  assert.is(new Set(body.members.map((m: { meta: { zone: string } }) => m.meta.zone)).size, 3)
  assert.is((await get('/v1/lookup?key=k')).body.members.length, 1, 'n defaults to 1')
  assert.is((await get('/v1/lookup?key=k&n=999999999999')).body.members.length, MAX_LOOKUP_N)
  assert.is((await get('/v1/lookup?key=')).status, 200, 'the empty key is a key')
})

test('GET /v1/lookup refuses a missing key, a bad n and an oversized key with 400', async () => {
  for (const [path, message] of [
    ['/v1/lookup', 'Missing key'],
    ['/v1/lookup?key=k&n=0', 'Invalid n "0"'],
    ['/v1/lookup?key=k&n=1e3', 'Invalid n "1e3"'],
    ['/v1/lookup?key=k&n=-3', 'Invalid n "-3"'],
    [`/v1/lookup?key=${'%C3%A9'.repeat(2049)}`, 'longer than 4096 bytes']
  ]) {
    const { status, body } = await get(path)
    assert.is(status, 400, path)
    assert.match(body.error, message)
  }
})

test('GET /v1/quorum and /readyz?quorum=1 follow the service quorum state', async () => {
  h.swim.quorumStatus = { state: 'forming', alive: 1, expected: 0, since: 5 }
  assert.equal((await get('/v1/quorum')).body, { state: 'forming', alive: 1, expected: 0, since: 5 })
  let res = await get('/readyz?quorum=1')
  assert.is(res.status, 503)
  assert.match(res.body.error, 'not been stable long enough')
  h.swim.quorumStatus = { state: 'minority', alive: 2, expected: 6, since: 6 }
  res = await get('/readyz?quorum=1')
  assert.is(res.status, 503)
  assert.match(res.body.error, 'minority (2 alive of 6 expected')
  assert.is((await get('/readyz')).status, 200, 'without quorum=1 readiness ignores quorum')
  h.swim.quorumStatus = { state: 'quorum', alive: 4, expected: 6, since: 7 }
  assert.is((await get('/readyz?quorum=1')).status, 200)
  h.ready = false
  assert.is((await get('/readyz?quorum=1')).status, 503, 'not joined is not ready, quorum or not')
  h.ready = true
})

test('GET /v1/sd/prometheus: target groups of the members in the asked states; port required', async () => {
  h.swim.emit('suspect', 'peer-3')
  const alive = (await get('/v1/sd/prometheus?port=9100')).body
  assert.is(alive.length, 20, 'alive only by default: self and 19 peers')
  assert.ok(alive.every((g: { labels: Record<string, string> }) => g.labels.__meta_swim_state === 'alive'))
  const suspect = (await get('/v1/sd/prometheus?port=9100&state=suspect')).body
  assert.equal(suspect, [{ targets: ['10.0.0.4:9100'], labels: { __meta_swim_id: 'peer-3', __meta_swim_state: 'suspect', __meta_swim_meta_zone: 'z0' } }])
  h.swim.emit('alive', 'peer-3')
  for (const [path, message] of [
    ['/v1/sd/prometheus', 'Missing port'],
    ['/v1/sd/prometheus?port=0', 'Invalid port "0"'],
    ['/v1/sd/prometheus?port=65536', 'Invalid port'],
    ['/v1/sd/prometheus?port=80&state=gone', 'Invalid state "gone"']
  ]) {
    const { status, body } = await get(path)
    assert.is(status, 400, path)
    assert.match(body.error, message)
  }
})

test('prometheusTargets: hosts from /ip4, /ip6 and /dns addresses; no usable address, no target; labels sanitised', () => {
  const groups = prometheusTargets([
    makeMember('v4', { addrs: ['/ip4/192.0.2.7/tcp/7946', '/ip4/10.0.0.1/tcp/1'] }),
    makeMember('v6', { addrs: ['/ip6/2001:db8::1/tcp/7946'] }),
    makeMember('dns', { addrs: ['/dns4/node-1.example.com/tcp/7946'] }),
    makeMember('none', { addrs: [] }),
    makeMember('odd', { addrs: ['/unix/tmp/sock'] }),
    makeMember('evil', { addrs: ['/dns4/a"b/tcp/1'] }),
    makeMember('meta', { addrs: ['/ip4/192.0.2.8/tcp/1'], meta: { 'rack.id': 'r1', 'rack-id': 'r2', ünï: 'x', '9lives': 'cat' } })
  ], 9100)
  assert.equal(groups.map((g) => g.targets[0]), ['192.0.2.7:9100', '[2001:db8::1]:9100', 'node-1.example.com:9100', '192.0.2.8:9100'])
  assert.equal(groups[3].labels, {
    __meta_swim_id: 'meta',
    __meta_swim_state: 'alive',
    __meta_swim_meta_9lives: 'cat',
    __meta_swim_meta_rack_id: 'r2',
    __meta_swim_meta__n_: 'x'
  }, 'rack-id sorts before rack.id and wins the sanitised name')
  for (const name of Object.keys(groups[3].labels)) assert.match(name, /^[a-zA-Z_][a-zA-Z0-9_]*$/)
  assert.is(labelName('a-b.c d'), 'a_b_c_d')
})

test.run()
