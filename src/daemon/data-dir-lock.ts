/**
 * One swimd per data directory. Two daemons sharing a directory would share a PeerId: the
 * cluster sees one member flapping between two processes, and the second never joins.
 *
 * The lock is the file `swimd.pid` in the data directory, created exclusively (`O_EXCL`),
 * holding the owner's PID and, where `/proc` exists, the process's start time. A lock whose
 * process no longer runs (a daemon that was killed or crashed) is stale and taken over. The
 * start time tells a reused PID from the owner: a restarted container's swimd is often PID 1
 * again, like the one before it. Without `/proc`, a reused PID reads as "in use"; the message
 * says how to clear it.
 */
import { readFileSync } from 'node:fs'
import { open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { describeFsError } from './fs-errors.ts'

export const LOCK_FILE = 'swimd.pid'

/** Another live process holds the data directory. `pid` is its process id. */
export class DataDirLockedError extends Error {
  static override name = 'DataDirLockedError'
  readonly pid: number

  constructor (message: string, pid: number) {
    super(message)
    this.pid = pid
  }
}

export interface DataDirLock {
  readonly path: string
  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release: () => Promise<void>
}

export interface LockOptions {
  /** @default process.pid */
  pid?: number
  /** Whether the process that wrote the lock still runs. @default signal 0 and /proc start times */
  isAlive?: (pid: number, startTime: string | undefined) => boolean
}

/**
 * Takes the lock of `dir` (which must exist). Throws `DataDirLockedError` when a live process
 * holds it, or an Error naming the file for any file-system failure.
 */
export async function lockDataDir (dir: string, options: LockOptions = {}): Promise<DataDirLock> {
  const path = join(dir, LOCK_FILE)
  const pid = options.pid ?? process.pid
  const isAlive = options.isAlive ?? pidAlive
  // Two attempts: the second after removing a stale lock. Losing that race to another
  // starting daemon ends in its PID being reported, as it should.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600)
      try {
        const start = options.pid == null ? processStartTime(pid) : undefined
        await handle.writeFile(`${pid}\n${start != null ? `${start}\n` : ''}`)
      } finally {
        await handle.close()
      }
      return {
        path,
        release: async () => {
          const owner = await readOwner(path).catch(() => undefined)
          if (owner?.pid === pid) await rm(path, { force: true })
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new Error(`Cannot lock data directory "${dir}": cannot create "${path}": ${describeFsError(err)}`)
      }
    }
    const owner = await readOwner(path).catch(() => undefined)
    if (owner != null && owner.pid !== pid && isAlive(owner.pid, owner.startTime)) {
      throw new DataDirLockedError(`Data directory "${dir}" is in use by another swimd (PID ${owner.pid}): stop it, or give this one its own --data-dir. If no swimd runs as PID ${owner.pid}, delete "${path}"`, owner.pid)
    }
    // stale: the owner is gone (or the file is not a PID at all)
    await rm(path, { force: true })
  }
  throw new Error(`Cannot lock data directory "${dir}": "${path}" keeps reappearing; is another swimd starting in it?`)
}

async function readOwner (path: string): Promise<{ pid: number, startTime?: string } | undefined> {
  const [pidLine, startLine] = (await readFile(path, 'utf8')).split('\n').map((line) => line.trim())
  if (!/^\d+$/.test(pidLine) || Number(pidLine) <= 0) return undefined
  return { pid: Number(pidLine), ...(startLine != null && /^\d+$/.test(startLine) ? { startTime: startLine } : {}) }
}

/**
 * Whether the process that wrote a lock runs: its PID exists (EPERM: under another user) and,
 * when both are known, started when the lock says.
 */
export function pidAlive (pid: number, startTime?: string): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const now = processStartTime(pid)
  return startTime == null || now == null || now === startTime
}

/** Field 22 of `/proc/PID/stat` (start time in clock ticks since boot); undefined without /proc. */
export function processStartTime (pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name (field 2) is in parentheses and may hold spaces: count after it
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19]
  } catch {
    return undefined
  }
}
