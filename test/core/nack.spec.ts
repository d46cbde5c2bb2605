import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveConfig } from '../../src/core/config.ts'
import type { Effect } from '../../src/core/effects.ts'
import { SwimMachine } from '../../src/core/machine.ts'
import type { MemberRecord, Message } from '../../src/core/messages.ts'
import { seededRandom } from '../../src/core/random.ts'

const config = resolveConfig('lan')
const record = (id: string): MemberRecord => ({ id, incarnation: 0, addrs: [`/mem/${id}`], meta: {}, leaving: false })

function relay (): SwimMachine {
  const m = new SwimMachine({ id: 'relay', addrs: ['/mem/relay'], config, random: seededRandom(1), now: 0 })
  for (const id of ['origin', 'target']) m.receive(id, { type: 'gossip', updates: [{ type: 'record', record: record(id) }] }, 0)
  return m
}

/** Runs the relay until it nacks `origin`, returning when; undefined if it never does within `limit`. */
function nackTime (m: SwimMachine, from: number, limit: number): number | undefined {
  for (let t = from; t <= from + limit; t += 1) {
    const out: Effect[] = m.tick(t)
    if (out.some((e) => e.type === 'send' && e.to === 'origin' && e.message.type === 'nack')) return t - from
  }
  return undefined
}

const pingReq = (timeout?: number): Message => ({ type: 'ping-req', seq: 7, target: 'target', targetAddrs: [], updates: [], ...(timeout === undefined ? {} : { timeout }) })

test('a relay nacks at 80% of the window the origin says it still waits', () => {
  const m = relay()
  m.receive('origin', pingReq(500), 1000)
  assert.is(nackTime(m, 1000, 5000), 400)
})

test('a ping-req from an older sender (no timeout) is nacked within our own indirect window', () => {
  const m = relay()
  m.receive('origin', pingReq(), 1000)
  const at = nackTime(m, 1000, 5000)
  assert.ok(at !== undefined && at < config.probeInterval - config.probeTimeout, `nack after ${at} ms`)
})

test('a ping-req naming a huge timeout cannot make the relay hold its state longer than an honest origin could', () => {
  const m = relay()
  m.receive('origin', pingReq(2 ** 32 - 1), 0)
  const at = nackTime(m, 0, 20_000)
  assert.ok(at !== undefined && at <= 0.8 * config.probeInterval * config.awarenessMaxMultiplier, `nack after ${at} ms`)
})

test('the origin tells its relays how long its probe still runs', () => {
  const m = new SwimMachine({ id: 'origin', addrs: ['/mem/origin'], config, random: seededRandom(1), now: 0 })
  for (const id of ['a', 'b', 'c', 'd']) m.receive(id, { type: 'gossip', updates: [{ type: 'record', record: record(id) }] }, 0)
  const reqs: Message[] = []
  for (let t = 0; t < 3000 && reqs.length === 0; t += 10) {
    for (const e of m.tick(t)) if (e.type === 'send' && e.message.type === 'ping-req') reqs.push(e.message)
  }
  assert.ok(reqs.length > 0, 'a silent target was probed indirectly')
  for (const req of reqs) {
    assert.ok(req.type === 'ping-req' && req.timeout !== undefined && req.timeout > 0 && req.timeout <= config.probeInterval - config.probeTimeout, `timeout ${req.type === 'ping-req' ? req.timeout : ''}`)
  }
})

test.run()
