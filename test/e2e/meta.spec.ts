/**
 * End to end: metadata like Serf's tags. `membership-events meta set/delete` change this
 * member's metadata through PATCH /v1/meta, every member sees it, and a restart with the same
 * data directory keeps it. `membership-events join` joins at run time. `--name` duplicates warn.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { apiWrite, cliFor, killAll, run, startDaemon, tempDir, waitFor } from './processes.ts'
import type { Daemon } from './processes.ts'

interface ApiMember { id: string, state: string, meta: Record<string, string> }

async function membersOf (daemon: Daemon): Promise<ApiMember[]> {
  return ((await (await fetch(`${daemon.api}/v1/members`)).json()) as { members: ApiMember[] }).members
}

const tags = suite('metadata tags')

tags.after(async () => { await killAll() })

tags('meta set and delete merge, reach the other members, and survive a restart', async () => {
  const dirs = [await tempDir(), await tempDir()]
  const a = await startDaemon(dirs[0], ['--meta', 'role=api'])
  let b = await startDaemon(dirs[1])
  // joined at run time, not by --seed
  const joined = await cliFor(b, 'join', a.addrs[0])
  assert.is(joined.code, 0, joined.stderr)
  assert.match(joined.stdout, /joined through 1 of 1 seed/)

  const set = await cliFor(a, 'meta', 'set', 'zone=eu-1', 'tier=gold')
  assert.is(set.code, 0, set.stderr)
  const expected = { role: 'api', tier: 'gold', zone: 'eu-1' }
  const sorted = (meta?: Record<string, string>): string => JSON.stringify(Object.fromEntries(Object.entries(meta ?? {}).sort()))
  await waitFor('the new metadata on the other member', async () => sorted((await membersOf(b)).find((m) => m.id === a.id)?.meta) === JSON.stringify(expected))

  const del = await cliFor(a, 'meta', 'delete', 'tier')
  assert.is(del.code, 0, del.stderr)
  await waitFor('the deletion on the other member', async () => (await membersOf(b)).find((m) => m.id === a.id)?.meta.tier === undefined)

  // b keeps what it was given at run time too
  assert.is((await cliFor(b, 'meta', 'set', 'disk=ssd')).code, 0)
  b.proc.child.kill('SIGTERM')
  await b.proc.exited
  b = await startDaemon(dirs[1], ['--seed', a.addrs[0]])
  const self = (await (await fetch(`${b.api}/v1/self`)).json()) as ApiMember
  assert.equal(self.meta, { disk: 'ssd' })
  await waitFor('the restarted member\'s saved metadata on the other member', async () => (await membersOf(a)).find((m) => m.id === b.id && m.state === 'alive')?.meta.disk === 'ssd')
})

tags('a bad patch is refused with 400 and changes nothing', async () => {
  const a = await startDaemon(await tempDir(), ['--meta', 'role=api'])
  const res = await apiWrite(a, 'PATCH', '/v1/meta', { zone: 5 })
  assert.is(res.status, 400)
  assert.match(((await res.json()) as { error: string }).error, /"zone" must be a string, or null/)
  assert.equal(((await (await fetch(`${a.api}/v1/self`)).json()) as ApiMember).meta, { role: 'api' })
})

tags('join through an address where nothing listens: the CLI says why and exits 1', async () => {
  const a = await startDaemon(await tempDir())
  const result = await cliFor(a, 'join', '/ip4/127.0.0.1/tcp/1')
  assert.is(result.code, 1)
  assert.match(result.stderr, /\/ip4\/127\.0\.0\.1\/tcp\/1: connection refused/)
})

tags('two live members with one --name: a warning naming both', async () => {
  const a = await startDaemon(await tempDir(), ['--name', 'web-1', '--log-level', 'warn'])
  const b = await startDaemon(await tempDir(), ['--name', 'web-1', '--seed', a.addrs[0]])
  await waitFor('the duplicate name warning', () => a.proc.stderr().includes('two live members share the name \\"web-1\\"') && a.proc.stderr().includes(b.id), 20_000).catch((err: unknown) => { throw new Error(`${(err as Error).message}: ${a.proc.stderr()}`) })
  const members = await run('cli', ['members', '--api', a.api])
  assert.match(members.stdout, /name=web-1/)
})

tags.run()
