/** `--meta k=v` (repeatable): members whose metadata has every pair given (Serf's `-tag`). */
import { CliError } from './api-client.ts'
import type { Member } from '../core/types.ts'

/** Parses `k=v` flags into pairs; a flag without `=` or with an empty key is a usage error. */
export function parseMetaFilter (values: unknown): Record<string, string> | undefined {
  if (values == null) return undefined
  const list = Array.isArray(values) ? values as string[] : [String(values)]
  const pairs: Record<string, string> = {}
  for (const item of list) {
    const at = item.indexOf('=')
    if (at <= 0) throw new CliError(`Invalid --meta "${item}": expected KEY=VALUE, e.g. --meta role=api`, 2)
    pairs[item.slice(0, at)] = item.slice(at + 1)
  }
  return pairs
}

export function matchesMeta (member: Pick<Member, 'meta'>, filter: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(filter)) {
    if (!Object.prototype.hasOwnProperty.call(member.meta, key) || member.meta[key] !== value) return false
  }
  return true
}
