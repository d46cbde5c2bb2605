import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { main } from '../../src/cli/main.ts'
import { startApi } from '../daemon/api-harness.ts'
import { Collector } from '../daemon/wait.ts'
import type { Harness } from '../daemon/api-harness.ts'

let h: Harness

test.before(async () => {
  h = await startApi()
  h.swim.emit('join', 'peer-a', { addrs: ['/ip4/10.0.0.1/tcp/7946'], meta: { role: 'api' } })
  h.swim.emit('join', 'peer-bb', { addrs: ['/ip4/10.0.0.2/tcp/7946', '/ip4/10.0.0.3/tcp/7946'] })
  h.swim.emit('suspect', 'peer-bb')
})

test.after(async () => { await h.close() })

test('members --json prints { "members": [...], "quorum": {...} } exactly as swimd reports them', async () => {
  const stdout = new Collector()
  const code = await main(['members', '--json', '--api', h.base], {}, stdout, new Collector())
  assert.is(code, 0)
  assert.is(stdout.lines.length, 1)
  assert.equal(JSON.parse(stdout.text), { members: h.swim.members(), quorum: h.swim.quorum() })
})

test('members prints the quorum state on its first line, then the table', async () => {
  h.swim.quorumStatus = { state: 'minority', alive: 2, expected: 5, since: Date.UTC(2024, 4, 1, 12) }
  const stdout = new Collector(false)
  await main(['members', '--api', h.base], {}, stdout, new Collector())
  assert.is(stdout.lines[0], 'quorum: minority (2 alive of 5 expected) since 2024-05-01T12:00:00.000Z')
  assert.ok(stdout.lines[1].startsWith('ID'))
  h.swim.quorumStatus = { state: 'forming', alive: 1, expected: 0, since: 1_700_000_000_000 }
})

test('members --meta k=v keeps members with every pair given; a malformed pair is a usage error', async () => {
  const stdout = new Collector()
  await main(['members', '--json', '--meta', 'role=api', '--api', h.base], {}, stdout, new Collector())
  assert.equal(JSON.parse(stdout.text).members.map((m: { id: string }) => m.id), ['peer-a'])
  const none = new Collector()
  await main(['members', '--json', '--meta', 'role=api', '--meta', 'zone=b', '--api', h.base], {}, none, new Collector())
  assert.equal(JSON.parse(none.text).members, [])
  const stderr = new Collector()
  assert.is(await main(['members', '--meta', 'role', '--api', h.base], {}, new Collector(), stderr), 2)
  assert.match(stderr.text, 'Invalid --meta "role": expected KEY=VALUE')
})

test('members --state filters on the server side', async () => {
  const stdout = new Collector()
  await main(['members', '--json', '--state', 'suspect', '--api', h.base], {}, stdout, new Collector())
  assert.equal(JSON.parse(stdout.text).members.map((m: { id: string }) => m.id), ['peer-bb'])
})

test('members prints an aligned table for people, sorted by id, without colour off a TTY', async () => {
  const stdout = new Collector(false)
  await main(['members', '--api', h.base], {}, stdout, new Collector())
  const [quorumLine, header, ...rows] = stdout.lines
  assert.ok(quorumLine.startsWith('quorum: forming'))
  assert.ok(header.startsWith('ID'))
  assert.is(rows.length, 3)
  assert.ok(rows[0].startsWith('12D3KooWSelf'), 'sorted by id')
  const stateColumn = header.indexOf('STATE')
  const addrColumn = header.indexOf('ADDRESSES')
  for (const row of rows) {
    assert.ok(/^(alive|suspect)/.test(row.slice(stateColumn)), `STATE column aligned in ${JSON.stringify(row)}`)
    assert.ok(row.slice(addrColumn).startsWith('/ip4/'), `ADDRESSES column aligned in ${JSON.stringify(row)}`)
  }
  assert.match(rows.find((row) => row.startsWith('peer-bb')) ?? '', '/ip4/10.0.0.2/tcp/7946,/ip4/10.0.0.3/tcp/7946')
  assert.match(rows.find((row) => row.startsWith('peer-a ')) ?? '', 'role=api')
  assert.not.match(stdout.text, '\u001b[')
})

test('members colours states on a TTY unless NO_COLOR is set', async () => {
  const tty = new Collector(true)
  await main(['members', '--api', h.base], {}, tty, new Collector())
  assert.match(tty.text, '\u001b[')
  const noColour = new Collector(true)
  await main(['members', '--api', h.base], { NO_COLOR: '1' }, noColour, new Collector())
  assert.not.match(noColour.text, '\u001b[')
})

test.run()
