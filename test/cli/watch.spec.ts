import { createServer } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { main } from '../../src/cli/main.ts'
import { FIRST_CONNECT_ATTEMPTS } from '../../src/cli/watch.ts'
import { EventLog } from '../../src/daemon/event-log.ts'
import { recordMembershipEvents } from '../../src/daemon/record-events.ts'
import { startApi } from '../daemon/api-harness.ts'
import { FakeSwim } from '../daemon/fake-swim.ts'
import { Collector, waitFor } from '../daemon/wait.ts'
import { closedPort } from './helpers.ts'
import type { Harness } from '../daemon/api-harness.ts'
import type { AddressInfo } from 'node:net'

const FAST = { initialMs: 20, maxMs: 100 }

interface Watching {
  stdout: Collector
  stderr: Collector
  stop: () => Promise<number>
}

function startWatch (argv: string[], env: Record<string, string> = {}, stdout = new Collector()): Watching {
  const stderr = new Collector()
  const controller = new AbortController()
  const running = main(['watch', ...argv], env, stdout, stderr, { signal: controller.signal, backoff: FAST })
  return {
    stdout,
    stderr,
    stop: async () => {
      controller.abort()
      return await running
    }
  }
}

const seqs = (w: Watching): number[] => w.stdout.lines.map((line) => JSON.parse(line).seq)

test('watch --json prints one { seq, type, at, member } object per event', async () => {
  const h = await startApi()
  const w = startWatch(['--json', '--api', h.base])
  try {
    await waitFor('the watcher to subscribe', () => h.eventLog.subscriberCount === 1)
    const joined = h.swim.emit('join', 'peer-a', { meta: { role: 'api' } }, 1000)
    h.swim.emit('suspect', 'peer-a', {}, 2000)
    await waitFor('two lines', () => w.stdout.lines.length === 2)
    const [first, second] = w.stdout.lines.map((line) => JSON.parse(line))
    assert.equal(first, { seq: 1, type: 'join', at: 1000, member: joined.member })
    assert.equal(Object.keys(second), ['seq', 'type', 'at', 'member'])
    assert.is(second.type, 'suspect')
  } finally {
    assert.is(await w.stop(), 0, 'an interrupted watch exits 0')
    await h.close()
  }
})

test('watch prints one human line per event with time, type, id, addresses and metadata', async () => {
  const h = await startApi()
  const w = startWatch(['--api', h.base])
  try {
    await waitFor('the watcher to subscribe', () => h.eventLog.subscriberCount === 1)
    h.swim.emit('join', 'peer-a', { addrs: ['/ip4/10.0.0.1/tcp/7946'], meta: { role: 'api' } }, Date.UTC(2024, 0, 2, 3, 4, 5))
    await waitFor('one line', () => w.stdout.lines.length === 1)
    assert.is(w.stdout.lines[0], '2024-01-02T03:04:05.000Z join    peer-a /ip4/10.0.0.1/tcp/7946 role=api')
  } finally {
    await w.stop()
    await h.close()
  }
})

test('watch --type prints only the listed event types', async () => {
  const h = await startApi()
  const w = startWatch(['--json', '--type', 'join,fail', '--api', h.base])
  try {
    await waitFor('the watcher to subscribe', () => h.eventLog.subscriberCount === 1)
    h.swim.emit('join', 'a')
    h.swim.emit('suspect', 'a')
    h.swim.emit('fail', 'a')
    h.swim.emit('join', 'b')
    await waitFor('three lines', () => w.stdout.lines.length === 3)
    assert.equal(w.stdout.lines.map((line) => JSON.parse(line).type), ['join', 'fail', 'join'])
    assert.equal(seqs(w), [1, 3, 4])
  } finally {
    await w.stop()
    await h.close()
  }
})

test('watch --since replays the retained events after SEQ, then follows', async () => {
  const h = await startApi()
  for (const id of ['a', 'b', 'c']) h.swim.emit('join', id)
  const w = startWatch(['--json', '--since', '1', '--api', h.base])
  try {
    await waitFor('the replay', () => w.stdout.lines.length === 2)
    h.swim.emit('leave', 'a')
    await waitFor('the live event', () => w.stdout.lines.length === 3)
    assert.equal(seqs(w), [2, 3, 4])
  } finally {
    await w.stop()
    await h.close()
  }
})

test('watch reports a reset on stderr when its resume point is no longer retained', async () => {
  const h = await startApi({ capacity: 2 })
  for (const id of ['a', 'b', 'c', 'd']) h.swim.emit('join', id)
  const w = startWatch(['--json', '--since', '0', '--api', h.base])
  try {
    await waitFor('the reset notice', () => w.stderr.text !== '')
    assert.match(w.stderr.text, 'Missed events before seq 5')
    assert.match(w.stderr.text, '5 members known')
    h.swim.emit('fail', 'a')
    await waitFor('the next event', () => w.stdout.lines.length === 1)
    assert.equal(seqs(w), [5])
  } finally {
    await w.stop()
    await h.close()
  }
})

test('watch --json resumes after swimd\'s API is closed and restarted on the same port, losing and repeating nothing', async () => {
  const swim = new FakeSwim()
  const eventLog = new EventLog({ capacity: 64 })
  const detach = recordMembershipEvents(swim, eventLog)
  let h: Harness | undefined = await startApi({ swim, eventLog })
  const { port, base } = h
  const w = startWatch(['--json', '--api', base])
  try {
    await waitFor('the watcher to subscribe', () => eventLog.subscriberCount === 1)
    for (const id of ['a', 'b', 'c']) swim.emit('join', id)
    await waitFor('the first three events', () => w.stdout.lines.length === 3)

    await h.close()
    h = undefined
    swim.emit('suspect', 'a')
    swim.emit('fail', 'a')
    await waitFor('a failed reconnection attempt', () => w.stderr.text.includes('Cannot reach swimd'))

    h = await startApi({ swim, eventLog, port })
    await waitFor('the events missed while the API was down', () => w.stdout.lines.length === 5)
    swim.emit('join', 'd')
    await waitFor('a live event after the restart', () => w.stdout.lines.length === 6)

    assert.equal(seqs(w), [1, 2, 3, 4, 5, 6])
    assert.equal(w.stdout.lines.map((line) => JSON.parse(line).type), ['join', 'join', 'join', 'suspect', 'fail', 'join'])
    const unreachable = w.stderr.lines.filter((line) => line.startsWith('Cannot reach swimd'))
    assert.equal(unreachable, [`Cannot reach swimd at ${base}: connection refused (retrying until it is back)`], 'said once per outage')
  } finally {
    await w.stop()
    await h?.close()
    detach()
  }
})

test('watch against an API that never answered (a mistyped --api) gives up after a few attempts and exits 1', async () => {
  const port = await closedPort()
  const w = startWatch(['--api', `http://127.0.0.1:${port}`])
  await waitFor('the watcher to give up', () => w.stderr.lines.length >= 2)
  assert.is(await w.stop(), 1)
  assert.equal(w.stderr.lines, [
    `Cannot reach swimd at http://127.0.0.1:${port}: connection refused (retrying, ${FIRST_CONNECT_ATTEMPTS} attempts)`,
    `Cannot reach swimd at http://127.0.0.1:${port}: connection refused; gave up after ${FIRST_CONNECT_ATTEMPTS} attempts (check --api or SWIM_API)`
  ])
})

test('an https:// URL for the plain-HTTP API says so instead of an OpenSSL error', async () => {
  const h = await startApi()
  try {
    const stderr = new Collector()
    const code = await main(['members', '--api', h.base.replace('http://', 'https://')], {}, new Collector(), stderr)
    assert.is(code, 1)
    assert.match(stderr.text, /the TLS handshake failed: the API there speaks plain HTTP, not HTTPS \(use an http:\/\/ URL\)/)
    assert.not.match(stderr.text, /ssl3|SSL routines/)
  } finally {
    await h.close()
  }
})

test('watch says it cannot reach swimd once however many attempts fail', async () => {
  let attempts = 0
  const server = createServer((socket) => {
    attempts++
    socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const w = startWatch(['--api', base])
  try {
    await waitFor('four connection attempts', () => attempts >= 4)
  } finally {
    await w.stop()
    await new Promise((resolve) => server.close(resolve))
  }
  assert.is(w.stderr.lines.length, 1, w.stderr.text)
  assert.ok(w.stderr.lines[0].startsWith(`Cannot reach swimd at ${base}: `), w.stderr.text)
})

test.run()
