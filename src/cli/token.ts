/**
 * Where the CLI finds swimd's API token, first found wins:
 *
 * 1. `--token-file FILE`
 * 2. `SWIM_API_TOKEN`: the token itself (the CLI's own variable, as `SWIM_API`)
 * 3. `SWIMD_API_TOKEN`: a file, the same variable and meaning as swimd's `--api-token`
 * 4. `api-token` in swimd's data directory: `--data-dir DIR`, else `SWIMD_DATA_DIR` (swimd's
 *    variable), else `.swimd` (swimd's default, relative to the working directory)
 *
 * So the CLI run beside swimd, by the same user, with the same environment, needs no flag. No
 * token found is not an error: reads of a loopback API need none, and swimd's 401 says so.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { CliError } from './api-client.ts'

export const TOKEN_HINT = 'give the token with --token-file, SWIM_API_TOKEN, or --data-dir of the swimd that generated it'
export const TOKEN_FILE = 'api-token'
export const DEFAULT_DATA_DIR = '.swimd'

export interface TokenSources {
  tokenFile?: string
  dataDir?: string
}

export function findToken (sources: TokenSources, env: Record<string, string | undefined>, cwd = process.cwd()): string | undefined {
  if (sources.tokenFile != null) return readTokenFile(sources.tokenFile, '--token-file', true)
  const value = env.SWIM_API_TOKEN?.trim()
  if (value != null && value !== '') return value
  const file = env.SWIMD_API_TOKEN?.trim()
  if (file != null && file !== '') return readTokenFile(resolve(cwd, file), 'SWIMD_API_TOKEN', true)
  const dataDir = sources.dataDir ?? nonEmpty(env.SWIMD_DATA_DIR) ?? DEFAULT_DATA_DIR
  // the data dir's token is optional: a CLI run elsewhere simply has none
  return readTokenFile(join(resolve(cwd, dataDir), TOKEN_FILE), 'the token of the data directory', sources.dataDir != null)
}

function nonEmpty (value: string | undefined): string | undefined {
  return value == null || value.trim() === '' ? undefined : value.trim()
}

function readTokenFile (path: string, source: string, required: boolean): string | undefined {
  let token: string
  try {
    token = readFileSync(path, 'utf8').trim()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (!required && code === 'ENOENT') return undefined
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message
    throw new CliError(`Cannot read ${source} "${path}": ${reason}`, 2)
  }
  if (token === '') throw new CliError(`Invalid ${source} "${path}": the file is empty`, 2)
  return token
}
