const P = 1_000_000
const a = new Uint32Array(P); for (let i = 0; i < P; i++) a[i] = i * 4000
for (let r = 0; r < 3; r++) {
  let t = performance.now(); const b = new Uint32Array(P); const c = new Uint32Array(P); const t1 = performance.now() - t
  t = performance.now(); b.set(a); c.set(a); const t2 = performance.now() - t
  t = performance.now(); const bs = new Uint32Array(65537); let q = 0; for (let p = 0; p < P; p++) { const k = a[p] >>> 16; while (q <= k) bs[q++] = p } const t3 = performance.now() - t
  t = performance.now(); const g = new Uint8Array(1000); let kept = 0; for (let i = 0; i < P; i++) kept += 1 - g[a[i] % 1000]; const t4 = performance.now() - t
  console.log('alloc', t1.toFixed(2), 'copy', t2.toFixed(2), 'buckets', t3.toFixed(2), 'filter', t4.toFixed(2))
}
