/**
 * A join at run time (`POST /v1/join`, `membership-events join`): the service's `join` plus
 * the reasons of the seeds that failed during that call, so the caller hears them too.
 */
import type { JoinErrorDetail } from '../libp2p/join-errors.ts'
import type { Swim } from '../libp2p/types.ts'

export async function joinNow (swim: Pick<Swim, 'join' | 'addEventListener' | 'removeEventListener'>, seeds: string[]): Promise<{ joined: number, errors: Array<{ seed: string, message: string }> }> {
  const errors: Array<{ seed: string, message: string }> = []
  const onError = (evt: CustomEvent<JoinErrorDetail>): void => {
    // attempt 0 is a join() call; the background retries report attempts from 1
    if (evt.detail.attempt === 0 && seeds.includes(evt.detail.seed)) errors.push({ seed: evt.detail.seed, message: evt.detail.message })
  }
  swim.addEventListener('join:error', onError)
  try {
    return { joined: await swim.join(seeds), errors }
  } finally {
    swim.removeEventListener('join:error', onError)
  }
}
