/**
 * `lookup()`, `quorum()` and `quorum:change` on real libp2p nodes: the service's own
 * membership events feed the same ring and quorum tracker the simulator tests exercise.
 */
import '../../src/polyfill.ts'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FAST, createCluster, idOf, stop, stopAll, waitFor } from './helpers.ts'
import type { QuorumStatus } from '../../src/index.ts'

const test = suite('service: lookup and quorum')

test.after(async () => { await stopAll() })

test('every node gives the same owners; quorum:change says forming → quorum; a stopped node makes a minority of the last one', async () => {
  const nodes = await createCluster(3, { swim: { ...FAST, stableAfter: 600 } })
  const changes: QuorumStatus[][] = nodes.map(() => [])
  nodes.forEach((node, i) => node.services.swim.addEventListener('quorum:change', (evt) => { changes[i].push(evt.detail) }))
  await waitFor('a stable view of three everywhere', () => nodes.every((node) => {
    const q = node.services.swim.quorum()
    return q.expected === 3 && q.alive === 3
  }), 20_000)
  for (const [i, node] of nodes.entries()) {
    const q = node.services.swim.quorum()
    assert.equal({ ...q, since: 0 }, { state: 'quorum', alive: 3, expected: 3, since: 0 })
    assert.ok(Math.abs(q.since - Date.now()) < 60_000, 'since is a wall-clock time')
    assert.ok(changes[i].some((c) => c.state === 'quorum'), 'quorum:change carried the quorum state')
  }
  for (const key of ['a', 'b', 'c', 'user:42', new Uint8Array([1, 2, 3])]) {
    const answers = nodes.map((node) => node.services.swim.lookup(key, 2).map((m) => m.id))
    assert.is(answers[0].length, 2)
    assert.equal(answers[1], answers[0])
    assert.equal(answers[2], answers[0])
  }
  const copy = nodes[0].services.swim.lookup('a')[0]
  copy.meta.tampered = 'yes'
  assert.is(nodes[0].services.swim.lookup('a')[0].meta.tampered, undefined, 'lookup hands out copies')
  assert.throws(() => nodes[0].services.swim.lookup('a', 0), /Invalid n 0/)

  // two of three stop without leaving: the last one is a minority, and says so
  const last = nodes[2].services.swim
  changes[2].length = 0
  await stop(nodes[0])
  await stop(nodes[1])
  await waitFor('the survivor to become a minority', () => last.quorum().state === 'minority', 20_000)
  assert.equal({ ...last.quorum(), since: 0 }, { state: 'minority', alive: 1, expected: 3, since: 0 })
  assert.ok(changes[2].some((c) => c.state === 'minority'), 'quorum:change carried the minority state')
  // suspects still own keys (a suspicion is often refuted); once failed they own none
  await waitFor('the failed members to leave the ring', () => last.lookup('anything', 3).length === 1, 20_000)
  assert.equal(last.lookup('anything', 3).map((m) => m.id), [idOf(nodes[2])])
  assert.ok(last.members().filter((m) => m.state === 'dead').length === 2)
})

test.run()
