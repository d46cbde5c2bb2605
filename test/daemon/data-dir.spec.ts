import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  DataDirError, KEY_FILE, TOKEN_FILE, ensureDataDir, loadIncarnation, loadMembers, loadOrCreateApiToken,
  loadOrCreatePrivateKey, nextIncarnation, saveIncarnation, saveMembers
} from '../../src/daemon/data-dir.ts'
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
  mkdirSync(dir, { mode: 0o700 })
  writeFileSync(join(dir, KEY_FILE), 'garbage', { mode: 0o600 })
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

test('a corrupt members.json is moved aside with a warning, and no members are loaded', async () => {
  for (const text of ['{"members": [{"id": 1}]}', '{"members": [', '']) {
    const dir = freshDir()
    mkdirSync(dir)
    writeFileSync(join(dir, 'members.json'), text)
    const warnings: Array<{ message: string, fields?: Record<string, unknown> }> = []
    assert.equal(await loadMembers(dir, (message, fields) => { warnings.push({ message, fields }) }), [])
    assert.is(warnings.length, 1)
    assert.match(warnings[0].message, 'corrupted members.json moved aside')
    const aside = readdirSync(dir).filter((name) => name.startsWith('members.json.corrupt-'))
    assert.is(aside.length, 1, 'kept for a post-mortem')
    assert.is(readFileSync(join(dir, aside[0]), 'utf8'), text)
    assert.is(warnings[0].fields?.movedTo, join(dir, aside[0]))
    assert.equal(await loadMembers(dir), [], 'nothing left to trip over')
  }
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

test('a corrupt incarnation file is moved aside; the run starts from the time in seconds, above any earlier incarnation', async () => {
  const dir = freshDir()
  mkdirSync(dir)
  writeFileSync(join(dir, 'incarnation'), 'sev')
  const warnings: string[] = []
  const now = 1_800_000_000_123
  assert.is(await loadIncarnation(dir, (message) => { warnings.push(message) }, now), 1_800_000_000)
  assert.match(warnings[0], 'corrupted incarnation moved aside: expected a whole number, found "sev"')
  assert.ok(readdirSync(dir).some((name) => name.startsWith('incarnation.corrupt-')))
  writeFileSync(join(dir, 'incarnation'), '12x')
  assert.ok(await nextIncarnation(dir) > Math.floor(Date.now() / 1000) - 5)
})

test('a data directory any user can write is refused with the chmod that fixes it', async () => {
  const dir = freshDir()
  mkdirSync(dir)
  chmodSync(dir, 0o777)
  const err = await rejects(loadOrCreatePrivateKey(dir))
  assert.instance(err, DataDirError)
  assert.ok(err.message.endsWith(`Fix it with: chmod 700 ${dir}`), err.message)
  assert.not.ok(readdirSync(dir).includes(KEY_FILE), 'no key written into it')
  chmodSync(dir, 0o770)
  await ensureDataDir(dir)
})

test('a private key others can read is refused with the chmod that fixes it', async () => {
  const dir = freshDir()
  await loadOrCreatePrivateKey(dir)
  chmodSync(join(dir, KEY_FILE), 0o644)
  const err = await rejects(loadOrCreatePrivateKey(dir))
  assert.instance(err, DataDirError)
  assert.ok(err.message.endsWith(`Fix it with: chmod 600 ${join(dir, KEY_FILE)}`), err.message)
  chmodSync(join(dir, KEY_FILE), 0o600)
  assert.not.ok((await loadOrCreatePrivateKey(dir)).created)
})

test('the API token is generated once (mode 0600, whatever the umask), then reused', async () => {
  const dir = freshDir()
  const umask = process.umask(0o000)
  let first
  try {
    first = await loadOrCreateApiToken(dir)
  } finally {
    process.umask(umask)
  }
  assert.ok(first.created)
  assert.is(first.path, join(dir, TOKEN_FILE))
  assert.match(first.token, /^[A-Za-z0-9_-]{43}$/)
  assert.is(statSync(first.path).mode & 0o777, 0o600)
  const second = await loadOrCreateApiToken(dir)
  assert.not.ok(second.created)
  assert.is(second.token, first.token)
  chmodSync(first.path, 0o640)
  assert.match((await rejects(loadOrCreateApiToken(dir))).message, 'chmod 600')
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

test('the state saver writes only what changed since its last save, and everything on stop', async () => {
  const dir = freshDir()
  const swim = new FakeSwim()
  swim.emit('join', 'peer-a')
  const saver = startStateSaver({ dataDir: dir, swim, logger: { warn: () => {} }, startIncarnation: 2, intervalMs: 60_000 })
  await saver.save()
  const members = join(dir, 'members.json')
  const incarnation = join(dir, 'incarnation')
  // marks in place of the saved files: a write replaces them
  const MARK = 'not written since\n'
  const mark = (): void => { for (const path of [members, incarnation]) writeFileSync(path, MARK) }
  const written = (path: string): boolean => readFileSync(path, 'utf8') !== MARK
  mark()
  await saver.save()
  assert.equal([written(members), written(incarnation)], [false, false], 'a calm state is not written again')
  swim.emit('join', 'peer-b')
  await saver.save()
  assert.equal([written(members), written(incarnation)], [true, false], 'a new member is written, the same incarnation is not')
  assert.equal((await loadMembers(dir)).map((member) => member.id).sort(), ['peer-a', 'peer-b'])
  mark()
  swim.self.incarnation = 7
  await saver.save()
  assert.equal([written(members), written(incarnation)], [false, true], 'a new incarnation is written, the same members are not')
  assert.is(await loadIncarnation(dir), 7)
  mark()
  await saver.stop()
  assert.equal([written(members), written(incarnation)], [true, true], 'stop writes everything')
  assert.is(await loadIncarnation(dir), 7)
})

test.run()
