/**
 * Seeding through a DNS name that resolves to several addresses, in network namespaces.
 *
 * `ip netns exec <ns>` bind-mounts the files of `/etc/netns/<ns>/` over those of `/etc/` for
 * the process it runs, so each namespace can have its own `/etc/hosts`. The name
 * `swim-seeds.test` is given two addresses (two lines) in the hosts files of the namespaces
 * that seed only through it:
 *
 *   h0, h1: seeded by IP (h1 on h0)
 *   h2: `--seed /dns4/swim-seeds.test/tcp/7946`, the name → h0, h1: joins, 3 alive everywhere
 *   h0 stops (SIGTERM); h3: the same seed, the name → h0 (now down, listed first), h1: still joins
 *
 * The hosts files live in `/etc/netns/swt<pid>-h<i>/`, named after the namespaces (same
 * prefix), removed in `after` and by an exit handler whatever happens; those of a crashed run
 * are removed by the next one. Needs root, `ip netns` and `nft`.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { killAll, waitFor } from '../e2e/processes.ts'
import {
  PREFIX, SWIM_PORT, cleanupOnExit, createNetwork, destroyNetworkSync, exec, pidAlive, removeLeftovers,
  startObserver, startSwimd, stopAll, reportUnavailable, unavailableReason
} from './netns.ts'
import type { Host, NetDaemon, Observer } from './netns.ts'

const PROFILE = 'local'
const NAME = 'swim-seeds.test'
const NAME_SEED = `/dns4/${NAME}/tcp/${SWIM_PORT}`
const ETC_NETNS = '/etc/netns'

interface ApiMember { id: string, state: string, incarnation: number }

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
const report = (line: string): void => { console.log(`  [dns-seed] ${line}`) }

// ---------------------------------------------------------------------------------------------
// per-namespace hosts files

const etcNetnsExisted = existsSync(ETC_NETNS)
const hostsDirs = new Set<string>()

/** `/etc/netns/<ns>/hosts` with `name` mapped to each of `ips`, one line each, in that order. */
function writeHostsFile (host: Host, name: string, ips: string[]): void {
  const dir = join(ETC_NETNS, host.ns)
  mkdirSync(dir, { recursive: true })
  hostsDirs.add(dir)
  writeFileSync(join(dir, 'hosts'), `127.0.0.1\tlocalhost\n${ips.map((ip) => `${ip}\t${name}\n`).join('')}`)
}

function removeHostsFilesSync (): void {
  for (const dir of hostsDirs) {
    try { rmSync(dir, { recursive: true, force: true }) } catch {}
    hostsDirs.delete(dir)
  }
  // belt and braces: anything of this run's prefix
  try {
    for (const entry of readdirSync(ETC_NETNS)) {
      if (entry.startsWith(`${PREFIX}-`)) rmSync(join(ETC_NETNS, entry), { recursive: true, force: true })
    }
  } catch {}
  // /etc/netns itself only when this run created it and nothing else is in it
  if (!etcNetnsExisted) {
    try { rmdirSync(ETC_NETNS) } catch {}
  }
}

/** The `/etc/netns/swt<pid>-…` directories of runs that no longer run. */
function removeLeftoverHostsFiles (): string[] {
  const removed: string[] = []
  let entries: string[] = []
  try { entries = readdirSync(ETC_NETNS) } catch { return removed }
  for (const entry of entries) {
    const match = /^swt(\d+)-/.exec(entry)
    if (match == null || Number(match[1]) === process.pid || pidAlive(Number(match[1]))) continue
    rmSync(join(ETC_NETNS, entry), { recursive: true, force: true })
    removed.push(join(ETC_NETNS, entry))
  }
  return removed
}

// ---------------------------------------------------------------------------------------------

const reason = unavailableReason()

if (reason != null) {
  reportUnavailable('netns dns-seed', reason)
} else {
  const test = suite(`netns: seeding through a name with several addresses (profile ${PROFILE})`)

  let hosts: Host[] = []
  const daemons: Array<NetDaemon | undefined> = []
  let observer: Observer

  const nameOf = (id: string): string => {
    const index = daemons.findIndex((d) => d?.id === id)
    return index >= 0 ? `h${index}` : id.slice(-6)
  }

  async function membersOf (host: Host): Promise<ApiMember[]> {
    return (await observer.get<{ members: ApiMember[] }>(host, '/v1/members')).members
  }

  /** Each of `on` sees exactly the daemons of `alive` as its alive members. */
  async function seeAlive (what: string, on: Host[], alive: NetDaemon[], timeout = 30_000): Promise<void> {
    const ids = alive.map((d) => d.id).sort()
    let last = ''
    await waitFor(what, async () => {
      const views = await Promise.all(on.map(async (host) => await membersOf(host).catch(() => undefined)))
      last = views.map((view, i) => `h${on[i].index}: ${view == null ? 'unreachable' : view.map((m) => `${nameOf(m.id)}=${m.state}`).join(' ')}`).join('; ')
      return views.every((view) => view != null && JSON.stringify(view.filter((m) => m.state === 'alive').map((m) => m.id).sort()) === JSON.stringify(ids))
    }, timeout, 250).catch((err: unknown) => { throw new Error(`${(err as Error).message}; last views: ${last}`) })
  }

  /** What `getent hosts` and node's `dns.lookup(name, { all: true })` answer inside the namespace. */
  async function resolveIn (host: Host, name: string): Promise<{ getent: string[], node: string[] }> {
    const getent = await exec('ip', ['netns', 'exec', host.ns, 'getent', 'hosts', name])
    const script = `require('node:dns').lookup(${JSON.stringify(name)}, { all: true, family: 4 }, (err, addrs) => { if (err) { console.error(err.message); process.exit(1) } console.log(JSON.stringify(addrs.map((a) => a.address))) })`
    const node = await exec('ip', ['netns', 'exec', host.ns, process.execPath, '-e', script])
    return { getent: getent.trim().split('\n').map((line) => line.split(/\s+/)[0]), node: JSON.parse(node) as string[] }
  }

  test.before(async () => {
    const leftovers = [...removeLeftovers(), ...removeLeftoverHostsFiles()]
    if (leftovers.length > 0) report(`removed leftovers of a crashed run: ${leftovers.join(' ')}`)
    cleanupOnExit()
    process.on('exit', removeHostsFilesSync)
    hosts = await createNetwork(4)
    // h2 and h3 seed only through the name: h0 first, then h1
    for (const host of [hosts[2], hosts[3]]) writeHostsFile(host, NAME, [hosts[0].ip, hosts[1].ip])
    observer = await startObserver()
  })

  test.after(async () => {
    try {
      await stopAll()
      await killAll()
      destroyNetworkSync()
    } finally {
      removeHostsFilesSync()
    }
  })

  test(`inside h2's and h3's namespaces, ${NAME} resolves to h0 and h1 (getent and node's dns.lookup)`, async () => {
    const expected = [hosts[0].ip, hosts[1].ip]
    const orders: string[] = []
    for (const host of [hosts[2], hosts[3]]) {
      const answers = await resolveIn(host, NAME)
      orders.push(`h${host.index}: getent ${answers.getent.join(' ')}, node ${answers.node.join(' ')}`)
      // getaddrinfo sorts the answers (RFC 6724 destination address selection), so only the set is the same
      assert.equal(answers.getent, expected, `getent hosts ${NAME} in ${host.ns}`)
      assert.equal([...answers.node].sort(), expected, `dns.lookup(${NAME}, { all: true }) in ${host.ns}: ${answers.node.join(' ')}`)
      if (host === hosts[3]) {
        // what swimd sees first in h3 is h0, the host that is down when h3 starts
        assert.is(answers.node[0], hosts[0].ip, `h3's first answer: ${answers.node.join(' ')}`)
      }
    }
    report(`${NAME} resolves to ${orders.join('; ')}`)
    // and only there: another namespace does not know the name
    const elsewhere = await exec('ip', ['netns', 'exec', hosts[0].ns, 'getent', 'hosts', NAME]).then(() => true, () => false)
    assert.not.ok(elsewhere, `h0 resolves ${NAME}`)
  })

  test(`h0 and h1 by IP, then h2 seeded only by ${NAME_SEED}: every host sees 3 alive`, async () => {
    daemons[0] = await startSwimd(hosts[0], { seed: `/ip4/${hosts[0].ip}/tcp/${SWIM_PORT}`, profile: PROFILE })
    daemons[1] = await startSwimd(hosts[1], { seed: `/ip4/${hosts[0].ip}/tcp/${SWIM_PORT}`, profile: PROFILE })
    await seeAlive('h0 and h1 to see each other alive', hosts.slice(0, 2), [daemons[0], daemons[1]])
    const startedAt = Date.now()
    daemons[2] = await startSwimd(hosts[2], { seed: NAME_SEED, profile: PROFILE })
    const alive = daemons.slice(0, 3) as NetDaemon[]
    await seeAlive('every host to see 3 alive', hosts.slice(0, 3), alive)
    report(`h2 (seeded by name) alive on h0, h1, h2 ${seconds(Date.now() - startedAt)} after it was started`)
    assert.not.match(daemons[2].proc.stderr(), /cannot resolve seed name/)
  })

  test('h0 stops (SIGTERM); h3 seeded only by the name (→ h0 down, h1) still joins through h1', async () => {
    const stopped = daemons[0] as NetDaemon
    stopped.proc.child.kill('SIGTERM')
    const { code } = await waitFor('h0 to exit', async () => await stopped.proc.exited, 30_000)
    assert.is(code, 0, `swimd exit code after SIGTERM: ${stopped.proc.stderr()}`)
    const rest = [daemons[1], daemons[2]] as NetDaemon[]
    await waitFor('h1 and h2 to see h0 left', async () => {
      const views = await Promise.all([hosts[1], hosts[2]].map(async (host) => await membersOf(host)))
      return views.every((view) => view.find((m) => m.id === stopped.id)?.state === 'left')
    }, 30_000, 250)
    // h0's address still exists, nothing listens on it: a dial there is refused
    const startedAt = Date.now()
    daemons[3] = await startSwimd(hosts[3], { seed: NAME_SEED, profile: PROFILE })
    const alive = [...rest, daemons[3]]
    await seeAlive('h1, h2 and h3 to see 3 alive (h0 left)', hosts.slice(1), alive)
    report(`h3 (seeded by name, first address down) alive on h1, h2, h3 ${seconds(Date.now() - startedAt)} after it was started`)
  })

  test.run()
}
