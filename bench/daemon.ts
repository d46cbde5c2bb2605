/**
 * One OS process per node (figures, not assertions): the built daemon, `dist/bin/swimd.js`
 * (run `npm run build` first), on 127.0.0.1 with the `lan` profile, free ports and fresh data
 * directories.
 *
 * - boot: spawn → start-up line, in wall ms and in CPU-seconds of the daemon at that line
 *   (CPU-seconds are what the machine's load does not inflate);
 * - idle: `--idle-daemons` daemons (3), each alone in its cluster, `--idle` seconds (30) after
 *   the last one's start-up line, medians: VmRSS (what `ps` and the side-by-side harness read),
 *   its anonymous and file-backed parts (file: mostly the node binary's pages), PSS (shared
 *   pages divided among the processes that map them) and private memory, and the V8 heap as
 *   the daemon's own metrics report it. The first seconds are not representative: until V8's
 *   memory reducer runs (about 15-20 s after start) the young generation holds what start-up
 *   allocated, some 10 MB more;
 * - cluster: N daemons, each started after the previous one's start-up line and seeded through
 *   the first; once every daemon holds every other as alive and 20 s more have passed, a 60 s
 *   window: CPU % of a core, main-thread wakeups per second, RSS and PSS per daemon, and,
 *   where tcpdump can capture on `lo` (root), TCP at the IP level per daemon (bytes and packets
 *   per second, connections opened); then two failures, one after the other, each of a daemon
 *   other than the seed, timed from the signal by following every survivor's event stream: a
 *   crash (SIGKILL) and a silent failure (SIGSTOP: the process holds its sockets and answers
 *   nothing): → first `suspect` event anywhere, → every survivor's `fail` event;
 * - together: N daemons started 20 ms apart without waiting, all seeded through the first (as
 *   the side-by-side harness starts them): seconds until every daemon holds every other as
 *   alive, CPU-seconds the daemons used by then, and how many members some daemon held dead
 *   on the way (healthy members declared dead: there are no failures).
 *
 * The load average is printed beside every timing: the machine may be shared.
 *
 * `--versus OTHER.js` runs every second daemon of each cluster from another build of swimd (for
 * example main's, bundled elsewhere) and gives the cluster figures of both halves: the two
 * builds are measured in the same window, under the same load, talking to each other.
 *
 * With `--versus`, the idle figures are given for both builds, their daemons side by side. The
 * other build must sit under a package.json with `"type": "module"` (or be named .mjs): Node
 * runs a bundle outside one as CommonJS first and falls back to a module when it detects
 * module syntax, which leaves its daemons ~9 MB larger (in malloc's main arena).
 *
 * `node --import tsx bench/daemon.ts [--json] [--boots 5] [--idle 30] [--idle-daemons 3] [--sizes 20] [--together 50] [--window 60] [--versus OTHER.js]`
 * (`--boots 0 --sizes 0 --together 0` for the idle figures alone)
 */
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { setMaxListeners } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { followEvents } from '../src/cli/sse-client.ts'
import { parseStartupLine } from '../src/daemon/banner.ts'
import { cpuSeconds, load, memberViews, r1, sleep } from './process-stats.ts'

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    boots: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '20' },
    together: { type: 'string', default: '50' },
    window: { type: 'string', default: '60' },
    idle: { type: 'string', default: '30' },
    'idle-daemons': { type: 'string', default: '3' },
    versus: { type: 'string' }
  }
})

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const SWIMD = join(ROOT, 'dist', 'bin', 'swimd.js')
const VERSUS = args.versus
const SETTLE_MS = 20_000
const WINDOW_S = Number(args.window)

interface Daemon { child: ChildProcess, dir: string, id: string, addr: string, api: string, startedMs: number, cpuAtLine: number }

const live = new Set<Daemon>()
process.on('exit', () => { for (const d of live) d.child.kill('SIGKILL') })

const r3 = (x: number): number => Math.round(x * 1000) / 1000

/**
 * Times the main thread went to sleep (voluntary context switches, from /proc): each one is a
 * wakeup of the event loop, whose cost (the kernel, libuv, timers) is paid whatever work it finds.
 */
function wakeups (pid: number): number {
  try {
    return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

/** Memory of a process in MB: VmRSS and its anonymous and file parts (/proc/PID/status), PSS and private memory (/proc/PID/smaps_rollup). */
function memory (pid: number): { rss: number, anon: number, file: number, pss: number, private: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
  const kb = (text: string, name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0)
  return {
    rss: kb(status, 'VmRSS') / 1024,
    anon: kb(status, 'RssAnon') / 1024,
    file: kb(status, 'RssFile') / 1024,
    pss: kb(rollup, 'Pss') / 1024,
    private: (kb(rollup, 'Private_Clean') + kb(rollup, 'Private_Dirty')) / 1024
  }
}

/** The V8 heap in MB, from the daemon's own metrics (committed, used, and memory held outside the heap by JS objects: buffers, wasm memories). */
async function v8Heap (api: string): Promise<{ total: number, used: number, external: number }> {
  const text = await (await fetch(`${api}/metrics`)).text()
  const read = (name: string): number => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1048576
  return { total: read('nodejs_heap_size_total_bytes'), used: read('nodejs_heap_size_used_bytes'), external: read('nodejs_external_memory_bytes') }
}

/** Whether Node runs `file` as an ES module outright: `.mjs`, or a nearest package.json with `"type": "module"`. */
function isEsmScope (file: string): boolean {
  if (file.endsWith('.mjs')) return true
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module'
      } catch {
        return false
      }
    }
    if (dirname(dir) === dir) return false
  }
}

/** Starts the built daemon; `daemon` resolves once it printed its start-up line. */
function startDaemon (seed?: string, bundle: string = SWIMD): { daemon: Promise<Daemon>, child: ChildProcess } {
  const dir = mkdtempSync(join(tmpdir(), 'swimd-bench-'))
  const argv = [bundle, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--data-dir', dir, '--profile', 'lan', '--log-level', 'error', ...(seed != null ? ['--seed', seed] : [])]
  const spawned = performance.now()
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'ignore'] })
  const daemon = new Promise<Daemon>((resolve, reject) => {
    let out = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const line = parseStartupLine(out)
      if (line == null) return
      child.stdout?.removeAllListeners('data')
      child.stdout?.resume()
      const d: Daemon = { child, dir, id: line.peerId, addr: line.addrs[0], api: line.api, startedMs: performance.now() - spawned, cpuAtLine: cpuSeconds(child.pid ?? 0) }
      live.add(d)
      resolve(d)
    })
    child.on('exit', (code) => { reject(new Error(`swimd exited with ${code} before its start-up line`)) })
  })
  return { daemon, child }
}

async function stopAll (daemons: Daemon[]): Promise<void> {
  await Promise.all(daemons.map(async (d) => {
    // a daemon killed by a signal has a signalCode and no exitCode; its 'exit' has fired
    if (d.child.exitCode == null && d.child.signalCode == null) {
      const exited = new Promise((resolve) => d.child.once('exit', resolve))
      d.child.kill('SIGKILL')
      await exited
    }
    live.delete(d)
    rmSync(d.dir, { recursive: true, force: true })
  }))
}

/** Polls until every daemon holds all N as alive; returns the ids any daemon held dead on the way. */
async function converge (daemons: Daemon[], timeoutMs: number): Promise<{ ok: boolean, seenDead: Set<string> }> {
  const deadline = performance.now() + timeoutMs
  const seenDead = new Set<string>()
  while (performance.now() < deadline) {
    const views = await memberViews(daemons)
    for (const v of views) for (const id of v.dead) seenDead.add(id)
    if (views.every((v) => v.alive === daemons.length)) return { ok: true, seenDead }
    await sleep(250)
  }
  return { ok: false, seenDead }
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)] }

async function boots (n: number): Promise<{ wallMs: number[], cpuSeconds: number[], load: number }> {
  const wallMs: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < n; i++) {
    const d = await startDaemon().daemon
    wallMs.push(Math.round(d.startedMs))
    cpu.push(d.cpuAtLine)
    await stopAll([d])
  }
  return { wallMs, cpuSeconds: cpu, load: load() }
}

interface IdleRow { daemons: number, afterSeconds: number, rss: number, anon: number, file: number, pss: number, private: number, heapTotal: number, heapUsed: number, external: number, load: number }

/** Idle daemons, each alone: medians of their memory `args.idle` seconds after the last start-up line. */
async function idle (bundles: string[]): Promise<IdleRow[]> {
  const perBuild = Number(args['idle-daemons'])
  const daemons: Daemon[] = []
  try {
    for (let i = 0; i < perBuild; i++) for (const bundle of bundles) daemons.push(await startDaemon(undefined, bundle).daemon)
    await sleep(Number(args.idle) * 1000)
    // memory first: the metrics scrape allocates
    const mem = daemons.map((d) => memory(d.child.pid ?? 0))
    const heap = await Promise.all(daemons.map(async (d) => await v8Heap(d.api)))
    return bundles.map((_, b) => {
      const of = daemons.map((_, i) => i).filter((i) => i % bundles.length === b)
      const med = (xs: number[]): number => r1(median(of.map((i) => xs[i])))
      return {
        daemons: of.length,
        afterSeconds: Number(args.idle),
        rss: med(mem.map((m) => m.rss)),
        anon: med(mem.map((m) => m.anon)),
        file: med(mem.map((m) => m.file)),
        pss: med(mem.map((m) => m.pss)),
        private: med(mem.map((m) => m.private)),
        heapTotal: med(heap.map((h) => h.total)),
        heapUsed: med(heap.map((h) => h.used)),
        external: med(heap.map((h) => h.external)),
        load: load()
      }
    })
  } finally {
    await stopAll(daemons)
  }
}

/** tcpdump on lo for the daemons' ports, or undefined where it cannot run. */
function capture (ports: number[]): { stop: () => Promise<{ bytes: number, packets: number, syns: number } | undefined> } | undefined {
  const file = join(mkdtempSync(join(tmpdir(), 'swimd-bench-pcap-')), 'lo.pcap')
  const filter = `tcp and (${ports.map((p) => `port ${p}`).join(' or ')})`
  let dump: ChildProcess
  try {
    dump = spawn('tcpdump', ['-i', 'lo', '-nn', '-s', '96', '-w', file, filter], { stdio: 'ignore' })
  } catch {
    return undefined
  }
  let failed = false
  dump.on('error', () => { failed = true })
  return {
    stop: async () => {
      if (failed) return undefined
      const exited = new Promise((resolve) => dump.once('exit', resolve))
      dump.kill('SIGINT')
      await exited
      try {
        const text = execFileSync('tcpdump', ['-r', file, '-nn', '-v'], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] })
        let bytes = 0
        let packets = 0
        for (const m of text.matchAll(/proto TCP \(6\), length (\d+)/g)) { bytes += Number(m[1]); packets++ }
        const syns = [...text.matchAll(/Flags \[S\]/g)].length
        return { bytes, packets, syns }
      } catch {
        return undefined
      } finally {
        rmSync(dirname(file), { recursive: true, force: true })
      }
    }
  }
}

/** Per daemon, over the window: CPU, wakeups and memory. */
interface DaemonFigures { cpuPercent: number, wakeupsPerSec: number, rssMB: number, pssMB: number }

/** A failure's detection in ms from the signal (null: not within FAILURE_TIMEOUT). */
interface FailureRow { signal: 'SIGKILL' | 'SIGSTOP', firstSuspectMs: number | null, allFailedMs: number | null, failedBy: number, survivors: number }

const FAILURE_TIMEOUT = 60_000

/** `build`: the daemons of this build; `versus`: those of the `--versus` build, if any. */
interface ClusterRow { n: number, converged: boolean, build: DaemonFigures, versus?: DaemonFigures, tcpBytesPerSec?: number, tcpPacketsPerSec?: number, connectionsOpenedPerMin?: number, failures: FailureRow[], load: number }

/**
 * Sends `signal` to `victim` and follows every survivor's event stream until each has emitted
 * `fail` about it (or FAILURE_TIMEOUT): the times of the first `suspect` and of the last `fail`.
 * The victim is killed afterwards whatever the signal.
 */
async function failure (victim: Daemon, survivors: Daemon[], signal: 'SIGKILL' | 'SIGSTOP'): Promise<FailureRow> {
  const following = new AbortController()
  // one stream per survivor, each listening for the abort
  setMaxListeners(survivors.length + 10, following.signal)
  const failedAt = new Map<string, number>()
  let firstSuspect: number | undefined
  let t0 = 0
  let connected = 0
  let allFailed: () => void = () => {}
  const done = new Promise<void>((resolve) => { allFailed = resolve })
  for (const s of survivors) {
    followEvents({
      url: `${s.api}/v1/events`,
      signal: following.signal,
      onConnect: () => { connected++ },
      onReset: () => {},
      onEvent: (event) => {
        if (event.member.id !== victim.id || t0 === 0) return
        const at = performance.now() - t0
        if (event.type === 'suspect') firstSuspect ??= at
        if (event.type === 'fail' && !failedAt.has(s.id)) {
          failedAt.set(s.id, at)
          if (failedAt.size === survivors.length) allFailed()
        }
      }
    }).catch(() => {})
  }
  for (let i = 0; i < 200 && connected < survivors.length; i++) await sleep(50)
  await sleep(500)
  t0 = performance.now()
  victim.child.kill(signal)
  await Promise.race([done, sleep(FAILURE_TIMEOUT)])
  following.abort()
  if (signal !== 'SIGKILL') victim.child.kill('SIGKILL')
  return {
    signal,
    firstSuspectMs: firstSuspect == null ? null : Math.round(firstSuspect),
    allFailedMs: failedAt.size === survivors.length ? Math.round(Math.max(...failedAt.values())) : null,
    failedBy: failedAt.size,
    survivors: survivors.length
  }
}

const isVersus = (i: number): boolean => VERSUS != null && i % 2 === 1

async function cluster (n: number): Promise<ClusterRow> {
  const daemons: Daemon[] = []
  try {
    const seed = await startDaemon().daemon
    daemons.push(seed)
    for (let i = 1; i < n; i++) daemons.push(await startDaemon(seed.addr, isVersus(i) ? VERSUS : SWIMD).daemon)
    const { ok } = await converge(daemons, 240_000)
    await sleep(SETTLE_MS)
    const ports = daemons.map((d) => Number(/\/tcp\/(\d+)/.exec(d.addr)?.[1]))
    const dump = capture(ports)
    await sleep(1500)
    const before = daemons.map((d) => cpuSeconds(d.child.pid ?? 0))
    const wokeBefore = daemons.map((d) => wakeups(d.child.pid ?? 0))
    await sleep(WINDOW_S * 1000)
    const cpu = daemons.map((d, i) => cpuSeconds(d.child.pid ?? 0) - before[i])
    const woke = daemons.map((d, i) => wakeups(d.child.pid ?? 0) - wokeBefore[i])
    const mem = daemons.map((d) => memory(d.child.pid ?? 0))
    const tcp = await dump?.stop()
    // the last two daemons fail, the later first (neither is the seed)
    const failures: FailureRow[] = []
    if (n >= 4) {
      failures.push(await failure(daemons[n - 1], daemons.slice(0, n - 1), 'SIGKILL'))
      await sleep(5000)
      failures.push(await failure(daemons[n - 2], daemons.slice(0, n - 2), 'SIGSTOP'))
    }
    const figures = (versus: boolean): DaemonFigures => {
      const of = daemons.map((_, i) => i).filter((i) => isVersus(i) === versus)
      const mean = (xs: number[]): number => of.reduce((a, i) => a + xs[i], 0) / of.length
      return {
        cpuPercent: r3(mean(cpu) / WINDOW_S * 100),
        wakeupsPerSec: r1(mean(woke) / WINDOW_S),
        rssMB: r1(mean(mem.map((m) => m.rss))),
        pssMB: r1(mean(mem.map((m) => m.pss)))
      }
    }
    return {
      n,
      converged: ok,
      build: figures(false),
      ...(VERSUS != null ? { versus: figures(true) } : {}),
      ...(tcp != null ? { tcpBytesPerSec: r1(tcp.bytes / WINDOW_S / n), tcpPacketsPerSec: r3(tcp.packets / WINDOW_S / n), connectionsOpenedPerMin: r1(tcp.syns / WINDOW_S * 60) } : {}),
      failures,
      load: load()
    }
  } finally {
    await stopAll(daemons)
  }
}

interface TogetherRow { n: number, converged: boolean, formationSeconds: number, lastStartupSeconds: number, daemonCpuSeconds: number, seenDead: number, loadBefore: number, loadAfter: number }

async function together (n: number): Promise<TogetherRow> {
  const daemons: Daemon[] = []
  const loadBefore = load()
  const t0 = performance.now()
  try {
    const seed = await startDaemon().daemon
    daemons.push(seed)
    const rest: Array<Promise<Daemon>> = []
    for (let i = 1; i < n; i++) {
      rest.push(startDaemon(seed.addr).daemon)
      await sleep(20)
    }
    daemons.push(...await Promise.all(rest))
    const lastStartup = (performance.now() - t0) / 1000
    const { ok, seenDead } = await converge(daemons, 300_000)
    const formation = (performance.now() - t0) / 1000
    const cpu = daemons.reduce((a, d) => a + cpuSeconds(d.child.pid ?? 0), 0)
    return { n, converged: ok, formationSeconds: r1(formation), lastStartupSeconds: r1(lastStartup), daemonCpuSeconds: r1(cpu), seenDead: seenDead.size, loadBefore, loadAfter: load() }
  } finally {
    await stopAll(daemons)
  }
}

if (!existsSync(SWIMD)) {
  console.error(`${SWIMD} is missing: run npm run build first`)
  process.exit(2)
}
if (VERSUS != null && !existsSync(VERSUS)) {
  console.error(`--versus ${VERSUS}: no such file; give the path of another build's swimd.js`)
  process.exit(2)
}
if (VERSUS != null && !isEsmScope(VERSUS)) {
  console.error(`--versus ${VERSUS}: no package.json with "type": "module" above it, so Node would first try it as CommonJS and detect its module syntax, which leaves the daemon ~9 MB larger: put such a package.json beside it or name it .mjs`)
  process.exit(2)
}
const boot = await boots(Number(args.boots))
const idleRows = Number(args['idle-daemons']) > 0 ? await idle(VERSUS != null ? [SWIMD, VERSUS] : [SWIMD]) : []
const clusters: ClusterRow[] = []
for (const n of args.sizes.split(',').map(Number).filter((x) => x > 0)) clusters.push(await cluster(n))
const togetherRows: TogetherRow[] = []
for (const n of args.together.split(',').map(Number).filter((x) => x > 0)) togetherRows.push(await together(n))

if (args.json) {
  console.log(JSON.stringify({ node: process.version, boot, idle: idleRows, clusters, together: togetherRows }, null, 2))
} else {
  console.log(`swimd (dist/bin/swimd.js), one process per node, 127.0.0.1, profile lan, Node ${process.version}\n`)
  if (boot.wallMs.length > 0) console.log(`boot, spawn → start-up line (median of ${boot.wallMs.length}): ${median(boot.wallMs)} ms, ${median(boot.cpuSeconds)} CPU-s (load ${boot.load})`)
  for (const [i, r] of idleRows.entries()) {
    const build = i === 0 ? 'this build' : VERSUS
    console.log(`idle daemons (${build}, median of ${r.daemons}, ${r.afterSeconds} s after start-up): VmRSS ${r.rss} MB (anonymous ${r.anon}, file ${r.file}), PSS ${r.pss} MB, private ${r.private} MB; V8 heap ${r.heapTotal} MB committed, ${r.heapUsed} used, external ${r.external} (load ${r.load})`)
  }
  console.log('')
  console.log('| N | build | converged | CPU % of a core per daemon | main-thread wakeups/s per daemon | RSS / PSS per daemon | TCP B/s per daemon (IP) | TCP packets/s per daemon | connections opened per min | load |')
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  const row = (c: ClusterRow, build: string, f: DaemonFigures): string => `| ${c.n} | ${build} | ${c.converged} | ${f.cpuPercent} | ${f.wakeupsPerSec} | ${f.rssMB} / ${f.pssMB} MB | ${c.tcpBytesPerSec ?? 'n/a'} | ${c.tcpPacketsPerSec ?? 'n/a'} | ${c.connectionsOpenedPerMin ?? 'n/a'} | ${c.load} |`
  for (const c of clusters) {
    console.log(row(c, VERSUS != null ? 'this (half)' : 'this', c.build))
    if (c.versus != null) console.log(row(c, `${VERSUS} (half)`, c.versus))
  }
  console.log('')
  console.log('| N | failure | → first suspect | → every survivor failed it | survivors that failed it |')
  console.log('|---|---|---|---|---|')
  const ms = (x: number | null): string => x == null ? `not within ${FAILURE_TIMEOUT / 1000} s` : `${x} ms`
  for (const c of clusters) for (const f of c.failures) console.log(`| ${c.n} | ${f.signal === 'SIGKILL' ? 'crash (SIGKILL)' : 'silent (SIGSTOP)'} | ${ms(f.firstSuspectMs)} | ${ms(f.allFailedMs)} | ${f.failedBy} of ${f.survivors} |`)
  console.log('')
  console.log('| N started together | converged | formation | last start-up line | CPU-s of all daemons | members held dead by some daemon | load before → after |')
  console.log('|---|---|---|---|---|---|---|')
  for (const t of togetherRows) console.log(`| ${t.n} | ${t.converged} | ${t.formationSeconds} s | ${t.lastStartupSeconds} s | ${t.daemonCpuSeconds} | ${t.seenDead} | ${t.loadBefore} → ${t.loadAfter} |`)
}
