/**
 * swimd's logger: pino, one JSON object per line on stderr (stdout carries only the start-up
 * line and `swimd keygen` output).
 */
import { pino } from 'pino'
import type { LogLevel } from './config.ts'
import type { DestinationStream, Logger } from 'pino'

/** The logging calls the daemon's modules make; a pino logger satisfies it. */
export type DaemonLogger = Pick<Logger, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>

/**
 * A JSON logger at `level`. Writes synchronously to stderr unless given another destination,
 * so nothing logged just before exit is lost.
 */
export function createLogger (level: LogLevel, destination?: DestinationStream): Logger {
  return pino({
    name: 'swimd',
    level,
    timestamp: pino.stdTimeFunctions.isoTime
  }, destination ?? pino.destination({ fd: 2, sync: true }))
}
