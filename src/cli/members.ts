/** `membership-events members`: the members swimd knows, as a table or JSON. */
import { requestJson } from './api-client.ts'
import { formatMembersTable, formatQuorum, useColour } from './format.ts'
import { matchesMeta } from './meta-filter.ts'
import type { QuorumStatus } from '../consumers/quorum.ts'
import type { Member, MemberState } from '../core/types.ts'
import type { CliOutput } from './main.ts'

export interface MembersOptions {
  api: string
  json: boolean
  /** Only members in these states; all when undefined. */
  states?: MemberState[]
  /** Only members whose metadata has all these pairs. */
  meta?: Record<string, string>
  env: Record<string, string | undefined>
  stdout: CliOutput
}

export async function members (options: MembersOptions): Promise<number> {
  const query = options.states == null ? '' : `?state=${encodeURIComponent(options.states.join(','))}`
  const [body, quorum] = await Promise.all([
    requestJson(options.api, `/v1/members${query}`) as Promise<{ members: Member[] }>,
    requestJson(options.api, '/v1/quorum') as Promise<QuorumStatus>
  ])
  const filter = options.meta
  const listed = filter == null ? body.members : body.members.filter((member) => matchesMeta(member, filter))
  if (options.json) {
    options.stdout.write(`${JSON.stringify({ members: listed, quorum })}\n`)
  } else {
    const colour = useColour(options.stdout, options.env)
    const sorted = [...listed].sort((a, b) => a.id.localeCompare(b.id))
    options.stdout.write(`${formatQuorum(quorum, colour)}\n${formatMembersTable(sorted, colour)}`)
  }
  return 0
}
