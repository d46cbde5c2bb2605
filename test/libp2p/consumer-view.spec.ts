/**
 * The service's consumer view: quorum:change is said whether the view's turning stable is
 * noticed by the tracker's timer or by a `quorum()` call that comes first.
 */
import { TypedEventEmitter } from 'main-event'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { QuorumStatus } from '../../src/consumers/quorum.ts'
import type { Member, MembershipEvent } from '../../src/core/types.ts'
import { ConsumerView } from '../../src/libp2p/consumer-view.ts'
import type { SwimEvents } from '../../src/libp2p/types.ts'

const member = (id: string): Member => ({ id, addrs: [], state: 'alive', incarnation: 0, meta: {}, since: 0, generation: 0 })

test('a quorum() call that finds the view stable before the timer does says quorum:change', () => {
  let now = 1000
  const events = new TypedEventEmitter<SwimEvents>()
  const changes: QuorumStatus[] = []
  const members = [member('a'), member('b'), member('c')]
  const view = new ConsumerView(events, { self: 'a', stableAfter: 600, members: () => members, onQuorumChange: (s) => { changes.push(s) }, now: () => now })
  view.start()
  for (const id of ['b', 'c']) {
    const detail = { type: 'join', member: member(id) } as unknown as MembershipEvent
    events.safeDispatchEvent('member:join', { detail })
  }
  // The event loop is late: nothing ran the tracker's timer when we ask, after stableAfter.
  now += 700
  assert.is(view.quorum().state, 'quorum')
  assert.ok(changes.some((c) => c.state === 'quorum'), `quorum:change said ${JSON.stringify(changes.map((c) => c.state))}`)
  view.stop()
})

test.run()
