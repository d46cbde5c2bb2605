/** Reads an SSE endpoint with node:http, collecting parsed events for assertions. */
import { request } from 'node:http'
import { SseParser } from '../../src/cli/sse-parser.ts'
import { waitFor } from './wait.ts'
import type { SseEvent } from '../../src/cli/sse-parser.ts'
import type { IncomingMessage } from 'node:http'

export interface OpenStream {
  status: number
  headers: IncomingMessage['headers']
  events: SseEvent[]
  parser: SseParser
  raw: string
  ended: boolean
  /** Waits until at least `count` events arrived. */
  waitForEvents: (count: number) => Promise<SseEvent[]>
  close: () => void
}

export async function openStream (url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const parser = new SseParser()
      const stream: OpenStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        parser,
        raw: '',
        ended: false,
        waitForEvents: async (count) => {
          await waitFor(`${count} SSE events (got ${stream.events.length})`, () => stream.events.length >= count)
          return stream.events
        },
        close: () => { req.destroy() }
      }
      res.setEncoding('utf8')
      res.on('data', (text: string) => {
        stream.raw += text
        stream.events.push(...parser.push(text))
      })
      res.on('end', () => { stream.ended = true })
      res.on('close', () => { stream.ended = true })
      res.on('error', () => {})
      resolve(stream)
    })
    req.on('error', reject)
    req.end()
  })
}
