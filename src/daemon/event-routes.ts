/**
 * `GET /v1/events[?since=SEQ]`: the event log as Server-Sent Events (frames in
 * event-frames.ts), resumed after `Last-Event-ID` or `since`, one subscription per stream, at
 * most `maxStreams` streams at once.
 */
import { HttpError } from './http-io.ts'
import { eventFrame, resetFrame } from './event-frames.ts'
import { SseWriter } from './sse.ts'
import type { EventLog } from './event-log.ts'
import type { Routes } from './http-route.ts'
import type { SseMessage } from './sse.ts'
import type { Swim } from '../libp2p/types.ts'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface EventRouteOptions {
  swim: Pick<Swim, 'members'>
  eventLog: EventLog
  /** The open streams, shared with the server, which ends them on close. */
  streams: Set<SseWriter>
  maxStreams: number
  heartbeatMs?: number
}

export function eventRoutes (options: EventRouteOptions): Routes {
  const { swim, eventLog, streams } = options
  async function streamEvents (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (streams.size >= options.maxStreams) {
      throw new HttpError(503, `Too many event streams (${options.maxStreams}, swimd's --api-max-streams): try again later`, { 'retry-after': '5' })
    }
    const resume = resumePoint(req, url)
    const after = resume ?? eventLog.latestSeq
    const subscription = eventLog.subscribe(after, { snapshot: () => swim.members() })
    const writer = new SseWriter(res, { heartbeatMs: options.heartbeatMs })
    streams.add(writer)
    void writer.done.then(() => { subscription.close() })
    try {
      // a client that asked for new events only learns where "now" is, so that a reconnect
      // before the first event still resumes without a gap
      if (resume == null && !await writer.send({ id: after })) return
      for (let delivery = await subscription.next(); delivery != null; delivery = await subscription.next()) {
        const frames: SseMessage[] = delivery.kind === 'reset'
          ? [resetFrame(delivery)]
          : delivery.events.map(eventFrame)
        for (const frame of frames) {
          if (!await writer.send(frame)) return
        }
      }
    } finally {
      subscription.close()
      writer.close()
      streams.delete(writer)
    }
  }

  return {
    '/v1/events': {
      GET: async (req, res, url) => { await streamEvents(req, res, url) }
    }
  }
}

/** `Last-Event-ID` (sent by reconnecting clients) wins over `?since=`. */
function resumePoint (req: IncomingMessage, url: URL): number | undefined {
  const header = req.headers['last-event-id']
  const fromHeader = Array.isArray(header) ? header[0] : header
  if (fromHeader != null && fromHeader.trim() !== '') return parseSeq(fromHeader.trim(), 'Last-Event-ID')
  const since = url.searchParams.get('since')
  if (since != null) return parseSeq(since, 'since')
  return undefined
}

function parseSeq (value: string, name: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new HttpError(400, `Invalid ${name} "${value}": expected an event sequence number (a whole number, 0 for everything retained)`)
  }
  return Number(value)
}
