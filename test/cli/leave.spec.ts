import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { main } from '../../src/cli/main.ts'
import { startApi } from '../daemon/api-harness.ts'
import { Collector, waitFor } from '../daemon/wait.ts'
import type { Harness } from '../daemon/api-harness.ts'

const TOKEN = 'leave-token'
const dir = mkdtempSync(join(tmpdir(), 'membership-events-'))
let h: Harness

test.before.each(async () => { h = await startApi({ token: TOKEN }) })
test.after.each(async () => { await h.close() })
test.after(() => { rmSync(dir, { recursive: true, force: true }) })

test('leave without the token reports the 401 with a hint and exits 1', async () => {
  const stderr = new Collector()
  const code = await main(['leave', '--api', h.base], {}, new Collector(), stderr)
  assert.is(code, 1)
  assert.is(stderr.lines.length, 1)
  assert.match(stderr.text, `swimd at ${h.base} answered 401: Missing bearer token`)
  assert.match(stderr.text, 'give the token with --token-file, SWIM_API_TOKEN')
  assert.is(h.leaveCalls, 0)
})

test('leave sends the token from SWIM_API_TOKEN and exits 0 once swimd accepted', async () => {
  const stdout = new Collector()
  const code = await main(['leave', '--api', h.base], { SWIM_API_TOKEN: TOKEN }, stdout, new Collector())
  assert.is(code, 0)
  assert.is(stdout.text, `swimd at ${h.base} is leaving the cluster\n`)
  await waitFor('onLeave', () => h.leaveCalls === 1)
})

test('leave reads the token from --token-file, which wins over SWIM_API_TOKEN', async () => {
  const file = join(dir, 'token')
  writeFileSync(file, `${TOKEN}\n`)
  const code = await main(['leave', '--api', h.base, '--token-file', file], { SWIM_API_TOKEN: 'wrong' }, new Collector(), new Collector())
  assert.is(code, 0)
  await waitFor('onLeave', () => h.leaveCalls === 1)
})

test.run()
