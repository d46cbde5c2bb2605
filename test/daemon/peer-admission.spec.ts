import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { secretModeProblem } from '../../src/daemon/file-modes.ts'
import { createPeerAdmission } from '../../src/daemon/peer-admission.ts'
import type { MultiaddrConnection } from '@libp2p/interface'

const A = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const B = '12D3KooWSoLzampfxc4t3sy9z7yq1Cgzbi7zGXpV7nvt5hfeKUhR'
const conn = (addr: string): MultiaddrConnection => ({ remoteAddr: multiaddr(addr) }) as unknown as MultiaddrConnection

test('no allow flags: everyone is admitted and no gater is installed', () => {
  const admission = createPeerAdmission({ peers: [], cidrs: [] })
  assert.ok(admission.admitsPeer(B))
  assert.ok(admission.admitsAddress('203.0.113.9'))
  assert.is(admission.gater, undefined)
  assert.is(admission.allowList, undefined)
})

test('--allow-cidr: addresses inside the networks only, IPv4-mapped IPv6 included; dials and inbound connections gated', async () => {
  const admission = createPeerAdmission({ peers: [], cidrs: ['10.0.0.0/8', 'fd00::/8'] })
  assert.ok(admission.admitsAddress('10.1.2.3'))
  assert.ok(admission.admitsAddress('::ffff:10.1.2.3'), 'a dual-stack socket reports IPv4 sources this way')
  assert.ok(admission.admitsAddress('fd12::1'))
  assert.not.ok(admission.admitsAddress('127.0.0.1'))
  assert.not.ok(admission.admitsAddress('::ffff:192.0.2.1'))
  assert.not.ok(admission.admitsAddress('not an ip'))
  const gater = admission.gater
  assert.ok(gater != null)
  assert.is(await gater.denyInboundConnection?.(conn('/ip4/192.0.2.1/tcp/4001')), true)
  assert.is(await gater.denyInboundConnection?.(conn('/ip4/10.9.9.9/tcp/4001')), false)
  assert.is(await gater.denyDialMultiaddr?.(multiaddr('/dns4/example.com/tcp/7946')), true, 'no IP to check: refused')
  assert.is(await gater.denyDialMultiaddr?.(multiaddr('/ip6/fd00::7/tcp/7946')), false)
})

test('--allow-peer: the PeerIds become the service allow-list and a gater on authenticated connections', async () => {
  const admission = createPeerAdmission({ peers: [A], cidrs: ['127.0.0.0/8'] })
  assert.equal(admission.allowList, [A])
  assert.ok(admission.admitsPeer(A))
  assert.not.ok(admission.admitsPeer(B))
  const gater = admission.gater
  assert.is(await gater?.denyInboundEncryptedConnection?.(peerIdFromString(B), conn('/ip4/127.0.0.1/tcp/1')), true)
  assert.is(await gater?.denyInboundEncryptedConnection?.(peerIdFromString(A), conn('/ip4/127.0.0.1/tcp/1')), false)
  assert.is(await gater?.denyInboundConnection?.(conn('/ip4/10.0.0.1/tcp/1')), true, 'both lists apply')
})

test('secret modes: private to the owner, or group-readable when someone else (root, a Secret mount) owns it; never others', () => {
  const me = 1000
  assert.is(secretModeProblem('/k', { uid: me, mode: 0o100600 }, me), undefined)
  assert.is(secretModeProblem('/k', { uid: me, mode: 0o100400 }, me), undefined)
  assert.match(secretModeProblem('/k', { uid: me, mode: 0o100640 }, me) ?? '', 'chmod 600 /k')
  assert.is(secretModeProblem('/k', { uid: 0, mode: 0o100440 }, me), undefined, 'a Kubernetes Secret: root, group fsGroup')
  assert.match(secretModeProblem('/k', { uid: 0, mode: 0o100444 }, me) ?? '', 'chmod o-rwx /k')
  assert.match(secretModeProblem("/a b/it's", { uid: me, mode: 0o100644 }, me) ?? '', "chmod 600 '/a b/it'\\''s'")
})

test.run()
