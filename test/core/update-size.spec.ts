/**
 * The core's estimate against the wire's exact size (src/wire/size.ts), for the simulator
 * without the wire, whose byte budgets rely on the estimate. The estimate counts strings in
 * UTF-16 units, so it is checked on ASCII text; a non-ASCII key or value can make it a few
 * bytes short (the libp2p service passes exact sizes, so only that simulator mode sees it).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Update } from '../../src/core/messages.ts'
import { estimateUpdateSize } from '../../src/core/update-size.ts'
import { updateSize } from '../../src/wire/size.ts'

const id = '12D3KooWGzBexMNsnmTNwu4zKMyjPzQ2Ri3Ny5NvEjHjEgCXP8JC'
const samples: Array<[string, Update]> = [
  ['a bare record', { type: 'record', record: { id, incarnation: 0, addrs: [], meta: {}, leaving: false } }],
  ['a record with addresses, metadata and a signature', {
    type: 'record',
    record: {
      id,
      incarnation: 2 ** 40,
      addrs: ['/ip4/10.0.0.1/tcp/4001', '/ip6/::1/udp/4001/quic-v1', '/dns4/node-1.example.com/tcp/443/wss'],
      meta: { zone: 'eu-west-1a', role: 'db' },
      leaving: true,
      signature: new Uint8Array(64)
    }
  }],
  ['a suspicion', { type: 'suspect', id, incarnation: 7, from: id }],
  ['a death', { type: 'dead', id, incarnation: 2 ** 31, from: id }]
]

for (const [name, update] of samples) {
  test(`estimateUpdateSize is never short of the encoded size, and close to it: ${name}`, () => {
    const estimate = estimateUpdateSize(update)
    const exact = updateSize(update)
    assert.ok(estimate >= exact, `estimate ${estimate} < exact ${exact}`)
    assert.ok(estimate <= exact * 1.5 + 16, `estimate ${estimate} far above exact ${exact}`)
  })
}

test.run()
