/**
 * Keeps the data directory's `members.json` and `incarnation` current while swimd runs: saves
 * every `intervalMs` what changed since the last save (a calm cluster's state is not written,
 * and flushed to disk, twice a minute for nothing), and everything once more on `stop()`.
 * Failures are logged, never thrown: a stale cache must not take the daemon down.
 */
import { membersFileText, saveIncarnation, saveMembers } from './data-dir.ts'
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
  /** Saves now what changed since the last save (everything with `force`); concurrent calls share one write. */
  save: (force?: boolean) => Promise<void>
  /** Stops the timer and saves a last time. */
  stop: () => Promise<void>
}

export function startStateSaver (options: StateSaverOptions): StateSaver {
  const { dataDir, swim, logger } = options
  let pending: Promise<void> | undefined
  // what the files hold since the last write that succeeded (members.json as text)
  let savedMembers: string | undefined
  let savedIncarnation: number | undefined

  const write = async (force: boolean): Promise<void> => {
    try {
      const self = swim.localMember()
      // members worth rejoining through: the ones this node still believes to be up
      const members = swim.members().filter((member) => member.id !== self.id && (member.state === 'alive' || member.state === 'suspect'))
      const text = membersFileText(members)
      if (force || text !== savedMembers) {
        savedMembers = undefined
        await saveMembers(dataDir, members)
        savedMembers = text
      }
      const incarnation = Math.max(options.startIncarnation ?? 0, self.incarnation)
      if (force || incarnation !== savedIncarnation) {
        savedIncarnation = undefined
        await saveIncarnation(dataDir, incarnation)
        savedIncarnation = incarnation
      }
    } catch (err) {
      logger.warn({ err }, 'cannot save membership state')
    }
  }

  const save = async (force = false): Promise<void> => {
    // cleared in a callback of its own: a save with nothing to write completes at once
    pending ??= write(force).finally(() => { pending = undefined })
    await pending
  }

  const timer = setInterval(() => { void save() }, options.intervalMs ?? 30_000)
  timer.unref()
  return {
    save,
    stop: async () => {
      clearInterval(timer)
      await save(true)
    }
  }
}
