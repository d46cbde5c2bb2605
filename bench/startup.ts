/**
 * What starting a binary costs (figures, not assertions), for one or more builds side by side:
 *
 * - `swimd --help` and `membership-events --help`: CPU-seconds (user + system) of the whole
 *   process, beside a bare `node -e 0`;
 * - a lone daemon (loopback, port 0, its own data directory): CPU-seconds and wall ms from
 *   spawn to its start-up line, and its VmRSS after `--idle` seconds of idling;
 * - a daemon joining that one (`--seed`): its CPU-seconds from spawn until its API lists both
 *   members alive (polled every 50 ms).
 *
 * The builds' runs alternate (one of each, then again), so load from other processes on the
 * machine falls on all of them alike; the load average is printed beside the figures. A build
 * is a directory holding `swimd.js` and `membership-events.js` (default `dist/bin`, run
 * `npm run build` first); give it as `--build LABEL=DIR` (repeatable) to compare, e.g. a copy
 * of an older `dist/bin`.
 *
 *   node --import tsx bench/startup.ts [--runs 10] [--idle 5] [--build LABEL=DIR ...] [--json]
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parseStartupLine } from '../src/daemon/banner.ts'
import type { StartupLine } from '../src/daemon/banner.ts'
import { cpuSeconds, load, sleep } from './process-stats.ts'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    idle: { type: 'string', default: '5' },
    build: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false }
  }
})

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * CPU-seconds of this process's reaped children (cutime + cstime of /proc/self/stat). The
 * kernel sums the children's exact times, so the difference over a run is that run's CPU, read
 * in clock ticks.
 */
function childrenCpuSeconds (): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
  return (Number(fields[13]) + Number(fields[14])) / 100
}

/** Runs `argv` to its exit; resolves with its CPU-seconds. */
async function cpuOfRun (argv: string[]): Promise<number> {
  const before = childrenCpuSeconds()
  const child = spawn(process.execPath, argv, { stdio: 'ignore' })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`node ${argv.join(' ')} exited with ${code}`)
  return childrenCpuSeconds() - before
}

function vmRssMb (pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m == null ? 0 : Math.round(Number(m[1]) / 102.4) / 10
}

interface Boot { cpuSeconds: number, wallMs: number, rssMb: number, joinCpuSeconds: number }

interface Started { child: ChildProcess, dir: string, exited: Promise<unknown>, line: StartupLine, cpu: number, wallMs: number }

/** Spawns a daemon and resolves at its start-up line with its CPU-seconds and wall ms by then. */
async function startDaemon (swimd: string, seed?: string): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'swimd-startup-'))
  const spawned = performance.now()
  const child = spawn(process.execPath, [swimd, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--data-dir', dir, '--profile', 'lan', '--log-level', 'error', ...(seed != null ? ['--seed', seed] : [])], { stdio: ['ignore', 'pipe', 'ignore'] })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  try {
    return await new Promise<Started>((resolve, reject) => {
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk
        const line = parseStartupLine(out)
        if (line == null) return
        child.stdout.removeAllListeners('data')
        child.stdout.resume()
        resolve({ child, dir, exited, line, cpu: cpuSeconds(child.pid ?? 0), wallMs: performance.now() - spawned })
      })
      child.once('exit', (code) => { reject(new Error(`swimd exited with ${code} before its start-up line`)) })
    })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
}

async function stop (d: Started): Promise<void> {
  d.child.kill('SIGKILL')
  await d.exited
  rmSync(d.dir, { recursive: true, force: true })
}

/** A lone daemon to its start-up line, its VmRSS after `idleMs`, then a second one joining it. */
async function boot (swimd: string, idleMs: number): Promise<Boot> {
  const first = await startDaemon(swimd)
  let joiner: Started | undefined
  try {
    await sleep(idleMs)
    const rssMb = vmRssMb(first.child.pid ?? 0)
    joiner = await startDaemon(swimd, first.line.addrs[0])
    const deadline = performance.now() + 30_000
    while (performance.now() < deadline) {
      try {
        const body = await (await fetch(`${joiner.line.api}/v1/members?state=alive`)).json() as { members: unknown[] }
        if (body.members.length >= 2) break
      } catch {}
      await sleep(50)
    }
    return { cpuSeconds: first.cpu, wallMs: first.wallMs, rssMb, joinCpuSeconds: cpuSeconds(joiner.child.pid ?? 0) }
  } finally {
    await stop(first)
    if (joiner != null) await stop(joiner)
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
const r3 = (x: number): number => Math.round(x * 1000) / 1000

const builds = (args.build ?? [`dist/bin=${join(ROOT, 'dist', 'bin')}`]).map((spec) => {
  const at = spec.indexOf('=')
  if (at < 1) {
    console.error(`--build ${spec}: expected LABEL=DIR`)
    process.exit(2)
  }
  const dir = spec.slice(at + 1)
  for (const bin of ['swimd.js', 'membership-events.js']) {
    if (!existsSync(join(dir, bin))) {
      console.error(`${join(dir, bin)} is missing: run npm run build first`)
      process.exit(2)
    }
  }
  return { label: spec.slice(0, at), dir }
})
const runs = Number(args.runs)
const idleMs = Number(args.idle) * 1000
if (!Number.isInteger(runs) || runs < 1 || !(idleMs >= 0)) {
  console.error('--runs must be a whole number >= 1 and --idle a number of seconds >= 0')
  process.exit(2)
}

interface Row { label: string, swimdHelp: number[], cliHelp: number[], boots: Boot[] }
const rows: Row[] = builds.map((b) => ({ label: b.label, swimdHelp: [], cliHelp: [], boots: [] }))
const bare: number[] = []
const loadBefore = load()
for (let i = 0; i < runs; i++) {
  bare.push(await cpuOfRun(['-e', '0']))
  for (const [k, b] of builds.entries()) {
    rows[k].swimdHelp.push(await cpuOfRun([join(b.dir, 'swimd.js'), '--help']))
    rows[k].cliHelp.push(await cpuOfRun([join(b.dir, 'membership-events.js'), '--help']))
  }
}
for (let i = 0; i < runs; i++) {
  for (const [k, b] of builds.entries()) rows[k].boots.push(await boot(join(b.dir, 'swimd.js'), idleMs))
}
const loadAfter = load()

const summary = rows.map((r) => ({
  label: r.label,
  swimdHelpCpuSeconds: r3(mean(r.swimdHelp)),
  cliHelpCpuSeconds: r3(mean(r.cliHelp)),
  bootCpuSeconds: r3(mean(r.boots.map((b) => b.cpuSeconds))),
  bootCpuSecondsMedian: r3(median(r.boots.map((b) => b.cpuSeconds))),
  bootWallMsMedian: Math.round(median(r.boots.map((b) => b.wallMs))),
  idleRssMbMedian: median(r.boots.map((b) => b.rssMb)),
  joinCpuSeconds: r3(mean(r.boots.map((b) => b.joinCpuSeconds)))
}))
if (args.json) {
  console.log(JSON.stringify({ node: process.version, runs, idleSeconds: idleMs / 1000, bareNodeCpuSeconds: r3(mean(bare)), builds: summary, loadBefore, loadAfter }, null, 2))
} else {
  console.log(`start-up cost, ${runs} runs of each alternated, Node ${process.version}, load ${loadBefore} → ${loadAfter}; node -e 0: ${r3(mean(bare))} CPU-s (mean)\n`)
  console.log(`| build | swimd --help CPU-s (mean) | membership-events --help CPU-s (mean) | daemon boot to start-up line CPU-s (mean / median) | boot wall ms (median) | VmRSS after ${idleMs / 1000} s idle (median) | a second daemon, spawn → both alive, CPU-s (mean) |`)
  console.log('|---|---|---|---|---|---|---|')
  for (const s of summary) console.log(`| ${s.label} | ${s.swimdHelpCpuSeconds} | ${s.cliHelpCpuSeconds} | ${s.bootCpuSeconds} / ${s.bootCpuSecondsMedian} | ${s.bootWallMsMedian} | ${s.idleRssMbMedian} MB | ${s.joinCpuSeconds} |`)
}
