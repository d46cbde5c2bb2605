/**
 * Large answers (the member list) built once and shared by every client asking for the same
 * thing, instead of once per request: with a large cluster, 200 clients polling would otherwise
 * each hold their own copy of the serialised list. An entry is rebuilt when the membership
 * changed (the event log's latest seq moved) or after `maxAgeMs` (for changes that raise no
 * event, such as an incarnation bump), whichever comes first.
 */
export interface CachedAnswer {
  /** The serialised JSON body, shared: never modify it. */
  body: Buffer
}

export class AnswerCache {
  private readonly version: () => number
  private readonly maxAgeMs: number
  private readonly now: () => number
  private readonly entries = new Map<string, { version: number, at: number, answer: CachedAnswer }>()
  /** How many times an answer was built (for tests and metrics). */
  builds = 0

  constructor (options: { version: () => number, maxAgeMs?: number, now?: () => number }) {
    this.version = options.version
    this.maxAgeMs = options.maxAgeMs ?? 1000
    this.now = options.now ?? Date.now
  }

  /** The answer for `key`, from `build` when there is no current one. */
  get (key: string, build: () => unknown): CachedAnswer {
    const version = this.version()
    const now = this.now()
    const entry = this.entries.get(key)
    if (entry != null && entry.version === version && now - entry.at < this.maxAgeMs) return entry.answer
    const answer = { body: Buffer.from(`${JSON.stringify(build())}\n`) }
    this.builds++
    // a handful of keys at most (one per state filter); stale ones are replaced, not piled up
    if (this.entries.size > 32) this.entries.clear()
    this.entries.set(key, { version, at: now, answer })
    return answer
  }
}
