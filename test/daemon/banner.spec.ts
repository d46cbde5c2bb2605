import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseStartupLine, startupLine } from '../../src/daemon/banner.ts'

test('startupLine names the PeerId, the addresses and the API URL on one line', () => {
  assert.is(startupLine({ peerId: '12D3KooWX', addrs: ['/ip4/10.0.0.1/tcp/7946', '/ip4/10.0.0.2/tcp/7946'], api: { host: '127.0.0.1', port: 7947 } }),
    'swimd 12D3KooWX listening on /ip4/10.0.0.1/tcp/7946 /ip4/10.0.0.2/tcp/7946, API http://127.0.0.1:7947')
})

test('startupLine brackets an IPv6 API host', () => {
  assert.match(startupLine({ peerId: 'p', addrs: [], api: { host: '::1', port: 1 } }), 'API http://[::1]:1')
})

test('parseStartupLine reads back what startupLine wrote, from a stdout with other lines', () => {
  const info = { peerId: '12D3KooWX', addrs: ['/ip4/10.0.0.1/tcp/7946', '/ip4/10.0.0.2/tcp/7946'], api: { host: '::1', port: 7947 }, tls: true }
  assert.equal(parseStartupLine(`warming up\n${startupLine(info)}\nlater\n`), { peerId: '12D3KooWX', addrs: info.addrs, api: 'https://[::1]:7947' })
  assert.equal(parseStartupLine(startupLine({ ...info, addrs: [] }))?.addrs, [])
})

test('parseStartupLine gives undefined before the line is complete', () => {
  assert.is(parseStartupLine(''), undefined)
  assert.is(parseStartupLine('swimd 12D3KooWX listening on /ip4/10.0.0.1/tcp/7946'), undefined)
})

test.run()
