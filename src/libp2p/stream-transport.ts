/**
 * The stream transport over libp2p: the probe protocol (long-lived stream per member, for
 * members without datagrams), the fallback probe (one ping and ack per stream) and push-pull
 * (one exchange per stream), behind one `StreamTransport`.
 */
import type { Logger, Stream } from '@libp2p/interface'
import type { Ping, Sync } from '../core/messages.ts'
import type { WireError, WireLimits } from '../wire/index.ts'
import type { Dialer } from './dialer.ts'
import { PingProtocol } from './ping-protocol.ts'
import { ProbeProtocol } from './probe-protocol.ts'
import type { SwimRegistrar } from './probe-protocol.ts'
import { PushPullProtocol } from './push-pull-protocol.ts'
import type { StreamHandlers, StreamTransport, SyncAnswer } from './transport.ts'
import { DEFAULT_CLUSTER, pingProtocol, probeProtocol, syncProtocol } from './constants.ts'

export interface Libp2pStreamsInit {
  /** The cluster name: part of every protocol id. @default 'default' */
  cluster?: string
  registrar: SwimRegistrar
  dialer: Dialer
  log: Logger
  limits: WireLimits
  /** This node's cluster tag (`clusterTag(cluster)`): records of another cluster are rejected as `foreign-cluster`. */
  clusterTag?: number
  dialTimeout: number
  pingTimeout: number
  syncTimeout: number
  /** How long a join's exchange with a seed may take (`joinTimeout`). */
  joinTimeout: number
  admits: (id: string) => boolean
  /** Whether `id` is in the member table (push-pull gives strangers smaller allowances). */
  isMember?: (id: string) => boolean
  /** Checks an inbound stream's proof (see StreamGuard); counts and resets a bad one. */
  admitStream?: (stream: Stream, from: string, options: { signal: AbortSignal }) => Promise<boolean>
  checkProof?: (from: string, proof: Uint8Array) => boolean
  onDecodeError: (from: string, error: WireError | Error) => void
  onUnreachable: (id: string, refused: boolean) => void
  onDropped: (id: string) => void
  /** As PushPullProtocolInit's. */
  onExchangeFailed?: (to: string, err: unknown) => void
}

export class Libp2pStreams implements StreamTransport {
  private readonly probe: ProbeProtocol
  private readonly pinger: PingProtocol
  private readonly pushPull: PushPullProtocol
  private handlers?: StreamHandlers

  constructor (init: Libp2pStreamsInit) {
    const cluster = init.cluster ?? DEFAULT_CLUSTER
    const common = { registrar: init.registrar, dialer: init.dialer, log: init.log, limits: init.limits, clusterTag: init.clusterTag, admits: init.admits, admitStream: init.admitStream, onDecodeError: init.onDecodeError, onUnreachable: init.onUnreachable }
    this.probe = new ProbeProtocol({
      ...common,
      protocol: probeProtocol(cluster),
      dialTimeout: init.dialTimeout,
      admitStream: undefined,
      checkProof: init.checkProof,
      onMessage: (from, message, bytes) => { if (message.type !== 'sync') this.handlers?.onMessage(from, message, bytes) },
      onDropped: init.onDropped
    })
    this.pinger = new PingProtocol({
      ...common,
      protocol: pingProtocol(cluster),
      timeout: init.pingTimeout,
      onPing: (from: string, ping: Ping, bytes: number) => this.handlers?.onPing(from, ping, bytes),
      onDone: (id) => { init.dialer.idle(id) }
    })
    this.pushPull = new PushPullProtocol({
      ...common,
      protocol: syncProtocol(cluster),
      timeout: init.syncTimeout,
      joinTimeout: init.joinTimeout,
      isMember: init.isMember,
      onRequest: async (from: string, request: Sync, bytes: number): Promise<SyncAnswer> => await this.handlers?.onSync(from, request, bytes),
      checkPart: async (from: string, part: Sync): Promise<boolean> => await (this.handlers?.checkSyncPart?.(from, part) ?? true),
      onDone: (id) => { init.dialer.idle(id) },
      onJoinAnswered: (connection) => { init.dialer.release(connection) },
      onExchangeFailed: init.onExchangeFailed
    })
  }

  async start (handlers: StreamHandlers): Promise<void> {
    this.handlers = handlers
    await this.probe.start()
    await this.pinger.start()
    await this.pushPull.start()
  }

  async stop (): Promise<void> {
    await this.probe.stop()
    await this.pinger.stop()
    await this.pushPull.stop()
    this.handlers = undefined
  }

  async send (to: string, addrs: string[], bytes: Uint8Array): Promise<boolean> {
    return this.probe.send(to, addrs, bytes)
  }

  async ping (to: string, addrs: string[], bytes: Uint8Array): ReturnType<StreamTransport['ping']> {
    return this.pinger.ping(to, addrs, bytes)
  }

  async exchange (to: string, addrs: string[], bytes: Uint8Array, join = false): ReturnType<StreamTransport['exchange']> {
    return this.pushPull.exchange(to, addrs, bytes, join)
  }

  forget (id: string): void {
    this.probe.forget(id)
  }

  penalise (id: string): void {
    this.pushPull.penalise(id)
  }
}
