/** `membership-events leave`: asks swimd to leave the cluster gracefully and exit. */
import { CliError, requestJson } from './api-client.ts'
import type { CliOutput } from './main.ts'

export interface LeaveOptions {
  api: string
  /** Bearer token for swimd's `--api-token`, if it has one. */
  token?: string
  stdout: CliOutput
}

export async function leave (options: LeaveOptions): Promise<number> {
  try {
    await requestJson(options.api, '/v1/leave', { method: 'POST', token: options.token })
  } catch (err) {
    if (err instanceof CliError && err.status === 401) {
      throw new CliError(`${err.message} (give the token with SWIM_API_TOKEN or --token-file)`)
    }
    throw err
  }
  options.stdout.write(`swimd at ${options.api} is leaving the cluster\n`)
  return 0
}
