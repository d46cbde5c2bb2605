/**
 * End to end: `membership-events forget ID` removes a failed member from every daemon's view
 * at once (instead of after reapTime), and is refused for a live member.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { cliFor, killAll, startDaemon, tempDir, waitFor } from './processes.ts'
import type { Daemon } from './processes.ts'

interface ApiMember { id: string, state: string }

async function membersOf (daemon: Daemon): Promise<ApiMember[]> {
  return ((await (await fetch(`${daemon.api}/v1/members`)).json()) as { members: ApiMember[] }).members
}

const forget = suite('forced removal')

forget.after(async () => { await killAll() })

forget('a failed member is forgotten cluster-wide; a live one is refused', async () => {
  const a = await startDaemon(await tempDir())
  const b = await startDaemon(await tempDir(), ['--seed', a.addrs[0]])
  const c = await startDaemon(await tempDir(), ['--seed', a.addrs[0]])
  for (const d of [a, b]) await waitFor('3 alive', async () => (await membersOf(d)).filter((m) => m.state === 'alive').length === 3)

  const refused = await cliFor(a, 'forget', b.id)
  assert.is(refused.code, 1)
  assert.match(refused.stderr, /409: Cannot forget .*: it is alive; only failed or departed members can be removed/)
  assert.ok((await membersOf(b)).some((m) => m.id === b.id))

  c.proc.child.kill('SIGKILL')
  await c.proc.exited
  for (const d of [a, b]) await waitFor('the killed member dead', async () => (await membersOf(d)).find((m) => m.id === c.id)?.state === 'dead', 30_000)
  const done = await cliFor(a, 'forget', c.id)
  assert.is(done.code, 0, done.stderr)
  for (const d of [a, b]) await waitFor('the member forgotten', async () => !(await membersOf(d)).some((m) => m.id === c.id), 10_000)
  assert.equal((await membersOf(b)).map((m) => m.state), ['alive', 'alive'])

  const unknown = await cliFor(a, 'forget', c.id)
  assert.is(unknown.code, 1)
  assert.match(unknown.stderr, /404: No member/)
})

forget.run()
