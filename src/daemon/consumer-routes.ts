/**
 * The API endpoints for what consumers build on membership:
 *
 * | endpoint | answer |
 * |---|---|
 * | `GET /v1/lookup?key=K[&n=3]` | `{ "key": K, "members": Member[] }`: the n live owners of K on the hash ring, owner first (n from 1 to MAX_LOOKUP_N, larger values capped) |
 * | `GET /v1/quorum` | `{ state, alive, expected, since }` |
 * | `GET /v1/ring` | `{ "members": [{ "id", "share" }] }`: each live member's share of the keys on the ring |
 * | `GET /v1/sd/prometheus?port=P[&state=alive]` | Prometheus HTTP service discovery: one target group per member, `host:P` from its first address, labels `__meta_swim_id`, `__meta_swim_state`, `__meta_swim_meta_<key>` |
 *
 * `/readyz?quorum=1` (503 unless in quorum) is answered by the readiness route with
 * `quorumProblem` below.
 */
import type { Handler } from './http-route.ts'
import { HttpError, sendJson } from './http-io.ts'
import { MEMBER_STATES } from '../core/types.ts'
import type { MemberState, Member } from '../core/types.ts'
import type { Swim } from '../libp2p/types.ts'

/** The most owners one lookup returns: a replica set, not a member list (that is /v1/members). */
export const MAX_LOOKUP_N = 16
/** Longest key accepted, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 4096

export function consumerRoutes (swim: Pick<Swim, 'members' | 'lookup' | 'quorum' | 'shares'>): Record<string, { GET: Handler }> {
  return {
    '/v1/lookup': {
      GET: (_req, res, url) => {
        const key = url.searchParams.get('key')
        if (key == null) throw new HttpError(400, 'Missing key: ask for /v1/lookup?key=K (and &n=3 for three owners)')
        if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new HttpError(400, `Invalid key: longer than ${MAX_KEY_BYTES} bytes`)
        const n = parseN(url.searchParams.get('n'))
        sendJson(res, 200, { key, members: swim.lookup(key, n) })
      }
    },
    '/v1/quorum': {
      GET: (_req, res) => { sendJson(res, 200, swim.quorum()) }
    },
    '/v1/ring': {
      GET: (_req, res) => {
        const members = Object.entries(swim.shares()).map(([id, share]) => ({ id, share }))
        sendJson(res, 200, { members })
      }
    },
    '/v1/sd/prometheus': {
      GET: (_req, res, url) => {
        const port = parsePort(url.searchParams.get('port'))
        const states = parseStates(url.searchParams.get('state'))
        const members = swim.members().filter((member) => states.includes(member.state))
        sendJson(res, 200, prometheusTargets(members, port))
      }
    }
  }
}

/** Why `/readyz?quorum=1` fails, or undefined when this node's side holds a quorum. */
export function quorumProblem (swim: Pick<Swim, 'quorum'>): string | undefined {
  const { state, alive, expected } = swim.quorum()
  if (state === 'quorum') return undefined
  if (state === 'forming') return 'Not ready: no quorum yet, the membership view has not been stable long enough (see /v1/quorum)'
  return `Not ready: this side of the cluster is a minority (${alive} alive of ${expected} expected; see /v1/quorum)`
}

export interface TargetGroup {
  targets: string[]
  labels: Record<string, string>
}

/** Prometheus HTTP SD target groups; members without an IP or DNS address are left out. */
export function prometheusTargets (members: readonly Member[], port: number): TargetGroup[] {
  const groups: TargetGroup[] = []
  for (const member of members) {
    const host = hostOf(member.addrs[0])
    if (host == null) continue
    const labels: Record<string, string> = { __meta_swim_id: member.id, __meta_swim_state: member.state }
    for (const key of Object.keys(member.meta).sort()) {
      const name = `__meta_swim_meta_${labelName(key)}`
      // two keys that sanitise alike: the first in sorted order wins, the same on every call
      if (!(name in labels)) labels[name] = member.meta[key]
    }
    groups.push({ targets: [`${host}:${port}`], labels })
  }
  return groups
}

/** A metadata key as a Prometheus label name suffix: anything outside [a-zA-Z0-9_] becomes `_`. */
export function labelName (key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_')
}

/** The host of a multiaddr's first part: `/ip4/H/…`, `/ip6/H/…` (bracketed), `/dns*\/H/…`. */
function hostOf (addr: string | undefined): string | undefined {
  if (addr == null) return undefined
  const match = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)/.exec(addr)
  if (match == null) return undefined
  const [, proto, host] = match
  if (proto === 'ip4') return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? host : undefined
  if (proto === 'ip6') return /^[0-9a-fA-F:.]+$/.test(host) ? `[${host}]` : undefined
  return /^[a-zA-Z0-9.-]+$/.test(host) ? host : undefined
}

function parseN (value: string | null): number {
  if (value == null || value === '') return 1
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new HttpError(400, `Invalid n "${value.slice(0, 40)}": expected a whole number of owners from 1 (at most ${MAX_LOOKUP_N} are returned)`)
  }
  return Math.min(Number(value), MAX_LOOKUP_N)
}

function parsePort (value: string | null): number {
  if (value == null) throw new HttpError(400, 'Missing port: ask for /v1/sd/prometheus?port=P, the port Prometheus should scrape on each member')
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN
  if (!(port >= 1 && port <= 65535)) throw new HttpError(400, `Invalid port "${value.slice(0, 40)}": expected a port number from 1 to 65535`)
  return port
}

/** `state=alive,suspect`; by default only alive members are targets. */
function parseStates (value: string | null): MemberState[] {
  if (value == null || value === '') return ['alive']
  const states = value.split(',').map((state) => state.trim())
  for (const state of states) {
    if (!(MEMBER_STATES as readonly string[]).includes(state)) {
      throw new HttpError(400, `Invalid state "${state.slice(0, 40)}": expected one of ${MEMBER_STATES.join(', ')}`)
    }
  }
  return states as MemberState[]
}
