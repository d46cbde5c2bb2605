/**
 * A node whose event loop runs late (hundreds of nodes on one thread, a long garbage
 * collection, a loaded host) must not throw away answers that arrived in time: timers run
 * before the loop reads sockets, so a plain timeout fired first and a refused dial, the
 * evidence that a member's process is gone, counted as a mere timeout.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { patientTimeout } from '../../src/libp2p/timeout.ts'
import type { StreamTransport } from '../../src/libp2p/transport.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { createNode, FAST, idOf, stop, stopAll } from './helpers.ts'

test.after.each(async () => { await stopAll() })

/** Keeps the thread busy for `ms`, as a loaded process does. */
function stall (ms: number): void {
  const until = Date.now() + ms
  while (Date.now() < until) { /* busy, as a loaded thread is */ }
}

test('a fallback probe refused while the event loop was stalled past its timeout still reports the refusal', async () => {
  const a = await createNode()
  const gone = await createNode()
  const id = idOf(gone)
  const addrs = gone.getMultiaddrs().map(String)
  await stop(gone)
  const streams = (a.services.swim as unknown as { transport: { streams: StreamTransport } }).transport.streams
  const before = a.services.swim.stats().unreachable
  const answer = streams.ping(id, addrs, encodeMessage({ type: 'ping', seq: 1, target: id, updates: [] }))
  // The dial goes out and is refused at once; the thread only reads that after the
  // exchange's timeout (probeInterval) has passed.
  stall(3 * (FAST.probeInterval ?? 200))
  assert.is(await answer, undefined)
  assert.is(a.services.swim.stats().unreachable, before + 1, 'the refusal counts as evidence, not as a timeout')
})

test('patientTimeout aborts with a TimeoutError after its time, and not before', async () => {
  const started = Date.now()
  const signal = patientTimeout(50)
  assert.is(signal.aborted, false)
  await new Promise<void>((resolve) => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })
  assert.ok(Date.now() - started >= 49, `aborted after ${Date.now() - started} ms`)
  assert.is((signal.reason as Error).name, 'TimeoutError')
})

test('patientTimeout reads what arrived during a stall first: a socket error beats the timer', async () => {
  const { createServer, connect } = await import('node:net')
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  const outcome = async (signal: AbortSignal): Promise<string> => await new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', signal })
    socket.on('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? err.name) })
    socket.on('connect', () => { socket.destroy(); resolve('connected') })
    stall(150)
  })
  // The plain timeout fires first and the refusal is lost; the patient one lets it through.
  assert.is(await outcome(AbortSignal.timeout(50)), 'ABORT_ERR')
  assert.is(await outcome(patientTimeout(50)), 'ECONNREFUSED')
})

test.run()
