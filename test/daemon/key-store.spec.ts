import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  DataDirError, KEY_FILE, loadIncarnation, loadMembers, loadOrCreatePrivateKey, nextIncarnation,
  saveIncarnation, saveMembers
} from '../../src/daemon/key-store.ts'
import { startStateSaver } from '../../src/daemon/state-saver.ts'
import { FakeSwim } from './fake-swim.ts'

const root = mkdtempSync(join(tmpdir(), 'swimd-keys-'))
let counter = 0
const freshDir = (): string => join(root, `data-${++counter}`)

test.after(() => { rmSync(root, { recursive: true, force: true }) })

async function rejects (promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

test('loadOrCreatePrivateKey keeps the same PeerId across loads', async () => {
  const dir = freshDir()
  const first = await loadOrCreatePrivateKey(dir)
  const second = await loadOrCreatePrivateKey(dir)
  assert.ok(first.created)
  assert.not.ok(second.created)
  assert.is(first.privateKey.type, 'Ed25519')
  assert.is(peerIdFromPrivateKey(second.privateKey).toString(), peerIdFromPrivateKey(first.privateKey).toString())
})

test('loadOrCreatePrivateKey creates the directory 0700 and the key file 0600', async () => {
  const dir = freshDir()
  await loadOrCreatePrivateKey(dir)
  assert.is(statSync(dir).mode & 0o777, 0o700)
  assert.is(statSync(join(dir, KEY_FILE)).mode & 0o777, 0o600)
})

test('a corrupt key file is a clear error naming the file, and it is left untouched', async () => {
  const dir = freshDir()
  mkdirSync(dir)
  writeFileSync(join(dir, KEY_FILE), 'garbage')
  const err = await rejects(loadOrCreatePrivateKey(dir))
  assert.instance(err, DataDirError)
  assert.ok(err.message.startsWith(`Cannot load the private key in "${join(dir, KEY_FILE)}": the file is not a libp2p private key`), err.message)
  assert.match(err.message, 'new PeerId')
  assert.is(statSync(join(dir, KEY_FILE)).size, 7)
})

test('an unreadable key file is a clear error naming the file', async () => {
  const dir = freshDir()
  mkdirSync(join(dir, KEY_FILE), { recursive: true })
  const err = await rejects(loadOrCreatePrivateKey(dir))
  assert.instance(err, DataDirError)
  assert.is(err.message, `Cannot read "${join(dir, KEY_FILE)}": it is a directory`)
})

test('members round-trip through members.json, keeping only ids and addresses', async () => {
  const dir = freshDir()
  assert.equal(await loadMembers(dir), [], 'no file yet')
  const swim = new FakeSwim()
  swim.emit('join', 'peer-a', { addrs: ['/ip4/10.0.0.1/tcp/7946'], meta: { role: 'x' } })
  await saveMembers(dir, swim.members())
  assert.equal(await loadMembers(dir), [
    { id: swim.self.id, addrs: swim.self.addrs },
    { id: 'peer-a', addrs: ['/ip4/10.0.0.1/tcp/7946'] }
  ])
})

test('a corrupt members.json is a clear error', async () => {
  const dir = freshDir()
  mkdirSync(dir)
  writeFileSync(join(dir, 'members.json'), '{"members": [{"id": 1}]}')
  const err = await rejects(loadMembers(dir))
  assert.match(err.message, `Cannot use "${join(dir, 'members.json')}": expected { "members"`)
})

test('nextIncarnation starts each run above the last saved incarnation', async () => {
  const dir = freshDir()
  assert.is(await loadIncarnation(dir), 0)
  assert.is(await nextIncarnation(dir), 1)
  assert.is(await nextIncarnation(dir), 2)
  await saveIncarnation(dir, 41)
  assert.is(await nextIncarnation(dir), 42)
  assert.is(await loadIncarnation(dir), 42)
})

test('a corrupt incarnation file is a clear error', async () => {
  const dir = freshDir()
  mkdirSync(dir)
  writeFileSync(join(dir, 'incarnation'), 'seven')
  const err = await rejects(loadIncarnation(dir))
  assert.match(err.message, 'expected a whole number, found "seven"')
})

test('writes leave no temporary files behind', async () => {
  const dir = freshDir()
  await loadOrCreatePrivateKey(dir)
  await saveMembers(dir, [])
  await saveIncarnation(dir, 3)
  await saveIncarnation(dir, 4)
  assert.equal(readdirSync(dir).sort(), ['incarnation', 'members.json', 'peer.key'])
})

test('the state saver saves the live members other than self, and never lowers the incarnation', async () => {
  const dir = freshDir()
  const swim = new FakeSwim()
  swim.emit('join', 'peer-a')
  swim.emit('join', 'peer-b')
  swim.emit('fail', 'peer-b')
  const saver = startStateSaver({ dataDir: dir, swim, logger: { warn: () => {} }, startIncarnation: 5, intervalMs: 60_000 })
  await saver.stop()
  assert.equal((await loadMembers(dir)).map((member) => member.id), ['peer-a'])
  assert.is(await loadIncarnation(dir), 5)
  swim.self.incarnation = 9
  await saver.save()
  assert.is(await loadIncarnation(dir), 9)
})

test.run()
