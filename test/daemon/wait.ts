/** Bounded polling for tests: no fixed sleeps where a condition can be checked. */

export async function waitUntil (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await condition()) return
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A writable-like sink that keeps what was written. */
export class Collector {
  text = ''
  isTTY: boolean | undefined

  constructor (isTTY?: boolean) {
    this.isTTY = isTTY
  }

  write (chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk)
    return true
  }

  get lines (): string[] {
    return this.text.split('\n').filter((line) => line !== '')
  }
}
