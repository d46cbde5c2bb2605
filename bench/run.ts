/**
 * Runs the benchmarks and writes one report beside the anchors (the systems users would pick
 * instead, as measured on the same kind of machine):
 *
 * - `bench/sim.ts --json`: simulator, join / crash detection / cost for N up to 10,000, each
 *   size in its own process under a 2 GiB heap (a size that runs out says where it got);
 * - `bench/sim-loss.ts --json`: simulator, false positives under 10% loss and under pauses;
 * - `bench/lifeguard.ts --json`: simulator, false positives under SWIM's plain rules and
 *   under Lifeguard with the same slow members (the Lifeguard paper's Table IV, in spirit);
 * - `bench/crypto.ts --json`: datagram sealing and stream proofs, per second on one core;
 * - `bench/handshake.ts --json`: CPU per libp2p connection, noise's default crypto and `noiseCrypto`;
 * - `bench/libp2p.ts --json`: real libp2p nodes on loopback, N = 10 / 50 / 100;
 * - `bench/daemon.ts --json`: the built swimd, one process per node (boot, memory, a cluster's
 *   steady cost, 50 daemons started together);
 * - `bench/attacks.ts --json`: the trust attacks replayed against a real 3-node cluster.
 *
 * Each runs as its own child process, one after the other, so none competes with another for
 * the CPU. A bench that fails or is missing is recorded as such; the others still report.
 * Writes `bench/results/latest.json` (every result and the machine) and `bench/results/latest.md`
 * (the report, also printed).
 *
 *   node --import tsx bench/run.ts [--sim-sizes 100,1000,10000] [--libp2p-sizes 10,50,100]
 *                                  [--trials 5] [--skip-libp2p]
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem, platform, arch, release } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    'sim-sizes': { type: 'string' },
    'libp2p-sizes': { type: 'string' },
    trials: { type: 'string' },
    'skip-libp2p': { type: 'boolean', default: false }
  }
})

const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, 'results')

interface ChildResult {
  bench: string
  ok: boolean
  exitCode: number | null
  signal: string | null
  wallSeconds: number
  result?: any
  error?: string
}

async function runChild (bench: string, file: string, extra: string[], timeoutMs: number): Promise<ChildResult> {
  const path = join(here, file)
  if (!existsSync(path)) return { bench, ok: false, exitCode: null, signal: null, wallSeconds: 0, error: `${file} is not present` }
  process.stderr.write(`running ${file} ${extra.join(' ')}...\n`)
  const started = performance.now()
  return await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path, '--json', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; if (stderr.length > 1e6) stderr = stderr.slice(-100_000) })
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const wallSeconds = Number(((performance.now() - started) / 1000).toFixed(1))
      const base = { bench, exitCode: code, signal, wallSeconds }
      process.stderr.write(`  ${file}: exit ${code ?? signal} after ${wallSeconds} s\n`)
      const tail = stderr.trim().split('\n').slice(-8).join('\n')
      if (timedOut) { resolve({ ...base, ok: false, error: `timed out after ${timeoutMs / 1000} s` }); return }
      if (code !== 0) { resolve({ ...base, ok: false, error: `exit ${code ?? signal}: ${tail}` }); return }
      try {
        resolve({ ...base, ok: true, result: JSON.parse(stdout.slice(stdout.indexOf('{'))) })
      } catch (err) {
        resolve({ ...base, ok: false, error: `output is not JSON (${(err as Error).message}): ${stdout.slice(0, 300)}` })
      }
    })
  })
}

const sizeArgs = (name: string, value: string | undefined): string[] => value != null ? [name, value] : []
const children: ChildResult[] = []
children.push(await runChild('sim', 'sim.ts', sizeArgs('--sizes', args['sim-sizes']), 30 * 60_000))
children.push(await runChild('sim-loss', 'sim-loss.ts', [], 10 * 60_000))
children.push(await runChild('lifeguard', 'lifeguard.ts', [], 20 * 60_000))
children.push(await runChild('crypto', 'crypto.ts', [], 5 * 60_000))
children.push(await runChild('handshake', 'handshake.ts', [], 5 * 60_000))
children.push(await runChild('attacks', 'attacks.ts', [], 10 * 60_000))
if (!args['skip-libp2p']) {
  children.push(await runChild('libp2p', 'libp2p.ts', [...sizeArgs('--sizes', args['libp2p-sizes']), ...sizeArgs('--trials', args.trials)], 90 * 60_000))
  children.push(await runChild('daemon', 'daemon.ts', [], 30 * 60_000))
} else {
  children.push({ bench: 'libp2p', ok: false, exitCode: null, signal: null, wallSeconds: 0, error: 'skipped (--skip-libp2p)' })
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  node: process.version,
  platform: `${platform()} ${release()} ${arch()}`,
  date: new Date().toISOString()
}

// ---------------------------------------------------------------- report

const sim = children.find((c) => c.bench === 'sim')
const loss = children.find((c) => c.bench === 'sim-loss')
const real = children.find((c) => c.bench === 'libp2p')
const simRows: any[] = sim?.ok === true ? sim.result.rows : []
const realRows: any[] = real?.ok === true ? real.result.rows : []
// A size with a join row and a formed-start row (bench/sim.ts) shows the join row; 10,000 has only a formed one.
const simRow = (n: number): any => simRows.find((r) => r.n === n && r.start !== 'formed') ?? simRows.find((r) => r.n === n)
const realRow = (n: number): any => realRows.find((r) => r.n === n)

const ms = (x: number | null | undefined): string => x == null ? 'not reached' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`
const stat = (s: { median: number | null, max: number | null, missing: number } | undefined): string => {
  if (s == null) return '—'
  if (s.median == null) return 'not reached'
  return `${ms(s.median)} (max ${ms(s.max)})${s.missing > 0 ? `, ${s.missing} missed` : ''}`
}
const simCell = (n: number, key: string): string => {
  const r = simRow(n)
  if (r == null) return '—'
  if (r.error != null) return r.error
  if (r.start === 'formed' && key === 'joinConvergedMs') return 'formed start (no join)'
  return ms(r[key]) + (r.start === 'formed' ? ' (formed start)' : '')
}

/** Anchors from the shared anchors file; only the figures measured the same way. */
const ANCHORS = {
  join: { 10: ['257–283 ms', '620 ms', '186 ms'], 50: ['463–502 ms', '1018 ms', '329 ms'], 100: ['612–633 ms (max 808)', '1506 ms', 'never stable'], 2000: ['~95 s (Rapid paper)', '', ''] },
  firstSuspect: { 10: ['1.4–1.8 s', '207 ms', '187 ms'], 50: ['1.6–2.4 s', '79 ms', '98 ms'], 100: ['1.6–1.9 s (max 2.9)', '180 ms', 'flapping'] },
  allFail: { 10: ['5.7–6.2 s', '5.4 s', '0.41 s'], 50: ['8.9–9.7 s', '5.6 s', '0.49 s'], 100: ['10.0–10.4 s (max 11.4)', '5.9 s', 'flapping'] },
  leave: { 10: ['265–337 ms', '202 ms', 'no leave message'], 50: ['544–584 ms', '353 ms', 'no leave message'], 100: ['612–645 ms', '439 ms', 'no leave message'] },
  bytes: { 10: ['107 B/s payload (181 B/s IP)', '', ''], 50: ['110 B/s payload (175 B/s IP)', '~1,500 B/s', '728 B/s'], 100: ['107 B/s payload (169 B/s IP)', '', ''] },
  cpuRss: { 10: ['0.15% / 12.8 MB', '', ''], 50: ['0.15% / 13.0 MB', '1.1% / 59 MB', '0.7% / 57 MB'], 100: ['0.14% / 13.3 MB', '', ''] }
} as const

const lines: string[] = []
const row = (...cells: string[]): void => { lines.push(`| ${cells.join(' | ')} |`) }
lines.push('# libp2p-swim benchmarks')
lines.push('')
lines.push(`${machine.date.slice(0, 10)}; ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}.`)
lines.push('Ours: `lan` profile. "real" = libp2p nodes (TCP + noise + yamux) on 127.0.0.1, all in one process, medians over the trials (max in brackets); "sim" = the deterministic simulator, seed 1, virtual time.')
lines.push('Anchors: memberlist v0.2.2 DefaultLANConfig, ringpop 10.21.0 and swim-js 0.6.0, one process per node on the same kind of machine (ranges are medians over two runs).')
lines.push('')
row('figure', 'N', 'ours (real)', 'ours (sim)', 'memberlist', 'ringpop', 'swim-js')
row('---', '---', '---', '---', '---', '---', '---')
const sizesFor = (anchor: Record<number, readonly string[]>, simKey: string | null, realKey: string | null, label: string): void => {
  const ns = new Set<number>([...Object.keys(anchor).map(Number), ...realRows.map((r) => r.n), ...(simKey != null ? simRows.map((r) => r.n) : [])])
  for (const n of [...ns].sort((a, b) => a - b)) {
    const a = anchor[n] ?? ['', '', '']
    const realText = realKey == null ? '—' : realRow(n) != null ? stat(realRow(n)[realKey]) : (n <= 100 && real?.ok !== true ? 'failed' : '—')
    const simText = simKey == null ? '—' : simCell(n, simKey)
    if (realText === '—' && simText === '—' && a.every((x) => x === '')) continue
    row(label, String(n), realText, simText, a[0] || '—', a[1] || '—', a[2] || '—')
  }
}
sizesFor(ANCHORS.join, 'joinConvergedMs', 'joinMs', 'join → every member has it (sim: all N join at once)')
sizesFor(ANCHORS.firstSuspect, 'firstSuspectMs', 'firstSuspectMs', 'crash → first suspect anywhere')
sizesFor(ANCHORS.allFail, 'allFailMs', 'allFailMs', 'crash → every survivor declared it dead')
sizesFor(ANCHORS.leave, null, 'leaveMs', 'graceful leave → every survivor saw it')

// bytes per node per second: real from the libp2p bench, sim per interval → per second (lan: 1 s interval)
const ns = [...new Set([10, 50, 100, ...realRows.map((r) => r.n), ...simRows.map((r) => r.n)])].sort((a, b) => a - b)
for (const n of ns) {
  const r = realRow(n)
  const s = simRow(n)
  const a = (ANCHORS.bytes as Record<number, readonly string[]>)[n] ?? ['', '', '']
  const realText = r != null ? `${r.bytesPerNodePerSec} B/s (${r.msgsPerNodePerSec} msg/s)` : '—'
  const simText = s == null ? '—' : s.error != null ? s.error : s.bytesPerNodePerInterval == null ? 'join not converged' : `${s.bytesPerNodePerInterval} B/s (${s.msgsPerNodePerInterval} msg/s)${s.wire === false ? ', estimated (wire off)' : ''}${s.start === 'formed' ? ', formed start' : ''}`
  if (realText === '—' && simText === '—' && a.every((x) => x === '')) continue
  row('SWIM bytes sent per node (messages as encoded, no yamux/noise/TCP)', String(n), realText, simText, a[0] || '—', a[1] || '—', a[2] || '—')
}
for (const n of [10, 50, 100]) {
  const r = realRow(n)
  const a = (ANCHORS.cpuRss as Record<number, readonly string[]>)[n]
  row('CPU (% of one core) / RSS per node', String(n), r != null ? `${r.cpuPercentPerNode}% / ${r.rssMiBPerNode} MiB (one process: ${r.rssMiBTotal} MiB total)` : '—', '—', a[0] || '—', a[1] || '—', a[2] || '—')
}
for (const s of simRows) {
  if (s.error != null) continue
  const formed = s.start === 'formed'
  row(`simulator run${formed ? ', formed start' : ''}: virtual s / wall s (of which ${formed ? 'building the cluster' : 'join'}) / peak RSS (heap limit)`, String(s.n), '—', `${s.virtualSeconds} / ${s.wallSeconds} (${s.joinWallSeconds ?? '?'}) / ${s.peakRssMiB} MiB (${s.heapMiB ?? '?'} MiB)${formed ? `; crash → all fail ${ms(s.allFailMs)}, ${s.bytesPerNodePerInterval} B/s per node` : ''}`, '—', '—', '—')
}
for (const r of realRows) row('healthy members declared dead during the real-node trials', String(r.n), String(r.falseFails), '—', '—', '—', '—')

const scen = (name: string): any => loss?.ok === true ? loss.result.scenarios.find((s: any) => s.scenario === name) : undefined
const spread = (s: any, key: string): string => {
  if (s == null) return loss?.ok === false ? 'failed' : '—'
  const xs: number[] = s.seeds.map((x: any) => x[key])
  return `${Math.min(...xs)}–${Math.max(...xs)} per run (median ${s.median[key] ?? median(xs)})`
}
const lossScen = scen('loss')
const noneScen = scen('none')
const pauseScen = scen('pause')
const lossN = lossScen?.n ?? 20
row('no fault: healthy members declared dead, 5 × 140 s', String(lossN), '—', spread(noneScen, 'falseFails'), '0', '—', '—')
row('10% loss: healthy members declared dead (fail events), 5 × 140 s', String(lossN), '—', spread(lossScen, 'falseFails'), '0', '0 (120 s)', 'all 20 nodes, 1,608 faulty transitions (120 s)')
row('10% loss: false accusations that reached other members', String(lossN), '—', spread(lossScen, 'spreadAccusations'), '1–10 per run (median 3), each refuted', '—', '—')
row('10% loss: local suspicions (kept between accuser and suspect until it could refute)', String(lossN), '—', spread(lossScen, 'localSuspicions'), '—', '25 suspicions (120 s)', '—')
if (pauseScen != null) {
  const ps = pauseScen.seeds.map((x: any) => x.paused)
  const r = (k: string): string => { const xs: number[] = ps.map((p: any) => p[k]); return `${Math.min(...xs)}–${Math.max(...xs)}` }
  row('one node paused 2 s every 10 s: it is suspected (episodes) / declared dead', String(lossN), '—', `${r('suspectEpisodes')} / ${r('failEvents')} per run`, '11–15 / never', '—', '—')
  row('one node paused 2 s every 10 s: healthy members suspected / declared dead', String(lossN), '—', `${r('othersSuspectEvents')} / ${r('othersFailEvents')} per run`, '0 / 0', '—', '—')
} else {
  row('one node paused 2 s every 10 s', String(lossN), '—', loss?.ok === false ? 'failed' : '—', '11–15 suspected, never dead', '—', '—')
}

const lifeguard = children.find((c) => c.bench === 'lifeguard')
if (lifeguard?.ok === true) {
  const r = lifeguard.result
  lines.push('')
  lines.push(`Lifeguard experiment (sim, N = ${r.n}, lan, ${r.seeds} seeds × ${r.seconds} s; k members read their input "lag" late 10 s in every 30 s; plain SWIM = awarenessMaxMultiplier 1, suspicionMaxTimeoutMult 1, suspicionGrace 0). The paper (arXiv:1707.00788) reports more than 50× fewer false positives with Lifeguard.`)
  lines.push('')
  lines.push('| k slow | input lag | false positives SWIM / Lifeguard | at healthy members SWIM / Lifeguard | suspicions of healthy members SWIM / Lifeguard |')
  lines.push('|---|---|---|---|---|')
  for (const x of r.rows) {
    lines.push(`| ${x.k} | ${x.lag} ms | ${x.swim.falsePositives} / ${x.lifeguard.falsePositives} | ${x.swim.atHealthy} / ${x.lifeguard.atHealthy} | ${x.swim.suspectsOfHealthy} / ${x.lifeguard.suspectsOfHealthy} |`)
  }
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

const crypto = children.find((c) => c.bench === 'crypto')
if (crypto?.ok === true) {
  const c = crypto.result
  const figure = (name: string, mode: string, size: number): string => {
    const r = c.rows.find((x: any) => x.figure.startsWith(name) && x.mode === mode && x.size === size)
    return r == null ? '—' : `${Math.round(r.value / 1000)}k`
  }
  lines.push('')
  lines.push(`Datagram sealing (one core, \`bench/crypto.ts\`): ${c.overheadBytes} bytes added per datagram; first contact with a member ${c.firstContactMicros} µs; stream proofs ${Math.round(c.streamProofs.check / 1000)}k checked / s.`)
  lines.push('')
  row('payload', 'keyless seal / s', 'keyless open / s', 'keyed seal / s', 'keyed open / s', 'forged dropped / s')
  row('---', '---', '---', '---', '---', '---')
  for (const size of [...new Set<number>(c.rows.map((x: any) => x.size))]) {
    row(`${size} B`, figure('seal', 'keyless', size), figure('open', 'keyless', size), figure('seal', 'keyed', size), figure('open', 'keyed', size), figure('forged', 'keyed', size))
  }
}

const attacks = children.find((c) => c.bench === 'attacks')
if (attacks?.ok === true) {
  lines.push('')
  lines.push(`## Attacks (3 real nodes on loopback, ${attacks.result.seconds} s each, a ping every 20 ms; \`bench/attacks.ts\`)`)
  lines.push('')
  row('attack', 'victim\'s table', 'peak RSS (process)', 'worst ack delay', 'event-loop lag (max / p99)', 'missed acks', 'suspect / fail events about real members')
  row('---', '---', '---', '---', '---', '---', '---')
  for (const r of attacks.result.rows) row(r.attack, String(r.tableSize), `${r.rssMiB} MiB`, r.worstAckMs == null ? '—' : `${r.worstAckMs} ms`, `${r.lagMaxMs} / ${r.lagP99Ms} ms`, String(r.missedAcks), `${r.falseSuspicions} / ${r.falseFails}`)
}

lines.push('')
lines.push('Notes: "—" means not measured that way. The simulator\'s join is all N nodes joining through one seed at t = 0 (memberlist\'s 2,000-node figure is the same shape); the real join is one new node joining a running cluster. Accusations are suspicion episodes of one member (events < 5 s apart) that 2+ observers saw. Real-node CPU and RSS are one process\'s totals divided by N, so the runtime\'s fixed ~40 MB is shared, unlike the anchors\' one-process-per-node figures.')
const failed = children.filter((c) => !c.ok)
if (failed.length > 0) {
  lines.push('')
  for (const c of failed) lines.push(`- ${c.bench} bench did not report: ${c.error?.split('\n')[0] ?? 'unknown'}`)
}
lines.push('')
lines.push(`Wall time: ${children.map((c) => `${c.bench} ${c.wallSeconds} s`).join(', ')}.`)

const report = lines.join('\n') + '\n'
mkdirSync(resultsDir, { recursive: true })
writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify({ machine, benches: children }, null, 2) + '\n')
writeFileSync(join(resultsDir, 'latest.md'), report)
console.log(report)
process.exitCode = children.every((c) => c.ok) ? 0 : 1
