/**
 * Real swimd and membership-events processes for the end-to-end tests, run from the sources
 * (`node --import tsx bin/…`), so no build is needed. Every process started here is tracked
 * and killed by `killAll`, which the suites call in their `after` hooks.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseStartupLine } from '../../src/daemon/banner.ts'
import type { ChildProcess } from 'node:child_process'

import { waitFor } from '../helpers/wait.ts'
export { waitFor }

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SWIMD = join(ROOT, 'bin', 'swimd.ts')
const CLI = join(ROOT, 'bin', 'membership-events.ts')

export interface Proc {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Resolves with the exit code (or 128 + signal number style name) once the process ended. */
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  running: () => boolean
}

const procs = new Set<Proc>()
const tempDirs = new Set<string>()

// last resort: whatever happens to the test run, no child outlives it
process.on('exit', () => {
  for (const proc of procs) if (proc.running()) proc.child.kill('SIGKILL')
})

export function start (script: 'swimd' | 'cli', args: string[], env: Record<string, string> = {}): Proc {
  return track(spawn(process.execPath, ['--import', 'tsx', script === 'swimd' ? SWIMD : CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  }))
}

/** Collects a child's output and exit, and keeps it in `registry` (killed at exit) until it ends. */
export function track (child: ChildProcess, registry: Set<Proc> = procs): Proc {
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { err += chunk })
  let alive = true
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => { alive = false; resolve({ code, signal }) })
    child.on('error', () => { alive = false; resolve({ code: null, signal: null }) })
  })
  const proc: Proc = { child, stdout: () => out, stderr: () => err, exited, running: () => alive }
  registry.add(proc)
  void exited.then(() => registry.delete(proc))
  return proc
}

/** Runs a command to completion (with a deadline) and returns its exit code and output. */
export async function run (script: 'swimd' | 'cli', args: string[], timeout = 30_000): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const proc = start(script, args)
  const timer = setTimeout(() => { proc.child.kill('SIGKILL') }, timeout)
  const { code } = await proc.exited
  clearTimeout(timer)
  return { code, stdout: proc.stdout(), stderr: proc.stderr() }
}

/** Kills every process still running (SIGKILL) and removes the temporary directories. */
export async function killAll (): Promise<void> {
  const left = [...procs]
  for (const proc of left) if (proc.running()) proc.child.kill('SIGKILL')
  await Promise.all(left.map(async (proc) => await proc.exited))
  const dirs = [...tempDirs]
  tempDirs.clear()
  await Promise.all(dirs.map(async (dir) => { await rm(dir, { recursive: true, force: true }) }))
}

export async function tempDir (prefix = 'swimd-e2e-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  tempDirs.add(dir)
  return dir
}

export interface Daemon {
  proc: Proc
  id: string
  addrs: string[]
  api: string
  port: number
  dataDir: string
}

/** Starts swimd on loopback with free ports (port 0) and waits for its start-up line. */
export async function startDaemon (dataDir: string, extra: string[] = [], timeout = 30_000): Promise<Daemon> {
  const proc = start('swimd', [
    ...(extra.includes('--listen') ? [] : ['--listen', '/ip4/127.0.0.1/tcp/0']),
    '--api', '127.0.0.1:0',
    '--data-dir', dataDir,
    '--profile', 'local',
    '--log-level', 'warn',
    ...extra
  ])
  const match = await waitFor('the swimd start-up line', () => {
    if (!proc.running()) throw new Error(`swimd exited early: ${proc.stderr()}`)
    return parseStartupLine(proc.stdout())
  }, timeout).catch(async (err: unknown) => {
    proc.child.kill('SIGKILL')
    throw new Error(`${(err as Error).message}\nstderr: ${proc.stderr()}`)
  })
  const port = Number(/\/tcp\/(\d+)/.exec(match.addrs[0])?.[1])
  return { proc, id: match.peerId, addrs: match.addrs, api: match.api, port, dataDir }
}

/**
 * A write to the daemon's API (PUT, PATCH, POST): a JSON body, with the bearer token swimd
 * generated into its data directory, as every write needs. Resolves to the response.
 */
export async function apiWrite (daemon: Daemon, method: 'PUT' | 'PATCH' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Response> {
  const token = (await readFile(join(daemon.dataDir, 'api-token'), 'utf8')).trim()
  return await fetch(`${daemon.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {})
  })
}

/** membership-events against the daemon's API, finding its token through its data directory. */
export async function cliFor (daemon: Daemon, ...args: string[]): ReturnType<typeof run> {
  return await run('cli', [...args, '--api', daemon.api, '--data-dir', daemon.dataDir])
}

/** Collects the JSON lines a `membership-events watch --json` process prints. */
export function jsonLines (proc: Proc): Array<{ seq: number, type: string, at: number, member: { id: string, incarnation: number, state: string } }> {
  return proc.stdout().split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line))
}
