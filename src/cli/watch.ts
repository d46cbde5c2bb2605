/**
 * `membership-events watch`: prints membership events as they happen, one line each, until
 * interrupted. Survives swimd restarts and network blips: it reconnects with backoff and resumes
 * from the last seq it printed, so no event is lost or printed twice (within what swimd retains).
 */
import { networkReason } from './api-client.ts'
import { formatEventLine, formatTime, useColour } from './format.ts'
import { ExecRunner } from './exec-handler.ts'
import { matchesMeta } from './meta-filter.ts'
import { followEvents } from './sse-client.ts'
import type { BackoffOptions } from './sse-client.ts'
import type { MembershipEventType } from '../core/types.ts'
import type { CliOutput } from './main.ts'

export interface WatchOptions {
  api: string
  json: boolean
  /** Only these event types; all when undefined. */
  types?: MembershipEventType[]
  /** Resume after this seq (0: everything swimd still retains). */
  since?: number
  /** Only events about members whose metadata has all these pairs. */
  meta?: Record<string, string>
  /** A shell command run once per event (see exec-handler.ts). */
  exec?: string
  env: Record<string, string | undefined>
  stdout: CliOutput
  stderr: CliOutput
  signal?: AbortSignal
  backoff?: BackoffOptions
}

/** Runs until `signal` aborts (0) or swimd refuses the stream (throws a CliError). */
export async function watch (options: WatchOptions): Promise<number> {
  const { stdout, stderr } = options
  const colour = useColour(stdout, options.env)
  // print "cannot reach" once per outage, not once per attempt
  let reported = false
  const runner = options.exec == null ? undefined : new ExecRunner({ command: options.exec, env: options.env, stderr })
  await followEvents({
    url: `${options.api}/v1/events`,
    since: options.since,
    signal: options.signal,
    backoff: options.backoff,
    onConnect: () => { reported = false },
    onDisconnect: (err) => {
      if (reported || !isUnreachable(err)) return
      reported = true
      stderr.write(`Cannot reach swimd at ${options.api}: ${networkReason(err)} (retrying)\n`)
    },
    onEvent: (event) => {
      if (options.types != null && !options.types.includes(event.type)) return
      if (options.meta != null && !matchesMeta(event.member, options.meta)) return
      runner?.enqueue(event)
      stdout.write(options.json
        ? `${JSON.stringify({ seq: event.seq, type: event.type, at: event.at, member: event.member })}\n`
        : `${formatEventLine(event, colour)}\n`)
    },
    onReset: (reset) => {
      runner?.reset(reset.seq)
      stderr.write(`Missed events before seq ${reset.seq + 1} (swimd no longer has them, or restarted); ${reset.members.length} members known at ${formatTime(Date.now())}, continuing\n`)
    }
  })
  if (runner != null) {
    const pending = runner.pending
    await runner.current()
    if (pending > 0) stderr.write(`Stopped with ${pending} events not handled\n`)
  }
  return 0
}

function isUnreachable (err: unknown): boolean {
  return err instanceof TypeError && (err as { cause?: unknown }).cause != null
}
