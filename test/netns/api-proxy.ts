/**
 * Runs inside the hub namespace of a netns test network and forwards HTTP requests received on
 * a Unix socket (which every namespace can reach: it lives on the file system) to a swimd API
 * on the private bridge. `GET /10.213.0.3:7947/v1/members` → `GET http://10.213.0.3:7947/v1/members`.
 * Only addresses of the test subnet are forwarded. Exits when its stdin closes (its parent,
 * the test run, is gone).
 *
 * Usage: node --import tsx test/netns/api-proxy.ts <socket path>
 */
import { createServer, request } from 'node:http'

const socketPath = process.argv[2]
if (socketPath == null) {
  process.stderr.write('usage: api-proxy <socket path>\n')
  process.exit(2)
}

const TARGET = /^\/(10\.213\.0\.\d{1,3}):(\d{1,5})(\/.*)$/

const server = createServer((req, res) => {
  const match = TARGET.exec(req.url ?? '')
  if (match == null) {
    res.writeHead(400, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: `not a test-subnet target: ${req.url ?? ''}` }))
    return
  }
  const [, host, port, path] = match
  const upstream = request({ host, port: Number(port), path, method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers)
    answer.pipe(res)
  })
  upstream.setTimeout(5000, () => { upstream.destroy(new Error('upstream timeout')) })
  upstream.on('error', (err) => {
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.writeHead(502, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: err.message }))
  })
  // the caller went away (an SSE stream it stopped reading): drop the upstream request too
  res.on('close', () => { if (!res.writableFinished) upstream.destroy() })
  req.pipe(upstream)
})

server.listen(socketPath, () => { process.stdout.write('api-proxy ready\n') })

process.stdin.resume()
process.stdin.on('end', () => { process.exit(0) })
process.stdin.on('error', () => { process.exit(0) })
