/**
 * `watch --exec CMD`: runs CMD (through the shell, as Serf runs its event handlers) once per
 * event, one at a time, in event order. The event is on the handler's stdin as one JSON line,
 * `{ "seq", "type", "at", "member" }`, and in its environment:
 *
 * - `SWIM_EVENT` the type, `SWIM_SEQ` the sequence number,
 * - `SWIM_MEMBER_ID`, `SWIM_MEMBER_ADDRS` (space-separated),
 * - `SWIM_META_<KEY>` per metadata key, upper-cased, anything outside [A-Z0-9_] as `_`.
 *
 * Events that arrive while a handler runs wait in order; a handler that fails or is slow is
 * reported on stderr (exit code, duration) and the next event runs after it, so none is lost or
 * reordered. An event whose seq is not above the last one queued is never run (a resumed
 * stream cannot make a handler run twice for one seq). Handler output goes to our stderr, so
 * that stdout stays one line per event.
 *
 * Metadata comes from other members: keys become environment names only through the
 * sanitisation above (under the SWIM_META_ prefix, so nothing like PATH can be set), values
 * lose NUL characters (which the environment cannot carry); nothing is passed through a shell
 * string, only the environment and stdin.
 */
import { spawn } from 'node:child_process'
import type { StreamedEvent } from '../daemon/event-frames.ts'
import type { CliOutput } from './main.ts'

export interface ExecOptions {
  command: string
  /** The environment handlers start from (SWIM_META_* inherited from it are dropped). */
  env: Record<string, string | undefined>
  stderr: CliOutput
  /** A handler running longer than this is reported (it is not killed). @default 10000 */
  slowMs?: number
}

/** `SWIM_META_<KEY>` for a metadata key. */
export function metaEnvName (key: string): string {
  return `SWIM_META_${key.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`
}

/** The environment of the handler for `event`. */
export function handlerEnv (event: StreamedEvent, base: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !name.startsWith('SWIM_META_')) env[name] = value
  }
  const clean = (value: string): string => value.replaceAll('\0', '')
  env.SWIM_EVENT = event.type
  env.SWIM_SEQ = String(event.seq)
  env.SWIM_MEMBER_ID = clean(event.member.id)
  env.SWIM_MEMBER_ADDRS = clean(event.member.addrs.join(' '))
  for (const key of Object.keys(event.member.meta).sort()) {
    const name = metaEnvName(key)
    // two keys that sanitise alike: the first in sorted order wins
    if (!(name in env)) env[name] = clean(event.member.meta[key])
  }
  return env
}

export class ExecRunner {
  private readonly options: ExecOptions
  private readonly queue: StreamedEvent[] = []
  private lastQueued = -Infinity
  private running?: Promise<void>
  private idle: Array<() => void> = []
  /** Handlers run, and how many of them failed. */
  readonly stats = { ran: 0, failed: 0 }

  constructor (options: ExecOptions) {
    this.options = options
  }

  /** Events waiting for a handler (not counting the one running). */
  get pending (): number {
    return this.queue.length
  }

  /** Queues an event; one at or below the last queued seq is ignored. */
  enqueue (event: StreamedEvent): void {
    if (!(event.seq > this.lastQueued)) return
    this.lastQueued = event.seq
    this.queue.push(event)
    this.running ??= this.drain()
  }

  /** After a reset, numbering continues from `seq` (it may be lower, after a daemon restart). */
  reset (seq: number): void {
    this.lastQueued = seq
  }

  /** Resolves once every queued event has been handled. */
  async whenIdle (): Promise<void> {
    if (this.running == null) return
    await new Promise<void>((resolve) => { this.idle.push(resolve) })
  }

  /** Resolves once the handler running now (if any) has ended. */
  async current (): Promise<void> {
    await this.running
  }

  private async drain (): Promise<void> {
    for (let event = this.queue.shift(); event != null; event = this.queue.shift()) {
      await this.run(event)
    }
    this.running = undefined
    const waiting = this.idle
    this.idle = []
    for (const resolve of waiting) resolve()
  }

  private async run (event: StreamedEvent): Promise<void> {
    const { stderr } = this.options
    const started = Date.now()
    const slowMs = this.options.slowMs ?? 10_000
    const label = `handler for ${event.type} seq ${event.seq}`
    const slow = setTimeout(() => {
      stderr.write(`${label} still running after ${slowMs} ms; ${this.queue.length} events waiting\n`)
    }, slowMs)
    const result = await new Promise<{ code: number | null, signal: NodeJS.Signals | null, error?: Error }>((resolve) => {
      let child
      try {
        child = spawn(this.options.command, { shell: true, env: handlerEnv(event, this.options.env), stdio: ['pipe', 'pipe', 'pipe'] })
      } catch (err) {
        resolve({ code: null, signal: null, error: err as Error })
        return
      }
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stderr.write(chunk) })
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr.write(chunk) })
      // a handler that does not read its stdin must not fail us (EPIPE)
      child.stdin.on('error', () => {})
      child.stdin.end(`${JSON.stringify({ seq: event.seq, type: event.type, at: event.at, member: event.member })}\n`)
      child.on('error', (error) => { resolve({ code: null, signal: null, error }) })
      child.on('close', (code, signal) => { resolve({ code, signal }) })
    })
    clearTimeout(slow)
    this.stats.ran++
    const ms = Date.now() - started
    if (result.error != null) {
      this.stats.failed++
      stderr.write(`${label} could not start: ${result.error.message}\n`)
    } else if (result.code !== 0) {
      this.stats.failed++
      const how = result.signal != null ? `was killed by ${result.signal}` : `exited with code ${result.code ?? '?'}`
      stderr.write(`${label} ${how} after ${ms} ms\n`)
    } else if (ms >= slowMs) {
      stderr.write(`${label} took ${ms} ms (exit code 0)\n`)
    }
  }
}
