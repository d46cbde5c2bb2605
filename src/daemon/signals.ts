/**
 * Graceful shutdown: SIGTERM or SIGINT (or `POST /v1/leave`) runs the shutdown function once,
 * then exits 0 (1 if it failed). A second signal while it runs, or a shutdown that outlasts
 * `timeoutMs`, forces the exit.
 */
import { constants } from 'node:os'
import type { DaemonLogger } from './logger.ts'

export interface ShutdownOptions {
  logger?: Pick<DaemonLogger, 'info' | 'warn' | 'error'>
  /** @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[]
  /** Force the exit when the graceful path takes longer. @default 30000 */
  timeoutMs?: number
  /** @default process.exit */
  exit?: (code: number) => void
  /** Where signals are listened for. @default process */
  target?: Pick<NodeJS.EventEmitter, 'on' | 'off'>
}

export interface Shutdown {
  /** Starts the graceful shutdown (once; later calls return the same promise). */
  trigger: (reason: string) => Promise<void>
  /** Stops listening for signals. */
  dispose: () => void
}

export function handleShutdown (graceful: () => Promise<void>, options: ShutdownOptions = {}): Shutdown {
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const target = options.target ?? process
  const signals = options.signals ?? ['SIGTERM', 'SIGINT']
  const timeoutMs = options.timeoutMs ?? 30_000
  const logger = options.logger
  let running: Promise<void> | undefined

  const trigger = async (reason: string): Promise<void> => {
    if (running != null) return await running
    logger?.info({ reason }, 'shutting down')
    const timer = setTimeout(() => {
      logger?.error({ timeoutMs }, 'graceful shutdown timed out, forcing exit')
      exit(1)
    }, timeoutMs)
    timer.unref()
    running = (async () => {
      let code = 0
      try {
        await graceful()
      } catch (err) {
        logger?.error({ err }, 'graceful shutdown failed')
        code = 1
      } finally {
        clearTimeout(timer)
      }
      exit(code)
    })()
    return await running
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    if (running != null) {
      logger?.warn({ signal }, 'second signal, forcing exit')
      exit(128 + (constants.signals[signal] ?? 0))
      return
    }
    void trigger(signal)
  }
  for (const signal of signals) target.on(signal, onSignal)

  return {
    trigger,
    dispose: () => {
      for (const signal of signals) target.off(signal, onSignal)
    }
  }
}
