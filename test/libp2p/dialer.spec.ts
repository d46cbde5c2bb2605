import '../../src/polyfill.ts'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Dialer, RESET_REDIAL, UNANSWERED_REDIAL, WATCH_TAG, WATCH_TAG_VALUE, carriesStreams, dialFailure, dialWasReset, parseAddrs } from '../../src/libp2p/dialer.ts'
import type { Connection } from '@libp2p/interface'
import { waitFor } from '../helpers/wait.ts'

const test = suite('dialer')

const coded = (code: string): Error => Object.assign(new Error(code), { code })

test('dialFailure tells a refusal from no route from anything else', () => {
  assert.is(dialFailure(coded('ECONNREFUSED')), 'refused')
  assert.is(dialFailure(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')])), 'refused')
  assert.is(dialFailure(new AggregateError([coded('ECONNREFUSED'), coded('ETIMEDOUT')])), 'unreachable')
  assert.is(dialFailure(coded('EHOSTUNREACH')), 'unreachable')
  assert.is(dialFailure(new Error('wrapped', { cause: coded('ECONNREFUSED') })), 'refused')
  assert.is(dialFailure(coded('ETIMEDOUT')), undefined)
  assert.is(dialFailure(new Error('handshake failed')), undefined)
  assert.is(dialFailure(undefined), undefined)
  assert.is(dialFailure(new AggregateError([])), undefined)
})

test('dialWasReset: a reset at connect or during the handshake, nothing else', () => {
  assert.ok(dialWasReset(coded('ECONNRESET')))
  // what noise's handshake rejects with when the host resets the connection midway
  assert.ok(dialWasReset(new AggregateError([Object.assign(new Error('read ECONNRESET'), { name: 'EncryptionFailedError' })])))
  assert.ok(dialWasReset(new Error('dial failed', { cause: coded('ECONNRESET') })))
  assert.not.ok(dialWasReset(coded('ECONNREFUSED')))
  assert.not.ok(dialWasReset(coded('ETIMEDOUT')))
  assert.not.ok(dialWasReset(new Error('ECONNRESET is not at the end of this message')))
  assert.not.ok(dialWasReset(undefined))
})

test('a never-answering member whose dial was reset is dialed once more after RESET_REDIAL, then only every UNANSWERED_REDIAL', async () => {
  const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  let now = 1_000_000
  let failure = coded('ECONNRESET')
  const dialsAt: number[] = []
  const dialer = new Dialer({
    connectionManager: { getConnections: () => [], openConnection: async () => { dialsAt.push(now); throw failure } },
    peerStore: { merge: async () => undefined as never }
  }, { now: () => now })
  const attempt = async (): Promise<string> => await dialer.openStream(id, ['/ip4/192.0.2.1/tcp/80'], '/x').then(() => 'ok', (err: Error) => err.name)
  // Every 100 ms for 25 s, as a suspicion's probes and ping-reqs might ask.
  for (; now < 1_025_000; now += 100) await attempt()
  const offsets = dialsAt.map((t) => t - 1_000_000)
  assert.equal(offsets, [0, RESET_REDIAL, UNANSWERED_REDIAL, UNANSWERED_REDIAL + RESET_REDIAL, 2 * UNANSWERED_REDIAL, 2 * UNANSWERED_REDIAL + RESET_REDIAL])
  // A member whose dial fails otherwise (a timeout: nothing there) gets no early retry.
  const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  failure = coded('ETIMEDOUT')
  dialsAt.length = 0
  const start = now
  for (; now < start + 25_000; now += 100) await dialer.openStream(other, ['/ip4/192.0.2.2/tcp/80'], '/x').catch(() => {})
  assert.equal(dialsAt.map((t) => t - start), [0, UNANSWERED_REDIAL, 2 * UNANSWERED_REDIAL])
})

test('parseAddrs keeps the addresses that parse', () => {
  assert.equal(parseAddrs(['/ip4/127.0.0.1/tcp/1', 'nonsense', '/dns4/example.com/tcp/7946']).map(String), ['/ip4/127.0.0.1/tcp/1', '/dns4/example.com/tcp/7946'])
})

test('kept members are tagged in the peer store so the pruner spares them, and untagged when no longer kept', async () => {
  const ids = await Promise.all([0, 1, 2].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
  const tags = new Map<string, unknown>()
  const dialer = new Dialer({
    connectionManager: { getConnections: () => [], openConnection: async () => { throw new Error('no dials here') } },
    peerStore: {
      merge: async (peer, data) => {
        tags.set(peer.toString(), (data.tags as Record<string, unknown> | undefined)?.[WATCH_TAG])
        return undefined as never
      }
    }
  })
  dialer.keep(new Set([ids[0], ids[1]]))
  await Promise.resolve()
  assert.equal(tags.get(ids[0]), { value: WATCH_TAG_VALUE })
  assert.equal(tags.get(ids[1]), { value: WATCH_TAG_VALUE })
  dialer.keep(new Set([ids[1], ids[2]]))
  await Promise.resolve()
  assert.is(tags.has(ids[0]), true)
  assert.is(tags.get(ids[0]), undefined, 'the tag is removed')
  assert.equal(tags.get(ids[2]), { value: WATCH_TAG_VALUE })
  dialer.stop()
  await Promise.resolve()
  assert.is(tags.get(ids[1]), undefined)
  assert.is(tags.get(ids[2]), undefined)
})

test('carriesStreams: gossipsub streams ride a connection, other open streams hold it', () => {
  const conn = (...streams: Array<[string | undefined, string]>): Pick<Connection, 'streams'> => ({ streams: streams.map(([protocol, status]) => ({ protocol, status })) as unknown as Connection['streams'] })
  assert.is(carriesStreams(conn()), false)
  assert.is(carriesStreams(conn(['/meshsub/1.2.0', 'open'], ['/floodsub/1.0.0', 'open'])), false)
  assert.is(carriesStreams(conn(['/meshsub/1.2.0', 'open'], ['/swim/1.0.0/sync', 'open'])), true)
  assert.is(carriesStreams(conn(['/swim/1.0.0/sync', 'closed'])), false)
  assert.is(carriesStreams(conn([undefined, 'open'])), true)
})

/** A connection this test dials, holding the given streams, recording whether it was closed. */
async function fakeConnection (protocols: string[]): Promise<{ connection: Connection, id: string, closed: () => boolean }> {
  const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  let closed = false
  const connection = {
    remotePeer: peer,
    direction: 'outbound',
    status: 'open',
    streams: protocols.map((protocol) => ({ protocol, status: 'open' })),
    newStream: async (protocol: string) => ({ protocol, status: 'open' }),
    close: async () => { closed = true; connection.status = 'closed' },
    abort: () => { closed = true }
  }
  return { connection: connection as unknown as Connection, id: peer.toString(), closed: () => closed }
}

test('a connection the dialer opened is closed when idle, even while gossipsub rides it; another open stream keeps it', async () => {
  const riding = await fakeConnection(['/meshsub/1.2.0'])
  const busy = await fakeConnection(['/swim/1.0.0/sync'])
  const byPeer = new Map([[riding.id, riding.connection], [busy.id, busy.connection]])
  const dialer = new Dialer({
    connectionManager: { getConnections: () => [], openConnection: async (peer) => byPeer.get(peer.toString()) as Connection },
    peerStore: { merge: async () => ({}) as never }
  }, { idleTimeout: 20 })
  try {
    // dialed first, so its idle check runs before the other's (same timeout, timers in order)
    await dialer.connect(busy.id, ['/ip4/127.0.0.1/tcp/2'])
    await dialer.connect(riding.id, ['/ip4/127.0.0.1/tcp/1'])
    await waitFor('the connection that only gossipsub rides to be closed', () => riding.closed(), 5000, 10)
    assert.is(busy.closed(), false)
  } finally {
    dialer.stop()
  }
})

test.run()
