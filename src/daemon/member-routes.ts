/**
 * `GET /v1/self`, `GET /v1/members[?state=…]` and `POST /v1/forget`: the view of the cluster,
 * and the one change an operator makes to it.
 */
import { HttpError, readJsonBody, sendJson } from './http-io.ts'
import { MEMBER_STATES } from '../core/types.ts'
import type { AnswerCache } from './answer-cache.ts'
import type { Routes } from './http-route.ts'
import type { MemberState } from '../core/types.ts'
import type { Swim } from '../libp2p/types.ts'

export type MemberSwim = Pick<Swim, 'members' | 'localMember'> & Partial<Pick<Swim, 'forget'>>

export function memberRoutes (swim: MemberSwim, answers: AnswerCache, maxBodyBytes: number): Routes {
  return {
    '/v1/self': {
      GET: (_req, res) => { sendJson(res, 200, swim.localMember()) }
    },
    '/v1/members': {
      GET: (_req, res, url) => {
        const states = parseStates(url.searchParams.get('state'))
        const { body } = answers.get(`members?${states?.join(',') ?? ''}`, () => ({
          members: swim.members().filter((member) => states == null || states.includes(member.state))
        }))
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': body.length,
          'cache-control': 'no-store'
        })
        res.end(body)
      }
    },
    '/v1/forget': {
      POST: async (req, res) => {
        if (swim.forget == null) throw new HttpError(404, 'Unknown path "/v1/forget": this server cannot forget members')
        const id = (await readJsonBody(req, maxBodyBytes) as { id?: unknown } | null)?.id
        if (typeof id !== 'string' || id === '' || id.length > 128) throw new HttpError(400, 'Invalid forget request: expected { "id": "<PeerId of a failed or departed member>" }')
        const member = swim.members().find((m) => m.id === id)
        if (member == null) throw new HttpError(404, `No member ${id}: see GET /v1/members`)
        if (member.state === 'alive' || member.state === 'suspect') {
          throw new HttpError(409, `Cannot forget ${id}: it is ${member.state}; only failed or departed members can be removed (a live one would come back at once)`)
        }
        try {
          swim.forget(id)
        } catch (err) {
          if (err instanceof RangeError) throw new HttpError(409, err.message)
          throw err
        }
        sendJson(res, 200, { forgotten: id })
      }
    }
  }
}

function parseStates (value: string | null): MemberState[] | undefined {
  if (value == null || value === '') return undefined
  const states = value.split(',').map((state) => state.trim())
  for (const state of states) {
    if (!(MEMBER_STATES as readonly string[]).includes(state)) {
      throw new HttpError(400, `Invalid state "${state}": expected one of ${MEMBER_STATES.join(', ')}`)
    }
  }
  return states as MemberState[]
}
