/**
 * Secrets and the data directory must not be open to other users, as OpenSSH insists for its
 * keys: a private key, token or cluster key that others can read is a leaked secret, and a data
 * directory that others can write lets them plant the node's identity and its seeds.
 *
 * The rules (POSIX only; elsewhere nothing is checked):
 * - a secret file owned by the user swimd runs as must have no group or other permission bits
 *   (`chmod 600`);
 * - a secret file owned by someone else (root, as Kubernetes mounts Secrets and systemd hands
 *   over credentials) may be readable by its group, which that owner chose, but never by others;
 * - the data directory must not be writable by others (group-writable is allowed: Kubernetes
 *   makes volumes group-writable for the pod's `fsGroup`).
 *
 * Files are checked through the descriptor they are read from, so the checked file is the one
 * read, and created through the descriptor they are written with (`open` with the mode, then
 * `fchmod`, so the umask cannot widen or narrow it).
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'

/** A file or directory whose permissions let other users in. The message says how to fix it. */
export class FileModeError extends Error {
  static override name = 'FileModeError'
}

function uid (): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined
}

/** Why `stats` of the secret at `path` is too open, with the fix, or undefined when it is fine. */
export function secretModeProblem (path: string, stats: Pick<Stats, 'mode' | 'uid'>, self = uid()): string | undefined {
  if (self == null) return undefined
  const mode = stats.mode & 0o777
  const octal = mode.toString(8).padStart(3, '0')
  if (stats.uid === self && (mode & 0o077) !== 0) {
    return `"${path}" is readable by others (mode ${octal}): it must be private to its owner. Fix it with: chmod 600 ${shellQuote(path)}`
  }
  if ((mode & 0o007) !== 0) {
    return `"${path}" is open to every user (mode ${octal}). Fix it with: chmod o-rwx ${shellQuote(path)}`
  }
  return undefined
}

/** Reads a secret file, refusing it (FileModeError) when its permissions are too open. */
export function readPrivateFileSync (path: string): Buffer {
  const fd = openSync(path, 'r')
  try {
    const stats = fstatSync(fd)
    if (stats.isDirectory()) throw isDirectory(path)
    const problem = secretModeProblem(path, stats)
    if (problem != null) throw new FileModeError(problem)
    return readFileSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** The async twin of `readPrivateFileSync`; undefined when the file does not exist. */
export async function readPrivateFile (path: string): Promise<Buffer | undefined> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  try {
    const stats = await handle.stat()
    if (stats.isDirectory()) throw isDirectory(path)
    const problem = secretModeProblem(path, stats)
    if (problem != null) throw new FileModeError(problem)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** Refuses (FileModeError) a data directory that other users may write into. */
export async function checkDataDirMode (dir: string): Promise<void> {
  if (uid() == null) return
  const stats = await stat(dir)
  const mode = stats.mode & 0o7777
  if ((mode & 0o002) !== 0) {
    throw new FileModeError(`Data directory "${dir}" is writable by every user (mode ${(mode & 0o777).toString(8)}): whoever can write it can replace the node's key and seeds. Fix it with: chmod 700 ${shellQuote(dir)}`)
  }
}

function isDirectory (path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' })
}

function shellQuote (path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`
}
