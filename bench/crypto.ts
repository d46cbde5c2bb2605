/**
 * Cost of the datagram and stream cryptography (figures, not assertions), on one core:
 *
 * - seal / open per second of `PacketCrypto`, keyless and keyed, by payload size, and the
 *   bytes it adds to each datagram;
 * - what each kind of drop costs: forged (one AEAD check), replayed, unknown sender and
 *   foreign key (none);
 * - first contact with a member (PeerId parsing, X25519, HKDF), and memory per known member;
 * - the two AEADs node:crypto offers, ChaCha20-Poly1305 and AES-256-GCM, on the same sizes;
 * - stream proofs made and checked per second.
 *
 * Each figure is the median of 3 runs of about 300 ms.
 *
 *   node --import tsx bench/crypto.ts [--json]
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Keyring } from '../src/libp2p/keyring.ts'
import { PacketCrypto } from '../src/libp2p/packet-crypto.ts'
import { checkStreamProof, streamProof } from '../src/libp2p/stream-auth.ts'
import type { PrivateKey } from '@libp2p/interface'

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false } } })

const RUN_MS = 300
const SIZES = [64, 512, 1368]

/** Operations per second of `fn` (called with the iteration number), median of 3 runs. */
function rate (fn: (i: number) => void): number {
  const rates: number[] = []
  for (let run = 0; run < 3; run++) {
    let n = 0
    const start = performance.now()
    let elapsed = 0
    while (elapsed < RUN_MS) {
      for (let k = 0; k < 64; k++) fn(n++)
      elapsed = performance.now() - start
    }
    rates.push(n / (elapsed / 1000))
  }
  rates.sort((a, b) => a - b)
  return Math.round(rates[1])
}

/** Like `rate`, timing only `run` over inputs that `prepare` makes in batches. */
function batchRate<T> (prepare: () => T[], run: (input: T) => void): number {
  const rates: number[] = []
  for (let r = 0; r < 3; r++) {
    let n = 0
    let elapsed = 0
    while (elapsed < RUN_MS) {
      const inputs = prepare()
      const start = performance.now()
      for (const input of inputs) run(input)
      elapsed += performance.now() - start
      n += inputs.length
    }
    rates.push(n / (elapsed / 1000))
  }
  rates.sort((a, b) => a - b)
  return Math.round(rates[1])
}

async function member (keys: Uint8Array[]): Promise<{ id: string, key: PrivateKey, crypto: PacketCrypto }> {
  const key = await generateKeyPair('Ed25519')
  return { id: peerIdFromPrivateKey(key).toString(), key, crypto: new PacketCrypto({ privateKey: key, cluster: 'bench', keyring: new Keyring(keys) }) }
}

const rows: Array<Record<string, string | number>> = []

for (const mode of ['keyless', 'keyed'] as const) {
  const keys = mode === 'keyed' ? [new Uint8Array(randomBytes(32))] : []
  const a = await member(keys)
  const b = await member(keys)
  a.crypto.know(b.id)
  b.crypto.know(a.id)
  for (const size of SIZES) {
    const payload = new Uint8Array(randomBytes(size))
    const seal = rate(() => { a.crypto.seal(b.id, payload) })
    // fresh datagrams to open, sealed in batches outside the timed part
    const open = batchRate(() => Array.from({ length: 2048 }, () => a.crypto.seal(b.id, payload) as Uint8Array), (packet) => { b.crypto.open(packet) })
    const forged = a.crypto.seal(b.id, payload) as Uint8Array
    forged[forged.length - 1] ^= 1
    const forgedRate = rate(() => { b.crypto.open(forged) })
    rows.push({ figure: 'seal / s', mode, size, value: seal })
    rows.push({ figure: 'open / s', mode, size, value: open })
    rows.push({ figure: 'forged dropped / s (one AEAD check)', mode, size, value: forgedRate })
  }
  const replayed = a.crypto.seal(b.id, new Uint8Array(64)) as Uint8Array
  b.crypto.open(replayed)
  rows.push({ figure: 'replay dropped / s (no AEAD check)', mode, size: 64, value: rate(() => { b.crypto.open(replayed) }) })
  const stranger = await member(keys)
  stranger.crypto.know(b.id)
  const unknown = stranger.crypto.seal(b.id, new Uint8Array(64)) as Uint8Array
  rows.push({ figure: 'unknown sender dropped / s (no AEAD check)', mode, size: 64, value: rate(() => { b.crypto.open(unknown) }) })
  if (mode === 'keyed') {
    const foreign = await member([new Uint8Array(randomBytes(32))])
    foreign.crypto.know(b.id)
    const packet = foreign.crypto.seal(b.id, new Uint8Array(64)) as Uint8Array
    rows.push({ figure: 'foreign key dropped / s (no AEAD check)', mode, size: 64, value: rate(() => { b.crypto.open(packet) }) })
  }
}

// first contact and memory: a node meets M members and seals one datagram to each
const M = 2000
const peers = await Promise.all(Array.from({ length: M }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
const self = await member([new Uint8Array(randomBytes(32))])
globalThis.gc?.()
const heapBefore = process.memoryUsage().heapUsed
const started = performance.now()
for (const id of peers) self.crypto.seal(id, new Uint8Array(64))
const firstContactUs = (performance.now() - started) * 1000 / M
globalThis.gc?.()
const bytesPerMember = (process.memoryUsage().heapUsed - heapBefore) / M

// the two AEADs of node:crypto, bare (a fresh cipher object per datagram, as PacketCrypto does)
const aead: Array<Record<string, string | number>> = []
for (const algorithm of ['chacha20-poly1305', 'aes-256-gcm'] as const) {
  const key = randomBytes(32)
  const nonce = randomBytes(12)
  const aad = randomBytes(16)
  for (const size of SIZES) {
    const plain = randomBytes(size)
    let sealed = Buffer.alloc(0)
    let tag = Buffer.alloc(0)
    const seal = rate(() => {
      const c = createCipheriv(algorithm, key, nonce, { authTagLength: 16 } as any) as any
      c.setAAD(aad, { plaintextLength: size })
      sealed = Buffer.concat([c.update(plain), c.final()])
      tag = c.getAuthTag()
    })
    const open = rate(() => {
      const d = createDecipheriv(algorithm, key, nonce, { authTagLength: 16 } as any) as any
      d.setAAD(aad, { plaintextLength: size })
      d.setAuthTag(tag)
      d.update(sealed)
      d.final()
    })
    aead.push({ algorithm, size, seal, open })
  }
}

const ring = new Keyring([new Uint8Array(randomBytes(32))])
const A = self.id
const B = peers[0]
const proof = streamProof(ring, 'bench', A, B)
const proofs = { make: rate(() => { streamProof(ring, 'bench', A, B) }), check: rate(() => { checkStreamProof(ring, 'bench', A, B, proof) }) }

const result = {
  overheadBytes: self.crypto.overhead,
  rows,
  firstContactMicros: Number(firstContactUs.toFixed(1)),
  bytesPerKnownMember: Math.round(bytesPerMember),
  gcExposed: globalThis.gc != null,
  aead,
  streamProofs: proofs
}

if (args.json) {
  console.log(JSON.stringify(result, null, 2))
} else {
  const k = (x: number): string => x >= 10_000 ? `${Math.round(x / 1000)}k` : String(x)
  console.log(`datagram overhead: ${result.overheadBytes} bytes`)
  console.log('| figure | mode | payload bytes | per second |')
  console.log('|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.figure} | ${r.mode} | ${r.size} | ${k(r.value as number)} |`)
  console.log(`first contact with a member (PeerId, X25519, HKDF, one seal): ${result.firstContactMicros} µs; heap per known member: ~${result.bytesPerKnownMember} B${result.gcExposed ? '' : ' (run with --expose-gc for a steadier figure)'}`)
  console.log('| AEAD | payload bytes | seal / s | open / s |')
  console.log('|---|---|---|---|')
  for (const r of aead) console.log(`| ${r.algorithm} | ${r.size} | ${k(r.seal as number)} | ${k(r.open as number)} |`)
  console.log(`stream proofs: ${k(proofs.make)} made / s, ${k(proofs.check)} checked / s`)
}
