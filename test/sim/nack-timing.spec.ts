import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { probeOneDeadNode } from './scenarios.ts'

/**
 * Lifeguard's nack tells a prober that its own links work: a relay whose target stays silent
 * says so before the prober's probe ends. A nack that comes after the deadline counts for
 * nothing, and a healthy prober is charged as if none of its relays had answered. The
 * scenario (one of 50 crashed, 60 s) is the one bench/defects.ts prints figures for.
 */
for (const profile of ['lan', 'wan'] as const) {
  test(`${profile}: relays nack within the prober's window, so probing a dead node penalises no healthy prober`, () => {
    const r = probeOneDeadNode(profile)
    assert.ok(r.indirect > 0, 'the dead node was probed indirectly')
    // Every relay is healthy and each of its nacks arrives in time: about one nack per ping-req.
    assert.ok(r.nacks >= 0.9 * r.indirect, `${r.nacks} nacks counted for ${r.indirect} indirect probes`)
    assert.is(r.penalised, 0, `${r.penalised} healthy probers had their health score raised (max ${r.maxScore})`)
  })
}

test.run()
