/**
 * Real swimd processes, one per network namespace, on a private bridge (see `netns.ts`), with
 * real faults: a link going down, a 3|3 partition, 10% random packet loss on every link, a
 * daemon frozen with SIGSTOP, a daemon restarted over and over. Profile `lan` throughout.
 *
 * One 6-host cluster serves every scenario, in this order: the two where nobody may fail first
 * (loss, freezes), then the ones that fail members and must heal without an operator (link
 * down, partition), then the restarts. Each scenario starts from "every host sees 6 alive" and
 * judges only the events recorded after it began. Observed through the HTTP API (via a proxy
 * in the hub namespace) and one `membership-events watch --json` per host, run in that host's
 * namespace.
 *
 * Needs root, `ip netns` and `nft` (Debian package nftables). Where namespaces cannot be
 * created the suite says so in one line and fails.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { killAll, waitFor } from '../e2e/processes.ts'
import {
  PREFIX, clearLoss, cleanupOnExit, createNetwork, destroyNetworkSync, heal, lossDropped, partition,
  clusterSecrets, removeLeftovers, setLink, setLoss, startIn, startObserver, startSwimd, stopAll, unavailableReason, watchEvents
} from './netns.ts'
import type { Host, NetDaemon, Observer, WatchEvent } from './netns.ts'
import type { Proc } from '../e2e/processes.ts'

const SIZE = 6
const PROFILE = 'lan'
/** How long a failed link or partition is kept after everyone failed: more than gossipToTheDeadTime (30 s, lan). */
const HOLD_MS = 35_000

interface ApiMember { id: string, state: string, incarnation: number }
interface Observed extends WatchEvent { observer: number }

const delay = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
const report = (line: string): void => { console.log(`  [netns] ${line}`) }

const reason = unavailableReason()

if (reason != null) {
  console.log(`netns suite: cannot run here: ${reason}`)
  const unavailable = suite('netns')
  unavailable('network namespaces can be created', () => { assert.unreachable(reason) })
  unavailable.run()
} else {
  const test = suite(`netns: ${SIZE} swimd hosts on a bridge (profile ${PROFILE})`)

  let hosts: Host[] = []
  let daemons: NetDaemon[] = []
  let watchers: Proc[] = []
  let observer: Observer
  let seed = ''

  const nameOf = (id: string): string => {
    const index = daemons.findIndex((d) => d.id === id)
    return index >= 0 ? `h${index}` : id.slice(-6)
  }

  async function membersOf (host: Host): Promise<ApiMember[]> {
    return (await observer.get<{ members: ApiMember[] }>(host, '/v1/members')).members
  }

  /** Every host (or those given) sees exactly the cluster's ids, all alive. */
  async function allAlive (what: string, timeout: number, from: Host[] = hosts): Promise<void> {
    const ids = daemons.map((d) => d.id).sort()
    let last = ''
    await waitFor(what, async () => {
      const views = await Promise.all(from.map(async (host) => await membersOf(host).catch(() => undefined)))
      last = views.map((view, i) => `h${from[i].index}: ${view == null ? 'unreachable' : view.map((m) => `${nameOf(m.id)}=${m.state}`).join(' ')}`).join('; ')
      return views.every((view) => view != null && JSON.stringify(view.filter((m) => m.state === 'alive').map((m) => m.id).sort()) === JSON.stringify(ids))
    }, timeout, 500).catch((err: unknown) => { throw new Error(`${(err as Error).message}; last views: ${last}`) })
  }

  /** Events every watcher printed whose time is at or after `since`, tagged with the observer. */
  function eventsSince (since: number): Observed[] {
    return watchers.flatMap((watcher, observer) => watchEvents(watcher).filter((e) => e.at >= since).map((e) => ({ ...e, observer })))
  }

  const describe = (events: Observed[]): string => events.map((e) => `h${e.observer} ${e.type} ${nameOf(e.member.id)}#${e.member.incarnation} +${e.at % 100_000}`).join(', ')

  async function incarnationSeenBy (host: Host, id: string): Promise<number> {
    const member = (await membersOf(host)).find((m) => m.id === id)
    if (member == null) throw new Error(`h${host.index} does not know ${nameOf(id)}`)
    return member.incarnation
  }

  test.before(async () => {
    const leftovers = removeLeftovers()
    if (leftovers.length > 0) report(`removed leftovers of a crashed run: ${leftovers.join(' ')}`)
    cleanupOnExit()
    hosts = await createNetwork(SIZE)
    observer = await startObserver()
    seed = `/ip4/${hosts[0].ip}/tcp/7946`
    daemons = await Promise.all(hosts.map(async (host) => await startSwimd(host, { seed, profile: PROFILE })))
    // each watcher runs in its host's namespace: it keeps its connection when the link goes down
    const { tokenFile } = await clusterSecrets()
    watchers = hosts.map((host, i) => startIn(host.ns, 'cli', ['watch', '--json', '--since', '0', '--api', daemons[i].api, '--token-file', tokenFile]))
  })

  test.after(async () => {
    await stopAll()
    await killAll()
    destroyNetworkSync()
  })

  test(`the cluster forms: every host sees ${SIZE} alive`, async () => {
    const started = Date.now()
    await allAlive(`${SIZE} alive on every host`, 60_000)
    report(`formed: ${SIZE} alive on every host ${seconds(Date.now() - started)} after the last daemon printed its start-up line (namespaces ${PREFIX}-*)`)
    await waitFor('every watcher to print the joins', () => watchers.every((w) => new Set(watchEvents(w).filter((e) => e.type === 'join').map((e) => e.member.id)).size >= SIZE - 1), 30_000, 200)
  })

  test('10% random loss on every link for 3 minutes: no fail event about a live host', async () => {
    await allAlive('the cluster to be whole before the loss', 60_000)
    const since = Date.now()
    await setLoss(hosts, 10)
    const LOSS_MS = 180_000
    const failuresAt: number[] = []
    for (let elapsed = 0; elapsed < LOSS_MS; elapsed = Date.now() - since) {
      await delay(Math.min(10_000, LOSS_MS - elapsed))
      const fails = eventsSince(since).filter((e) => e.type === 'fail')
      if (fails.length > failuresAt.length) failuresAt.push(Date.now() - since)
    }
    const dropped = await Promise.all(hosts.map(async (host) => await lossDropped(host)))
    await clearLoss(hosts)
    const events = eventsSince(since)
    const fails = events.filter((e) => e.type === 'fail')
    const suspects = events.filter((e) => e.type === 'suspect')
    const refuted = events.filter((e) => e.type === 'alive')
    report(`loss: ${seconds(Date.now() - since)} at 10%, packets dropped per host ${dropped.join('/')}; events: ${fails.length} fail, ${suspects.length} suspect, ${refuted.length} alive (refuted), ${events.filter((e) => e.type === 'join').length} join`)
    if (suspects.length > 0) report(`loss: suspicions: ${describe(suspects)}`)
    assert.ok(dropped.every((n) => n > 0), `the loss rule dropped nothing somewhere: ${dropped.join('/')}`)
    assert.is(fails.length, 0, `fail events under 10% loss (first seen ${failuresAt.map(seconds).join(', ')} into the loss): ${describe(fails)}`)
    await allAlive('every host to see 6 alive after the loss', 60_000)
  })

  test('one daemon frozen (SIGSTOP) 2 s every 10 s, 5 times: at most suspected, never failed; nobody else suspected', async () => {
    await allAlive('the cluster to be whole before the freezes', 60_000)
    const frozen = daemons[3]
    const incarnationBefore = await incarnationSeenBy(hosts[0], frozen.id)
    const since = Date.now()
    for (let cycle = 0; cycle < 5; cycle++) {
      frozen.proc.child.kill('SIGSTOP')
      await delay(2000)
      frozen.proc.child.kill('SIGCONT')
      await delay(8000)
    }
    // a suspicion raised late has time to end, refuted or failed, before judging
    await allAlive('every host to see 6 alive after the freezes', 60_000)
    await delay(5000)
    const events = eventsSince(since)
    const aboutFrozen = events.filter((e) => e.member.id === frozen.id)
    const aboutOthers = events.filter((e) => e.member.id !== frozen.id)
    const incarnationAfter = await incarnationSeenBy(hosts[0], frozen.id)
    report(`freeze: h3 suspected ${aboutFrozen.filter((e) => e.type === 'suspect').length} times (by ${new Set(aboutFrozen.filter((e) => e.type === 'suspect').map((e) => e.observer)).size} observers), refuted ${aboutFrozen.filter((e) => e.type === 'alive').length}, failed ${aboutFrozen.filter((e) => e.type === 'fail').length}; incarnation ${incarnationBefore} → ${incarnationAfter}; events about others: ${aboutOthers.length}`)
    if (aboutOthers.length > 0) report(`freeze: about others: ${describe(aboutOthers)}`)
    const failed = aboutFrozen.filter((e) => e.type === 'fail' || e.type === 'leave')
    assert.is(failed.length, 0, `the frozen host was failed: ${describe(failed)}`)
    const suspectedOthers = aboutOthers.filter((e) => e.type === 'suspect' || e.type === 'fail')
    assert.is(suspectedOthers.length, 0, `hosts that were never frozen were suspected: ${describe(suspectedOthers)}`)
  })

  test('a link goes down: failed by all others; link up: rejoins by itself with a higher incarnation', async () => {
    await allAlive('the cluster to be whole before the link goes down', 60_000)
    const victim = daemons[1]
    const others = hosts.filter((h) => h.index !== 1)
    const incarnationBefore = await incarnationSeenBy(hosts[0], victim.id)
    const downAt = Date.now()
    await setLink(victim.host, 'down')
    let failedAt: number[] = []
    try {
      failedAt = await waitFor('every other host to fail h1', () => {
        const fails = eventsSince(downAt).filter((e) => e.type === 'fail' && e.member.id === victim.id)
        const at = others.map((h) => fails.find((e) => e.observer === h.index)?.at)
        return at.every((t) => t != null) ? at as number[] : undefined
      }, 90_000, 200)
      report(`link down: h1 failed by the first other host after ${seconds(Math.min(...failedAt) - downAt)}, by all ${others.length} after ${seconds(Math.max(...failedAt) - downAt)}`)
      // beyond gossipToTheDeadTime (30 s on lan): the way back is the periodic retry of failed members
      await delay(HOLD_MS)
    } finally {
      await setLink(victim.host, 'up')
    }
    const upAt = Date.now()
    const suspectsOfOthers = eventsSince(downAt).filter((e) => e.member.id !== victim.id && e.observer !== 1 && (e.type === 'suspect' || e.type === 'fail'))
    await allAlive('every host, h1 included, to see 6 alive again', 90_000)
    const healedIn = Date.now() - upAt
    const incarnations = await Promise.all(others.map(async (h) => await incarnationSeenBy(h, victim.id)))
    const rejoins = eventsSince(upAt).filter((e) => e.type === 'join' && e.member.id === victim.id)
    report(`link up: every host sees 6 alive ${seconds(healedIn)} later (h1 rejoined on ${new Set(rejoins.map((e) => e.observer)).size} others by a join event); h1 incarnation ${incarnationBefore} → ${incarnations.join('/')}`)
    if (suspectsOfOthers.length > 0) report(`link down: collateral suspicions among the others: ${describe(suspectsOfOthers)}`)
    assert.ok(incarnations.every((n) => n > incarnationBefore), `h1 rejoined without raising its incarnation: ${incarnationBefore} → ${incarnations.join('/')}`)
  })

  test('partition 3|3: each half fails the other; heal: one view of 6 alive again, no operator action', async () => {
    await allAlive('the cluster to be whole before the partition', 60_000)
    const sideA = hosts.slice(0, 3)
    const sideB = hosts.slice(3)
    const sideOf = (index: number): Host[] => index < 3 ? sideA : sideB
    const otherSide = (index: number): Host[] => index < 3 ? sideB : sideA
    const splitAt = Date.now()
    await partition(sideA, sideB)
    let splitDone = 0
    try {
      splitDone = await waitFor('each half to fail every member of the other', () => {
        const fails = eventsSince(splitAt).filter((e) => e.type === 'fail')
        const pairs = hosts.flatMap((h) => otherSide(h.index).map((o) => fails.find((e) => e.observer === h.index && e.member.id === daemons[o.index].id)?.at))
        return pairs.every((t) => t != null) ? Math.max(...pairs as number[]) : undefined
      }, 90_000, 200)
      report(`partition: every host failed the 3 hosts of the other half ${seconds(splitDone - splitAt)} after the split`)
      // beyond gossipToTheDeadTime (30 s on lan): the halves find each other again only by retrying failed members
      await delay(HOLD_MS)
    } finally {
      await heal(hosts)
    }
    const healAt = Date.now()
    const wrongFails = eventsSince(splitAt).filter((e) => e.at < healAt && e.type === 'fail' && sideOf(e.observer).some((h) => daemons[h.index].id === e.member.id))
    await allAlive('every host to see 6 alive after healing', 90_000)
    report(`heal: every host sees 6 alive ${seconds(Date.now() - healAt)} after the nft rules were removed`)
    assert.is(wrongFails.length, 0, `members of the same half failed each other: ${describe(wrongFails)}`)
  })

  test('a daemon restarted 5 times (SIGTERM, same data dir) ends alive everywhere, never failed', async () => {
    await allAlive('the cluster to be whole before the restarts', 60_000)
    const index = 5
    const since = Date.now()
    let incarnation = await incarnationSeenBy(hosts[0], daemons[index].id)
    const incarnations = [incarnation]
    const rejoinTimes: number[] = []
    for (let round = 0; round < 5; round++) {
      const previous = daemons[index]
      previous.proc.child.kill('SIGTERM')
      const { code } = await waitFor('the daemon to exit', async () => await previous.proc.exited, 30_000)
      assert.is(code, 0, `swimd exit code after SIGTERM: ${previous.proc.stderr()}`)
      const startedAt = Date.now()
      daemons[index] = await startSwimd(previous.host, { seed, profile: PROFILE, dataDir: previous.dataDir })
      assert.is(daemons[index].id, previous.id, 'same data dir, same PeerId')
      await waitFor(`h5 alive with a higher incarnation on every host (round ${round + 1})`, async () => {
        const seen = await Promise.all(hosts.map(async (h) => (await membersOf(h).catch(() => [])).find((m) => m.id === previous.id)))
        return seen.every((m) => m != null && m.state === 'alive' && m.incarnation > incarnation) ? true : undefined
      }, 60_000, 250)
      rejoinTimes.push(Date.now() - startedAt)
      if (Date.now() - startedAt > 5000) {
        const slow = eventsSince(startedAt - 5000).filter((e) => e.member.id === previous.id || e.observer === index)
        report(`restarts: round ${round + 1} took ${seconds(Date.now() - startedAt)}; events around it (+ms since start): ${slow.map((e) => `h${e.observer} ${e.type} ${nameOf(e.member.id)}#${e.member.incarnation} ${e.at - startedAt}`).join(', ')}`)
      }
      incarnation = await incarnationSeenBy(hosts[0], previous.id)
      incarnations.push(incarnation)
    }
    await allAlive('every host to see 6 alive after the restarts', 60_000)
    const about = eventsSince(since).filter((e) => e.member.id === daemons[index].id && e.observer !== index)
    const fails = about.filter((e) => e.type === 'fail')
    report(`restarts: h5 alive on every host ${rejoinTimes.map(seconds).join(', ')} after each start; incarnations ${incarnations.join(' → ')}; events about h5: ${about.filter((e) => e.type === 'leave').length} leave, ${about.filter((e) => e.type === 'join').length} join, ${fails.length} fail`)
    assert.is(fails.length, 0, `h5 was failed while restarting: ${describe(fails)}`)
  })

  test.run()
}
