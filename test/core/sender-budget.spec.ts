import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SENDER_ALLOWANCE, SenderBudget } from '../../src/core/sender-budget.ts'

const allowance = { claims: 2, members: 1, verifications: 3 }

test('SenderBudget grants each kind up to its allowance per sender and window', () => {
  const budget = new SenderBudget(1000, allowance)
  assert.equal([1, 2, 3].map(() => budget.take('a', 'claims', 0)), [true, true, false])
  assert.ok(budget.take('a', 'members', 10), 'kinds are counted apart')
  assert.not.ok(budget.take('a', 'members', 20))
  assert.ok(budget.take('b', 'claims', 30), 'senders are counted apart')
})

test('SenderBudget gives every sender a fresh allowance once the window has passed', () => {
  const budget = new SenderBudget(1000, allowance)
  budget.take('a', 'claims', 0)
  budget.take('a', 'claims', 0)
  assert.not.ok(budget.take('a', 'claims', 999))
  assert.ok(budget.take('a', 'claims', 1000))
  assert.ok(budget.take('a', 'claims', 1500))
  assert.not.ok(budget.take('a', 'claims', 1999))
})

test('SenderBudget defaults to SENDER_ALLOWANCE, which cannot be changed', () => {
  const budget = new SenderBudget(1000)
  let granted = 0
  while (budget.take('a', 'verifications', 0)) granted++
  assert.is(granted, SENDER_ALLOWANCE.verifications)
  assert.ok(Object.isFrozen(SENDER_ALLOWANCE))
})

test.run()
