import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MAX_STRANGER_SYNC_BYTES, PushPullProtocol } from '../../src/libp2p/push-pull-protocol.ts'
import type { PushPullProtocolInit } from '../../src/libp2p/push-pull-protocol.ts'
import type { SyncAnswer } from '../../src/libp2p/transport.ts'
import { encodeMessage } from '../../src/wire/encode.ts'
import { DEFAULT_LIMITS } from '../../src/wire/limits.ts'
import type { Sync } from '../../src/core/messages.ts'
import type { WireError } from '../../src/wire/index.ts'
import { log, twoNodes } from './stream-pair.ts'
import type { StubRegistrar } from './stream-pair.ts'

interface Node {
  protocol: PushPullProtocol
  registrar: StubRegistrar
  requests: Array<{ from: string, request: Sync }>
  decodeErrors: Array<{ from: string, error: WireError | Error }>
  failures: unknown[]
}

const response: Sync = { type: 'sync', join: false, response: true, entries: [] }

/** Two nodes, a and b, answering sync requests with `answer` (an empty response by default). */
async function syncNodes (answer: (request: Sync) => SyncAnswer | Promise<SyncAnswer> = () => encodeMessage(response), overrides: Partial<PushPullProtocolInit> | ((id: string) => Partial<PushPullProtocolInit>) = {}): Promise<Record<'a' | 'b', Node>> {
  return await twoNodes(async (id, registrar, dialer) => {
    const node: Node = { registrar, requests: [], decodeErrors: [], failures: [], protocol: undefined as unknown as PushPullProtocol }
    node.protocol = new PushPullProtocol({
      registrar,
      dialer,
      log,
      limits: DEFAULT_LIMITS,
      timeout: 2_000,
      admits: () => true,
      onRequest: (from, request) => {
        node.requests.push({ from, request })
        return answer(request)
      },
      onDecodeError: (from, error) => { node.decodeErrors.push({ from, error }) },
      onUnreachable: () => {},
      onExchangeFailed: (_to, err) => { node.failures.push(err) },
      ...(typeof overrides === 'function' ? overrides(id) : overrides)
    })
    await node.protocol.start()
    return node
  })
}

const request = (join = false): Uint8Array => encodeMessage({ type: 'sync', join, response: false, entries: [] })

test('push-pull carries one sync request to the member and its response back', async () => {
  const { a, b } = await syncNodes()
  const answer = await a.protocol.exchange('b', [], request(true))
  assert.equal(answer?.message, response)
  assert.equal(b.requests, [{ from: 'a', request: { type: 'sync', join: true, response: false, entries: [] } }])
  assert.equal([...a.decodeErrors, ...b.decodeErrors], [])
})

test('a sync request answered by another request is counted, and the exchange fails', async () => {
  const { a } = await syncNodes(() => request())
  assert.is(await a.protocol.exchange('b', [], request()), undefined)
  assert.is(a.decodeErrors.length, 1)
  assert.match(a.decodeErrors[0].error.message, /other than a sync response/)
})

test('a response sent as a request is counted by the member and reset', async () => {
  const { a, b } = await syncNodes()
  assert.is(await a.protocol.exchange('b', [], encodeMessage(response)), undefined)
  assert.equal(b.requests, [])
  assert.match(b.decodeErrors[0].error.message, /other than a sync request/)
})

test('a stranger\'s frame above its allowance is counted as a decode error and never decoded', async () => {
  const { a, b } = await syncNodes(undefined, { isMember: () => false })
  const big = new Uint8Array(MAX_STRANGER_SYNC_BYTES + 1)
  assert.is(await a.protocol.exchange('b', [], big), undefined)
  assert.equal(b.requests, [])
  assert.is(b.decodeErrors.length, 1)
  assert.ok(a.failures.length === 1, 'the requester learns why its exchange failed')
})

test('an answer of "reset" resets the stream and refuses the peer\'s next exchanges for a while', async () => {
  const { a, b } = await syncNodes(() => 'reset')
  assert.is(await a.protocol.exchange('b', [], request()), undefined)
  assert.is(b.requests.length, 1)
  assert.is(await a.protocol.exchange('b', [], request()), undefined)
  assert.is(b.requests.length, 1, 'the penalised peer was refused before its request was read')
  assert.is(b.protocol.refused, 1)
})

test('our join waits joinTimeout for a seed\'s answer, where a periodic exchange gives up after timeout', async () => {
  // b answers after 400 ms: later than a's timeout for a periodic push-pull, within its joinTimeout
  const slow = async (): Promise<SyncAnswer> => await new Promise((resolve) => setTimeout(() => { resolve(encodeMessage(response)) }, 400))
  const { a, b } = await syncNodes(slow, (id) => id === 'a' ? { timeout: 150, joinTimeout: 3_000 } : { timeout: 3_000 })
  assert.is(await a.protocol.exchange('b', [], request()), undefined)
  assert.equal((await a.protocol.exchange('b', [], request(true), true))?.message, response)
  assert.is(b.requests.length, 2)
})

test.run()
