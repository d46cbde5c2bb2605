/**
 * @packageDocumentation
 *
 * SWIM + Lifeguard gossip membership and failure detection for libp2p clusters. Add the
 * `swim()` service to a libp2p node; it keeps a list of the cluster's members, detects
 * failures within a few protocol periods, and tells you about every change as an event.
 *
 * @example
 *
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { tcp } from '@libp2p/tcp'
 * import { noise } from '@chainsafe/libp2p-noise'
 * import { yamux } from '@chainsafe/libp2p-yamux'
 * import { identify } from '@libp2p/identify'
 * import { swim, noiseCrypto } from 'libp2p-swim'
 *
 * const node = await createLibp2p({
 *   addresses: { listen: ['/ip4/0.0.0.0/tcp/7946'] },
 *   transports: [tcp()],
 *   connectionEncrypters: [noise({ crypto: noiseCrypto })],
 *   streamMuxers: [yamux()],
 *   services: {
 *     identify: identify(),
 *     swim: swim({ seeds: ['/ip4/10.0.0.1/tcp/7946'], profile: 'lan', metadata: { role: 'api' } })
 *   }
 * })
 * node.services.swim.addEventListener('member:fail', (evt) => console.log('failed', evt.detail.member.id))
 * ```
 *
 * Probes travel as UDP datagrams on the TCP listen port (here 7946/udp), sealed per pair
 * of members; push-pull and joins use libp2p streams. libp2p's connection manager and
 * connection monitor work as shipped: SWIM keeps about six connections per node.
 * `noiseCrypto` is noise's own crypto with its X25519 keys imported once per key instead of
 * at every agreement (a sixth less CPU per connection); plain `noise()` works as well.
 *
 * Member ids are PeerIds (base58); a member's `addrs` are the multiaddrs its node announces,
 * without the `/p2p/<id>` suffix. Events: `member:join`, `member:suspect`, `member:alive`,
 * `member:fail`, `member:leave`, `member:update`, each with a `MembershipEvent` as `detail`,
 * emitted in the order this node's view changes.
 *
 * On Node.js 20 this module installs a `Promise.withResolvers` polyfill, which libp2p needs.
 */
import './polyfill.ts'

export { swim } from './libp2p/index.ts'
export { PROBE_PROTOCOL, SYNC_PROTOCOL, PROTOCOL_VERSION, RECORD_DOMAIN, gossipsubTopic, allowListGater, clusterKeyProtector } from './libp2p/index.ts'
export type { Swim, SwimComponents, SwimEvents, SwimInit, SwimStats, JoinErrorCause, JoinErrorDetail } from './libp2p/index.ts'
export type { Member, MemberState, MembershipEvent, MembershipEventType } from './core/types.ts'
export type { SwimConfig, ProfileName } from './core/config.ts'
export { noiseCrypto } from './libp2p/index.ts'
export { Keyring, KeyringError, keyId, CLUSTER_KEY_LENGTH, decodeClusterKeyFile, encodeClusterKeyFile, generateClusterKeyFile } from './libp2p/index.ts'
export type { KeyringErrorCode } from './libp2p/index.ts'
export { HashRing, QuorumTracker, memberWeight, memberZone } from './consumers/index.ts'
export type { QuorumState, QuorumStatus, RingOptions } from './consumers/index.ts'
