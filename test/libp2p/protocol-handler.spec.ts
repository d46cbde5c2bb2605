/**
 * The registration and stream bookkeeping ping-protocol.ts and push-pull-protocol.ts share,
 * through a protocol that only keeps the streams it is handed.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { streamPair } from '@libp2p/utils'
import type { Connection, Stream } from '@libp2p/interface'
import { ProtocolHandler } from '../../src/libp2p/protocol-handler.ts'
import type { ExchangeInit } from '../../src/libp2p/request-response.ts'
import { DEFAULT_LIMITS } from '../../src/wire/limits.ts'
import { connectionFrom, log, stubRegistrar } from './stream-pair.ts'

/** A protocol that keeps the streams it is handed and shows what the base keeps. */
class TestProtocol extends ProtocolHandler {
  readonly inbound: Stream[] = []

  get tracked (): Set<Stream> {
    return this.streams
  }

  protected onStream (stream: Stream, _connection: Connection, from: string): void {
    assert.is(from, 'b')
    this.inbound.push(stream)
  }

  exchangeInitFor (init: Parameters<ProtocolHandler['exchangeInit']>[0]): ExchangeInit {
    return this.exchangeInit(init)
  }

  serveFor (...args: Parameters<ProtocolHandler['serveInbound']>): void {
    this.serveInbound(...args)
  }
}

function handler (): { handler: TestProtocol, registrar: ReturnType<typeof stubRegistrar>, inbound: Stream[], registrations: number } {
  const registrar = stubRegistrar()
  const handle = registrar.handle
  const protocol = new TestProtocol({
    registrar,
    protocol: '/test/1.0.0',
    maxInboundStreams: 3,
    maxOutboundStreams: 5,
    log,
    admits: (id) => id !== 'stranger'
  })
  const result = { registrar, inbound: protocol.inbound, registrations: 0, handler: protocol }
  registrar.handle = async (id, onStream, options) => {
    result.registrations++
    assert.equal(options, { maxInboundStreams: 3, maxOutboundStreams: 5 })
    await handle(id, onStream, options)
  }
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
  const exchange = h.exchangeInitFor({ dialer: undefined as never, log, limits: DEFAULT_LIMITS, maxDataLength: 10, timeout: 1, onDecodeError: () => {}, onUnreachable: () => {} })
  assert.is(exchange.protocol, '/test/1.0.0')
  assert.is(exchange.maxOutboundStreams, 5)
  assert.is(exchange.streams, h.tracked)
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
  h.tracked.add(outbound)
  let settle = (): void => {}
  h.serveFor(inbound, 'b', 'exchange', async () => { await new Promise<void>((resolve) => { settle = resolve }) })
  assert.is(h.tracked.size, 2)
  await h.stop()
  assert.is(outbound.status, 'aborted')
  assert.is(inbound.status, 'aborted')
  assert.is(h.tracked.size, 0)
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
  h.serveFor(failing, 'b', 'exchange', async () => { throw new Error('bad frame') }, onDone)
  h.serveFor(fine, 'c', 'exchange', async () => {}, onDone)
  await settled
  assert.equal(done.sort(), ['b', 'c'])
  assert.is(failing.status, 'aborted')
  assert.is.not(fine.status, 'aborted')
  assert.is(h.tracked.size, 0)
  await h.stop()
})

test.run()
