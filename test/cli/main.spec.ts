import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { main } from '../../src/cli/main.ts'
import { startApi } from '../daemon/api-harness.ts'
import { Collector } from '../daemon/wait.ts'
import { closedPort } from './helpers.ts'

async function run (argv: string[], env: Record<string, string> = {}): Promise<{ code: number, stdout: Collector, stderr: Collector }> {
  const stdout = new Collector()
  const stderr = new Collector()
  const code = await main(argv, env, stdout, stderr)
  return { code, stdout, stderr }
}

test('--help prints the commands on stdout and exits 0', async () => {
  const { code, stdout, stderr } = await run(['--help'])
  assert.is(code, 0)
  assert.is(stderr.text, '')
  for (const command of ['watch', 'members', 'leave']) assert.match(stdout.text, command)
})

test('a command\'s --help names its flags and exits 0', async () => {
  const { code, stdout } = await run(['watch', '--help'])
  assert.is(code, 0)
  for (const flag of ['--api', '--json', '--type', '--since']) assert.match(stdout.text, flag)
  assert.match(stdout.text, 'SWIM_API')
})

test('no command prints the usage on stderr and exits 2', async () => {
  const { code, stdout, stderr } = await run([])
  assert.is(code, 2)
  assert.is(stdout.text, '')
  assert.match(stderr.text, 'Usage: membership-events')
})

const USAGE_ERRORS: Array<[string[], string, Record<string, string>?]> = [
  [['members', '--bogus'], 'Unknown option "--bogus"'],
  [['frobnicate'], 'Unknown command "frobnicate"'],
  [['watch', '--type', 'join,explode'], 'Invalid --type "join,explode": expected a comma-separated list of join, suspect, alive, fail, leave, update'],
  [['watch', '--since', '-3'], 'Invalid --since "-3": expected an event sequence number'],
  [['members', '--state', 'zombie'], 'Invalid --state "zombie": expected a comma-separated list of alive, suspect, dead, left'],
  [['members', '--api', 'ftp://host'], 'Invalid --api "ftp://host": expected an http:// or https:// URL'],
  [['members'], 'Invalid SWIM_API "http://[bad": not a URL', { SWIM_API: 'http://[bad' }],
  [['leave', '--token-file', '/nonexistent/token'], 'Cannot read --token-file "/nonexistent/token": no such file']
]

for (const [argv, message, env] of USAGE_ERRORS) {
  test(`a usage error (${argv.join(' ')}) prints its message and exits 2`, async () => {
    const { code, stdout, stderr } = await run(argv, env)
    assert.is(code, 2)
    assert.is(stdout.text, '')
    assert.ok(stderr.text.startsWith(message), stderr.text)
    assert.match(stderr.text, 'Run "membership-events --help" for usage')
  })
}

test('members and leave against no swimd print one line and exit 1', async () => {
  const port = await closedPort()
  for (const command of ['members', 'leave']) {
    const { code, stdout, stderr } = await run([command, '--api', `http://127.0.0.1:${port}`])
    assert.is(code, 1, command)
    assert.is(stdout.text, '')
    assert.is(stderr.text, `Cannot reach swimd at http://127.0.0.1:${port}: connection refused\n`)
  }
})

test('the API address comes from SWIM_API when --api is not given, and --api wins over it', async () => {
  const h = await startApi()
  const port = await closedPort()
  try {
    const fromEnv = await run(['members', '--json'], { SWIM_API: h.base })
    assert.is(fromEnv.code, 0)
    const flagWins = await run(['members', '--json', '--api', h.base], { SWIM_API: `http://127.0.0.1:${port}` })
    assert.is(flagWins.code, 0)
    const bare = await run(['members', '--json', '--api', `127.0.0.1:${h.port}`])
    assert.is(bare.code, 0, 'a scheme-less HOST:PORT is taken as http')
  } finally {
    await h.close()
  }
})

test.run()
