import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SOCKET_INACTIVITY_TIMEOUT, YAMUX_KEEPALIVE_INTERVAL } from '../../src/daemon/libp2p-timing.ts'

// libp2p's TCP transport default (SOCKET_TIMEOUT in @libp2p/tcp): what the daemon overrides.
const TCP_DEFAULT_INACTIVITY = 120_000

test('a kept connection carries a keepalive from each end before its socket counts as idle', () => {
  // One end's keepalive going missing does not close the connection; both going missing does.
  assert.ok(SOCKET_INACTIVITY_TIMEOUT >= 2 * YAMUX_KEEPALIVE_INTERVAL, `${SOCKET_INACTIVITY_TIMEOUT} ms idle vs keepalive every ${YAMUX_KEEPALIVE_INTERVAL} ms`)
})

test('the keepalive is rarer than libp2p\'s default idle timeout, so that default would cut every watch connection', () => {
  // The reason the daemon sets the socket timeout at all: with tcp() as shipped, every watch
  // connection closed 2 minutes after it opened and the cluster redialed them all at once.
  assert.ok(YAMUX_KEEPALIVE_INTERVAL > TCP_DEFAULT_INACTIVITY)
  assert.ok(SOCKET_INACTIVITY_TIMEOUT > TCP_DEFAULT_INACTIVITY)
})

test.run()
