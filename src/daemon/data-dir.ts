/**
 * What swimd keeps in its data directory, so that a restart keeps its identity and can find
 * the cluster again:
 *
 * - `peer.key`: the libp2p private key (protobuf encoding), mode 0600, so the PeerId is stable
 * - `members.json`: the last known members (id and addresses), to rejoin through
 * - `incarnation`: the last incarnation this member used, so a restart announces itself above it
 * - `api-token`: the HTTP API's bearer token, generated when `--api-token` is not given, mode 0600
 *
 * The directory is created with mode 0700 and refused when other users may write it; the key
 * and the token are refused when other users may read them (see file-modes.ts). Every write
 * goes to a temporary file in the same directory, created with its final mode, that is then
 * renamed over the target, so a crash never leaves a half-written file. `members.json` and
 * `incarnation` are caches: a corrupted one is moved aside with a warning, never an outage.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { checkDataDirMode, FileModeError, readPrivateFile } from './file-modes.ts'
import { describeFsError } from './fs-errors.ts'
import type { Member } from '../core/types.ts'
import type { PrivateKey } from '@libp2p/interface'

export const KEY_FILE = 'peer.key'
export const MEMBERS_FILE = 'members.json'
export const INCARNATION_FILE = 'incarnation'
export const TOKEN_FILE = 'api-token'

/** Where a warning about the data directory goes (the daemon's logger). */
export type Warn = (message: string, fields?: Record<string, unknown>) => void

/** A data-directory file could not be read, parsed or written. The message names the file and the way out. */
export class DataDirError extends Error {
  static override name = 'DataDirError'
  /** Permissions refused: the operator must fix them, restarting will not (swimd exits 2). */
  readonly refused: boolean

  constructor (message: string, options: { refused?: boolean } = {}) {
    super(message)
    this.refused = options.refused === true
  }
}

/** A member as remembered across restarts. */
export interface KnownMember {
  id: string
  addrs: string[]
}

/** Creates the data directory (mode 0700) when it does not exist; refuses one others may write. */
export async function ensureDataDir (dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new DataDirError(`Cannot create data directory "${dir}": ${describeFsError(err)}`)
  }
  try {
    await checkDataDirMode(dir)
  } catch (err) {
    if (err instanceof FileModeError) throw new DataDirError(err.message, { refused: true })
    throw new DataDirError(`Cannot use data directory "${dir}": ${describeFsError(err)}`)
  }
}

/**
 * The API token kept in the data directory: read when it exists (refused when others can read
 * it), else 32 random bytes, base64url, written with mode 0600. `created` tells which happened.
 */
export async function loadOrCreateApiToken (dir: string): Promise<{ token: string, path: string, created: boolean }> {
  const path = join(dir, TOKEN_FILE)
  const bytes = await readSecret(path)
  if (bytes != null) {
    const token = new TextDecoder().decode(bytes).trim()
    if (token !== '' && !/\s/.test(token)) return { token, path, created: false }
  }
  const token = randomBytes(32).toString('base64url')
  await ensureDataDir(dir)
  await writeFileAtomic(path, new TextEncoder().encode(`${token}\n`), 0o600)
  return { token, path, created: true }
}

/**
 * Loads the node's private key, or creates an Ed25519 key and stores it (mode 0600) when the
 * directory has none yet. `created` tells which happened.
 */
export async function loadOrCreatePrivateKey (dir: string): Promise<{ privateKey: PrivateKey, created: boolean }> {
  const path = join(dir, KEY_FILE)
  const bytes = await readSecret(path)
  if (bytes != null) {
    try {
      return { privateKey: privateKeyFromProtobuf(bytes), created: false }
    } catch (err) {
      throw new DataDirError(`Cannot load the private key in "${path}": the file is not a libp2p private key (${(err as Error).message}). Restore it from a backup, or move it away to start with a new PeerId`)
    }
  }
  const privateKey = await generateKeyPair('Ed25519')
  await ensureDataDir(dir)
  await writeFileAtomic(path, privateKeyToProtobuf(privateKey), 0o600)
  return { privateKey, created: true }
}

/**
 * The members saved by the last run; empty when there is no file yet, or when the file is
 * corrupted (then it is moved aside and `warn` says where).
 */
export async function loadMembers (dir: string, warn: Warn = () => {}): Promise<KnownMember[]> {
  const path = join(dir, MEMBERS_FILE)
  const bytes = await readOptional(path)
  if (bytes == null) return []
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch (err) {
    await setAside(path, `it is not JSON (${(err as Error).message})`, 'starting without saved members', warn)
    return []
  }
  const members = (json as { members?: unknown } | null)?.members
  if (!Array.isArray(members) || !members.every(isKnownMember)) {
    await setAside(path, 'expected { "members": [{ "id": string, "addrs": string[] }] }', 'starting without saved members', warn)
    return []
  }
  return members.map(({ id, addrs }) => ({ id, addrs: [...addrs] }))
}

/**
 * Renames a corrupted cache file to `<name>.corrupt-<time>` (kept for a post-mortem) and warns.
 * A file that cannot be moved is left in place: it is rewritten while swimd runs anyway.
 */
async function setAside (path: string, problem: string, consequence: string, warn: Warn): Promise<void> {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`
  try {
    await rename(path, aside)
    warn(`corrupted ${basename(path)} moved aside: ${problem}; ${consequence}`, { path, movedTo: aside })
  } catch (err) {
    warn(`corrupted ${basename(path)} could not be moved aside: ${problem}; ${consequence}`, { path, err: describeFsError(err) })
  }
}

/** The text of `members.json` for `members` (only their ids and addresses are kept). */
export function membersFileText (members: ReadonlyArray<Pick<Member, 'id' | 'addrs'>>): string {
  const body = { members: members.map(({ id, addrs }) => ({ id, addrs: [...addrs] })) }
  return `${JSON.stringify(body, null, 2)}\n`
}

/** Replaces the saved members with `members` (only their ids and addresses are kept). */
export async function saveMembers (dir: string, members: ReadonlyArray<Pick<Member, 'id' | 'addrs'>>): Promise<void> {
  await ensureDataDir(dir)
  await writeFileAtomic(join(dir, MEMBERS_FILE), new TextEncoder().encode(membersFileText(members)), 0o600)
}

/**
 * The last saved incarnation; 0 when there is none. A corrupted file is moved aside and the
 * current time in seconds is returned instead: far above any incarnation an earlier run could
 * have reached by refutations, so the restarted member still announces itself above its past.
 */
export async function loadIncarnation (dir: string, warn: Warn = () => {}, now = Date.now()): Promise<number> {
  const path = join(dir, INCARNATION_FILE)
  const bytes = await readOptional(path)
  if (bytes == null) return 0
  const text = new TextDecoder().decode(bytes).trim()
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    const fallback = Math.floor(now / 1000)
    await setAside(path, `expected a whole number, found ${JSON.stringify(text.slice(0, 40))}`, `starting from incarnation ${fallback} (the time in seconds)`, warn)
    return fallback
  }
  return Number(text)
}

export async function saveIncarnation (dir: string, incarnation: number): Promise<void> {
  if (!Number.isSafeInteger(incarnation) || incarnation < 0) {
    throw new RangeError(`Cannot save incarnation ${incarnation}: it must be a non-negative whole number`)
  }
  await ensureDataDir(dir)
  await writeFileAtomic(join(dir, INCARNATION_FILE), new TextEncoder().encode(`${incarnation}\n`), 0o600)
}

/**
 * The incarnation to start this run with: one above the last saved, saved at once so that even
 * a run that crashes before saving again leaves the next one starting higher.
 */
export async function nextIncarnation (dir: string, warn: Warn = () => {}): Promise<number> {
  const next = (await loadIncarnation(dir, warn)) + 1
  await saveIncarnation(dir, next)
  return next
}

/** Writes `data` to a temporary file beside `path`, flushes it, and renames it over `path`. */
export async function writeFileAtomic (path: string, data: Uint8Array, mode: number): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(tmp, 'wx', mode)
    try {
      // the umask may have narrowed `mode` at creation (never widened): make it exact, through
      // the handle, before any byte is written
      await handle.chmod(mode)
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw new DataDirError(`Cannot write "${path}": ${describeFsError(err)}`)
  }
}

/** Like `readOptional`, but refuses a file other users can read (see file-modes.ts). */
async function readSecret (path: string): Promise<Uint8Array | undefined> {
  try {
    const bytes = await readPrivateFile(path)
    return bytes == null ? undefined : new Uint8Array(bytes)
  } catch (err) {
    if (err instanceof FileModeError) throw new DataDirError(err.message, { refused: true })
    throw new DataDirError(`Cannot read "${path}": ${describeFsError(err)}`)
  }
}

async function readOptional (path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new DataDirError(`Cannot read "${path}": ${describeFsError(err)}`)
  }
}

function isKnownMember (value: unknown): value is KnownMember {
  const member = value as KnownMember | null
  return typeof member?.id === 'string' && Array.isArray(member.addrs) && member.addrs.every((addr) => typeof addr === 'string')
}
