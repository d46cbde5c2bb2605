/**
 * Timeouts that let an answer already waiting win.
 *
 * `AbortSignal.timeout(ms)` aborts from a timer. When the event loop runs late (many nodes on
 * one thread, a long garbage collection, a loaded host), the timer and the answer are both due
 * by the time the loop comes round, and timers run before the loop reads sockets: a refused
 * dial or an ack that arrived in time is then thrown away as a timeout. A refusal is evidence
 * that the member's process is gone; lost this way, the suspicion it would have confirmed
 * waits out the Lifeguard timeouts instead (seen with 300 nodes in one process: a crash took
 * 14-27 s to be dead everywhere while a hundred fallback probes "timed out" on refusals).
 *
 * `patientTimeout(ms)` aborts one turn of the loop later (setImmediate runs after the poll
 * phase), so whatever had arrived when the timer fired is read first, as the driver's tick
 * does for datagram acks.
 */

/** An AbortSignal that aborts with a TimeoutError `ms` after now, once waiting I/O is read. */
export function patientTimeout (ms: number): AbortSignal {
  const controller = new AbortController()
  const timer = setTimeout(() => {
    setImmediate(() => {
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))
    })
  }, ms)
  timer.unref?.()
  return controller.signal
}
