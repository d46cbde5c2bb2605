/**
 * How the CLI shows members and events to people: one line per event, an aligned table of
 * members, colour only when writing to a terminal.
 */
import { styleText } from 'node:util'
import type { QuorumStatus } from '../consumers/quorum.ts'
import type { Member, MembershipEventType, MemberState } from '../core/types.ts'

export type Colour = 'green' | 'yellow' | 'red' | 'cyan' | 'gray' | 'bold'

const EVENT_COLOURS: Record<MembershipEventType, Colour> = {
  join: 'green',
  alive: 'green',
  suspect: 'yellow',
  fail: 'red',
  leave: 'gray',
  update: 'cyan'
}

const STATE_COLOURS: Record<MemberState, Colour> = {
  alive: 'green',
  suspect: 'yellow',
  dead: 'red',
  left: 'gray'
}

/** Whether to colour output: a TTY, and `NO_COLOR` unset (https://no-color.org). */
export function useColour (stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && (env.NO_COLOR == null || env.NO_COLOR === '')
}

/** `enabled` is this module's decision (see `useColour`); styleText is told not to second-guess it. */
export function paint (text: string, colour: Colour, enabled: boolean): string {
  return enabled ? styleText(colour, text, { validateStream: false }) : text
}

/** ISO 8601, UTC, milliseconds. */
export function formatTime (at: number): string {
  return new Date(at).toISOString()
}

/** `role=api zone=b`, or `-` when empty. */
export function formatMeta (meta: Record<string, string>): string {
  const pairs = Object.entries(meta).map(([key, value]) => `${key}=${value}`)
  return pairs.length === 0 ? '-' : pairs.join(' ')
}

export function formatAddrs (addrs: string[]): string {
  return addrs.length === 0 ? '-' : addrs.join(',')
}

/** `2024-05-01T12:00:00.000Z join    12D3Koo… /ip4/10.0.0.2/tcp/7946 role=api` */
export function formatEventLine (event: { type: MembershipEventType, at: number, member: Member }, colour: boolean): string {
  const type = paint(event.type.padEnd(7), EVENT_COLOURS[event.type] ?? 'bold', colour)
  return `${formatTime(event.at)} ${type} ${event.member.id} ${formatAddrs(event.member.addrs)} ${formatMeta(event.member.meta)}`
}

const COLUMNS = ['ID', 'STATE', 'INCARNATION', 'SINCE', 'ADDRESSES', 'META'] as const

/** An aligned table with a header row; the last column is not padded. */
export function formatMembersTable (members: Member[], colour: boolean): string {
  const rows = members.map((member) => [
    member.id,
    member.state,
    String(member.incarnation),
    formatTime(member.since),
    formatAddrs(member.addrs),
    formatMeta(member.meta)
  ])
  const widths = COLUMNS.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[], styled: (cell: string, column: number) => string): string =>
    cells.map((cell, column) => {
      const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column])
      return styled(padded, column)
    }).join('  ').trimEnd()
  const header = line([...COLUMNS], (cell) => paint(cell, 'bold', colour))
  const body = rows.map((row, index) => line(row, (cell, column) =>
    column === 1 ? paint(cell, STATE_COLOURS[members[index].state] ?? 'bold', colour) : cell))
  return [header, ...body].join('\n') + '\n'
}

/** `quorum: quorum (5 alive of 5 expected) since 2024-05-01T12:00:00.000Z` */
export function formatQuorum (quorum: QuorumStatus, colour: boolean): string {
  const state = paint(quorum.state, quorum.state === 'quorum' ? 'green' : quorum.state === 'minority' ? 'red' : 'yellow', colour)
  const expected = quorum.state === 'forming' && quorum.expected === 0 ? 'expected size not learned yet' : `${quorum.expected} expected`
  return `quorum: ${state} (${quorum.alive} alive of ${expected}) since ${formatTime(quorum.since)}`
}
