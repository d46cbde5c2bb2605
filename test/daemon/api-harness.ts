/** Starts the HTTP API on 127.0.0.1, port 0 by default, over a FakeSwim. */
import { pino } from 'pino'
import { EventLog } from '../../src/daemon/event-log.ts'
import { createApi } from '../../src/daemon/http-api.ts'
import { createMetrics } from '../../src/daemon/metrics.ts'
import { recordMembershipEvents } from '../../src/daemon/record-events.ts'
import { FakeSwim } from './fake-swim.ts'
import type { Keyring } from '../../src/libp2p/keyring.ts'
import type { Api, ApiOptions } from '../../src/daemon/http-api.ts'

export interface Harness {
  api: Api
  base: string
  port: number
  swim: FakeSwim
  eventLog: EventLog
  leaveCalls: number
  ready: boolean
  close: () => Promise<void>
}

export interface HarnessOptions extends Partial<ApiOptions> {
  /** Serves the `/v1/keys` routes over this keyring. */
  keyring?: Keyring
  capacity?: number
  port?: number
  swim?: FakeSwim
  eventLog?: EventLog
}

export async function startApi (options: HarnessOptions = {}): Promise<Harness> {
  const swim = options.swim ?? new FakeSwim()
  const eventLog = options.eventLog ?? new EventLog({ capacity: options.capacity ?? 16 })
  const detach = options.eventLog == null ? recordMembershipEvents(swim, eventLog) : () => {}
  const { registry } = createMetrics({ eventSubscribers: () => eventLog.subscriberCount, processMetrics: false })
  const harness = { leaveCalls: 0, ready: false } as Harness
  const api = createApi({
    swim,
    eventLog,
    registry,
    onLeave: () => { harness.leaveCalls++ },
    isReady: () => harness.ready,
    logger: pino({ level: 'silent' }),
    ...(options.keyring != null ? { keys: () => options.keyring } : {}),
    ...options
  })
  const { port } = await api.listen('127.0.0.1', options.port ?? 0)
  return Object.assign(harness, {
    api,
    base: `${options.tls != null ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    swim,
    eventLog,
    close: async () => {
      detach()
      await api.close()
    }
  })
}
