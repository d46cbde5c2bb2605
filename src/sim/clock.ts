/**
 * Virtual time: a min-heap of scheduled items ordered by time, then by insertion order, so
 * that items due at the same instant run in a defined order and a seed fixes a run.
 */
export class Clock<T> {
  private heap: Array<{ at: number, seq: number, item: T }> = []
  private seq = 0
  now = 0

  get pending (): number {
    return this.heap.length
  }

  schedule (at: number, item: T): void {
    const node = { at: Math.max(at, this.now), seq: this.seq++, item }
    const h = this.heap
    h.push(node)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(h[i], h[parent])) break
      const tmp = h[i]; h[i] = h[parent]; h[parent] = tmp
      i = parent
    }
  }

  /** Removes and returns the earliest item due at or before `until`, advancing `now`. */
  next (until: number): T | undefined {
    const h = this.heap
    if (h.length === 0 || h[0].at > until) return undefined
    const top = h[0]
    const last = h.pop() as typeof top
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && before(h[l], h[m])) m = l
        if (r < h.length && before(h[r], h[m])) m = r
        if (m === i) break
        const tmp = h[i]; h[i] = h[m]; h[m] = tmp
        i = m
      }
    }
    this.now = top.at
    return top.item
  }
}

function before (a: { at: number, seq: number }, b: { at: number, seq: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
