/**
 * One fully populated message of each type, shared by the round-trip and golden tests.
 * The golden fixtures in test/fixtures/wire are these messages' encodings: changing a sample
 * here means the fixtures no longer match, on purpose.
 */

import type { MemberRecord, Message, MessageType } from '../../src/core/messages.ts'

export const signedRecord: MemberRecord = {
  id: '12D3KooWGzBvd3bUBQtvBk2QR1bMnd2ApwxJfSUjC9oXzL8Sx3Wf',
  incarnation: 2 ** 40,
  addrs: ['/ip4/10.0.0.1/tcp/4001', '/ip6/::1/tcp/4001', '/dns4/node-a.example.com/tcp/443/wss'],
  meta: { zone: 'eu-west-1', role: 'storage', ключ: 'значение ✓', emoji: '🛰️' },
  leaving: false,
  signature: Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)
}

export const leavingRecord: MemberRecord = {
  id: 'node-b',
  incarnation: 9,
  addrs: [],
  meta: {},
  leaving: true
}

export const samples: Record<MessageType, Message> = {
  ping: {
    type: 'ping',
    seq: 1,
    target: 'node-b',
    updates: [
      { type: 'record', record: signedRecord },
      { type: 'suspect', id: 'node-c', incarnation: 3, from: 'node-a' },
      { type: 'dead', id: 'node-d', incarnation: 0, from: 'node-e' }
    ]
  },
  ack: {
    type: 'ack',
    seq: Number.MAX_SAFE_INTEGER,
    updates: [{ type: 'record', record: leavingRecord }]
  },
  'ping-req': {
    type: 'ping-req',
    seq: 300,
    target: 'node-c',
    targetAddrs: ['/ip4/10.0.0.3/tcp/4001', '/ip4/192.168.1.3/udp/4001/quic-v1'],
    updates: [{ type: 'dead', id: 'node-f', incarnation: 2 ** 40, from: 'node-a' }]
  },
  nack: {
    type: 'nack',
    seq: 0,
    updates: []
  },
  gossip: {
    type: 'gossip',
    updates: [
      { type: 'suspect', id: 'node-g', incarnation: 127, from: 'node-h' },
      { type: 'suspect', id: 'node-g', incarnation: 128, from: 'ノード' },
      { type: 'record', record: { id: 'node-i', incarnation: 1, addrs: ['/ip4/10.0.0.9/tcp/1'], meta: { version: '1.2.3' }, leaving: false } }
    ]
  },
  sync: {
    type: 'sync',
    join: true,
    response: false,
    entries: [
      { record: signedRecord, state: 'alive', incarnation: 2 ** 40 },
      { record: leavingRecord, state: 'left', incarnation: 9 },
      { record: { id: 'node-c', incarnation: 2, addrs: ['/ip4/10.0.0.3/tcp/4001'], meta: { v: '' }, leaving: false }, state: 'suspect', incarnation: 3 },
      { record: { id: 'node-d', incarnation: 0, addrs: [], meta: {}, leaving: false }, state: 'dead', incarnation: 0 }
    ]
  }
}

/**
 * Messages with the fields added after the format was first fixed; each has its own fixture
 * (`<name>.hex`) beside the originals, which stay as they were.
 */
export const laterSamples: Record<string, Message> = {
  'ping-req-timeout': {
    type: 'ping-req',
    seq: 300,
    target: 'node-c',
    targetAddrs: ['/ip4/10.0.0.3/tcp/4001'],
    updates: [],
    timeout: 480
  }
}
