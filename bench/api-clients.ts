/**
 * Memory of swimd's API under many slow clients of a large member list: N members with
 * metadata, C clients that each ask for GET /v1/members and never read the answer (the
 * "idle clients" finding). The answer is serialised once per change and shared, so memory
 * grows by the socket buffers, not by C copies of the list.
 *
 *   node --import tsx bench/api-clients.ts [--members 5000] [--clients 200]
 */
import { connect } from 'node:net'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { EventLog } from '../src/daemon/event-log.ts'
import { createApi } from '../src/daemon/http-api.ts'
import { createMetrics } from '../src/daemon/metrics.ts'
import { recordMembershipEvents } from '../src/daemon/record-events.ts'
import { FakeSwim } from '../test/daemon/fake-swim.ts'
import type { Socket } from 'node:net'

const { values } = parseArgs({ options: { members: { type: 'string', default: '5000' }, clients: { type: 'string', default: '200' } } })
const MEMBERS = Number(values.members)
const CLIENTS = Number(values.clients)

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

const swim = new FakeSwim()
const eventLog = new EventLog({ capacity: 64 })
recordMembershipEvents(swim, eventLog)
for (let i = 0; i < MEMBERS; i++) swim.emit('join', `12D3KooWMember${String(i).padStart(8, '0')}`, { meta: { blob: 'x'.repeat(400), zone: `z${i % 7}` } })
const { registry } = createMetrics({ eventSubscribers: () => eventLog.subscriberCount, processMetrics: false })
const api = createApi({ swim, eventLog, registry, onLeave: () => {}, isReady: () => true, logger: pino({ level: 'silent' }), limits: { maxConnections: CLIENTS + 10 } })
const { port } = await api.listen('127.0.0.1', 0)

globalThis.gc?.()
const before = process.memoryUsage()
const sockets: Socket[] = []
await Promise.all(Array.from({ length: CLIENTS }, async () => await new Promise<void>((resolve) => {
  const socket = connect(port, '127.0.0.1', () => {
    socket.write('GET /v1/members HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    socket.pause() // never read: the answer stays in the server's buffers
    resolve()
  })
  sockets.push(socket)
})))
await new Promise((resolve) => setTimeout(resolve, 2000))
globalThis.gc?.()
const after = process.memoryUsage()
const body = Buffer.byteLength(JSON.stringify({ members: swim.members() }))
console.log(`members ${MEMBERS}, answer ${mib(body)}, ${CLIENTS} idle clients`)
console.log(`rss ${mib(before.rss)} -> ${mib(after.rss)} (+${mib(after.rss - before.rss)}); heap+external ${mib(before.heapUsed + before.external)} -> ${mib(after.heapUsed + after.external)}`)
console.log(`per-client copies would hold ${mib(body * CLIENTS)}`)
for (const socket of sockets) socket.destroy()
await api.close()
