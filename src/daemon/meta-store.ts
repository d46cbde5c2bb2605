/**
 * The member's metadata kept in the data directory (`meta.json`), so that what an operator set
 * at run time (`PATCH /v1/meta`, `membership-events meta set`) survives a restart, as Serf's
 * tags file does. On start the saved map is the base and `--meta`/`--name` win over it: the
 * command line is the operator's latest word.
 */
import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import { DataDirError, writeFileAtomic } from './data-dir.ts'
import { describeFsError } from './fs-errors.ts'

export const META_FILE = 'meta.json'

/** The saved metadata; empty when there is no file yet. */
export async function loadMeta (dir: string): Promise<Record<string, string>> {
  const path = join(dir, META_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new DataDirError(`Cannot read "${path}": ${describeFsError(err)}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new DataDirError(`Cannot parse "${path}": ${(err as Error).message}. Fix it, or delete it to start from the --meta flags alone`)
  }
  const meta = (json as { meta?: unknown } | null)?.meta
  if (meta == null || typeof meta !== 'object' || Array.isArray(meta) || !Object.values(meta).every((v) => typeof v === 'string')) {
    throw new DataDirError(`Cannot use "${path}": expected { "meta": { "key": "value", ... } } with string values. Fix it, or delete it`)
  }
  return { ...(meta as Record<string, string>) }
}

export async function saveMeta (dir: string, meta: Record<string, string>): Promise<void> {
  await writeFileAtomic(join(dir, META_FILE), new TextEncoder().encode(`${JSON.stringify({ meta }, null, 2)}\n`), 0o600)
}

/**
 * `current` with `patch` applied: a string sets a key, null deletes it. Throws a TypeError
 * naming the key for any other value.
 */
export function mergeMeta (current: Record<string, string>, patch: Record<string, unknown>): Record<string, string> {
  const next = { ...current }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key]
    else if (typeof value === 'string') next[key] = value
    else throw new TypeError(`Invalid metadata: "${key}" must be a string, or null to delete it`)
  }
  return next
}
