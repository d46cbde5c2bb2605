/**
 * `membership-events forget ID`: make the cluster forget a failed or departed member now
 * instead of after reapTime (`POST /v1/forget`; Serf's `force-leave -prune`). swimd refuses a
 * member it holds alive or suspect.
 */
import { requestJson } from './api-client.ts'
import type { CliOutput } from './main.ts'

export interface ForgetOptions {
  api: string
  token?: string
  id: string
  stdout: CliOutput
}

export async function forget (options: ForgetOptions): Promise<number> {
  await requestJson(options.api, '/v1/forget', { method: 'POST', token: options.token, body: { id: options.id } })
  options.stdout.write(`forgot ${options.id}; the cluster forgets it as the news spreads\n`)
  return 0
}
