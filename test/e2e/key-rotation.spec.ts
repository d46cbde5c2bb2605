/**
 * Rolling cluster-key rotation on a running cluster of 5 real daemons, as an operator runs it
 * with the CLI: install the new key on every member, then use it on every member, then remove
 * the old one everywhere. No member may ever be declared failed, and afterwards the new key
 * admits a newcomer while the old one no longer does.
 *
 * This needs the SWIM service's keyring (`node.services.swim.keys`, cluster keys carried by
 * the service instead of libp2p's pnet protector): where the service has none, `keys list`
 * answers 501 and this test fails at its first step, as it should.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { jsonLines, killAll, run, start, startDaemon, tempDir, waitFor } from './processes.ts'
import type { Daemon, Proc } from './processes.ts'

const rotation = suite('rolling key rotation')
rotation.after(async () => { await killAll() })

interface Keys { keys: Array<{ id: string, primary: boolean }> }

async function keysOf (daemon: Daemon): Promise<Keys> {
  const res = await run('cli', ['keys', 'list', '--json', '--api', daemon.api, '--data-dir', daemon.dataDir])
  if (res.code !== 0) throw new Error(`keys list on ${daemon.api}: ${res.stderr}`)
  return JSON.parse(res.stdout) as Keys
}

async function aliveCount (daemon: Daemon): Promise<number> {
  const res = await fetch(`${daemon.api}/v1/members`)
  const body = await res.json() as { members: Array<{ state: string }> }
  return body.members.filter((m) => m.state === 'alive').length
}

async function keyFile (dir: string, name: string): Promise<{ path: string }> {
  const key = await run('swimd', ['keygen'])
  assert.is(key.code, 0, key.stderr)
  const path = join(dir, name)
  await writeFile(path, key.stdout, { mode: 0o600 })
  return { path }
}

rotation('install, use, remove across 5 daemons: no fail event, the new key admits, the old one no longer does', async () => {
  const dir = await tempDir()
  const oldKey = await keyFile(dir, 'old.key')
  const newKey = await keyFile(dir, 'new.key')
  const daemons: Daemon[] = []
  daemons.push(await startDaemon(join(dir, 'd0'), ['--cluster-key', oldKey.path]))
  daemons.push(...await Promise.all([1, 2, 3, 4].map(async (i) => await startDaemon(join(dir, `d${i}`), ['--cluster-key', oldKey.path, '--seed', daemons[0].addrs[0]]))))
  const watchers: Proc[] = daemons.map((d) => start('cli', ['watch', '--json', '--since', '0', '--api', d.api]))
  const allAlive = async (): Promise<boolean> => (await Promise.all(daemons.map(aliveCount))).every((n) => n === 5)
  await waitFor('5 alive members on every daemon', allAlive, 60_000, 200)

  /** Runs one CLI step on each daemon in turn; after each, the cluster must stay whole. */
  const rolling = async (step: string, args: (daemon: Daemon) => string[]): Promise<void> => {
    for (const daemon of daemons) {
      const res = await run('cli', ['keys', ...args(daemon), '--api', daemon.api, '--data-dir', daemon.dataDir])
      assert.is(res.code, 0, `${step} on ${daemon.api}: ${res.stderr}`)
      // a few probe rounds with the cluster half-rotated: everyone still alive everywhere
      let rounds = 0
      await waitFor(`the cluster whole after ${step} on ${daemon.api}`, async () => (await allAlive()) && ++rounds >= 5, 30_000, 200)
    }
  }

  const before = await keysOf(daemons[0])
  assert.is(before.keys.length, 1)
  const oldId = before.keys[0].id
  await rolling('install', () => ['install', newKey.path])
  const installed = await keysOf(daemons[0])
  const newId = installed.keys.find((k) => k.id !== oldId)?.id
  assert.ok(newId != null, 'the new key is listed')
  for (const daemon of daemons) assert.equal((await keysOf(daemon)).keys.map((k) => k.id).sort(), [oldId, newId].sort())
  await rolling('use', () => ['use', newId])
  for (const daemon of daemons) assert.equal((await keysOf(daemon)).keys.find((k) => k.primary)?.id, newId)
  await rolling('remove', () => ['remove', oldId])
  for (const daemon of daemons) assert.equal((await keysOf(daemon)).keys, [{ id: newId, primary: true }])

  // the old key no longer admits anyone; the new one does
  const stale = await startDaemon(join(dir, 'stale'), ['--cluster-key', oldKey.path, '--seed', daemons[0].addrs[0]])
  const fresh = await startDaemon(join(dir, 'fresh'), ['--cluster-key', newKey.path, '--seed', daemons[0].addrs[0]])
  await waitFor('the newcomer with the new key admitted', async () => (await aliveCount(fresh)) === 6 && (await aliveCount(daemons[0])) === 6, 60_000, 200)
  assert.is(await aliveCount(stale), 1, 'the old key is refused')

  for (const [i, watcher] of watchers.entries()) {
    const fails = jsonLines(watcher).filter((e) => e.type === 'fail' || e.type === 'leave')
    assert.equal(fails, [], `daemon ${i} saw no member fail or leave during the rotation`)
  }
})

rotation.run()
