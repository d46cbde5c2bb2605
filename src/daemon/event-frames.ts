/**
 * The frames of `GET /v1/events`: one definition of their JSON for the server that writes
 * them (`http-api.ts`, from the event log) and the client that reads them
 * (`src/cli/sse-client.ts`).
 *
 * - an event frame: `id: <seq>`, `event: <type>`, `data: StreamedEvent`
 * - a reset frame: `id: <seq>`, `event: reset`, `data: StreamReset`
 */
import type { Member, MembershipEvent } from '../core/types.ts'
import type { SseMessage } from './sse.ts'

/** A membership event with its place in the daemon's event log. */
export interface StreamedEvent extends MembershipEvent {
  seq: number
}

/** Continue after `seq`; `members` is the view at that point (the events before it are gone). */
export interface StreamReset {
  seq: number
  members: Member[]
}

/** The SSE event name of a reset frame; event frames are named after their type. */
export const RESET_EVENT = 'reset'

export function eventFrame (event: StreamedEvent): SseMessage {
  const { seq, type, at, member, reason } = event
  const data: StreamedEvent = reason === undefined ? { seq, type, at, member } : { seq, type, at, member, reason }
  return { id: seq, event: type, data: JSON.stringify(data) }
}

export function resetFrame (reset: StreamReset): SseMessage {
  const data: StreamReset = { seq: reset.seq, members: reset.members }
  return { id: reset.seq, event: RESET_EVENT, data: JSON.stringify(data) }
}
