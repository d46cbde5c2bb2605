/**
 * The cluster's keyring: the keys that admit a member to the cluster, as Serf's and
 * memberlist's keyrings hold them. One primary key is used to prove membership and to seal
 * datagrams; the others are still accepted, so a key can be rotated on a running cluster
 * with no split:
 *
 * 1. `install(new)` on every member (each now accepts both keys);
 * 2. `use(newId)` on every member (each now sends with the new key, still accepts the old);
 * 3. `remove(oldId)` on every member.
 *
 * An empty keyring is a keyless cluster. Keys are 32 random bytes (the payload of a
 * `@libp2p/pnet` PSK v1 file, see `cluster-key.ts`). A key is named by its id: the first 16
 * hex digits of SHA-256(key), which can be shown and logged without revealing the key. The
 * first byte of the id is the "hint" carried in datagram and stream-proof headers, so a
 * receiver tries only the keys that can match (`find`).
 */
import { createHash } from 'node:crypto'

/** Length of a cluster key in bytes. */
export const CLUSTER_KEY_LENGTH = 32

/** Hex digits in a key id (8 bytes of SHA-256: collisions need about 2^32 keys). */
export const KEY_ID_LENGTH = 16

const KEY_ID_PATTERN = /^[0-9a-f]{16}$/

/** Why a keyring operation was refused. */
export type KeyringErrorCode = 'invalid-key' | 'unknown-key' | 'primary-key'

/**
 * A refused keyring operation; `code` says which (for an API to map it to a status):
 * `invalid-key` (not 32 bytes, or an id that is not 16 hex digits), `unknown-key` (no
 * installed key has that id), `primary-key` (the primary key cannot be removed). The
 * keyring is unchanged when one is thrown.
 */
export class KeyringError extends Error {
  static override name = 'KeyringError'
  readonly code: KeyringErrorCode

  constructor (code: KeyringErrorCode, message: string) {
    super(message)
    this.name = 'KeyringError'
    this.code = code
  }
}

/** The id of a key: the first 16 hex digits of SHA-256(key). */
export function keyId (key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, KEY_ID_LENGTH)
}

/** The hint byte of a key id (its first byte), as carried in headers. */
export function keyHint (id: string): number {
  return parseInt(id.slice(0, 2), 16)
}

/** A key and its id. `key` is a copy: changing it does not change the keyring. */
export interface KeyEntry {
  id: string
  key: Uint8Array
}

function checkKey (key: unknown): Uint8Array {
  if (!(key instanceof Uint8Array)) {
    throw new KeyringError('invalid-key', `Cannot use a cluster key of type ${typeof key}: a key is ${CLUSTER_KEY_LENGTH} bytes (a Uint8Array)`)
  }
  if (key.byteLength !== CLUSTER_KEY_LENGTH) {
    throw new KeyringError('invalid-key', `Cannot use a cluster key of ${key.byteLength} bytes: a key is ${CLUSTER_KEY_LENGTH} bytes (create one with "swimd keygen")`)
  }
  return key
}

function checkId (id: unknown): string {
  const normal = typeof id === 'string' ? id.toLowerCase() : ''
  if (!KEY_ID_PATTERN.test(normal)) {
    throw new KeyringError('invalid-key', `Invalid key id ${JSON.stringify(id)}: an id is ${KEY_ID_LENGTH} hex digits, as "keys list" shows`)
  }
  return normal
}

export class Keyring {
  /** Installed keys, the primary first, then the others in the order they were installed. */
  private entries: Array<{ id: string, hint: number, key: Uint8Array }> = []
  private readonly listeners = new Set<() => void>()
  private changes = 0

  /**
   * @param keys 32-byte keys; `keys[0]` is the primary; `[]` (the default) is a keyless
   * cluster. Duplicates are kept once. Throws a KeyringError for a key of the wrong length.
   */
  constructor (keys: Uint8Array[] = []) {
    for (const key of keys) checkKey(key)
    for (const key of keys) this.add(key)
  }

  /** The key used to send (a copy), or undefined in a keyless cluster. */
  get primary (): Uint8Array | undefined {
    const first = this.entries[0]
    return first == null ? undefined : first.key.slice()
  }

  /** The id of the primary key, or undefined in a keyless cluster. */
  get primaryId (): string | undefined {
    return this.entries[0]?.id
  }

  /** Whether the ring holds no key (a keyless cluster). */
  get keyless (): boolean {
    return this.entries.length === 0
  }

  /**
   * A number that changes whenever the set of keys or the primary changes, so a cache of
   * keys derived from the ring can tell it is stale without a listener.
   */
  get generation (): number {
    return this.changes
  }

  /** The installed keys by id, the primary first. */
  list (): Array<{ id: string, primary: boolean }> {
    return this.entries.map((entry, i) => ({ id: entry.id, primary: i === 0 }))
  }

  /**
   * Adds a key, accepted from now on; returns its id. Installing a key already present
   * changes nothing. The first key installed into a keyless ring becomes the primary (the
   * node then leaves any keyless cluster). Throws a KeyringError for a key of the wrong length.
   */
  install (key: Uint8Array): string {
    checkKey(key)
    const id = keyId(key)
    if (this.entries.some((entry) => entry.id === id)) return id
    this.add(key)
    this.changed()
    return id
  }

  /** Makes an installed key the primary. Throws a KeyringError if no key has that id. */
  use (id: string): void {
    const at = this.indexOf(id)
    if (at === 0) return
    const [entry] = this.entries.splice(at, 1)
    this.entries.unshift(entry)
    this.changed()
  }

  /**
   * Removes a key: what was sealed or proven with it is refused from now on. Throws a
   * KeyringError if no key has that id, or if it is the primary (`use` another first).
   */
  remove (id: string): void {
    const at = this.indexOf(id)
    if (at === 0) {
      throw new KeyringError('primary-key', `Cannot remove key ${this.entries[0].id}: it is the primary key; make another key primary first ("keys use")`)
    }
    this.entries.splice(at, 1)
    this.changed()
  }

  /** Copies of the keys whose id begins with the byte `hint`, the primary first. */
  find (hint: number): Uint8Array[] {
    return this.match(hint).map((entry) => entry.key)
  }

  /** Like `find`, with each key's id. */
  match (hint: number): KeyEntry[] {
    const out: KeyEntry[] = []
    for (const entry of this.entries) {
      if (entry.hint === hint) out.push({ id: entry.id, key: entry.key.slice() })
    }
    return out
  }

  /**
   * Calls `listener` after every change (install of a new key, use of another key, remove).
   * Returns a function that unsubscribes it. Listeners run synchronously, in the order they
   * subscribed, after the change is complete; if any throws, the others still run and the
   * error is rethrown to the caller of the change (the change itself stands).
   */
  onChange (listener: () => void): () => void {
    const wrapped = (): void => { listener() }
    this.listeners.add(wrapped)
    return () => { this.listeners.delete(wrapped) }
  }

  private add (key: Uint8Array): void {
    const id = keyId(key)
    if (this.entries.some((entry) => entry.id === id)) return
    this.entries.push({ id, hint: keyHint(id), key: key.slice() })
  }

  private indexOf (id: string): number {
    const normal = checkId(id)
    const at = this.entries.findIndex((entry) => entry.id === normal)
    if (at < 0) {
      const known = this.entries.map((entry) => entry.id).join(', ')
      throw new KeyringError('unknown-key', `No installed key has id ${normal} (installed: ${known === '' ? 'none' : known})`)
    }
    return at
  }

  private changed (): void {
    this.changes++
    const errors: unknown[] = []
    for (const listener of [...this.listeners]) {
      try {
        listener()
      } catch (err) {
        errors.push(err)
      }
    }
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new AggregateError(errors, 'Keyring change listeners failed')
  }
}
