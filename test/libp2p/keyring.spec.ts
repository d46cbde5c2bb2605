import { createHash, randomBytes } from 'node:crypto'
import { generateKey } from '@libp2p/pnet'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Keyring, KeyringError, keyHint, keyId } from '../../src/libp2p/keyring.ts'
import { clusterKeyFileProblem, decodeClusterKeyFile, encodeClusterKeyFile, generateClusterKeyFile } from '../../src/libp2p/cluster-key.ts'

const test = suite('keyring')

const key = (): Uint8Array => new Uint8Array(randomBytes(32))

function refused (fn: () => unknown, code: string, pattern: RegExp): void {
  try {
    fn()
  } catch (err) {
    assert.instance(err, KeyringError)
    assert.is((err as KeyringError).code, code)
    assert.match((err as Error).message, pattern)
    return
  }
  assert.unreachable(`expected a KeyringError ${code}`)
}

test('a key id is the first 16 hex digits of SHA-256 of the key, its hint the first byte', () => {
  const k = key()
  const digest = createHash('sha256').update(k).digest()
  assert.is(keyId(k), digest.toString('hex').slice(0, 16))
  assert.is(keyHint(keyId(k)), digest[0])
})

test('an empty keyring is a keyless cluster', () => {
  const ring = new Keyring()
  assert.is(ring.primary, undefined)
  assert.is(ring.primaryId, undefined)
  assert.ok(ring.keyless)
  assert.equal(ring.list(), [])
  for (let hint = 0; hint < 256; hint++) assert.equal(ring.find(hint), [])
})

test('the first key given is the primary; duplicates are kept once', () => {
  const [a, b] = [key(), key()]
  const ring = new Keyring([a, b, a])
  assert.equal(ring.primary, a)
  assert.is(ring.primaryId, keyId(a))
  assert.not.ok(ring.keyless)
  assert.equal(ring.list(), [{ id: keyId(a), primary: true }, { id: keyId(b), primary: false }])
})

test('keys of the wrong length are refused with the length in the message', () => {
  refused(() => new Keyring([new Uint8Array(31)]), 'invalid-key', /31 bytes: a key is 32 bytes/)
  refused(() => new Keyring([new Uint8Array(95)]), 'invalid-key', /95 bytes/)
  const ring = new Keyring([key()])
  refused(() => ring.install(new Uint8Array(0)), 'invalid-key', /0 bytes/)
  refused(() => ring.install('a string' as unknown as Uint8Array), 'invalid-key', /of type string/)
  assert.is(ring.list().length, 1)
})

test('install adds a key, is idempotent, and returns its id', () => {
  const [a, b] = [key(), key()]
  const ring = new Keyring([a])
  let changes = 0
  ring.onChange(() => { changes++ })
  assert.is(ring.install(b), keyId(b))
  assert.is(changes, 1)
  assert.is(ring.install(b), keyId(b))
  assert.is(ring.install(new Uint8Array(b)), keyId(b))
  assert.is(changes, 1, 'installing a present key is not a change')
  assert.equal(ring.primary, a, 'the primary stays')
  assert.equal(ring.list().map((e) => e.id), [keyId(a), keyId(b)])
})

test('the first key installed into a keyless ring becomes the primary', () => {
  const ring = new Keyring()
  const a = key()
  ring.install(a)
  assert.equal(ring.primary, a)
  assert.not.ok(ring.keyless)
})

test('use makes an installed key primary; unknown or malformed ids are refused', () => {
  const [a, b, c] = [key(), key(), key()]
  const ring = new Keyring([a, b])
  let changes = 0
  ring.onChange(() => { changes++ })
  ring.use(keyId(b))
  assert.equal(ring.primary, b)
  assert.equal(ring.list(), [{ id: keyId(b), primary: true }, { id: keyId(a), primary: false }])
  assert.is(changes, 1)
  ring.use(keyId(b).toUpperCase())
  assert.is(changes, 1, 'using the primary again is not a change')
  refused(() => ring.use(keyId(c)), 'unknown-key', new RegExp(`No installed key has id ${keyId(c)}`))
  refused(() => ring.use('xyz'), 'invalid-key', /16 hex digits/)
  refused(() => ring.use(keyId(a).slice(0, 8)), 'invalid-key', /16 hex digits/)
  assert.equal(ring.primary, b)
})

test('remove drops a key, but never the primary or an unknown one', () => {
  const [a, b] = [key(), key()]
  const ring = new Keyring([a, b])
  const hintB = keyHint(keyId(b))
  refused(() => ring.remove(keyId(a)), 'primary-key', /primary key; make another key primary first/)
  refused(() => ring.remove(keyId(key())), 'unknown-key', /No installed key/)
  assert.ok(ring.find(hintB).some((k) => Buffer.from(k).equals(b)))
  ring.remove(keyId(b))
  assert.equal(ring.list(), [{ id: keyId(a), primary: true }])
  assert.not.ok(ring.find(hintB).some((k) => Buffer.from(k).equals(b)))
  refused(() => ring.remove(keyId(b)), 'unknown-key', /No installed key/)
})

test('find returns exactly the keys whose id begins with the hint byte', () => {
  const keys = Array.from({ length: 600 }, key)
  const ring = new Keyring(keys)
  let found = 0
  for (let hint = 0; hint < 256; hint++) {
    const expected = keys.filter((k) => keyHint(keyId(k)) === hint)
    assert.equal(ring.find(hint), expected)
    assert.equal(ring.match(hint).map((e) => e.id), expected.map(keyId))
    found += expected.length
  }
  assert.is(found, 600)
  assert.equal(ring.find(256), [])
  assert.equal(ring.find(-1), [])
})

test('the keys handed out are copies: changing them does not change the ring', () => {
  const a = key()
  const given = new Uint8Array(a)
  const ring = new Keyring([given])
  given.fill(0)
  assert.equal(ring.primary, a)
  ring.primary?.fill(0)
  ring.find(keyHint(keyId(a)))[0].fill(0)
  assert.equal(ring.primary, a)
})

test('onChange listeners run after each change and can unsubscribe', () => {
  const [a, b] = [key(), key()]
  const ring = new Keyring([a])
  const seen: string[] = []
  const generations: number[] = [ring.generation]
  const off = ring.onChange(() => { seen.push(`1:${ring.primaryId ?? ''}:${ring.list().length}`); generations.push(ring.generation) })
  ring.onChange(() => { seen.push('2') })
  ring.install(b)
  ring.use(keyId(b))
  off()
  ring.remove(keyId(a))
  assert.equal(seen, [`1:${keyId(a)}:2`, '2', `1:${keyId(b)}:2`, '2', '2'])
  assert.equal(new Set(generations).size, generations.length, 'the generation moves on each change')
  assert.ok(ring.generation > generations[generations.length - 1])
})

test('a throwing listener does not stop the others or undo the change', () => {
  const ring = new Keyring([key()])
  let ran = false
  ring.onChange(() => { throw new Error('boom') })
  ring.onChange(() => { ran = true })
  const b = key()
  assert.throws(() => ring.install(b), /boom/)
  assert.ok(ran)
  assert.is(ring.list().length, 2)
})

const file = suite('cluster key file')

file('a generated key file is what @libp2p/pnet writes, and decodes to 32 bytes', () => {
  const ours = new TextDecoder().decode(generateClusterKeyFile())
  const theirs = new Uint8Array(95)
  generateKey(theirs)
  for (const text of [ours, new TextDecoder().decode(theirs)]) {
    assert.is(clusterKeyFileProblem(text), undefined)
    const raw = decodeClusterKeyFile(text)
    assert.is(raw.byteLength, 32)
    assert.is(Buffer.from(raw).toString('hex'), text.split('\n')[2])
  }
  assert.match(ours, /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
})

file('encode and decode are inverse, bytes or text, with CRLF line ends too', () => {
  const k = key()
  const bytes = encodeClusterKeyFile(k)
  assert.equal(decodeClusterKeyFile(bytes), k)
  assert.equal(decodeClusterKeyFile(new TextDecoder().decode(bytes).replace(/\n/g, '\r\n')), k)
  assert.equal(new Keyring([decodeClusterKeyFile(bytes)]).primary, k)
  assert.throws(() => encodeClusterKeyFile(new Uint8Array(16)), /16 bytes/)
})

file('malformed key files are refused with the reason', () => {
  const good = new TextDecoder().decode(generateClusterKeyFile())
  const hex = good.split('\n')[2]
  const cases: Array<[string, RegExp]> = [
    ['', /first line/],
    [hex, /first line/],
    [good.replace('/key/swarm/psk/1.0.0/', '/key/swarm/psk/2.0.0/'), /first line/],
    [good.replace('/base16/', '/base64/'), /second line/],
    [good.replace(hex, hex.slice(2)), /64 lowercase hex/],
    [good.replace(hex, hex.toUpperCase()), /64 lowercase hex/],
    [good + 'more\n', /unexpected text/],
    [good + ' '.repeat(5000), /the file is/]
  ]
  for (const [text, reason] of cases) {
    assert.match(clusterKeyFileProblem(text) ?? '', reason)
    assert.throws(() => decodeClusterKeyFile(text), (err: Error) => err instanceof SyntaxError && reason.test(err.message) && /swimd keygen/.test(err.message))
  }
})

file('the package root exports the keyring and the key file format', async () => {
  const root = await import('../../src/index.ts')
  const ring = new root.Keyring([root.decodeClusterKeyFile(root.generateClusterKeyFile())])
  assert.is(ring.list().length, 1)
  assert.is(root.keyId(ring.primary as Uint8Array), ring.primaryId)
  assert.is(root.Keyring, Keyring)
})

test.run()
file.run()
