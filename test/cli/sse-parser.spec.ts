import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SseParser } from '../../src/cli/sse-parser.ts'

test('SseParser dispatches an event at each blank line, with its type, data and last event ID', () => {
  const parser = new SseParser()
  assert.equal(parser.push('id: 1\nevent: join\ndata: {"a":1}\n\nid: 2\ndata: plain\n\n'), [
    { type: 'join', data: '{"a":1}', lastEventId: '1' },
    { type: 'message', data: 'plain', lastEventId: '2' }
  ])
})

test('SseParser joins multi-line data with LF and accepts CRLF and CR line ends', () => {
  const parser = new SseParser()
  assert.equal(parser.push('data: a\r\ndata: b\rdata: c\n\r\n'), [{ type: 'message', data: 'a\nb\nc', lastEventId: '' }])
})

test('SseParser handles events split across chunks at any byte, including between CR and LF', () => {
  const text = 'id: 7\r\nevent: fail\r\ndata: x\r\n\r\n'
  for (let cut = 1; cut < text.length; cut++) {
    const parser = new SseParser()
    const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))]
    assert.equal(events, [{ type: 'fail', data: 'x', lastEventId: '7' }], `cut at ${cut}`)
  }
})

test('SseParser ignores comments and unknown fields, and strips only one leading space', () => {
  const parser = new SseParser()
  assert.equal(parser.push(': heartbeat\n\nfoo: bar\ndata:  two spaces\ndata:none\n\n'), [
    { type: 'message', data: ' two spaces\nnone', lastEventId: '' }
  ])
})

test('SseParser keeps the last event ID across events and takes it from data-less frames', () => {
  const parser = new SseParser()
  assert.equal(parser.push('id: 5\n\n'), [], 'a frame without data dispatches nothing')
  assert.is(parser.lastEventId, '5')
  assert.equal(parser.push('data: next\n\n'), [{ type: 'message', data: 'next', lastEventId: '5' }])
})

test('SseParser records the retry field', () => {
  const parser = new SseParser()
  parser.push('retry: 1500\n\n')
  assert.is(parser.retry, 1500)
})

test.run()
