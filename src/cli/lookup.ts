/** `membership-events lookup KEY [--n 3]`: the members owning a key on swimd's hash ring. */
import { requestJson } from './api-client.ts'
import { formatMembersTable, useColour } from './format.ts'
import type { Member } from '../core/types.ts'
import type { CliOutput } from './main.ts'

export interface LookupOptions {
  api: string
  key: string
  n: number
  json: boolean
  env: Record<string, string | undefined>
  stdout: CliOutput
}

export async function lookup (options: LookupOptions): Promise<number> {
  const query = `?key=${encodeURIComponent(options.key)}&n=${options.n}`
  const body = await requestJson(options.api, `/v1/lookup${query}`) as { key: string, members: Member[] }
  if (options.json) {
    options.stdout.write(`${JSON.stringify({ key: body.key, members: body.members })}\n`)
  } else {
    // owner first: the ring's order, not sorted
    options.stdout.write(formatMembersTable(body.members, useColour(options.stdout, options.env)))
  }
  return 0
}
