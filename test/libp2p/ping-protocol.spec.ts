import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PING_PROTOCOL, clusterProtocol, pingProtocol } from '../../src/libp2p/constants.ts'
import { PingProtocol } from '../../src/libp2p/ping-protocol.ts'
import type { PingProtocolInit } from '../../src/libp2p/ping-protocol.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { DEFAULT_LIMITS } from '../../src/wire/limits.ts'
import type { Ack, Message, Ping } from '../../src/core/messages.ts'
import type { WireError } from '../../src/wire/index.ts'
import { log, twoNodes } from './stream-pair.ts'
import type { StubRegistrar } from './stream-pair.ts'

interface Node {
  protocol: PingProtocol
  registrar: StubRegistrar
  pings: Array<{ from: string, ping: Ping }>
  decodeErrors: Array<{ from: string, error: WireError | Error }>
  done: string[]
}

/** Two nodes, a and b, each answering pings with `answer` (an ack of the same seq by default). */
async function pingNodes (answer: (ping: Ping) => Message | undefined = (ping) => ({ type: 'ack', seq: ping.seq, updates: [] }), overrides: Partial<PingProtocolInit> = {}): Promise<Record<'a' | 'b', Node>> {
  return await twoNodes(async (_id, registrar, dialer) => {
    const node: Node = { registrar, pings: [], decodeErrors: [], done: [], protocol: undefined as unknown as PingProtocol }
    node.protocol = new PingProtocol({
      registrar,
      dialer,
      log,
      limits: DEFAULT_LIMITS,
      timeout: 2_000,
      admits: () => true,
      onPing: (from, ping) => {
        node.pings.push({ from, ping })
        const reply = answer(ping)
        return reply == null ? undefined : encodeMessage(reply)
      },
      onDecodeError: (from, error) => { node.decodeErrors.push({ from, error }) },
      onUnreachable: () => {},
      onDone: (id) => { node.done.push(id) },
      ...overrides
    })
    await node.protocol.start()
    return node
  })
}

const ping = (seq: number): Uint8Array => encodeMessage({ type: 'ping', seq, target: 'b', updates: [] })

test('the fallback probe carries one ping to the member and its ack back', async () => {
  const { a, b } = await pingNodes()
  const answer = await a.protocol.ping('b', [], ping(7))
  assert.equal(answer?.message, { type: 'ack', seq: 7, updates: [] } satisfies Ack)
  assert.equal(b.pings, [{ from: 'a', ping: { type: 'ping', seq: 7, target: 'b', updates: [] } }])
  assert.equal(a.done, ['b'])
  assert.equal(a.decodeErrors, [])
})

test('a member that answers a ping with something other than an ack is counted, and the probe fails', async () => {
  const { a } = await pingNodes((p) => ({ type: 'nack', seq: p.seq, updates: [] }))
  assert.is(await a.protocol.ping('b', [], ping(1)), undefined)
  assert.is(a.decodeErrors.length, 1)
  assert.match(a.decodeErrors[0].error.message, /other than an ack/)
})

test('a member that sends no answer fails the probe within the timeout, not later', async () => {
  const { a } = await pingNodes(() => undefined, { timeout: 300 })
  const started = Date.now()
  assert.is(await a.protocol.ping('b', [], ping(1)), undefined)
  assert.ok(Date.now() - started < 2_000, 'bounded by the exchange timeout')
})

test('an inbound stream that carries something other than a ping is counted and reset, and the handler never sees it', async () => {
  const { a, b } = await pingNodes()
  const gossip = encodeMessage({ type: 'gossip', updates: [] })
  assert.is(await a.protocol.ping('b', [], gossip), undefined)
  assert.equal(b.pings, [])
  assert.is(b.decodeErrors.length, 1)
  assert.match(b.decodeErrors[0].error.message, /other than a ping/)
})

test('bytes that are no message are counted by the receiver as a decode error', async () => {
  const { a, b } = await pingNodes()
  assert.is(await a.protocol.ping('b', [], Uint8Array.of(0xff, 0xff, 0xff)), undefined)
  assert.equal(b.pings, [])
  assert.is(b.decodeErrors.length, 1)
})

test('a stream from a peer the member does not admit is reset before anything is read', async () => {
  const { a, b } = await pingNodes(undefined, { admits: (id) => id !== 'a' })
  assert.is(await a.protocol.ping('b', [], ping(1)), undefined)
  assert.equal(b.pings, [])
  assert.equal(b.decodeErrors, [], 'nothing was read, so nothing failed to decode')
})

test('after stop the protocol is unregistered and pings are not sent', async () => {
  const { a, b } = await pingNodes()
  await b.protocol.stop()
  assert.is(b.registrar.handlers.size, 0)
  assert.is(await a.protocol.ping('b', [], ping(1)), undefined)
  await a.protocol.stop()
  assert.is(await a.protocol.ping('b', [], ping(2)), undefined)
})

test('protocol ids: one function gives every cluster\'s ids, the default cluster keeps the bare ones', () => {
  assert.is(clusterProtocol('ping'), PING_PROTOCOL)
  assert.is(pingProtocol('blue'), '/swim/blue/1.0.0/ping')
  assert.is(clusterProtocol('sync', 'blue'), '/swim/blue/1.0.0/sync')
})

test.run()
