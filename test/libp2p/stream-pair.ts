/**
 * Stream protocols without a network, as js-libp2p's own services test theirs: a stubbed
 * registrar keeps the handlers a protocol registers, and a stubbed dialer answers
 * `openStream` with one end of `streamPair()` (from @libp2p/utils) while handing the other
 * end to the registered handler of the node it dials.
 */
import '../../src/polyfill.ts'
import { streamPair } from '@libp2p/utils'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Dialer } from '../../src/libp2p/dialer.ts'
import type { SwimRegistrar } from '../../src/libp2p/probe-protocol.ts'

type StreamHandler = (stream: Stream, connection: Connection) => void | Promise<void>

export interface StubRegistrar extends SwimRegistrar {
  handlers: Map<string, StreamHandler>
}

export function stubRegistrar (): StubRegistrar {
  const handlers = new Map<string, StreamHandler>()
  return {
    handlers,
    handle: async (protocol, handler) => { handlers.set(protocol, handler) },
    unhandle: async (protocol) => { handlers.delete(protocol) }
  }
}

/** A connection as a handler sees it: only who is at the other end. */
export function connectionFrom (id: string): Connection {
  return { remotePeer: { toString: () => id } } as unknown as Connection
}

/**
 * A dialer for node `self` that reaches the nodes of `network` (id → registrar) over
 * stream pairs. `opened` keeps the dialing side's streams, to look at their state.
 */
export function pairDialer (self: string, network: Map<string, StubRegistrar>): Dialer & { opened: Stream[] } {
  const opened: Stream[] = []
  const dialer = {
    opened,
    openStream: async (id: string, _addrs: string[], protocol: string): Promise<Stream> => {
      const handler = network.get(id)?.handlers.get(protocol)
      if (handler == null) throw Object.assign(new Error(`${id} does not handle ${protocol}`), { name: 'UnsupportedProtocolError' })
      const [outbound, inbound] = await streamPair({ protocol })
      opened.push(outbound)
      void handler(inbound, connectionFrom(self))
      return outbound
    }
  }
  return dialer as unknown as Dialer & { opened: Stream[] }
}

/**
 * Nodes `a` and `b` on one stubbed network: `make` builds each node's protocol over its own
 * registrar and a dialer that reaches the other.
 */
export async function twoNodes<N> (make: (id: string, registrar: StubRegistrar, dialer: Dialer) => Promise<N>): Promise<Record<'a' | 'b', N>> {
  const network = new Map<string, StubRegistrar>()
  const build = async (id: string): Promise<N> => {
    const registrar = stubRegistrar()
    network.set(id, registrar)
    return await make(id, registrar, pairDialer(id, network))
  }
  return { a: await build('a'), b: await build('b') }
}

/** A logger that drops everything (the protocols log only at trace level). */
export const log: Logger = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => log }) as unknown as Logger
