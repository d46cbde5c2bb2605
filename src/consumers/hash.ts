/**
 * The one hash of the consumer modules: xxHash32 (xxhash-wasm), for ring points and keys.
 *
 * Measured on the project's 2-core machine with short keys: xxhash-wasm's `h32` on strings
 * 5.5 M/s, `node:crypto` `hash('md5')` 2.1 M/s, `createHash('md5')` 0.7 M/s. The lookup
 * target (10^6 owners per second at 1,000 members) leaves no room for a cryptographic hash,
 * and nothing here needs one: ring positions only need to be uniform, and a member that
 * wanted to aim its points could do so anyway by choosing its own weight.
 *
 * The WebAssembly module is compiled once, at import (top-level await), so every function
 * below is synchronous.
 */
import xxhash from 'xxhash-wasm'

const { h32, h32Raw } = await xxhash()

/** 32-bit hash of a lookup key: strings as their UTF-8 bytes, byte arrays as they are. */
export function hashKey (key: string | Uint8Array): number {
  return typeof key === 'string' ? h32(key) : h32Raw(key)
}

/** 32-bit hash of a string with a seed (ring points use the point number as the seed). */
export function hashString (value: string, seed: number): number {
  return h32(value, seed)
}
