/** What the daemon benches read of the processes they start and of the machine. */
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'

export const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** The 1-minute load average, to two decimals. */
export const load = (): number => Math.round(loadavg()[0] * 100) / 100

export const r1 = (x: number): number => Math.round(x * 10) / 10

/** CPU-seconds (user + system) of a process, from /proc; 0 once it is gone. */
export function cpuSeconds (pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

/** Each daemon's count of alive members and the ids it holds dead (0 and none when its API does not answer). */
export async function memberViews (daemons: Array<{ api: string }>): Promise<Array<{ alive: number, dead: string[] }>> {
  return await Promise.all(daemons.map(async (d) => {
    try {
      const body = await (await fetch(`${d.api}/v1/members`)).json() as { members: Array<{ id: string, state: string }> }
      return { alive: body.members.filter((m) => m.state === 'alive').length, dead: body.members.filter((m) => m.state === 'dead').map((m) => m.id) }
    } catch {
      return { alive: 0, dead: [] }
    }
  }))
}
