/** Unwraps `parseDaemonArgs` results in the config tests: the config, or the error message. */
import type { ConfigResult, DaemonConfig } from '../../src/daemon/config.ts'

export function configOf (result: ConfigResult): DaemonConfig {
  if (!result.ok) throw new Error(`expected a config, got error: ${result.message}`)
  if (result.action !== 'run') throw new Error(`expected a config, got ${result.action}`)
  return result.config
}

export function errorOf (result: ConfigResult): string {
  if (result.ok) throw new Error(`expected an error, got ${result.action}`)
  return result.message
}
