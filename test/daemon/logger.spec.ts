import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createLogger } from '../../src/daemon/logger.ts'

test('createLogger writes one JSON object per line at or above the configured level', () => {
  const lines: string[] = []
  const logger = createLogger('info', { write: (line: string) => { lines.push(line) } })
  logger.debug('hidden')
  logger.info({ peers: 3 }, 'joined')
  assert.is(lines.length, 1)
  const entry = JSON.parse(lines[0])
  assert.is(entry.msg, 'joined')
  assert.is(entry.peers, 3)
  assert.is(entry.level, 30)
  assert.is(entry.name, 'swimd')
  assert.match(entry.time, /^\d{4}-\d\d-\d\dT/)
})

test.run()
