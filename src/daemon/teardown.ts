/**
 * What the daemon has started, stopped in the reverse order it was started: the one teardown
 * path, whether the daemon stops on request or because a later start-up step failed. A step
 * that fails is reported and the rest still run; running again stops nothing twice.
 */
export class Teardown {
  private readonly steps: Array<{ what: string, stop: () => unknown }> = []
  private readonly onError: (what: string, err: unknown) => void

  constructor (onError: (what: string, err: unknown) => void) {
    this.onError = onError
  }

  /** Registers how to stop what was just started; `what` names it in the error report. */
  add (what: string, stop: () => unknown): void {
    this.steps.push({ what, stop })
  }

  async run (): Promise<void> {
    for (let step = this.steps.pop(); step != null; step = this.steps.pop()) {
      try {
        await step.stop()
      } catch (err) {
        this.onError(step.what, err)
      }
    }
  }
}
