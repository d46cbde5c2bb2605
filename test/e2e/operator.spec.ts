/**
 * End to end, as an operator meets swimd: one daemon per data directory, start-up failures
 * as one line with an exit code.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT, killAll, run, startDaemon, tempDir } from './processes.ts'

const startup = suite('swimd start-up')

startup.after(async () => { await killAll() })

startup('a second daemon on the same data directory exits 2 naming the first one\'s PID', async () => {
  const dir = await tempDir()
  const first = await startDaemon(dir)
  const second = await run('swimd', ['--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--data-dir', dir, '--log-level', 'warn'])
  assert.is(second.code, 2, second.stderr)
  assert.match(second.stderr, new RegExp(`in use by another swimd \\(PID ${first.proc.child.pid ?? -1}\\)`))
  assert.is(second.stderr.trim().split('\n').length, 1, `one line: ${second.stderr}`)
  assert.ok(first.proc.running(), 'the first daemon is untouched')
})

startup('a stale lock left by a killed daemon is taken over', async () => {
  const dir = await tempDir()
  const first = await startDaemon(dir)
  first.proc.child.kill('SIGKILL')
  await first.proc.exited
  const again = await startDaemon(dir)
  assert.is(again.id, first.id, 'same data directory, same PeerId')
})

startup('a lock file naming a PID that runs something else is taken over', async () => {
  const dir = await tempDir()
  // PID 1 runs, but it started long before this lock says its owner did
  await writeFile(join(dir, 'swimd.pid'), '1\n1\n')
  await startDaemon(dir)
})

startup('a libp2p port in use is one line and exit 1', async () => {
  const dir = await tempDir()
  const first = await startDaemon(dir)
  const other = await tempDir()
  const second = await run('swimd', ['--listen', first.addrs[0], '--api', '127.0.0.1:0', '--data-dir', other, '--log-level', 'warn'])
  assert.is(second.code, 1, second.stderr)
  const lines = second.stderr.trim().split('\n')
  assert.is(lines.length, 1, `one line: ${second.stderr}`)
  assert.match(lines[0], new RegExp(`^swimd: Cannot listen on ${first.addrs[0]}: address already in use`))
  assert.not.match(second.stderr, /faultTolerance| {4}at /)
})

startup('an API port in use is one line and exit 1', async () => {
  const dir = await tempDir()
  const first = await startDaemon(dir)
  const other = await tempDir()
  const port = new URL(first.api).port
  const second = await run('swimd', ['--listen', '/ip4/127.0.0.1/tcp/0', '--api', `127.0.0.1:${port}`, '--data-dir', other, '--log-level', 'warn'])
  assert.is(second.code, 1, second.stderr)
  assert.equal(second.stderr.trim().split('\n'), [`swimd: Cannot listen for the API on 127.0.0.1:${port}: address already in use (another process listens there: stop it, or choose another port); see --api`])
})

startup('--version on both binaries prints the package version and exits 0', async () => {
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  for (const [script, name] of [['swimd', 'swimd'], ['cli', 'membership-events']] as const) {
    for (const flag of ['--version', '-V']) {
      const result = await run(script, [flag])
      assert.is(result.code, 0, result.stderr)
      assert.is(result.stdout.trim(), `${name} ${version} (libp2p-swim)`)
    }
  }
})

startup.run()
