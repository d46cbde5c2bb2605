/** `membership-events leave`: asks swimd to leave the cluster gracefully and exit. */
import { requestJson } from './api-client.ts'
import type { CliOutput } from './main.ts'

export interface LeaveOptions {
  api: string
  /** Bearer token for swimd's `--api-token`, if it has one. */
  token?: string
  stdout: CliOutput
}

export async function leave (options: LeaveOptions): Promise<number> {
  // a 401 comes back with the hint of where the token is looked for (api-client.ts)
  await requestJson(options.api, '/v1/leave', { method: 'POST', token: options.token })
  options.stdout.write(`swimd at ${options.api} is leaving the cluster\n`)
  return 0
}
