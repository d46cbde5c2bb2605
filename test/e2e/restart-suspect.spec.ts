/**
 * End to end: a member killed and restarted with the same data directory (as systemd or
 * Kubernetes restart a crashed daemon) comes back with a higher incarnation, and nobody
 * suspects the new process. The probes that were on their way to the killed process, and
 * the refused dials they met, are evidence against the old incarnation only.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { jsonLines, killAll, start, startDaemon, tempDir, waitFor } from './processes.ts'
import type { Daemon } from './processes.ts'

interface ApiMember { id: string, state: string, incarnation: number }

async function membersOf (daemon: Daemon): Promise<ApiMember[]> {
  const res = await fetch(`${daemon.api}/v1/members`)
  if (res.status !== 200) throw new Error(`GET /v1/members: ${res.status}`)
  return ((await res.json()) as { members: ApiMember[] }).members
}

const restart = suite('a restart with the same data dir')

restart.after(async () => { await killAll() })

restart('a killed member restarted on its port is not suspected after its new incarnation is known', async () => {
  const dirs = [await tempDir(), await tempDir(), await tempDir()]
  const seed = await startDaemon(dirs[0])
  const watcher = start('cli', ['watch', '--json', '--since', '0', '--api', seed.api])
  const other = await startDaemon(dirs[1], ['--seed', seed.addrs[0]])
  let member = await startDaemon(dirs[2], ['--seed', seed.addrs[0]])
  const port = member.port
  for (const d of [seed, other]) {
    await waitFor('3 members alive', async () => (await membersOf(d)).filter((m) => m.state === 'alive').length === 3)
  }
  member.proc.child.kill('SIGKILL')
  await member.proc.exited
  // restarted while the others still hold it suspect (before the Lifeguard timeout)
  await waitFor('the killed member suspected', () => jsonLines(watcher).some((l) => l.member.id === member.id && l.type === 'suspect'), 10_000, 20)
  const before = jsonLines(watcher).length
  member = await startDaemon(dirs[2], ['--seed', seed.addrs[0], '--listen', `/ip4/127.0.0.1/tcp/${port}`])
  await waitFor('the new incarnation alive on the seed', () => jsonLines(watcher).slice(before).some((l) => l.member.id === member.id && (l.type === 'alive' || l.type === 'join')), 15_000, 50)
  const newLife = jsonLines(watcher).slice(before).find((l) => l.member.id === member.id && (l.type === 'alive' || l.type === 'join'))?.member.incarnation ?? 0
  // well past the window (about 0.5 s) in which the stale probes used to conclude
  await new Promise((resolve) => setTimeout(resolve, 4000))
  const after = jsonLines(watcher).slice(before).filter((l) => l.member.id === member.id)
  // (a fail of the old incarnation may still arrive: that process did die)
  const suspicions = after.filter((l) => (l.type === 'suspect' || l.type === 'fail') && l.member.incarnation >= newLife)
  assert.equal(suspicions.map((l) => `${l.type} at incarnation ${l.member.incarnation}`), [], `events after the restart: ${after.map((l) => `${l.type}@${l.member.incarnation}`).join(', ')}`)
  assert.is(after.at(-1)?.member.incarnation, newLife, 'no refutation needed: the incarnation stayed where the restart put it')
  for (const d of [seed, other]) {
    const seen = (await membersOf(d)).find((m) => m.id === member.id)
    assert.is(seen?.state, 'alive')
  }
})

restart.run()
