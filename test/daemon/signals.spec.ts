import { EventEmitter } from 'node:events'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { handleShutdown } from '../../src/daemon/signals.ts'
import { waitFor } from './wait.ts'

function setup (graceful: () => Promise<void>, timeoutMs = 5000): { target: EventEmitter, exits: number[], runs: () => number, dispose: () => void, trigger: (reason: string) => Promise<void> } {
  const target = new EventEmitter()
  const exits: number[] = []
  let runs = 0
  const shutdown = handleShutdown(async () => { runs++; await graceful() }, { target, exit: (code) => { exits.push(code) }, timeoutMs })
  return { target, exits, runs: () => runs, ...shutdown }
}

test('SIGTERM runs the graceful shutdown once and exits 0', async () => {
  const s = setup(async () => {})
  s.target.emit('SIGTERM', 'SIGTERM')
  await waitFor('exit', () => s.exits.length > 0)
  assert.equal(s.exits, [0])
  assert.is(s.runs(), 1)
  s.dispose()
})

test('a second signal during the graceful shutdown forces the exit', async () => {
  let finish = (): void => {}
  const s = setup(async () => { await new Promise<void>((resolve) => { finish = resolve }) })
  s.target.emit('SIGINT', 'SIGINT')
  s.target.emit('SIGINT', 'SIGINT')
  assert.equal(s.exits, [130], '128 + SIGINT')
  s.target.emit('SIGTERM', 'SIGTERM')
  assert.equal(s.exits, [130, 143], '128 + SIGTERM')
  assert.is(s.runs(), 1, 'the graceful path ran once')
  finish()
  s.dispose()
})

test('a trigger from the API and a later signal share one graceful run', async () => {
  const s = setup(async () => {})
  await s.trigger('api leave')
  await s.trigger('again')
  assert.is(s.runs(), 1)
  assert.equal(s.exits, [0])
  s.dispose()
})

test('a failing graceful shutdown exits 1', async () => {
  const s = setup(async () => { throw new Error('leave failed') })
  await s.trigger('SIGTERM')
  assert.equal(s.exits, [1])
  s.dispose()
})

test('a graceful shutdown that hangs past the timeout is forced to exit 1', async () => {
  const s = setup(async () => { await new Promise(() => {}) }, 20)
  void s.trigger('SIGTERM')
  await waitFor('the forced exit', () => s.exits.length > 0)
  assert.equal(s.exits, [1])
  s.dispose()
})

test('dispose stops listening for signals', () => {
  const s = setup(async () => {})
  s.dispose()
  assert.is(s.target.listenerCount('SIGTERM'), 0)
  assert.is(s.target.listenerCount('SIGINT'), 0)
})

test.run()
