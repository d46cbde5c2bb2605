/** Ports for tests that must name one before anything listens (a daemon's flags, a relay). */
import { createServer } from 'node:net'

/** A TCP port on loopback that was free a moment ago (bound to port 0, then released). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address != null ? address.port : 0) })
    })
  })
}
