import '../../src/polyfill.ts'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FAST, aliveCount, baseOptions, rejects, track, createCluster, createNode, idOf, memberOf, recordEvents, stateOf, stop, stopAll, waitFor } from './helpers.ts'
import type { SwimNode } from './helpers.ts'
import { createLibp2p } from 'libp2p'
import { swim } from '../../src/index.ts'
import type { Member, MembershipEvent } from '../../src/index.ts'
import type { SwimStats as DaemonSwimStats } from '../../src/daemon/metrics.ts'

const test = suite('swim service')

test.after.each(async () => { await stopAll() })

test('ten nodes joining through one seed all see ten alive members', async () => {
  const nodes = await createCluster(10)
  await waitFor('every node to see 10 alive members', () => nodes.every((n) => aliveCount(n) === 10))
  for (const n of nodes) {
    const self = n.services.swim.localMember()
    assert.is(self.id, idOf(n))
    assert.is(self.state, 'alive')
    assert.ok(self.addrs.length > 0, 'the local member announces its addresses')
    assert.ok(self.addrs.every((a) => !a.includes('/p2p/')), 'addresses carry no /p2p suffix')
    const ids = new Set(n.services.swim.members().map((m) => m.id))
    assert.is(ids.size, 10)
    for (const other of nodes) assert.ok(ids.has(idOf(other)))
  }
})

test('the factory plugs into createLibp2p with typed services', async () => {
  const node = track(await createLibp2p({ ...baseOptions(), services: { swim: swim({ ...FAST, metadata: { role: 'api' } }) } }))
  const self: Member = node.services.swim.localMember()
  assert.is(self.id, node.peerId.toString())
  assert.equal(self.meta, { role: 'api' })
  assert.equal(node.services.swim.members(), [self])
  assert.is(Object.prototype.toString.call(node.services.swim), '[object libp2p-swim]')
})

test('join resolves to how many seeds answered, and a seed without /p2p is dialed to learn its id', async () => {
  const [a, b] = await Promise.all([createNode(), createNode()])
  const c = await createNode()
  const withId = a.getMultiaddrs()[0].toString()
  const withoutId = b.getMultiaddrs()[0].toString().replace(/\/p2p\/.*$/, '')
  const answered = await c.services.swim.join([withId, withoutId, '/ip4/127.0.0.1/tcp/1', 'not a multiaddr'])
  assert.is(answered, 2)
  await waitFor('three nodes to see each other', () => [a, b, c].every((n) => aliveCount(n) === 3))
})

test('a node stopped without leaving is suspected, then declared failed, by every survivor', async () => {
  const nodes = await createCluster(6)
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 6))
  const [victim, ...survivors] = [nodes[3], ...nodes.filter((_, i) => i !== 3)]
  const victimId = idOf(victim)
  const logs = new Map<SwimNode, MembershipEvent[]>(survivors.map((n) => [n, recordEvents(n)]))
  await stop(victim)
  await waitFor('every survivor to declare the victim dead', () => survivors.every((n) => stateOf(n, victimId) === 'dead'), 20_000)
  for (const [node, log] of logs) {
    const about = log.filter((e) => e.member.id === victimId).map((e) => e.type)
    const suspect = about.indexOf('suspect')
    const fail = about.indexOf('fail')
    assert.ok(suspect >= 0, `${idOf(node)} emitted member:suspect (saw ${about.join(',')})`)
    assert.ok(fail > suspect, `${idOf(node)} emitted member:fail after member:suspect (saw ${about.join(',')})`)
    assert.not.ok(about.includes('leave'))
  }
  // nobody else was declared dead
  for (const n of survivors) assert.is(aliveCount(n), 5)
  // the closed connections were hints: survivors probed at once and found the port closed
  assert.ok(survivors.some((n) => n.services.swim.stats().unreachable > 0), 'a refused dial was reported as unreachable')
})

test('a graceful leave reaches every member as member:leave', async () => {
  const nodes = await createCluster(6)
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 6))
  const leaver = nodes[2]
  const leaverId = idOf(leaver)
  const others = nodes.filter((n) => n !== leaver)
  const logs = others.map((n) => recordEvents(n))
  const started = Date.now()
  await leaver.services.swim.leave()
  assert.is(leaver.services.swim.localMember().state, 'left')
  await waitFor('every member to see the leave', () => others.every((n) => stateOf(n, leaverId) === 'left'), 10_000)
  const elapsed = Date.now() - started
  assert.ok(elapsed < 5000, `leave took ${elapsed} ms`)
  for (const log of logs) {
    const about = log.filter((e) => e.member.id === leaverId).map((e) => e.type)
    assert.equal(about, ['leave'])
  }
  await stop(leaver)
  // a departed member is not suspected or failed afterwards
  await new Promise((resolve) => setTimeout(resolve, 1000))
  for (const n of others) assert.is(stateOf(n, leaverId), 'left')
})

test('setMetadata reaches every member as member:update with the new metadata', async () => {
  const nodes = await createCluster(5, { swim: { metadata: { role: 'api' } } })
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 5))
  for (const n of nodes) assert.equal(memberOf(n, idOf(nodes[1]))?.meta, { role: 'api' })
  const changer = nodes[1]
  const others = nodes.filter((n) => n !== changer)
  const logs = others.map((n) => recordEvents(n))
  await changer.services.swim.setMetadata({ role: 'db', zone: 'b' })
  assert.equal(changer.services.swim.localMember().meta, { role: 'db', zone: 'b' })
  await waitFor('every member to see the update', () => logs.every((log) => log.some((e) => e.type === 'update' && e.member.id === idOf(changer))))
  for (const log of logs) {
    const update = log.find((e) => e.type === 'update' && e.member.id === idOf(changer))
    assert.equal(update?.member.meta, { role: 'db', zone: 'b' })
  }
  for (const n of others) assert.equal(memberOf(n, idOf(changer))?.meta, { role: 'db', zone: 'b' })
})

test('invalid metadata and timing knobs are refused with a message', async () => {
  const node = await createNode()
  await rejects(node.services.swim.setMetadata({ role: 'x'.repeat(10_000) }), /metadata/i)
  assert.equal(node.services.swim.localMember().meta, {})
  await rejects(createNode({ swim: { probeInterval: 100, probeTimeout: 500 } }), /probeTimeout/)
})

test('stats count messages and bytes by type', async () => {
  const nodes = await createCluster(3)
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 3))
  await waitFor('an ack to arrive', () => (nodes[0].services.swim.stats().messagesIn.ack ?? 0) > 0)
  // the daemon's metrics read this shape
  const s: DaemonSwimStats = nodes[0].services.swim.stats()
  assert.ok((s.messagesOut.ping ?? 0) > 0)
  assert.ok((s.bytesOut.ping ?? 0) > (s.messagesOut.ping ?? 0))
  assert.ok((s.messagesIn.sync ?? 0) > 0, 'the seed answered join syncs')
  assert.ok(s.probesSent > 0)
  assert.equal(s.membersByState, { alive: 3, suspect: 0, dead: 0, left: 0 })
  assert.is(s.decodeErrors, 0)
  assert.is(s.awarenessScore, 0)
})

test('stop and start again rejoins with a higher incarnation', async () => {
  const nodes = await createCluster(3)
  await waitFor('the cluster to converge', () => nodes.every((n) => aliveCount(n) === 3))
  const node = nodes[2]
  const before = node.services.swim.localMember().incarnation
  await node.stop()
  await node.start()
  assert.ok(node.services.swim.localMember().incarnation > before)
  await waitFor('the restarted node to be alive everywhere', () => nodes.every((n) => aliveCount(n) === 3))
})

test.run()
