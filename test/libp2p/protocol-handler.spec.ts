/**
 * The registration and stream bookkeeping ping-protocol.ts and push-pull-protocol.ts share.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { streamPair } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { ProtocolHandler } from '../../src/libp2p/protocol-handler.ts'
import { DEFAULT_LIMITS } from '../../src/wire/limits.ts'
import { connectionFrom, log, stubRegistrar } from './stream-pair.ts'

function handler (): { handler: ProtocolHandler, registrar: ReturnType<typeof stubRegistrar>, inbound: Stream[], registrations: number } {
  const registrar = stubRegistrar()
  const result = { registrar, inbound: [] as Stream[], registrations: 0, handler: undefined as unknown as ProtocolHandler }
  const handle = registrar.handle
  registrar.handle = async (protocol, onStream, options) => {
    result.registrations++
    assert.equal(options, { maxInboundStreams: 3, maxOutboundStreams: 5 })
    await handle(protocol, onStream, options)
  }
  result.handler = new ProtocolHandler({
    registrar,
    protocol: '/test/1.0.0',
    maxInboundStreams: 3,
    maxOutboundStreams: 5,
    log,
    admits: (id) => id !== 'stranger',
    onStream: (stream, _connection, from) => {
      assert.is(from, 'b')
      result.inbound.push(stream)
    }
  })
  return result
}

test('a protocol handler registers once however often it is started, and unregisters on stop', async () => {
  const t = handler()
  await t.handler.start()
  await t.handler.start()
  assert.is(t.registrations, 1)
  assert.ok(t.handler.running)
  const [, remote] = await streamPair()
  await t.registrar.handlers.get('/test/1.0.0')?.(remote, connectionFrom('b'))
  assert.equal(t.inbound, [remote])
  await t.handler.stop()
  await t.handler.stop()
  assert.not.ok(t.handler.running)
  assert.is(t.registrar.handlers.size, 0)
})

test('a protocol handler resets a stream from a peer it does not admit, or after it stopped', async () => {
  const t = handler()
  await t.handler.start()
  const onStream = t.registrar.handlers.get('/test/1.0.0')
  const [, stranger] = await streamPair()
  await onStream?.(stranger, connectionFrom('stranger'))
  assert.is(stranger.status, 'aborted')
  await t.handler.stop()
  const [, late] = await streamPair()
  await onStream?.(late, connectionFrom('b'))
  assert.is(late.status, 'aborted')
  assert.equal(t.inbound, [])
})

test('a protocol handler\'s outbound exchanges are tracked in its streams and end with it', async () => {
  const { handler: h } = handler()
  const exchange = h.exchange({ dialer: undefined as never, log, limits: DEFAULT_LIMITS, maxDataLength: 10, timeout: 1, onDecodeError: () => {}, onUnreachable: () => {} })
  assert.is(exchange.protocol, '/test/1.0.0')
  assert.is(exchange.maxOutboundStreams, 5)
  assert.is(exchange.streams, h.streams)
  assert.not.ok(exchange.running())
  await h.start()
  assert.ok(exchange.running())
  await h.stop()
  assert.not.ok(exchange.running())
})

test('stopping a protocol handler aborts every stream still in progress', async () => {
  const { handler: h } = handler()
  await h.start()
  const [outbound, inbound] = await streamPair()
  h.streams.add(outbound)
  let settle = (): void => {}
  h.serve(inbound, 'b', 'exchange', async () => { await new Promise<void>((resolve) => { settle = resolve }) })
  assert.is(h.streams.size, 2)
  await h.stop()
  assert.is(outbound.status, 'aborted')
  assert.is(inbound.status, 'aborted')
  assert.is(h.streams.size, 0)
  settle()
})

test('a failed inbound exchange resets its stream, and onDone runs whether it failed or not', async () => {
  const { handler: h } = handler()
  await h.start()
  const done: string[] = []
  const [, failing] = await streamPair()
  const [, fine] = await streamPair()
  let finished!: () => void
  const settled = new Promise<void>((resolve) => { finished = resolve })
  let left = 2
  const onDone = (from: string): void => { done.push(from); if (--left === 0) finished() }
  h.serve(failing, 'b', 'exchange', async () => { throw new Error('bad frame') }, onDone)
  h.serve(fine, 'c', 'exchange', async () => {}, onDone)
  await settled
  assert.equal(done.sort(), ['b', 'c'])
  assert.is(failing.status, 'aborted')
  assert.is.not(fine.status, 'aborted')
  assert.is(h.streams.size, 0)
  await h.stop()
})

test.run()
