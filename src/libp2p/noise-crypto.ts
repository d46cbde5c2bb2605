/**
 * noise's own crypto for Node.js, with its X25519 keys imported once instead of at every
 * Diffie-Hellman (noise's "bring your own crypto" option: `noise({ crypto: noiseCrypto })`).
 *
 * noise's default rebuilds both keys of each of a handshake's three Diffie-Hellmans from
 * DER (`createPrivateKey` of PKCS#8, `createPublicKey` of SPKI). OpenSSL 3 decodes DER through
 * its generic decoder framework, about 0.5 ms for a private key and 0.13 ms for a public one on
 * a small machine, against 0.05 ms for the agreement itself: the imports were half the CPU of
 * a handshake, and a forming cluster opens connections by the hundred. Here a key pair noise
 * asks for keeps its private KeyObject (looked up by the identity of the bytes noise holds,
 * so nothing secret becomes a map key and nothing outlives the key pair), and peers' public
 * keys are imported from JWK, which builds the key from its raw bytes. Everything else is
 * noise's default; a private key we did not make is imported as noise does.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'

/** Key bytes as noise hands them over: whole, or a list of pieces. */
type Bytes = Parameters<ICryptoInterface['generateX25519SharedKey']>[0]

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')

/** The private KeyObject of each key pair this module made, by the key bytes handed to noise. */
const privateKeys = new WeakMap<Uint8Array, KeyObject>()

function keyPair (privateKey: KeyObject): { publicKey: Uint8Array, privateKey: Uint8Array } {
  const jwk = privateKey.export({ format: 'jwk' })
  const pair = { publicKey: Buffer.from(jwk.x as string, 'base64url'), privateKey: Buffer.from(jwk.d as string, 'base64url') }
  privateKeys.set(pair.privateKey, privateKey)
  return pair
}

function bytes (data: Bytes): Uint8Array {
  return data instanceof Uint8Array ? data : data.subarray()
}

export const noiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  generateX25519KeyPair () {
    return keyPair(generateKeyPairSync('x25519').privateKey)
  },
  generateX25519KeyPairFromSeed (seed: Uint8Array) {
    return keyPair(createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }))
  },
  generateX25519SharedKey (privateKey: Bytes, publicKey: Bytes) {
    const ours = privateKey instanceof Uint8Array ? privateKeys.get(privateKey) : undefined
    const secret = ours ?? createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, bytes(privateKey)]), format: 'der', type: 'pkcs8' })
    const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(bytes(publicKey)).toString('base64url') }, format: 'jwk' })
    return diffieHellman({ privateKey: secret, publicKey: peer })
  }
}
