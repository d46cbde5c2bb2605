import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DataDirLockedError, LOCK_FILE, lockDataDir, pidAlive, processStartTime } from '../../src/daemon/data-dir-lock.ts'

const dir = (): string => mkdtempSync(join(tmpdir(), 'swimd-lock-'))
const dirs: string[] = []
test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

async function rejection (promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

test('lockDataDir writes our PID and release removes the file', async () => {
  const d = dir(); dirs.push(d)
  const lock = await lockDataDir(d, { pid: 4242, isAlive: () => true })
  assert.is(readFileSync(join(d, LOCK_FILE), 'utf8'), '4242\n')
  await lock.release()
  assert.not.ok(existsSync(join(d, LOCK_FILE)))
  await lock.release()
})

test('a second lock on the same directory names the live owner', async () => {
  const d = dir(); dirs.push(d)
  await lockDataDir(d, { pid: 4242, isAlive: () => true })
  const err = await rejection(lockDataDir(d, { pid: 5151, isAlive: (pid) => pid === 4242 }))
  assert.instance(err, DataDirLockedError)
  assert.is((err as DataDirLockedError).pid, 4242)
  assert.match(err.message, /PID 4242/)
  assert.match(err.message, /--data-dir/)
})

test('a stale lock of a dead PID is taken over', async () => {
  const d = dir(); dirs.push(d)
  writeFileSync(join(d, LOCK_FILE), '999999\n')
  const lock = await lockDataDir(d, { pid: 5151, isAlive: () => false })
  assert.is(readFileSync(join(d, LOCK_FILE), 'utf8'), '5151\n')
  await lock.release()
})

test('a lock file that holds no PID is taken over', async () => {
  const d = dir(); dirs.push(d)
  writeFileSync(join(d, LOCK_FILE), 'garbage')
  const lock = await lockDataDir(d, { pid: 5151, isAlive: () => true })
  assert.is(readFileSync(join(d, LOCK_FILE), 'utf8'), '5151\n')
  await lock.release()
})

test('release leaves a lock that another process took over', async () => {
  const d = dir(); dirs.push(d)
  const lock = await lockDataDir(d, { pid: 4242, isAlive: () => false })
  writeFileSync(join(d, LOCK_FILE), '6161\n')
  await lock.release()
  assert.is(readFileSync(join(d, LOCK_FILE), 'utf8'), '6161\n')
})

test('pidAlive tells this process from a reused PID by its start time', () => {
  const start = processStartTime(process.pid)
  assert.ok(pidAlive(process.pid))
  if (start == null) return // no /proc here
  assert.ok(pidAlive(process.pid, start))
  assert.not.ok(pidAlive(process.pid, String(Number(start) + 1)), 'same PID, another start time: not the owner')
  assert.not.ok(pidAlive(2 ** 22 + 12345), 'no such PID')
})

test.run()
