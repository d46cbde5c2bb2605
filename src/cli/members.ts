/** `membership-events members`: the members swimd knows, as a table or JSON. */
import { requestJson } from './api-client.ts'
import { formatMembersTable, useColour } from './format.ts'
import type { Member, MemberState } from '../core/types.ts'
import type { CliOutput } from './main.ts'

export interface MembersOptions {
  api: string
  json: boolean
  /** Only members in these states; all when undefined. */
  states?: MemberState[]
  /** Bearer token; swimd asks for it on reads when its API listens beyond loopback. */
  token?: string
  env: Record<string, string | undefined>
  stdout: CliOutput
}

export async function members (options: MembersOptions): Promise<number> {
  const query = options.states == null ? '' : `?state=${encodeURIComponent(options.states.join(','))}`
  const body = await requestJson(options.api, `/v1/members${query}`, { token: options.token }) as { members: Member[] }
  if (options.json) {
    options.stdout.write(`${JSON.stringify({ members: body.members })}\n`)
  } else {
    const sorted = [...body.members].sort((a, b) => a.id.localeCompare(b.id))
    options.stdout.write(formatMembersTable(sorted, useColour(options.stdout, options.env)))
  }
  return 0
}
