/**
 * A thread of bench/libp2p.ts that runs some of the cluster's libp2p nodes. The main thread
 * drives every node through `NodeHost` and hears every membership event; a worker runs the
 * nodes it is given and answers for them: their counters summed, their connections, how late
 * its own event loop runs, its TCP traffic.
 *
 * All the nodes of a cluster in one thread share one core; with `--threads 2` the two halves
 * of a 500-node cluster run on the machine's two cores, still one process and one libp2p
 * node per member, still talking over 127.0.0.1.
 */
import '../src/polyfill.ts'
import { Socket } from 'node:net'
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import { swim } from '../src/index.ts'
import { MEMBERSHIP_EVENT_TYPES } from '../src/core/types.ts'
import type { MembershipEventType, ProfileName, Swim } from '../src/index.ts'
import { clusterNodeOptions } from './cluster-options.ts'

/** How each host builds its nodes: the bench's options, the same in every thread. */
export interface HostOptions {
  profile: ProfileName
  maxConnections?: number
  datagram: boolean
}

/** A membership event as the bench records it. */
export interface HostEvent { at: number, observer: string, type: MembershipEventType, member: string, state: string }

/** A host's nodes' counters, summed, and its thread's own figures. */
export interface HostTotals {
  bytesOut: number
  msgsOut: number
  bytesByType: Record<string, number>
  datagramsOut: number
  datagramBytesOut: number
  fallbackProbes: number
  syncsSent: number
  suspicionsRaised: number
  membersRejected: number
  pendingBroadcasts: number
  /** Bytes and writes on every TCP socket of this thread (all of them libp2p's). */
  tcpBytes: number
  tcpWrites: number
  /** The thread's event-loop delay since the last reset, ms. */
  lagP99: number
  lagMax: number
  /** Garbage collection pauses since the last reset, ms. */
  gcMax: number
  gcTotal: number
}

/** TCP written in a window, at the IP level: on sockets first written in it, and on the others. */
export interface HostWindow { freshSockets: number, freshIpBytes: number, keptIpBytes: number }

/** IPv4 and TCP headers (with timestamps) of one segment. */
export const IP_TCP_HEADERS = 52

type Request =
  | { op: 'create', seeds: string[] }
  | { op: 'leave' | 'stop', id: string }
  | { op: 'stopAll' | 'totals' | 'connections' | 'resetLag' | 'windowStart' | 'windowEnd' }

type Reply = { seq: number, ok: true, value: unknown } | { seq: number, ok: false, error: string }

/** The main thread's handle on one worker. */
export class NodeHost {
  private readonly worker: Worker
  private readonly pending = new Map<number, { resolve: (value: unknown) => void, reject: (err: Error) => void }>()
  private seq = 0

  constructor (options: HostOptions, onEvent: (event: HostEvent) => void) {
    // The worker runs this file through tsx, as the main thread does.
    const tsx = import.meta.resolve('tsx/esm/api')
    const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(import.meta.url)}) })`
    // Heap as the main thread's would be with --max-old-space-size=8192: 250 nodes take about 1 GB.
    this.worker = new Worker(boot, { eval: true, workerData: options, resourceLimits: { maxOldGenerationSizeMb: 8192 } })
    this.worker.on('message', (message: { event: HostEvent } | Reply) => {
      if ('event' in message) {
        onEvent(message.event)
        return
      }
      const waiter = this.pending.get(message.seq)
      this.pending.delete(message.seq)
      if (message.ok) waiter?.resolve(message.value)
      else waiter?.reject(new Error(message.error))
    })
    this.worker.on('error', (err) => {
      for (const waiter of this.pending.values()) waiter.reject(err)
      this.pending.clear()
    })
  }

  async create (seeds: string[]): Promise<{ id: string, addrs: string[] }> { return await this.call({ op: 'create', seeds }) }
  async leave (id: string): Promise<void> { await this.call({ op: 'leave', id }) }
  async stop (id: string): Promise<void> { await this.call({ op: 'stop', id }) }
  async stopAll (): Promise<void> { await this.call({ op: 'stopAll' }) }
  async totals (): Promise<HostTotals> { return await this.call({ op: 'totals' }) }
  /** Open connections of each of this host's nodes. */
  async connections (): Promise<number[]> { return await this.call({ op: 'connections' }) }
  async resetLag (): Promise<void> { await this.call({ op: 'resetLag' }) }
  async windowStart (): Promise<void> { await this.call({ op: 'windowStart' }) }
  async windowEnd (): Promise<HostWindow> { return await this.call({ op: 'windowEnd' }) }

  async terminate (): Promise<void> { await this.worker.terminate() }

  private async call<T> (request: Request): Promise<T> {
    const seq = this.seq++
    return await new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (value: unknown) => void, reject })
      this.worker.postMessage({ seq, request })
    })
  }
}

// ------------------------------------------------------------------ the worker's side

type Node = Libp2p<{ swim: Swim }>

function serve (options: HostOptions): void {
  const port = parentPort
  if (port == null) return
  const nodes = new Map<string, Node>()

  const tcp = { bytes: 0, writes: 0 }
  /** Per socket while a window is measured: bytes and writes, and whether it was first written in the window. */
  let sockets: Map<Socket, { bytes: number, writes: number, fresh: boolean }> | undefined
  const seenSockets = new WeakSet<Socket>()
  const socketWrite = Socket.prototype.write
  Socket.prototype.write = function (this: Socket, chunk: unknown, ...rest: unknown[]): boolean {
    const size = chunk instanceof Uint8Array ? chunk.byteLength : typeof chunk === 'string' ? Buffer.byteLength(chunk) : 0
    tcp.bytes += size
    tcp.writes++
    if (sockets != null) {
      let s = sockets.get(this)
      if (s == null) sockets.set(this, (s = { bytes: 0, writes: 0, fresh: !seenSockets.has(this) }))
      s.bytes += size
      s.writes++
    }
    seenSockets.add(this)
    return (socketWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest)
  } as typeof Socket.prototype.write

  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  const gc = { max: 0, total: 0 }
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.max = Math.max(gc.max, entry.duration)
      gc.total += entry.duration
    }
  }).observe({ entryTypes: ['gc'] })

  const create = async (seeds: string[]): Promise<{ id: string, addrs: string[] }> => {
    const node = await createLibp2p({
      ...clusterNodeOptions(options.maxConnections),
      services: { swim: swim({ profile: options.profile, seeds, ...(options.datagram ? {} : { datagram: false as const }) }) }
    })
    const observer = node.peerId.toString()
    nodes.set(observer, node)
    for (const type of MEMBERSHIP_EVENT_TYPES) {
      node.services.swim.addEventListener(`member:${type}`, (evt) => {
        port.postMessage({ event: { at: Date.now(), observer, type, member: evt.detail.member.id, state: evt.detail.member.state } })
      })
    }
    return { id: observer, addrs: node.getMultiaddrs().map(String) }
  }

  const totals = (): HostTotals => {
    const t: HostTotals = { bytesOut: 0, msgsOut: 0, bytesByType: {}, datagramsOut: 0, datagramBytesOut: 0, fallbackProbes: 0, syncsSent: 0, suspicionsRaised: 0, membersRejected: 0, pendingBroadcasts: 0, tcpBytes: tcp.bytes, tcpWrites: tcp.writes, lagP99: lag.percentile(99) / 1e6, lagMax: lag.max / 1e6, gcMax: gc.max, gcTotal: gc.total }
    for (const node of nodes.values()) {
      const s = node.services.swim.stats()
      for (const [k, v] of Object.entries(s.bytesOut)) {
        t.bytesOut += v
        t.bytesByType[k] = (t.bytesByType[k] ?? 0) + v
      }
      for (const v of Object.values(s.messagesOut)) t.msgsOut += v
      t.datagramsOut += s.datagrams?.out ?? 0
      t.datagramBytesOut += s.datagrams?.bytesOut ?? 0
      t.fallbackProbes += s.datagrams?.fallbackProbes ?? 0
      t.syncsSent += s.messagesOut.sync ?? 0
      t.suspicionsRaised += s.suspicionsRaised
      t.membersRejected += s.membersRejected
      t.pendingBroadcasts += s.pendingBroadcasts ?? 0
    }
    return t
  }

  const windowEnd = (): HostWindow => {
    const perSocket = [...(sockets ?? new Map()).values()]
    sockets = undefined
    const ipBytes = (list: Array<{ bytes: number, writes: number }>): number => list.reduce((sum, x) => sum + x.bytes + 2 * IP_TCP_HEADERS * x.writes, 0)
    const fresh = perSocket.filter((x) => x.fresh)
    return { freshSockets: fresh.length, freshIpBytes: ipBytes(fresh), keptIpBytes: ipBytes(perSocket.filter((x) => !x.fresh)) }
  }

  const handle = async (request: Request): Promise<unknown> => {
    switch (request.op) {
      case 'create': return await create(request.seeds)
      case 'leave': return await nodes.get(request.id)?.services.swim.leave()
      case 'stop': {
        const node = nodes.get(request.id)
        nodes.delete(request.id)
        return await node?.stop()
      }
      case 'stopAll': {
        const all = [...nodes.values()]
        nodes.clear()
        return await Promise.all(all.map(async (x) => { await x.stop() }))
      }
      case 'totals': return totals()
      case 'connections': return [...nodes.values()].map((x) => x.getConnections().length)
      case 'resetLag':
        lag.reset()
        gc.max = 0
        gc.total = 0
        return
      case 'windowStart':
        sockets = new Map()
        return
      case 'windowEnd': return windowEnd()
      default: throw new Error(`unknown request ${(request as { op: string }).op}`)
    }
  }

  port.on('message', ({ seq, request }: { seq: number, request: Request }) => {
    handle(request).then(
      (value) => { port.postMessage({ seq, ok: true, value }) },
      (err: Error) => { port.postMessage({ seq, ok: false, error: err.stack ?? String(err) }) }
    )
  })
}

if (!isMainThread) serve(workerData as HostOptions)
