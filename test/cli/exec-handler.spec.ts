import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ExecRunner, handlerEnv, metaEnvName } from '../../src/cli/exec-handler.ts'
import { main } from '../../src/cli/main.ts'
import { EventLog } from '../../src/daemon/event-log.ts'
import { recordMembershipEvents } from '../../src/daemon/record-events.ts'
import { startApi } from '../daemon/api-harness.ts'
import { FakeSwim, makeMember } from '../daemon/fake-swim.ts'
import { Collector, waitFor } from '../daemon/wait.ts'
import type { StreamedEvent } from '../../src/daemon/event-frames.ts'
import type { Harness } from '../daemon/api-harness.ts'

let dir: string

test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'swim-exec-unit-')) })
test.after(async () => { await rm(dir, { recursive: true, force: true }) })

const event = (seq: number, overrides: Partial<StreamedEvent['member']> = {}, type: StreamedEvent['type'] = 'join'): StreamedEvent =>
  ({ seq, type, at: 1000 + seq, member: makeMember(`peer-${seq}`, overrides) })

test('handler environment: the documented names; metadata keys cannot name other variables', () => {
  const env = handlerEnv(event(7, {
    addrs: ['/ip4/10.0.0.1/tcp/1', '/ip6/::1/tcp/2'],
    meta: { zone: 'b', PATH: '/evil', 'a=b;rm -rf': 'x', LD_PRELOAD: '/x.so', nul: 'a\0b', Zone: 'second' }
  }), { PATH: '/usr/bin', HOME: '/root', SWIM_META_OLD: 'stale' })
  assert.is(env.PATH, '/usr/bin', 'a metadata key PATH only sets SWIM_META_PATH')
  assert.is(env.SWIM_META_PATH, '/evil')
  assert.is(env.LD_PRELOAD, undefined)
  assert.is(env.SWIM_META_LD_PRELOAD, '/x.so')
  assert.is(env['SWIM_META_A_B_RM__RF'], 'x')
  assert.is(env.SWIM_META_NUL, 'ab', 'NUL cannot reach the environment')
  assert.is(env.SWIM_META_ZONE, 'second', '"Zone" sorts before "zone" and wins the shared name')
  assert.is(env.SWIM_META_OLD, undefined, 'inherited SWIM_META_* are dropped')
  assert.is(env.SWIM_EVENT, 'join')
  assert.is(env.SWIM_SEQ, '7')
  assert.is(env.SWIM_MEMBER_ID, 'peer-7')
  assert.is(env.SWIM_MEMBER_ADDRS, '/ip4/10.0.0.1/tcp/1 /ip6/::1/tcp/2')
  for (const name of Object.keys(env)) assert.match(name, /^[A-Za-z_][A-Za-z0-9_]*$/)
  assert.is(metaEnvName('rack.id'), 'SWIM_META_RACK_ID')
})

test('ExecRunner runs one handler at a time in seq order, skips seqs already queued, and reports failures', async () => {
  const log = join(dir, 'order.log')
  const stderr = new Collector()
  // slow for seq 1, failing for seq 3
  const command = `echo "start $SWIM_SEQ" >> ${log}; [ "$SWIM_SEQ" = 1 ] && sleep 0.3; echo "end $SWIM_SEQ $(cat | head -c 9)" >> ${log}; [ "$SWIM_SEQ" = 3 ] && exit 4; exit 0`
  const runner = new ExecRunner({ command, env: { PATH: process.env.PATH }, stderr, slowMs: 100 })
  for (const seq of [1, 2, 3, 2, 1, 4]) runner.enqueue(event(seq))
  assert.is(runner.pending, 3, 'seq 1 runs; 2, 3 and 4 wait; the repeats were ignored')
  await runner.whenIdle()
  const order = (await readFile(log, 'utf8')).trim().split('\n')
  assert.equal(order, ['start 1', 'end 1 {"seq":1,', 'start 2', 'end 2 {"seq":2,', 'start 3', 'end 3 {"seq":3,', 'start 4', 'end 4 {"seq":4,'])
  assert.equal(runner.stats, { ran: 4, failed: 1 })
  assert.match(stderr.text, /handler for join seq 3 exited with code 4 after \d+ ms/)
  assert.match(stderr.text, /handler for join seq 1 still running after 100 ms; 3 events waiting/)
  assert.match(stderr.text, /handler for join seq 1 took \d+ ms \(exit code 0\)/)
  runner.reset(2)
  runner.enqueue(event(3))
  await runner.whenIdle()
  assert.is(runner.stats.ran, 5, 'after a reset, numbering continues from the reset seq')
})

test('a handler that ignores stdin, or cannot start, does not stop the runner', async () => {
  const stderr = new Collector()
  const runner = new ExecRunner({ command: 'exit 0', env: { PATH: process.env.PATH }, stderr })
  // more than a pipe buffer (64 KiB) of stdin that nobody reads
  const big = event(1, { addrs: Array.from({ length: 2000 }, (_, i) => `/ip4/10.0.${i >> 8}.${i & 255}/tcp/7946/p2p/x`) })
  runner.enqueue(big)
  runner.enqueue(event(2))
  await runner.whenIdle()
  assert.equal(runner.stats, { ran: 2, failed: 0 })
  const missing = new ExecRunner({ command: '/nonexistent/handler', env: { PATH: process.env.PATH }, stderr })
  missing.enqueue(event(1))
  await missing.whenIdle()
  assert.is(missing.stats.failed, 1)
  assert.match(stderr.text, /handler for join seq 1 exited with code 127/)
})

test('watch --exec across an API restart: every event handled once, in order, none while the stream was down lost', async () => {
  const swim = new FakeSwim()
  const eventLog = new EventLog({ capacity: 64 })
  const detach = recordMembershipEvents(swim, eventLog)
  let h: Harness | undefined = await startApi({ swim, eventLog })
  const { port, base } = h
  const log = join(dir, 'watch.log')
  await writeFile(log, '')
  const stdout = new Collector()
  const stderr = new Collector()
  const controller = new AbortController()
  const running = main(['watch', '--json', '--meta', 'role=db', '--exec', `sleep 0.05; echo "$SWIM_SEQ $SWIM_EVENT $SWIM_MEMBER_ID" >> ${log}`, '--api', base], { PATH: process.env.PATH }, stdout, stderr, { signal: controller.signal, backoff: { initialMs: 20, maxMs: 100 } })
  const handled = async (): Promise<string[]> => (await readFile(log, 'utf8')).trim().split('\n').filter((line) => line !== '')
  try {
    await waitFor('the watcher to subscribe', () => eventLog.subscriberCount === 1)
    for (const id of ['a', 'b', 'c']) swim.emit('join', id, { meta: { role: 'db' } })
    swim.emit('join', 'web', { meta: { role: 'web' } })
    await waitFor('the first three events', () => stdout.lines.length === 3)
    await h.close()
    h = undefined
    swim.emit('suspect', 'a')
    swim.emit('fail', 'a')
    await waitFor('a failed reconnection attempt', () => stderr.text.includes('Cannot reach swimd'))
    h = await startApi({ swim, eventLog, port })
    await waitFor('five handlers', async () => (await handled()).length === 5, 10_000)
    assert.equal(await handled(), ['1 join a', '2 join b', '3 join c', '5 suspect a', '6 fail a'], '--meta role=db leaves out seq 4')
  } finally {
    controller.abort()
    assert.is(await running, 0)
    await h?.close()
    detach()
  }
})

test('watch --exec "" is a usage error', async () => {
  const stderr = new Collector()
  assert.is(await main(['watch', '--exec', ' '], {}, new Collector(), stderr), 2)
  assert.match(stderr.text, 'Invalid --exec')
})

test.run()
