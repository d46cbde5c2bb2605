/**
 * A real Prometheus (Debian's `prometheus` package, installed by .ci/run) discovers the members
 * of a swimd cluster through `GET /v1/sd/prometheus` (`http_sd_configs`) and lists every live
 * member as a target. When the binary truly cannot be found the test says so loudly and skips.
 */
import { spawn, spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { killAll, startDaemon, tempDir, track, waitFor } from './processes.ts'
import { freePort } from './relay.ts'
import type { Daemon, Proc } from './processes.ts'

const test = suite('Prometheus HTTP service discovery against a real Prometheus')

function findPrometheus (): string | undefined {
  for (const candidate of [process.env.PROMETHEUS_BIN, 'prometheus', '/usr/bin/prometheus']) {
    if (candidate == null || candidate === '') continue
    const probe = spawnSync(candidate, ['--version'], { stdio: 'ignore' })
    if (probe.status === 0) return candidate
  }
  return undefined
}

let daemons: Daemon[] = []
let prometheus: Proc | undefined

test.after(async () => {
  if (prometheus?.running() === true) {
    prometheus.child.kill('SIGTERM')
    const stopped = await Promise.race([prometheus.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => { resolve(false) }, 10_000))])
    if (!stopped) prometheus.child.kill('SIGKILL')
  }
  await killAll()
})

test('Prometheus lists every live member as a target, with the __meta_swim_* labels, and drops one that leaves', async () => {
  const binary = findPrometheus()
  if (binary == null) {
    console.warn('\n  SKIPPED: the prometheus binary is not installed and could not be found (apt-get install prometheus); the real Prometheus discovery test did not run\n')
    return
  }
  const first = await startDaemon(await tempDir(), ['--meta', 'role=db', '--meta', 'rack-id=r1'])
  const seed = `${first.addrs[0]}/p2p/${first.id}`
  daemons = [first]
  for (let i = 0; i < 2; i++) daemons.push(await startDaemon(await tempDir(), ['--seed', seed, '--meta', `role=web${i}`]))
  const ids = daemons.map((d) => d.id).sort()
  await waitFor('every daemon alive on the first', async () => {
    const res = await fetch(`${first.api}/v1/members?state=alive`)
    const body = await res.json() as { members: Array<{ id: string }> }
    return body.members.length === 3
  }, 30_000, 200)

  const apiPort = Number(new URL(first.api).port)
  const webPort = await freePort()
  const dir = await tempDir('swim-prometheus-')
  const config = join(dir, 'prometheus.yml')
  // every member's target is 127.0.0.1:<API port of the first> here (one host); keeping
  // __meta_swim_id as a label keeps the three targets apart
  await writeFile(config, [
    'global:',
    '  scrape_interval: 1s',
    'scrape_configs:',
    '  - job_name: swim',
    '    metrics_path: /metrics',
    '    http_sd_configs:',
    `      - url: 'http://127.0.0.1:${apiPort}/v1/sd/prometheus?port=${apiPort}&state=alive'`,
    '        refresh_interval: 1s',
    '    relabel_configs:',
    '      - source_labels: [__meta_swim_id]',
    '        target_label: swim_id',
    '      - source_labels: [__meta_swim_meta_role]',
    '        target_label: role',
    ''
  ].join('\n'))
  prometheus = track(spawn(binary, [
    `--config.file=${config}`,
    `--web.listen-address=127.0.0.1:${webPort}`,
    `--storage.tsdb.path=${join(dir, 'data')}`
  ], { stdio: ['ignore', 'pipe', 'pipe'] }))

  interface Target { discoveredLabels: Record<string, string>, labels: Record<string, string>, health: string }
  const targets = async (): Promise<Target[]> => {
    const res = await fetch(`http://127.0.0.1:${webPort}/api/v1/targets?state=active`)
    const body = await res.json() as { data: { activeTargets: Target[] } }
    return body.data.activeTargets
  }
  const listed = await waitFor('Prometheus to list the three members', async () => {
    if (prometheus?.running() !== true) throw new Error(`prometheus exited: ${prometheus?.stderr().slice(-2000) ?? ''}`)
    const active = await targets()
    const found = active.map((t) => t.discoveredLabels.__meta_swim_id).sort()
    return JSON.stringify(found) === JSON.stringify(ids) ? active : undefined
  }, 60_000, 500)
  const ofFirst = listed.find((t) => t.discoveredLabels.__meta_swim_id === first.id)
  assert.ok(ofFirst != null)
  assert.is(ofFirst.discoveredLabels.__meta_swim_state, 'alive')
  assert.is(ofFirst.discoveredLabels.__meta_swim_meta_role, 'db')
  assert.is(ofFirst.discoveredLabels.__meta_swim_meta_rack_id, 'r1', 'rack-id sanitised to a label name')
  assert.is(ofFirst.discoveredLabels.__address__, `127.0.0.1:${apiPort}`)
  assert.is(ofFirst.labels.swim_id, first.id)
  // Prometheus scrapes the target it discovered: swimd's own /metrics
  await waitFor('a successful scrape', async () => (await targets()).some((t) => t.health === 'up'), 30_000, 500)

  // a member leaves: it is no longer a target
  const leaver = daemons[2]
  leaver.proc.child.kill('SIGTERM')
  await leaver.proc.exited
  await waitFor('Prometheus to drop the departed member', async () => {
    const found = (await targets()).map((t) => t.discoveredLabels.__meta_swim_id)
    return found.length === 2 && !found.includes(leaver.id)
  }, 60_000, 500)
})

test.run()
