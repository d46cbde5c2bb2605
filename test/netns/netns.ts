/**
 * Network namespaces for the netns suite: a private test network that exists only inside
 * namespaces this run creates, so nothing in the root namespace (interfaces, routes, firewall)
 * is ever touched.
 *
 *   namespace <P>-hub:  bridge <P>br, 10.213.0.254/24 (the observer: API proxy lives here)
 *   namespace <P>-h<i>: veth <P>h<i> (10.213.0.<i+1>/24) ── peer <P>b<i> on the hub's bridge
 *
 * <P> is `swt<pid>`: parallel runs never clash (each has its own namespaces, so they may all use
 * 10.213.0.0/24), and the leftovers of a crashed run are found by that prefix. Faults are
 * injected inside the host namespaces: `ip link set <P>h<i> down`, nftables tables for
 * partitions and random loss. Removing a namespace removes its veth, bridge and nft tables.
 *
 * Every process started here is tracked; `stopAll` and a process 'exit' handler kill them, then
 * every namespace is deleted, whatever happened to the tests.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseStartupLine } from '../../src/daemon/banner.ts'
import { generateClusterKey } from '../../src/daemon/keygen.ts'
import { ROOT, tempDir, track, waitFor } from '../e2e/processes.ts'
import type { Proc } from '../e2e/processes.ts'

export const PREFIX = `swt${process.pid}`
export const HUB_NS = `${PREFIX}-hub`
export const HUB_IP = '10.213.0.254'
export const SWIM_PORT = 7946
export const API_PORT = 7947
const BRIDGE = `${PREFIX}br`
const SUBNET_BITS = 24

export interface Host {
  index: number
  ns: string
  ip: string
  /** The host side of the veth pair, inside `ns`. */
  veth: string
}

export const hostIp = (index: number): string => `10.213.0.${index + 1}`

// ---------------------------------------------------------------------------------------------
// commands

/** Runs a command to completion; rejects with its stderr on a non-zero exit. */
export async function exec (file: string, args: string[], input?: string, timeout = 15_000): Promise<string> {
  return await new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err != null) reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`))
      else resolve(stdout)
    })
    if (input != null) child.stdin?.end(input)
  })
}

const ip = async (...args: string[]): Promise<string> => await exec('ip', args)
/** `nft -f -` inside a namespace. */
const nft = async (ns: string, script: string): Promise<string> => await exec('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], script)

/**
 * Says, loudly, that a namespace suite cannot run here and why. Where the run requires the
 * suite (`NETNS_REQUIRED=1`, as CI sets it), that is a failure; elsewhere (no root, no
 * nftables, not Linux) the suite is skipped, so the rest of the tests still tell something.
 */
export function reportUnavailable (name: string, reason: string): void {
  const unavailable = suite(name)
  if (process.env.NETNS_REQUIRED === '1') {
    console.log(`${name} suite: cannot run here: ${reason}`)
    unavailable('network namespaces can be created', () => { assert.unreachable(reason) })
  } else {
    console.log(`SKIPPED: ${name} suite: ${reason} (set NETNS_REQUIRED=1 to make this a failure)`)
  }
  unavailable.run()
}

/**
 * Why this machine cannot run the suite, or undefined when it can: root, `ip netns add` works
 * (tried with a throw-away namespace), `nft` is installed.
 */
export function unavailableReason (): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'network namespaces need root (uid is not 0)'
  const probe = `${PREFIX}-probe`
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe', timeout: 10_000 })
  } catch (err) {
    return `\`ip netns add\` fails: ${String((err as { stderr?: unknown }).stderr ?? (err as Error).message).trim()}`
  } finally {
    try { execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe', timeout: 10_000 }) } catch {}
  }
  try {
    execFileSync('nft', ['--version'], { stdio: 'pipe', timeout: 10_000 })
  } catch {
    return '`nft` (Debian package nftables) is not installed'
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// namespaces and links

function listNamespaces (): string[] {
  try {
    const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', stdio: 'pipe', timeout: 10_000 })
    return out.split('\n').map((line) => line.trim().split(/\s+/)[0]).filter((name) => name !== '')
  } catch {
    return []
  }
}

/** Whether a process with this pid exists (a leftover's owner may still run). */
export function pidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Deletes a namespace after killing (by id) whatever still runs inside it. Synchronous. */
function deleteNamespaceSync (ns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: 'pipe', timeout: 10_000 })
    for (const pid of pids.split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0)) {
      try { process.kill(pid, 'SIGKILL') } catch {}
    }
  } catch {}
  try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe', timeout: 10_000 }) } catch {}
}

/**
 * Removes what earlier runs of this suite that crashed left: namespaces (and whatever still
 * runs in them) and temporary directories named `swt<pid>-…` whose pid no longer runs.
 * Returns their names.
 */
export function removeLeftovers (): string[] {
  const removed: string[] = []
  for (const ns of listNamespaces()) {
    const match = /^swt(\d+)-/.exec(ns)
    if (match == null) continue
    const pid = Number(match[1])
    if (pid === process.pid || pidAlive(pid)) continue
    deleteNamespaceSync(ns)
    removed.push(ns)
  }
  // and their data directories (`tempDir` names them after the same prefix)
  for (const entry of readdirSync(tmpdir())) {
    const match = /^swt(\d+)-/.exec(entry)
    if (match == null || Number(match[1]) === process.pid || pidAlive(Number(match[1]))) continue
    rmSync(join(tmpdir(), entry), { recursive: true, force: true })
    removed.push(join(tmpdir(), entry))
  }
  return removed
}

const created = new Set<string>()

/** Deletes every namespace this run created (and kills what runs in them). Synchronous. */
export function destroyNetworkSync (): void {
  for (const ns of [...created].reverse()) {
    deleteNamespaceSync(ns)
    created.delete(ns)
  }
  // belt and braces: anything with our prefix
  for (const ns of listNamespaces()) if (ns.startsWith(`${PREFIX}-`)) deleteNamespaceSync(ns)
}

/** Creates the hub (bridge) and `count` hosts, each linked to the bridge by a veth pair. */
export async function createNetwork (count: number): Promise<Host[]> {
  if (count < 1 || count > 200) throw new RangeError(`host count ${count}`)
  await ip('netns', 'add', HUB_NS)
  created.add(HUB_NS)
  await ip('-n', HUB_NS, 'link', 'set', 'lo', 'up')
  await ip('-n', HUB_NS, 'link', 'add', BRIDGE, 'type', 'bridge')
  await ip('-n', HUB_NS, 'addr', 'add', `${HUB_IP}/${SUBNET_BITS}`, 'dev', BRIDGE)
  await ip('-n', HUB_NS, 'link', 'set', BRIDGE, 'up')
  const hosts: Host[] = []
  for (let i = 0; i < count; i++) {
    const host: Host = { index: i, ns: `${PREFIX}-h${i}`, ip: hostIp(i), veth: `${PREFIX}h${i}` }
    const port = `${PREFIX}b${i}`
    await ip('netns', 'add', host.ns)
    created.add(host.ns)
    await ip('-n', host.ns, 'link', 'set', 'lo', 'up')
    // created directly in the namespaces: the root namespace never sees these interfaces
    await ip('-n', HUB_NS, 'link', 'add', port, 'type', 'veth', 'peer', 'name', host.veth, 'netns', host.ns)
    await ip('-n', HUB_NS, 'link', 'set', port, 'master', BRIDGE)
    await ip('-n', HUB_NS, 'link', 'set', port, 'up')
    await ip('-n', host.ns, 'addr', 'add', `${host.ip}/${SUBNET_BITS}`, 'dev', host.veth)
    await ip('-n', host.ns, 'link', 'set', host.veth, 'up')
    hosts.push(host)
  }
  return hosts
}

export async function setLink (host: Host, state: 'up' | 'down'): Promise<void> {
  await ip('-n', host.ns, 'link', 'set', host.veth, state)
}

/** Drops every packet between the two sides (both directions, in each host's namespace). */
export async function partition (sideA: Host[], sideB: Host[]): Promise<void> {
  const rules = (others: Host[]): string => {
    const set = `{ ${others.map((h) => h.ip).join(', ')} }`
    return `table inet swtpart {
  chain out { type filter hook output priority 0; policy accept; ip daddr ${set} drop; }
  chain in { type filter hook input priority 0; policy accept; ip saddr ${set} drop; }
}
`
  }
  await Promise.all([
    ...sideA.map(async (host) => await nft(host.ns, rules(sideB))),
    ...sideB.map(async (host) => await nft(host.ns, rules(sideA)))
  ])
}

export async function heal (hosts: Host[]): Promise<void> {
  await Promise.all(hosts.map(async (host) => await nft(host.ns, 'delete table inet swtpart\n')))
}

/**
 * Drops `percent`% of the packets every host sends to another host, chosen at random per packet
 * (nftables `numgen random`). The observer's traffic (the API answers to the hub, loopback) is
 * spared so that the measurement does not disturb itself.
 */
export async function setLoss (hosts: Host[], percent: number): Promise<void> {
  if (!Number.isInteger(percent) || percent < 1 || percent > 100) throw new RangeError(`loss ${percent}%`)
  const script = `table inet swtloss {
  chain out { type filter hook output priority 0; policy accept; oifname != "lo" ip daddr != ${HUB_IP} numgen random mod 100 < ${percent} counter drop; }
}
`
  await Promise.all(hosts.map(async (host) => await nft(host.ns, script)))
}

/** Drops every UDP packet a host sends to another host (a network that blocks UDP). */
export async function dropUdp (hosts: Host[]): Promise<void> {
  const script = `table inet swtudp {
  chain out { type filter hook output priority 0; policy accept; oifname != "lo" meta l4proto udp counter drop; }
}
`
  await Promise.all(hosts.map(async (host) => await nft(host.ns, script)))
}

export async function allowUdp (hosts: Host[]): Promise<void> {
  await Promise.all(hosts.map(async (host) => await nft(host.ns, 'delete table inet swtudp\n')))
}

/** UDP packets the drop rule dropped so far in a host's namespace. */
export async function udpDropped (host: Host): Promise<number> {
  const out = await exec('ip', ['netns', 'exec', host.ns, 'nft', 'list', 'table', 'inet', 'swtudp'])
  return Number(/packets (\d+)/.exec(out)?.[1] ?? NaN)
}

export async function clearLoss (hosts: Host[]): Promise<void> {
  await Promise.all(hosts.map(async (host) => await nft(host.ns, 'delete table inet swtloss\n')))
}

/** Packets the loss rule dropped so far in a host's namespace. */
export async function lossDropped (host: Host): Promise<number> {
  const out = await exec('ip', ['netns', 'exec', host.ns, 'nft', 'list', 'table', 'inet', 'swtloss'])
  return Number(/packets (\d+)/.exec(out)?.[1] ?? NaN)
}

// ---------------------------------------------------------------------------------------------
// processes inside namespaces

const procs = new Set<Proc>()

/**
 * `setpriv --pdeathsig KILL` (util-linux) before node: if the test run itself is killed with
 * SIGKILL (no exit handler runs), the kernel still kills every daemon it started. Used when
 * available; the namespaces such a run leaves are removed by the next run (`removeLeftovers`).
 */
const PDEATHSIG: string[] = (() => {
  try {
    const help = execFileSync('setpriv', ['--help'], { encoding: 'utf8', stdio: 'pipe', timeout: 10_000 })
    return help.includes('--pdeathsig') ? ['setpriv', '--pdeathsig', 'KILL'] : []
  } catch {
    return []
  }
})()

/**
 * Starts `bin/swimd.ts`, `bin/membership-events.ts` or another script of the repository inside a
 * namespace. `ip netns exec` (and `setpriv`) exec the program, so the child's pid is node's
 * own: signals (SIGSTOP, SIGTERM) reach the daemon itself.
 */
export function startIn (ns: string, script: 'swimd' | 'cli' | string, args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): Proc {
  const file = script === 'swimd'
    ? join(ROOT, 'bin', 'swimd.ts')
    : script === 'cli' ? join(ROOT, 'bin', 'membership-events.ts') : join(ROOT, script)
  return track(spawn('ip', ['netns', 'exec', ns, ...PDEATHSIG, process.execPath, '--import', 'tsx', file, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: [stdin, 'pipe', 'pipe']
  }), procs)
}

/** Kills (SIGKILL, by pid) every process started here; a stopped one is continued first. */
export async function stopAll (): Promise<void> {
  const left = [...procs]
  for (const proc of left) {
    if (!proc.running()) continue
    proc.child.kill('SIGKILL')
    proc.child.kill('SIGCONT')
  }
  await Promise.race([
    Promise.all(left.map(async (proc) => await proc.exited)),
    new Promise((resolve) => setTimeout(resolve, 10_000))
  ])
}

function killAllSync (): void {
  for (const proc of procs) {
    if (!proc.running()) continue
    try { proc.child.kill('SIGKILL') } catch {}
  }
}

let exitHooked = false
/** Whatever happens to the run (an exception, the end, SIGINT/SIGTERM), nothing is left behind. */
export function cleanupOnExit (): void {
  if (exitHooked) return
  exitHooked = true
  process.on('exit', () => {
    killAllSync()
    destroyNetworkSync()
    try {
      for (const entry of readdirSync(tmpdir())) {
        if (entry.startsWith(`${PREFIX}-`)) rmSync(join(tmpdir(), entry), { recursive: true, force: true })
      }
    } catch {}
  })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1))
    })
  }
}

// ---------------------------------------------------------------------------------------------
// swimd and the observer

export interface NetDaemon {
  host: Host
  proc: Proc
  id: string
  dataDir: string
  /** `http://<ip>:7947` — only reachable from inside the test network. */
  api: string
}

/** The test network's cluster key and API token: swimd listens beyond loopback only with a key. */
export const API_TOKEN = `netns-${PREFIX}-token`
let secrets: Promise<{ clusterKey: string, tokenFile: string }> | undefined

export async function clusterSecrets (): Promise<{ clusterKey: string, tokenFile: string }> {
  // a suite's cleanup removes the temporary directories of the run: make them again then
  const current = await secrets
  if (current == null || !existsSync(current.clusterKey) || !existsSync(current.tokenFile)) secrets = undefined
  secrets ??= (async () => {
    const dir = await tempDir(`${PREFIX}-secrets-`)
    const clusterKey = join(dir, 'cluster.key')
    const tokenFile = join(dir, 'api-token')
    await writeFile(clusterKey, generateClusterKey(), { mode: 0o600 })
    await writeFile(tokenFile, `${API_TOKEN}\n`, { mode: 0o600 })
    return { clusterKey, tokenFile }
  })()
  return await secrets
}

/** Starts swimd inside the host's namespace and waits for its start-up line. */
export async function startSwimd (host: Host, options: { seed: string, profile: 'lan' | 'local', dataDir?: string }, timeout = 60_000): Promise<NetDaemon> {
  const dataDir = options.dataDir ?? await tempDir(`${PREFIX}-h${host.index}-`)
  const { clusterKey, tokenFile } = await clusterSecrets()
  const proc = startIn(host.ns, 'swimd', [
    '--cluster-key', clusterKey,
    '--api-token', tokenFile,
    '--listen', `/ip4/${host.ip}/tcp/${SWIM_PORT}`,
    '--api', `${host.ip}:${API_PORT}`,
    '--seed', options.seed,
    '--profile', options.profile,
    '--data-dir', dataDir,
    '--log-level', 'warn'
  ])
  const match = await waitFor(`swimd on ${host.ns} to print its start-up line`, () => {
    if (!proc.running()) throw new Error(`swimd exited early: ${proc.stderr()}`)
    return parseStartupLine(proc.stdout())
  }, timeout, 100).catch((err: unknown) => {
    proc.child.kill('SIGKILL')
    throw new Error(`${(err as Error).message}\nstderr: ${proc.stderr()}`)
  })
  return { host, proc, id: match.peerId, dataDir, api: match.api }
}

/** A proxy in the hub namespace, on a Unix socket, so the test (root namespace) can call the APIs. */
export interface Observer {
  get: <T>(host: Host, path: string, timeout?: number) => Promise<T>
}

export async function startObserver (): Promise<Observer> {
  const dir = await tempDir(`${PREFIX}-proxy-`)
  const socketPath = join(dir, 'api.sock')
  const proc = startIn(HUB_NS, 'test/netns/api-proxy.ts', [socketPath], 'pipe')
  await waitFor('the API proxy', () => {
    if (!proc.running()) throw new Error(`the API proxy exited: ${proc.stderr()}`)
    return proc.stdout().includes('api-proxy ready')
  }, 30_000, 100)
  const get = async <T>(host: Host, path: string, timeout = 3000): Promise<T> => await new Promise<T>((resolve, reject) => {
    // the APIs listen beyond loopback, so reads need the token too
    const req = request({ socketPath, path: `/${host.ip}:${API_PORT}${path}`, method: 'GET', timeout, headers: { authorization: `Bearer ${API_TOKEN}` } }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk })
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${path} on ${host.ip}: ${res.statusCode ?? '?'} ${body}`))
        else {
          try { resolve(JSON.parse(body) as T) } catch (err) { reject(err) }
        }
      })
      res.on('error', reject)
    })
    req.on('timeout', () => { req.destroy(new Error(`GET ${path} on ${host.ip}: timed out`)) })
    req.on('error', reject)
    req.end()
  })
  return { get }
}

export interface WatchEvent {
  seq: number
  type: string
  at: number
  member: { id: string, incarnation: number, state: string }
}

/** The complete JSON lines a `membership-events watch --json` process printed so far. */
export function watchEvents (proc: Proc): WatchEvent[] {
  const out = proc.stdout()
  const complete = out.slice(0, out.lastIndexOf('\n') + 1)
  const events: WatchEvent[] = []
  for (const line of complete.split('\n')) {
    if (line.trim() === '') continue
    try {
      const event = JSON.parse(line) as WatchEvent
      if (event.member?.id != null) events.push(event)
    } catch {}
  }
  return events
}
