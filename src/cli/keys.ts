/**
 * `membership-events keys list|install FILE|use ID|remove ID`: the cluster keyring of one
 * swimd, over its `/v1/keys` routes. Rotation is run against every member in turn: install the
 * new key everywhere, then use it everywhere, then remove the old one everywhere.
 */
import { readFileSync } from 'node:fs'
import { CliError, requestJson } from './api-client.ts'
import { escapeText } from './format.ts'
import type { CliOutput } from './main.ts'

export type KeysAction =
  | { action: 'list' }
  | { action: 'install', file: string }
  | { action: 'use', id: string }
  | { action: 'remove', id: string }

export interface KeysOptions {
  api: string
  token?: string
  json: boolean
  command: KeysAction
  stdout: CliOutput
}

interface KeysAnswer { id?: string, keys: Array<{ id: string, primary: boolean }> }

const KEY_ID = /^[0-9a-f]{16}$/

/** Usage errors (exit 2) for an id that cannot be one. */
export function checkKeyId (id: string): string {
  if (!KEY_ID.test(id)) throw new CliError(`Invalid key id "${id}": expected 16 hex digits, as "membership-events keys list" shows them`, 2)
  return id
}

export async function keys (options: KeysOptions): Promise<number> {
  const { api, token, command } = options
  let answer: KeysAnswer
  switch (command.action) {
    case 'list':
      answer = await requestJson(api, '/v1/keys', { token }) as KeysAnswer
      break
    case 'install': {
      let text: string
      try {
        text = readFileSync(command.file, 'utf8')
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        throw new CliError(`Cannot read key file "${command.file}": ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`, 2)
      }
      answer = await requestJson(api, '/v1/keys', { method: 'POST', token, body: { key: text } }) as KeysAnswer
      break
    }
    case 'use':
      answer = await requestJson(api, '/v1/keys/primary', { method: 'PUT', token, body: { id: command.id } }) as KeysAnswer
      break
    case 'remove':
      answer = await requestJson(api, `/v1/keys/${command.id}`, { method: 'DELETE', token }) as KeysAnswer
      break
  }
  if (options.json) {
    options.stdout.write(`${JSON.stringify(answer)}\n`)
    return 0
  }
  if (command.action === 'install' && answer.id != null) options.stdout.write(`installed key ${escapeText(answer.id)}\n`)
  if (command.action === 'use') options.stdout.write(`key ${command.id} is now primary\n`)
  if (command.action === 'remove') options.stdout.write(`removed key ${command.id}\n`)
  if (command.action === 'list') {
    for (const key of answer.keys) options.stdout.write(`${escapeText(key.id)}${key.primary ? '  primary' : ''}\n`)
  }
  return 0
}
