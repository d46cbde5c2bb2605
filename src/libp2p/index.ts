/**
 * SWIM + Lifeguard membership as a libp2p service: `swim(init)` for `createLibp2p`'s
 * `services`. See `swim-service.ts` for how the protocol core is wired to libp2p.
 */
import { SwimService } from './swim-service.ts'
import type { SwimComponents } from './swim-service.ts'
import type { Swim, SwimInit } from './types.ts'

/**
 * The SWIM membership service factory:
 * `createLibp2p({ services: { swim: swim({ seeds, profile, metadata }) } })`.
 * Throws a RangeError for an invalid timing knob or metadata when the node is created.
 */
export function swim (init: SwimInit = {}): (components: SwimComponents) => Swim {
  return (components) => new SwimService(components, init)
}

export { SwimService }
export type { SwimComponents, SwimAddressManager } from './swim-service.ts'
export type { Swim, SwimEvents, SwimInit, SwimStats } from './types.ts'
export type { QuorumState, QuorumStatus } from '../consumers/quorum.ts'
export type { JoinErrorCause, JoinErrorDetail } from './join-errors.ts'
export { PROBE_PROTOCOL, PING_PROTOCOL, SYNC_PROTOCOL, PROTOCOL_VERSION, RECORD_DOMAIN, RECORD_PAYLOAD_TYPE, gossipsubTopic, probeProtocol, pingProtocol, syncProtocol, recordDomain } from './constants.ts'
export { allowListGater, clusterKeyProtector } from './admission.ts'
export { Keyring, KeyringError, keyId, CLUSTER_KEY_LENGTH } from './keyring.ts'
export type { KeyringErrorCode } from './keyring.ts'
export { decodeClusterKeyFile, encodeClusterKeyFile, generateClusterKeyFile } from './cluster-key.ts'
export type { DatagramOptions } from './types.ts'
export { noiseCrypto } from './noise-crypto.ts'
