/**
 * `npm run demo`: five swimd daemons on loopback, a `membership-events watch` on the first,
 * then one daemon is killed with SIGKILL and the watch shows it become suspect, then failed.
 * Everything started here is stopped on the way out, on success, error or Ctrl-C.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'
import { parseStartupLine } from '../src/daemon/banner.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SIZE = 5
const DEADLINE_MS = 60_000

const children = new Set<ChildProcess>()
const dirs: string[] = []

function killChildren (): void {
  for (const child of children) if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
}
process.on('exit', killChildren)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren()
    process.exit(130)
  })
}

function spawnBin (bin: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bin', `${bin}.ts`), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

/** Resolves with the first line of `child`'s stdout that `parse` reads, or rejects after a deadline. */
async function waitForLine<T> (child: ChildProcess, parse: (line: string) => T | undefined, what: string, onLine?: (line: string) => void): Promise<T> {
  return await new Promise((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => { done(); reject(new Error(`Timed out waiting for ${what}`)) }, DEADLINE_MS)
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8')
      let newline
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 1)
        onLine?.(line)
        const parsed = parse(line)
        if (parsed !== undefined) { done(); resolve(parsed); return }
      }
    }
    const onExit = (): void => { done(); reject(new Error(`${what}: the process exited first`)) }
    const done = (): void => {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.off('exit', onExit)
    }
    child.stdout?.on('data', onData)
    child.on('exit', onExit)
  })
}

/** Every stdout line of `child`, kept, and a way to wait until they satisfy a condition. */
function followLines (child: ChildProcess, onLine: (line: string) => void): { waitFor: (done: (lines: string[]) => boolean, what: string) => Promise<void> } {
  const lines: string[] = []
  const waiters = new Set<() => void>()
  let buffer = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8')
    let newline
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + 1)
      lines.push(line)
      onLine(line)
    }
    for (const wake of [...waiters]) wake()
  })
  return {
    waitFor: async (done, what) => {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`Timed out waiting for ${what}`)) }, DEADLINE_MS)
        const check = (): void => {
          if (!done(lines)) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve()
        }
        waiters.add(check)
        check()
      })
    }
  }
}

interface Daemon { child: ChildProcess, id: string, addr: string, api: string }

async function startDaemon (index: number, seed?: string): Promise<Daemon> {
  const dir = await mkdtemp(join(tmpdir(), `swimd-demo-${index}-`))
  dirs.push(dir)
  const child = spawnBin('swimd', [
    '--listen', '/ip4/127.0.0.1/tcp/0',
    '--api', '127.0.0.1:0',
    '--data-dir', dir,
    '--profile', 'local',
    '--log-level', 'warn',
    '--meta', `name=node-${index}`,
    ...(seed != null ? ['--seed', seed] : [])
  ])
  child.stderr?.on('data', (chunk: Buffer) => { process.stderr.write(`[node-${index}] ${chunk.toString('utf8')}`) })
  const line = await waitForLine(child, parseStartupLine, `node-${index} to start`)
  console.log(`node-${index}: ${line.peerId} on ${line.addrs[0]}, API ${line.api}`)
  return { child, id: line.peerId, addr: line.addrs[0], api: line.api }
}

async function membersAlive (api: string): Promise<number> {
  const res = await fetch(`${api}/v1/members?state=alive`)
  return ((await res.json()) as { members: unknown[] }).members.length
}

async function demo (): Promise<void> {
  console.log(`starting ${SIZE} daemons on loopback (profile local)…`)
  const first = await startDaemon(0)
  const rest = await Promise.all(Array.from({ length: SIZE - 1 }, async (_, i) => await startDaemon(i + 1, first.addr)))
  const daemons = [first, ...rest]

  const deadline = Date.now() + DEADLINE_MS
  while (await membersAlive(first.api).catch(() => 0) < SIZE) {
    if (Date.now() > deadline) throw new Error(`the cluster did not converge to ${SIZE} alive members`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  console.log(`node-0 sees ${SIZE} alive members`)

  console.log(`\nmembership-events watch --api ${first.api}`)
  const watch = spawnBin('membership-events', ['watch', '--api', first.api, '--since', '0'])
  watch.stderr?.on('data', (chunk: Buffer) => { process.stderr.write(`[watch] ${chunk.toString('utf8')}`) })
  const lines = followLines(watch, (line) => { console.log(`  | ${line}`) })
  const victim = daemons[SIZE - 1]
  const about = (type: string, id: string) => (line: string): boolean => line.includes(` ${type} `) && line.includes(id)
  await lines.waitFor((seen) => rest.every(({ id }) => seen.some(about('join', id))), 'the watch to show the joins')

  console.log(`\nkill -9 node-${SIZE - 1} (${victim.id})`)
  victim.child.kill('SIGKILL')
  await lines.waitFor((seen) => seen.some(about('suspect', victim.id)), 'the suspect line')
  await lines.waitFor((seen) => seen.some(about('fail', victim.id)), 'the fail line')

  console.log('\nstopping everything (SIGTERM: graceful leave)…')
  watch.kill('SIGTERM')
  await Promise.all(daemons.filter((d) => d !== victim).map(async ({ child }) => {
    if (child.exitCode != null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }))
  console.log('done')
}

try {
  await demo()
} catch (err) {
  console.error(`demo failed: ${(err as Error).message}`)
  process.exitCode = 1
} finally {
  killChildren()
  await Promise.all(dirs.map(async (dir) => { await rm(dir, { recursive: true, force: true }) }))
}
