export { waitFor } from '../helpers/wait.ts'

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
