/**
 * A stand-in for the library's `Keyring` (src/libp2p/keyring.ts), with the interface agreed for
 * it: 32-byte keys, ids of 16 hex digits of SHA-256, one primary, the primary never removed.
 * Enough to test the daemon's routes and the CLI; the real one is tested with the library.
 */
import { createHash } from 'node:crypto'

export function keyId (key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

export class FakeKeyring {
  #keys: Uint8Array[]
  readonly #listeners = new Set<() => void>()

  constructor (keys: Uint8Array[] = []) {
    this.#keys = [...keys]
  }

  get primary (): Uint8Array | undefined {
    return this.#keys[0]
  }

  list (): Array<{ id: string, primary: boolean }> {
    return this.#keys.map((key, index) => ({ id: keyId(key), primary: index === 0 }))
  }

  install (key: Uint8Array): string {
    if (key.length !== 32) throw new RangeError(`a cluster key is 32 bytes, got ${key.length}`)
    const id = keyId(key)
    if (!this.#keys.some((k) => keyId(k) === id)) {
      this.#keys.push(key)
      this.#changed()
    }
    return id
  }

  use (id: string): void {
    const index = this.#keys.findIndex((k) => keyId(k) === id)
    if (index < 0) throw new Error(`unknown key ${id}`)
    this.#keys = [this.#keys[index], ...this.#keys.filter((_, i) => i !== index)]
    this.#changed()
  }

  remove (id: string): void {
    const index = this.#keys.findIndex((k) => keyId(k) === id)
    if (index < 0) throw new Error(`unknown key ${id}`)
    if (index === 0) throw new Error(`key ${id} is primary`)
    this.#keys.splice(index, 1)
    this.#changed()
  }

  find (hint: number): Uint8Array[] {
    return this.#keys.filter((k) => parseInt(keyId(k).slice(0, 2), 16) === hint)
  }

  onChange (listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  #changed (): void {
    for (const listener of this.#listeners) listener()
  }
}
