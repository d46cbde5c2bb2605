import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseDaemonArgs, parseDuration } from '../../src/daemon/config.ts'
import { configOf, errorOf } from './config-result.ts'

const dir = mkdtempSync(join(tmpdir(), 'swimd-config-op-'))
test.after(() => { rmSync(dir, { recursive: true, force: true }) })

test('a --meta key given twice is an error naming the key, not a silent last-wins', () => {
  const message = errorOf(parseDaemonArgs(['--meta', 'role=api', '--meta', 'zone=a', '--meta', 'role=db'], {}, { cwd: dir }))
  assert.match(message, /Invalid --meta "role=db".*key "role" is given twice/)
  const fromEnv = errorOf(parseDaemonArgs([], { SWIMD_META: 'a=1,a=2' }, { cwd: dir }))
  assert.match(fromEnv, /key "a" is given twice/)
  assert.match(fromEnv, /SWIMD_META/)
  // a value may hold "=" and different keys are fine
  assert.equal(configOf(parseDaemonArgs(['--meta', 'q=a=b', '--meta', 'r=1'], {}, { cwd: dir })).meta, { q: 'a=b', r: '1' })
})

test('--name becomes the metadata key "name"; a conflicting --meta name is refused', () => {
  const config = configOf(parseDaemonArgs(['--name', 'web-1', '--meta', 'role=api'], {}, { cwd: dir }))
  assert.is(config.name, 'web-1')
  assert.equal(config.meta, { role: 'api', name: 'web-1' })
  assert.match(errorOf(parseDaemonArgs(['--name', 'web-1', '--meta', 'name=web-2'], {}, { cwd: dir })), /Conflicting names/)
  assert.match(errorOf(parseDaemonArgs(['--name', ' '], {}, { cwd: dir })), /Invalid --name/)
})

test('join retry tunables: durations with units, whole attempts, documented defaults', () => {
  const defaults = configOf(parseDaemonArgs([], {}, { cwd: dir }))
  assert.is(defaults.joinRetryInterval, 30_000)
  assert.is(defaults.joinRetryMax, 0)
  const set = configOf(parseDaemonArgs(['--join-retry-interval', '2m', '--join-retry-max', '5'], {}, { cwd: dir }))
  assert.is(set.joinRetryInterval, 120_000)
  assert.is(set.joinRetryMax, 5)
  assert.match(errorOf(parseDaemonArgs(['--join-retry-interval', 'soon'], {}, { cwd: dir })), /Invalid --join-retry-interval "soon": not a duration/)
  assert.match(errorOf(parseDaemonArgs(['--join-retry-interval', '10ms'], {}, { cwd: dir })), /at least 1s/)
  assert.match(errorOf(parseDaemonArgs(['--join-retry-max', '-1'], {}, { cwd: dir })), /Invalid --join-retry-max/)
})

test('parseDuration reads ms, s, m, h and bare milliseconds', () => {
  assert.is(parseDuration('500ms'), 500)
  assert.is(parseDuration('1.5s'), 1500)
  assert.is(parseDuration('2m'), 120_000)
  assert.is(parseDuration('1h'), 3_600_000)
  assert.is(parseDuration('750'), 750)
  assert.is(parseDuration('5 minutes'), undefined)
})

test('a bad --cluster-key file is not answered with a keygen that would overwrite it', () => {
  const path = join(dir, 'important.conf')
  // private, as swimd requires of a key file: what is refused here is the content
  writeFileSync(path, 'this is not a key\n', { mode: 0o600 })
  const message = errorOf(parseDaemonArgs(['--cluster-key', path], {}, { cwd: dir }))
  assert.match(message, /not a libp2p pre-shared key/)
  assert.not.ok(message.includes(`> ${path}`), message)
  assert.match(message, /swimd keygen > NEW-FILE/)
})

test.run()
