/** `membership-events join ADDR…`: make swimd join through these seeds now (`POST /v1/join`). */
import { requestJson } from './api-client.ts'
import type { CliOutput } from './main.ts'

export interface JoinOptions {
  api: string
  token?: string
  seeds: string[]
  stdout: CliOutput
}

export async function join (options: JoinOptions): Promise<number> {
  const body = await requestJson(options.api, '/v1/join', { method: 'POST', token: options.token, body: { seeds: options.seeds }, timeoutMs: 30_000 }) as { joined: number }
  options.stdout.write(`joined through ${body.joined} of ${options.seeds.length} seed${options.seeds.length === 1 ? '' : 's'}\n`)
  return 0
}
