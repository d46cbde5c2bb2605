/**
 * `membership-events meta set K=V…` and `meta delete K…`: change this member's metadata at run
 * time through `PATCH /v1/meta` (swimd keeps it across restarts), like `serf tags -set/-delete`.
 */
import { CliError, requestJson } from './api-client.ts'
import { formatMeta } from './format.ts'
import type { CliOutput } from './main.ts'
import type { Member } from '../core/types.ts'

export interface MetaOptions {
  api: string
  token?: string
  /** Keys to set (strings) and to delete (null). */
  patch: Record<string, string | null>
  stdout: CliOutput
}

/** `K=V` arguments as a patch; a key given twice is a usage error. */
export function parseMetaArgs (action: 'set' | 'delete', args: string[]): Record<string, string | null> {
  if (args.length === 0) throw new CliError(action === 'set' ? 'Missing K=V: e.g. membership-events meta set role=api' : 'Missing key: e.g. membership-events meta delete role', 2)
  const patch: Record<string, string | null> = {}
  for (const arg of args) {
    let key = arg
    let value: string | null = null
    if (action === 'set') {
      const at = arg.indexOf('=')
      if (at <= 0) throw new CliError(`Invalid "${arg}": expected K=V, e.g. role=api`, 2)
      key = arg.slice(0, at)
      value = arg.slice(at + 1)
    } else if (arg === '' || arg.includes('=')) {
      throw new CliError(`Invalid key "${arg}": give the key alone, e.g. meta delete role`, 2)
    }
    if (key in patch) throw new CliError(`Key "${key}" is given twice`, 2)
    patch[key] = value
  }
  return patch
}

export async function meta (options: MetaOptions): Promise<number> {
  const member = await requestJson(options.api, '/v1/meta', { method: 'PATCH', token: options.token, body: options.patch }) as Member
  options.stdout.write(`${formatMeta(member.meta)}\n`)
  return 0
}
