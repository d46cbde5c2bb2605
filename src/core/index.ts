/** The sans-IO protocol core: no sockets, timers or clocks; see machine.ts. */
export * from './types.ts'
export * from './messages.ts'
export * from './effects.ts'
export * from './config.ts'
export * from './formulas.ts'
export * from './random.ts'
export { SwimMachine, emptyMachineStats, type SwimMachineInit, type MachineStats, type UnsignedRecord } from './machine.ts'
export { estimateUpdateSize } from './update-size.ts'
