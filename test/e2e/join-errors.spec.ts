/**
 * End to end: every way a join can fail is a warn line on swimd's stderr that names the seed
 * and the likely cause, at the default log level, and is not repeated at every retry.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import '../../src/polyfill.ts'
import { parseStartupLine } from '../../src/daemon/banner.ts'
import { freePort } from '../helpers/ports.ts'
import { killAll, run, start, tempDir, waitFor } from './processes.ts'
import type { Proc } from './processes.ts'
import type { Libp2p } from '@libp2p/interface'

interface LogLine { level: number, msg: string, seed?: string, cause?: string, repeated?: number }

const WARN = 40

function logLines (proc: Proc): LogLine[] {
  return proc.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine)
}

function joinWarnings (proc: Proc): LogLine[] {
  return logLines(proc).filter((l) => l.level === WARN && l.msg.startsWith('cannot join through seed'))
}

/** swimd at the default log level (info), so warn lines are what an operator sees. */
function swimd (dataDir: string, extra: string[]): Proc {
  const args = ['--api', '127.0.0.1:0', '--data-dir', dataDir, '--profile', 'local', ...extra]
  if (!extra.includes('--listen')) args.unshift('--listen', '/ip4/127.0.0.1/tcp/0')
  return start('swimd', args)
}

async function warningFor (proc: Proc, seed: string, cause: string): Promise<LogLine> {
  return await waitFor(`a warn line naming ${seed} and cause ${cause}`, () => {
    return joinWarnings(proc).find((l) => l.seed === seed && l.cause === cause)
  }, 20_000)
}

const joins = suite('join failures')
const nodes: Libp2p[] = []

joins.after(async () => {
  await killAll()
  await Promise.all(nodes.map(async (n) => { await n.stop() }))
})

joins('an unreachable seed: the warn line names the seed and says nothing listens there', async () => {
  const seed = `/ip4/127.0.0.1/tcp/${await freePort()}`
  const proc = swimd(await tempDir(), ['--seed', seed])
  const line = await warningFor(proc, seed, 'refused')
  assert.ok(line.msg.includes(seed), line.msg)
  assert.match(line.msg, /connection refused: nothing listens there/)
})

joins('a seed with another cluster key: the warn line says the keys differ', async () => {
  const dir = await tempDir()
  const keys = [join(dir, 'a.key'), join(dir, 'b.key')]
  // private, as swimd requires of key files
  for (const file of keys) await writeFile(file, (await run('swimd', ['keygen'])).stdout, { mode: 0o600 })
  const first = swimd(join(dir, 'a'), ['--cluster-key', keys[0], '--log-level', 'warn'])
  const addr = await waitFor('the first start-up line', () => parseStartupLine(first.stdout())?.addrs[0])
  const second = swimd(join(dir, 'b'), ['--cluster-key', keys[1], '--seed', addr])
  const line = await warningFor(second, addr, 'key-mismatch')
  assert.match(line.msg, /--cluster-key/)
})

joins('a seed of another cluster label: the warn line names the seed and the --cluster label', async () => {
  const dir = await tempDir()
  const first = swimd(join(dir, 'a'), ['--cluster', 'blue', '--log-level', 'warn'])
  const addr = await waitFor('the first start-up line', () => parseStartupLine(first.stdout())?.addrs[0])
  const second = swimd(join(dir, 'b'), ['--cluster', 'green', '--seed', addr])
  const line = await waitFor(`a warn line naming ${addr}`, () => joinWarnings(second).find((l) => l.seed === addr), 20_000)
  assert.ok(line.cause === 'protocol' || line.cause === 'no-answer', `cause ${String(line.cause)}`)
  assert.ok(line.msg.includes(addr), line.msg)
  assert.match(line.msg, /another --cluster label/)
})

joins('a seed that is this node itself: said once, naming the seed', async () => {
  const port = await freePort()
  const addr = `/ip4/127.0.0.1/tcp/${port}`
  const proc = swimd(await tempDir(), ['--listen', addr, '--seed', addr, '--join-retry-interval', '1s'])
  const line = await warningFor(proc, addr, 'self')
  assert.match(line.msg, /this node itself/)
  // retries go on every second; the line is not repeated
  await waitFor('a few more attempts', () => proc.stderr().length > 0 && Date.now(), 100)
  await new Promise((resolve) => setTimeout(resolve, 3500))
  assert.is(joinWarnings(proc).filter((l) => l.cause === 'self').length, 1)
})

joins('a seed that does not speak SWIM (another cluster label, or not swimd): nobody answered', async () => {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false }
  })
  nodes.push(node)
  const addr = node.getMultiaddrs()[0].toString()
  const proc = swimd(await tempDir(), ['--seed', addr])
  const line = await warningFor(proc, addr, 'no-answer')
  assert.match(line.msg, /did not answer the SWIM state exchange: another --cluster label/)
})

joins('repeated failures are rate-limited: one line per seed and cause while the daemon retries', async () => {
  const seed = `/ip4/127.0.0.1/tcp/${await freePort()}`
  const proc = swimd(await tempDir(), ['--seed', seed, '--join-retry-interval', '1s'])
  await warningFor(proc, seed, 'refused')
  await new Promise((resolve) => setTimeout(resolve, 4000))
  assert.is(joinWarnings(proc).length, 1, proc.stderr())
})

joins('--join-retry-max: after the last failed attempt swimd says so and exits 1', async () => {
  const seed = `/ip4/127.0.0.1/tcp/${await freePort()}`
  const proc = swimd(await tempDir(), ['--seed', seed, '--join-retry-interval', '1s', '--join-retry-max', '2'])
  const { code } = await proc.exited
  assert.is(code, 1, proc.stderr())
  const gaveUp = logLines(proc).find((l) => l.cause === 'gave-up')
  assert.ok(gaveUp != null, proc.stderr())
  assert.match(gaveUp.msg, /no seed answered in 2 attempts/)
})

joins('/readyz answering 503 before the join is an info line without a stack', async () => {
  const seed = `/ip4/127.0.0.1/tcp/${await freePort()}`
  const proc = swimd(await tempDir(), ['--seed', seed])
  const api = await waitFor('the API address', () => /API (http:\/\/\S+)/.exec(proc.stdout())?.[1])
  assert.is((await fetch(`${api}/readyz`)).status, 503)
  const line = await waitFor('the readyz log line', () => logLines(proc).find((l) => /not joined/.test(l.msg)))
  assert.is(line.level, 30, 'info')
  assert.not.match(proc.stderr(), /"stack"/)
})

joins.run()
