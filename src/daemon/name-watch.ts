/**
 * `--name` is for people, so two live members with one name are a mistake worth a warning
 * (a copied config, a cloned VM). Names are metadata, nothing depends on them being unique,
 * so this only warns, once per name and pair of members.
 */
import type { DaemonLogger } from './logger.ts'
import type { MembershipEvent } from '../core/types.ts'
import type { Swim } from '../libp2p/types.ts'

const WATCHED = ['member:join', 'member:update', 'member:alive'] as const

export function warnDuplicateNames (swim: Pick<Swim, 'members' | 'localMember' | 'addEventListener' | 'removeEventListener'>, logger: Pick<DaemonLogger, 'warn'>): () => void {
  const warned = new Set<string>()
  const check = (evt: CustomEvent<MembershipEvent>): void => {
    const member = evt.detail.member
    const name = member.meta.name
    if (name == null || name === '') return
    for (const other of swim.members()) {
      if (other.id === member.id || other.meta.name !== name || (other.state !== 'alive' && other.state !== 'suspect')) continue
      const key = [name, ...[member.id, other.id].sort()].join(' ')
      if (warned.has(key)) continue
      if (warned.size >= 1024) warned.clear()
      warned.add(key)
      logger.warn({ name, members: [member.id, other.id] }, `two live members share the name "${name}": ${other.id} and ${member.id} (give each its own --name)`)
    }
  }
  for (const type of WATCHED) swim.addEventListener(type, check)
  return () => { for (const type of WATCHED) swim.removeEventListener(type, check) }
}
