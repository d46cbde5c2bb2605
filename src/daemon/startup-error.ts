/**
 * A start-up failure as the one line swimd prints before it exits, and the exit code: 2 for
 * what the operator's configuration must change (the data directory is in use, or open to other
 * users), 1 for the
 * rest. No stack traces and no libp2p-internal advice: the line says what failed, where, and
 * what to do.
 */
import { DataDirLockedError } from './data-dir-lock.ts'
import { DataDirError } from './data-dir.ts'

export interface StartupFailure {
  line: string
  exitCode: 1 | 2
}

/** What a listen error code means to the operator. */
const LISTEN_REASONS: Record<string, string> = {
  EADDRINUSE: 'address already in use (another process listens there: stop it, or choose another port)',
  EACCES: 'permission denied (ports below 1024 need privileges: choose a higher port)',
  EADDRNOTAVAIL: 'this host has no such address (listen on one of its own addresses, or 0.0.0.0)'
}

/** One line for a failed libp2p start, a failed data directory, or anything else. */
export function describeStartupError (err: unknown): StartupFailure {
  if (err instanceof DataDirLockedError) return { line: err.message, exitCode: 2 }
  // files open to other users are a configuration error: exit 2, which supervisors do not retry
  if (err instanceof DataDirError) return { line: firstLine(err.message), exitCode: err.refused ? 2 : 1 }
  const error = err as { name?: string, message?: string, code?: string }
  const message = String(error?.message ?? err)
  if (error?.name === 'UnsupportedListenAddressesError' || /failed to be listened on/.test(message)) {
    // libp2p lists each address as "  <multiaddr>: Error: listen EADDRINUSE: …"
    const failures = [...message.matchAll(/^\s*(\/\S+): Error: listen (\w+)/gm)]
    if (failures.length > 0) {
      const parts = failures.map(([, addr, code]) => `${addr}: ${LISTEN_REASONS[code] ?? code}`)
      return { line: `Cannot listen on ${parts.join('; ')}; see --listen`, exitCode: 1 }
    }
    return { line: `Cannot listen on the --listen addresses: ${firstLine(message)}`, exitCode: 1 }
  }
  return { line: firstLine(message), exitCode: 1 }
}

/** One line for an HTTP API that cannot listen on `host:port`. */
export function describeApiListenError (err: unknown, host: string, port: number): StartupFailure {
  const code = (err as NodeJS.ErrnoException)?.code
  const reason = code != null && LISTEN_REASONS[code] != null ? LISTEN_REASONS[code] : firstLine(String((err as Error)?.message ?? err))
  return { line: `Cannot listen for the API on ${host}:${port}: ${reason}; see --api`, exitCode: 1 }
}

function firstLine (text: string): string {
  return text.split('\n')[0].trim()
}
