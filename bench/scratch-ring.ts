import { HashRing } from '../src/consumers/ring.ts'
import type { Member } from '../src/core/types.ts'
import { randomBytes } from 'node:crypto'
const mk = (id: string): Member => ({ id, addrs: [], state: 'alive', incarnation: 0, meta: {}, since: 0 })
for (const V of [1000, 2000]) {
  const maxes: number[] = []
  for (let t = 0; t < 5; t++) {
    const ms = Array.from({ length: 100 }, () => mk('12D3KooW' + randomBytes(22).toString('base64url')))
    const r = new HashRing({ pointsPerMember: V }); r.update(ms)
    const c = new Map<string, number>()
    for (let k = 0; k < 1e6; k++) { const o = r.lookup('key-' + t + '-' + k)[0].id; c.set(o, (c.get(o) ?? 0) + 1) }
    maxes.push(Math.max(...c.values()) / 1e4)
  }
  console.log(V, maxes.map(x => x.toFixed(3)).join(' '))
}
const ms = Array.from({ length: 1000 }, () => mk('12D3KooW' + randomBytes(22).toString('base64url')))
const r = new HashRing({ pointsPerMember: Number(process.env.V ?? 1000) }); let t = performance.now(); r.update(ms); console.log('full build 1000', performance.now() - t)
const extra = mk('12D3KooWextra')
for (let i = 0; i < 6; i++) { t = performance.now(); r.update([...ms, extra]); const a = performance.now() - t; t = performance.now(); r.update(ms); console.log('join', a.toFixed(2), 'leave', (performance.now() - t).toFixed(2)) }
const keys = Array.from({ length: 1e6 }, (_, i) => 'k' + i)
for (let rep = 0; rep < 2; rep++) { t = performance.now(); for (const k of keys) r.lookup(k); console.log('lookups/s', (1e6 / (performance.now() - t) * 1000 / 1e6).toFixed(2), 'M') }
t = performance.now(); for (let i = 0; i < 1e5; i++) r.lookup(keys[i], 3); console.log('n=3 /s', (1e5 / (performance.now() - t) * 1000 / 1e6).toFixed(2), 'M')

// correctness: incremental equals fresh
const fresh = new HashRing({ pointsPerMember: Number(process.env.V ?? 1000) }); fresh.update(ms)
let diff = 0; for (let i = 0; i < 1e5; i++) if (fresh.lookup(keys[i], 3).map(m => m.id).join() !== r.lookup(keys[i], 3).map(m => m.id).join()) diff++
console.log('diff vs fresh', diff, 'points', r.pointCount, fresh.pointCount)
