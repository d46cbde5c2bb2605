/** A TCP relay on loopback that a test can cut (every connection reset) and restore. */
import { connect, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { freePort } from '../helpers/ports.ts'

export { freePort }

export interface Relay {
  port: number
  cut: () => Promise<void>
  restore: () => Promise<void>
  close: () => Promise<void>
}

export async function startRelay (targetPort: number): Promise<Relay> {
  const port = await freePort()
  const sockets = new Set<Socket>()
  let server: Server | undefined
  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1')
      for (const socket of [client, upstream]) {
        sockets.add(socket)
        socket.on('close', () => { sockets.delete(socket) })
        socket.on('error', () => { client.destroy(); upstream.destroy() })
      }
      client.pipe(upstream)
      upstream.pipe(client)
    })
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => { resolve() })
    })
    server = s
  }
  const cut = async (): Promise<void> => {
    const s = server
    server = undefined
    const closed = s == null ? Promise.resolve() : new Promise<void>((resolve) => { s.close(() => { resolve() }) })
    for (const socket of sockets) socket.resetAndDestroy()
    await closed
  }
  await listen()
  return { port, cut, restore: listen, close: cut }
}
