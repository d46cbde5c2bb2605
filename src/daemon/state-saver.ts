/**
 * Keeps the data directory's `members.json` and `incarnation` current while swimd runs: saves
 * every `intervalMs` and once more on `stop()`. Failures are logged, never thrown: a stale
 * cache must not take the daemon down.
 */
import { saveIncarnation, saveMembers } from './data-dir.ts'
import type { DaemonLogger } from './logger.ts'
import type { Swim } from '../libp2p/types.ts'

export interface StateSaverOptions {
  dataDir: string
  swim: Pick<Swim, 'members' | 'localMember'>
  logger: Pick<DaemonLogger, 'warn'>
  /** The incarnation this run started with (from `nextIncarnation`); the saved value never goes below it. @default 0 */
  startIncarnation?: number
  /** @default 30000 */
  intervalMs?: number
}

export interface StateSaver {
  /** Saves now; concurrent calls share one write. */
  save: () => Promise<void>
  /** Stops the timer and saves a last time. */
  stop: () => Promise<void>
}

export function startStateSaver (options: StateSaverOptions): StateSaver {
  const { dataDir, swim, logger } = options
  let pending: Promise<void> | undefined

  const save = async (): Promise<void> => {
    if (pending != null) return await pending
    pending = (async () => {
      try {
        const self = swim.localMember()
        // members worth rejoining through: the ones this node still believes to be up
        const members = swim.members().filter((member) => member.id !== self.id && (member.state === 'alive' || member.state === 'suspect'))
        await saveMembers(dataDir, members)
        await saveIncarnation(dataDir, Math.max(options.startIncarnation ?? 0, self.incarnation))
      } catch (err) {
        logger.warn({ err }, 'cannot save membership state')
      } finally {
        pending = undefined
      }
    })()
    return await pending
  }

  const timer = setInterval(() => { void save() }, options.intervalMs ?? 30_000)
  timer.unref()
  return {
    save,
    stop: async () => {
      clearInterval(timer)
      await save()
    }
  }
}
