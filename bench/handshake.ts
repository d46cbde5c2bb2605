/**
 * What a libp2p connection costs in CPU (figures, not assertions): TCP, noise and yamux
 * between nodes in this one process, both ends counted, with noise's default crypto and
 * with `noiseCrypto` (src/libp2p/noise-crypto.ts), runs alternated; and the key imports
 * behind the difference, per call.
 *
 * Each run warms a dialer up on 10 connections, then opens 50 more to fresh listeners and
 * divides the process's CPU time (user + system, both ends, identify included) by 50.
 *
 *   node --import tsx bench/handshake.ts [--runs 3] [--json]
 */
import '../src/polyfill.ts'
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import { noiseCrypto } from '../src/index.ts'
import { baseOptions } from '../test/libp2p/helpers.ts'

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } })
const RUNS = Number(args.runs)
const WARM = 10
const MEASURED = 50

type Variant = 'default' | 'noiseCrypto'

async function cpuPerConnection (variant: Variant): Promise<number> {
  const make = async (): Promise<Libp2p> => await createLibp2p({
    ...baseOptions(),
    connectionEncrypters: [variant === 'noiseCrypto' ? noise({ crypto: noiseCrypto }) : noise()],
    services: { identify: identify() }
  })
  const dialer = await make()
  const listeners = await Promise.all(Array.from({ length: WARM + MEASURED }, make))
  try {
    for (const l of listeners.slice(0, WARM)) await dialer.dial(l.getMultiaddrs()[0])
    await new Promise((resolve) => setTimeout(resolve, 300))
    const before = process.cpuUsage()
    for (const l of listeners.slice(WARM)) await dialer.dial(l.getMultiaddrs()[0])
    // identify's exchange finishes after the dial resolves
    await new Promise((resolve) => setTimeout(resolve, 500))
    const used = process.cpuUsage(before)
    return (used.user + used.system) / 1000 / MEASURED
  } finally {
    await Promise.all([dialer, ...listeners].map(async (n) => { await n.stop() }))
  }
}

/** Microseconds per call of `fn`, over about 300 ms. */
function micros (fn: () => void): number {
  let n = 0
  const start = performance.now()
  while (performance.now() - start < 300) { for (let k = 0; k < 32; k++) fn(); n += 32 }
  return (performance.now() - start) * 1000 / n
}

const PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI = Buffer.from('302a300506032b656e032100', 'hex')
const secret = randomBytes(32)
const peer = generateKeyPairSync('x25519').publicKey
const peerRaw = Buffer.from(peer.export({ format: 'jwk' }).x as string, 'base64url')
const own = createPrivateKey({ key: Buffer.concat([PKCS8, secret]), format: 'der', type: 'pkcs8' })
const keyImports = {
  privateFromDer: micros(() => { createPrivateKey({ key: Buffer.concat([PKCS8, secret]), format: 'der', type: 'pkcs8' }) }),
  publicFromDer: micros(() => { createPublicKey({ key: Buffer.concat([SPKI, peerRaw]), format: 'der', type: 'spki' }) }),
  publicFromJwk: micros(() => { createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerRaw.toString('base64url') }, format: 'jwk' }) }),
  agreement: micros(() => { diffieHellman({ privateKey: own, publicKey: peer }) })
}

const load = [loadavg()[0]]
const runs: Record<Variant, number[]> = { default: [], noiseCrypto: [] }
for (let r = 0; r < RUNS; r++) {
  for (const variant of ['default', 'noiseCrypto'] as const) runs[variant].push(await cpuPerConnection(variant))
}
load.push(loadavg()[0])

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const r1 = (x: number): number => Math.round(x * 10) / 10
const result = {
  cpuMsPerConnection: { default: r1(median(runs.default)), noiseCrypto: r1(median(runs.noiseCrypto)) },
  runs: { default: runs.default.map(r1), noiseCrypto: runs.noiseCrypto.map(r1) },
  keyImportMicros: Object.fromEntries(Object.entries(keyImports).map(([k, v]) => [k, r1(v)])),
  load: load.map(r1)
}

if (args.json) {
  console.log(JSON.stringify(result, null, 2))
} else {
  console.log(`libp2p connection (TCP + noise + yamux + identify), CPU of both ends, median of ${RUNS} alternated runs of ${MEASURED}; load ${result.load.join(' → ')}`)
  console.log('| noise crypto | CPU ms per connection | runs |')
  console.log('|---|---|---|')
  for (const v of ['default', 'noiseCrypto'] as const) console.log(`| ${v} | ${result.cpuMsPerConnection[v]} | ${result.runs[v].join(', ')} |`)
  console.log(`X25519 per call: private key from DER ${result.keyImportMicros.privateFromDer} µs, public from DER ${result.keyImportMicros.publicFromDer} µs, public from JWK ${result.keyImportMicros.publicFromJwk} µs, the agreement ${result.keyImportMicros.agreement} µs`)
}
