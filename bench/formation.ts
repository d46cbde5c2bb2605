/**
 * Where the CPU of a formation goes (figures, not assertions): N built daemons
 * (`dist/bin/swimd.js`, run `npm run build` first) started 20 ms apart, all seeded through the
 * first, as bench/daemon.ts's "together" row starts them. Until every daemon holds every other
 * as alive it reports:
 *
 * - formation seconds, the last start-up line, CPU-seconds of all daemons, and per daemon
 *   split at its start-up line (boot, then joining and forming), of the seed and of the
 *   busiest joiner; the load average before and after;
 * - summed over the daemons, from their /metrics: SWIM messages by type, suspicions raised and
 *   refuted, fails, probes failed, and how many members some daemon held dead on the way;
 * - with `--profile K`, K of the daemons (the seed and K-1 joiners) run under
 *   `node --cpu-prof`; their profiles are written to `--profile-dir` when they stop
 *   (SIGTERM), and the functions with the most self time, summed over the K, are printed.
 *
 * `--swimd FILE` runs another build (an unminified bundle names functions in the profiles);
 * `--preload FILE` has every daemon import FILE first (`node --import`), to count what the
 * daemons do; they are then stopped with SIGTERM, so the module can report on that signal.
 *
 *   node --import tsx bench/formation.ts [--n 20] [--trials 1] [--profile 0] [--profile-dir DIR] [--swimd FILE] [--preload FILE] [--json]
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parseStartupLine } from '../src/daemon/banner.ts'
import { cpuSeconds, load, memberViews, r1, sleep } from './process-stats.ts'

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '20' },
    trials: { type: 'string', default: '1' },
    profile: { type: 'string', default: '0' },
    'profile-dir': { type: 'string' },
    swimd: { type: 'string' },
    preload: { type: 'string' },
    json: { type: 'boolean', default: false }
  }
})

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const SWIMD = args.swimd ?? join(ROOT, 'dist', 'bin', 'swimd.js')

interface Daemon { child: ChildProcess, dir: string, api: string, addr: string, cpuAtLine: number }

const live = new Set<Daemon>()
process.on('exit', () => { for (const d of live) d.child.kill('SIGKILL') })

const r2 = (x: number): number => Math.round(x * 100) / 100

function startDaemon (seed: string | undefined, profileDir: string | undefined): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'swimd-formation-'))
  const node = [...(profileDir != null ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...(args.preload != null ? ['--import', args.preload] : [])]
  const argv = [...node, SWIMD, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--data-dir', dir, '--profile', 'lan', '--log-level', 'error', ...(seed != null ? ['--seed', seed] : [])]
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'ignore'] })
  return new Promise<Daemon>((resolve, reject) => {
    let out = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const line = parseStartupLine(out)
      if (line == null) return
      child.stdout?.removeAllListeners('data')
      child.stdout?.resume()
      const d: Daemon = { child, dir, api: line.api, addr: line.addrs[0], cpuAtLine: cpuSeconds(child.pid ?? 0) }
      live.add(d)
      resolve(d)
    })
    child.on('exit', (code) => { reject(new Error(`swimd exited with ${code} before its start-up line`)) })
  })
}

/** Stops the daemons: SIGTERM for profiled ones (so Node writes the profile), SIGKILL for the rest. */
async function stopAll (daemons: Daemon[], profiled: Set<Daemon>): Promise<void> {
  await Promise.all(daemons.map(async (d) => {
    if (d.child.exitCode == null && d.child.signalCode == null) {
      const exited = new Promise((resolve) => d.child.once('exit', resolve))
      d.child.kill(profiled.has(d) || args.preload != null ? 'SIGTERM' : 'SIGKILL')
      await exited
    }
    live.delete(d)
    rmSync(d.dir, { recursive: true, force: true })
  }))
}

/** The daemon's Prometheus figures whose name starts with `swim_`, by name and labels. */
async function metrics (d: Daemon): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  try {
    const text = await (await fetch(`${d.api}/metrics`)).text()
    for (const line of text.split('\n')) {
      const m = /^(swim_\S+) (\S+)$/.exec(line)
      if (m != null) out.set(m[1], Number(m[2]))
    }
  } catch {}
  return out
}

interface Trial {
  n: number
  converged: boolean
  formationSeconds: number
  lastStartupSeconds: number
  daemonCpuSeconds: number
  cpuSecondsPerDaemon: number
  /** Of those, used by the start-up line (boot) and after it (joining, forming). */
  bootCpuSecondsPerDaemon: number
  joinCpuSecondsPerDaemon: number
  seedCpuSeconds: number
  maxJoinerCpuSeconds: number
  seenDead: number
  totals: Record<string, number>
  loadBefore: number
  loadAfter: number
}

async function trial (n: number, profile: number, profileDir: string | undefined): Promise<Trial> {
  const daemons: Daemon[] = []
  const profiled = new Set<Daemon>()
  const loadBefore = load()
  const t0 = performance.now()
  try {
    const seed = await startDaemon(undefined, profile > 0 ? profileDir : undefined)
    daemons.push(seed)
    if (profile > 0) profiled.add(seed)
    const rest: Array<Promise<Daemon>> = []
    for (let i = 1; i < n; i++) {
      const p = startDaemon(seed.addr, i < profile ? profileDir : undefined)
      if (i < profile) p.then((d) => profiled.add(d), () => {})
      rest.push(p)
      await sleep(20)
    }
    daemons.push(...await Promise.all(rest))
    const lastStartup = (performance.now() - t0) / 1000
    const seenDead = new Set<string>()
    const deadline = performance.now() + 300_000
    let converged = false
    while (performance.now() < deadline) {
      const vs = await memberViews(daemons)
      for (const v of vs) for (const id of v.dead) seenDead.add(id)
      if (vs.every((v) => v.alive === n)) {
        converged = true
        break
      }
      await sleep(250)
    }
    const formation = (performance.now() - t0) / 1000
    const cpus = daemons.map((d) => cpuSeconds(d.child.pid ?? 0))
    const cpu = cpus.reduce((a, b) => a + b, 0)
    const boot = daemons.reduce((a, d) => a + d.cpuAtLine, 0)
    const totals: Record<string, number> = {}
    for (const m of await Promise.all(daemons.map(metrics))) {
      for (const [k, v] of m) if (k.endsWith('_total') || k.includes('_total{')) totals[k] = (totals[k] ?? 0) + v
    }
    return { n, converged, formationSeconds: r1(formation), lastStartupSeconds: r1(lastStartup), daemonCpuSeconds: r1(cpu), cpuSecondsPerDaemon: r2(cpu / n), bootCpuSecondsPerDaemon: r2(boot / n), joinCpuSecondsPerDaemon: r2((cpu - boot) / n), seedCpuSeconds: r2(cpus[0]), maxJoinerCpuSeconds: r2(Math.max(...cpus.slice(1))), seenDead: seenDead.size, totals, loadBefore, loadAfter: load() }
  } finally {
    await stopAll(daemons, profiled)
  }
}

interface ProfileNode { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }
interface Profile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

/** Self time by function (name and file), summed over every profile in `dir`, in ms. */
function selfTimes (dir: string): Array<{ fn: string, ms: number }> {
  const byFn = new Map<string, number>()
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile
    const nodes = new Map(p.nodes.map((node) => [node.id, node]))
    p.samples.forEach((id, i) => {
      const f = nodes.get(id)?.callFrame
      if (f == null) return
      const key = `${f.functionName === '' ? '(anonymous)' : f.functionName} ${f.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${f.lineNumber + 1}`
      byFn.set(key, (byFn.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000)
    })
  }
  return [...byFn].map(([fn, ms]) => ({ fn, ms: Math.round(ms) })).sort((a, b) => b.ms - a.ms)
}

if (!existsSync(SWIMD)) {
  console.error(`${SWIMD} is missing: run npm run build first`)
  process.exit(2)
}
const n = Number(args.n)
const profile = Number(args.profile)
if (!Number.isInteger(n) || n < 2 || !Number.isInteger(profile) || profile < 0 || profile > n) {
  console.error('--n must be a whole number >= 2 and --profile a whole number from 0 to --n')
  process.exit(2)
}
const profileDir = profile > 0 ? (args['profile-dir'] ?? mkdtempSync(join(tmpdir(), 'swimd-formation-prof-'))) : undefined
if (profileDir != null) mkdirSync(profileDir, { recursive: true })
const trials: Trial[] = []
for (let i = 0; i < Number(args.trials); i++) trials.push(await trial(n, profile, profileDir))
const hot = profileDir != null ? selfTimes(profileDir).slice(0, 40) : []

if (args.json) {
  console.log(JSON.stringify({ node: process.version, trials, profileDir, hot }, null, 2))
} else {
  console.log(`swimd (dist/bin/swimd.js), ${n} started together, 127.0.0.1, profile lan, Node ${process.version}\n`)
  console.log('| converged | formation | last start-up line | CPU-s of all daemons | CPU-s per daemon (boot + after) | seed / busiest joiner | members held dead by some daemon | suspicions raised / refuted | fails | load before → after |')
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const t of trials) {
    console.log(`| ${t.converged} | ${t.formationSeconds} s | ${t.lastStartupSeconds} s | ${t.daemonCpuSeconds} | ${t.cpuSecondsPerDaemon} (${t.bootCpuSecondsPerDaemon} + ${t.joinCpuSecondsPerDaemon}) | ${t.seedCpuSeconds} / ${t.maxJoinerCpuSeconds} | ${t.seenDead} | ${t.totals.swim_suspicions_raised_total ?? 0} / ${t.totals.swim_suspicions_refuted_total ?? 0} | ${t.totals.swim_fails_total ?? 0} | ${t.loadBefore} → ${t.loadAfter} |`)
  }
  const last = trials.at(-1)
  if (last != null) {
    console.log('\nper daemon, mean over the daemons of the last trial:')
    for (const [k, v] of Object.entries(last.totals).sort()) if (v > 0) console.log(`  ${k} ${r1(v / n)}`)
  }
  if (profileDir != null) {
    console.log(`\nself time summed over ${profile} profiled daemon(s) × ${trials.length} trial(s), profiles in ${profileDir}:`)
    for (const h of hot) console.log(`  ${String(h.ms).padStart(6)} ms  ${h.fn}`)
  }
}
