/**
 * libp2p options for a whole cluster of nodes in this one process (bench/libp2p.ts,
 * bench/crash-trace.ts): the test nodes' options, with the connection manager opened up for
 * the dials hundreds of nodes make at once, and noise's key imports done once (`noiseCrypto`,
 * as the README's example has it). With `maxConnections`, libp2p gets that limit and
 * no allow-list, so it refuses and prunes connections beyond it as it would between real hosts.
 */
import { noise } from '@chainsafe/libp2p-noise'
import type { Libp2pOptions } from 'libp2p'
import { noiseCrypto } from '../src/index.ts'
import { baseOptions } from '../test/libp2p/helpers.ts'

export function clusterNodeOptions (maxConnections?: number): Libp2pOptions {
  const base = baseOptions()
  return {
    ...base,
    connectionEncrypters: [noise({ crypto: noiseCrypto })],
    connectionManager: {
      ...base.connectionManager,
      maxIncomingPendingConnections: 1000,
      maxParallelDials: 200,
      ...(maxConnections != null ? { allow: [], inboundConnectionThreshold: 100_000, maxConnections } : {})
    }
  }
}
