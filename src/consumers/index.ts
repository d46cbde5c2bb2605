/**
 * What consumers build on membership, as pure modules shared by the library service, the
 * simulator and the daemon: a consistent-hash ring (`ring.ts`) and split-brain awareness
 * (`quorum.ts`).
 */
export { HashRing, memberWeight, memberZone, isRingMember, DEFAULT_POINTS_PER_MEMBER, MAX_WEIGHT } from './ring.ts'
export type { RingOptions } from './ring.ts'
export { QuorumTracker, DEFAULT_STABLE_AFTER } from './quorum.ts'
export type { QuorumState, QuorumStatus, QuorumOptions } from './quorum.ts'
