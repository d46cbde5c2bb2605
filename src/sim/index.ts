/** The deterministic cluster simulator: `import { Simulation } from 'libp2p-swim/sim'`. */
export { Simulation, SHARED_TABLES_FROM, type SimulationOptions, type SimEvent, type SimStats, type JoinOptions } from './simulation.ts'
export type { LatencyRange, Carriage } from './network.ts'
export type { Member, MemberState, MembershipEventType } from '../core/types.ts'
export type { QuorumStatus, QuorumState } from '../consumers/quorum.ts'
