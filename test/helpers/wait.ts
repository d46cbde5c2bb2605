/**
 * Bounded polling for tests and benches: no fixed sleeps where a condition can be checked.
 * One helper, one argument order: what is awaited (for the error), then the check.
 */

/**
 * Polls `check` until it returns a value other than undefined/false, and returns that value;
 * throws naming `what` after `timeout` ms (with the check's last error, if it threw).
 */
export async function waitFor<T> (what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeout = 30_000, interval = 50): Promise<T> {
  const deadline = Date.now() + timeout
  let lastError: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeout} ms waiting for ${what}${lastError != null ? ` (last error: ${(lastError as Error).message})` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}
