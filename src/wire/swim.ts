import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SwimMessage {
  ping?: Ping
  ack?: Ack
  pingReq?: PingReq
  nack?: Nack
  gossip?: Gossip
  sync?: Sync
}

export namespace SwimMessage {
  let _codec: Codec<SwimMessage>

  export const codec = (): Codec<SwimMessage> => {
    if (_codec == null) {
      _codec = message<SwimMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.sync != null) {
          obj.gossip = undefined
          obj.nack = undefined
          obj.pingReq = undefined
          obj.ack = undefined
          obj.ping = undefined
        }

        if (obj.gossip != null) {
          obj.sync = undefined
          obj.nack = undefined
          obj.pingReq = undefined
          obj.ack = undefined
          obj.ping = undefined
        }

        if (obj.nack != null) {
          obj.sync = undefined
          obj.gossip = undefined
          obj.pingReq = undefined
          obj.ack = undefined
          obj.ping = undefined
        }

        if (obj.pingReq != null) {
          obj.sync = undefined
          obj.gossip = undefined
          obj.nack = undefined
          obj.ack = undefined
          obj.ping = undefined
        }

        if (obj.ack != null) {
          obj.sync = undefined
          obj.gossip = undefined
          obj.nack = undefined
          obj.pingReq = undefined
          obj.ping = undefined
        }

        if (obj.ping != null) {
          obj.sync = undefined
          obj.gossip = undefined
          obj.nack = undefined
          obj.pingReq = undefined
          obj.ack = undefined
        }

        if (obj.ping != null) {
          w.uint32(10)
          Ping.codec().encode(obj.ping, w)
        }

        if (obj.ack != null) {
          w.uint32(18)
          Ack.codec().encode(obj.ack, w)
        }

        if (obj.pingReq != null) {
          w.uint32(26)
          PingReq.codec().encode(obj.pingReq, w)
        }

        if (obj.nack != null) {
          w.uint32(34)
          Nack.codec().encode(obj.nack, w)
        }

        if (obj.gossip != null) {
          w.uint32(42)
          Gossip.codec().encode(obj.gossip, w)
        }

        if (obj.sync != null) {
          w.uint32(50)
          Sync.codec().encode(obj.sync, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ping = Ping.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ping
              })
              break
            }
            case 2: {
              obj.ack = Ack.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ack
              })
              break
            }
            case 3: {
              obj.pingReq = PingReq.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.pingReq
              })
              break
            }
            case 4: {
              obj.nack = Nack.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.nack
              })
              break
            }
            case 5: {
              obj.gossip = Gossip.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.gossip
              })
              break
            }
            case 6: {
              obj.sync = Sync.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.sync
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.sync != null) {
          delete obj.gossip
          delete obj.nack
          delete obj.pingReq
          delete obj.ack
          delete obj.ping
        }

        if (obj.gossip != null) {
          delete obj.sync
          delete obj.nack
          delete obj.pingReq
          delete obj.ack
          delete obj.ping
        }

        if (obj.nack != null) {
          delete obj.sync
          delete obj.gossip
          delete obj.pingReq
          delete obj.ack
          delete obj.ping
        }

        if (obj.pingReq != null) {
          delete obj.sync
          delete obj.gossip
          delete obj.nack
          delete obj.ack
          delete obj.ping
        }

        if (obj.ack != null) {
          delete obj.sync
          delete obj.gossip
          delete obj.nack
          delete obj.pingReq
          delete obj.ping
        }

        if (obj.ping != null) {
          delete obj.sync
          delete obj.gossip
          delete obj.nack
          delete obj.pingReq
          delete obj.ack
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Ping.codec().stream(reader, reader.uint32(), `${prefix}.ping`, {
                limits: opts.limits?.ping
              })

              break
            }
            case 2: {
              yield * Ack.codec().stream(reader, reader.uint32(), `${prefix}.ack`, {
                limits: opts.limits?.ack
              })

              break
            }
            case 3: {
              yield * PingReq.codec().stream(reader, reader.uint32(), `${prefix}.pingReq`, {
                limits: opts.limits?.pingReq
              })

              break
            }
            case 4: {
              yield * Nack.codec().stream(reader, reader.uint32(), `${prefix}.nack`, {
                limits: opts.limits?.nack
              })

              break
            }
            case 5: {
              yield * Gossip.codec().stream(reader, reader.uint32(), `${prefix}.gossip`, {
                limits: opts.limits?.gossip
              })

              break
            }
            case 6: {
              yield * Sync.codec().stream(reader, reader.uint32(), `${prefix}.sync`, {
                limits: opts.limits?.sync
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SwimMessagePingSeqFieldEvent {
    field: '$.ping.seq'
    value: number
  }

  export interface SwimMessagePingTargetFieldEvent {
    field: '$.ping.target'
    value: string
  }

  export interface SwimMessagePingUpdatesRecordIdFieldEvent {
    field: '$.ping.updates[].record.id'
    value: string
    index: number
  }

  export interface SwimMessagePingUpdatesRecordIncarnationFieldEvent {
    field: '$.ping.updates[].record.incarnation'
    value: number
    index: number
  }

  export interface SwimMessagePingUpdatesRecordAddrsFieldEvent {
    field: '$.ping.updates[].record.addrs[]'
    index: number
    value: string
  }

  export interface SwimMessagePingUpdatesRecordMetaKeyFieldEvent {
    field: '$.ping.updates[].record.meta[].key'
    value: string
    index: number
  }

  export interface SwimMessagePingUpdatesRecordMetaValueFieldEvent {
    field: '$.ping.updates[].record.meta[].value'
    value: string
    index: number
  }

  export interface SwimMessagePingUpdatesRecordLeavingFieldEvent {
    field: '$.ping.updates[].record.leaving'
    value: boolean
    index: number
  }

  export interface SwimMessagePingUpdatesRecordSignatureFieldEvent {
    field: '$.ping.updates[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SwimMessagePingUpdatesRecordGenerationFieldEvent {
    field: '$.ping.updates[].record.generation'
    value: number
    index: number
  }

  export interface SwimMessagePingUpdatesRecordClusterTagFieldEvent {
    field: '$.ping.updates[].record.clusterTag'
    value: number
    index: number
  }

  export interface SwimMessagePingUpdatesSuspectIdFieldEvent {
    field: '$.ping.updates[].suspect.id'
    value: string
    index: number
  }

  export interface SwimMessagePingUpdatesSuspectIncarnationFieldEvent {
    field: '$.ping.updates[].suspect.incarnation'
    value: number
    index: number
  }

  export interface SwimMessagePingUpdatesSuspectFromFieldEvent {
    field: '$.ping.updates[].suspect.from'
    value: string
    index: number
  }

  export interface SwimMessagePingUpdatesSuspectRefusedFieldEvent {
    field: '$.ping.updates[].suspect.refused'
    value: boolean
    index: number
  }

  export interface SwimMessagePingUpdatesDeadIdFieldEvent {
    field: '$.ping.updates[].dead.id'
    value: string
    index: number
  }

  export interface SwimMessagePingUpdatesDeadIncarnationFieldEvent {
    field: '$.ping.updates[].dead.incarnation'
    value: number
    index: number
  }

  export interface SwimMessagePingUpdatesDeadFromFieldEvent {
    field: '$.ping.updates[].dead.from'
    value: string
    index: number
  }

  export interface SwimMessagePingUpdatesDeadRefusedFieldEvent {
    field: '$.ping.updates[].dead.refused'
    value: boolean
    index: number
  }

  export interface SwimMessagePingUpdatesForgetIdFieldEvent {
    field: '$.ping.updates[].forget.id'
    value: string
    index: number
  }

  export interface SwimMessagePingUpdatesForgetIncarnationFieldEvent {
    field: '$.ping.updates[].forget.incarnation'
    value: number
    index: number
  }

  export interface SwimMessagePingUpdatesForgetFromFieldEvent {
    field: '$.ping.updates[].forget.from'
    value: string
    index: number
  }

  export interface SwimMessagePingUpdatesForgetRefusedFieldEvent {
    field: '$.ping.updates[].forget.refused'
    value: boolean
    index: number
  }

  export interface SwimMessageAckSeqFieldEvent {
    field: '$.ack.seq'
    value: number
  }

  export interface SwimMessageAckUpdatesRecordIdFieldEvent {
    field: '$.ack.updates[].record.id'
    value: string
    index: number
  }

  export interface SwimMessageAckUpdatesRecordIncarnationFieldEvent {
    field: '$.ack.updates[].record.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageAckUpdatesRecordAddrsFieldEvent {
    field: '$.ack.updates[].record.addrs[]'
    index: number
    value: string
  }

  export interface SwimMessageAckUpdatesRecordMetaKeyFieldEvent {
    field: '$.ack.updates[].record.meta[].key'
    value: string
    index: number
  }

  export interface SwimMessageAckUpdatesRecordMetaValueFieldEvent {
    field: '$.ack.updates[].record.meta[].value'
    value: string
    index: number
  }

  export interface SwimMessageAckUpdatesRecordLeavingFieldEvent {
    field: '$.ack.updates[].record.leaving'
    value: boolean
    index: number
  }

  export interface SwimMessageAckUpdatesRecordSignatureFieldEvent {
    field: '$.ack.updates[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SwimMessageAckUpdatesRecordGenerationFieldEvent {
    field: '$.ack.updates[].record.generation'
    value: number
    index: number
  }

  export interface SwimMessageAckUpdatesRecordClusterTagFieldEvent {
    field: '$.ack.updates[].record.clusterTag'
    value: number
    index: number
  }

  export interface SwimMessageAckUpdatesSuspectIdFieldEvent {
    field: '$.ack.updates[].suspect.id'
    value: string
    index: number
  }

  export interface SwimMessageAckUpdatesSuspectIncarnationFieldEvent {
    field: '$.ack.updates[].suspect.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageAckUpdatesSuspectFromFieldEvent {
    field: '$.ack.updates[].suspect.from'
    value: string
    index: number
  }

  export interface SwimMessageAckUpdatesSuspectRefusedFieldEvent {
    field: '$.ack.updates[].suspect.refused'
    value: boolean
    index: number
  }

  export interface SwimMessageAckUpdatesDeadIdFieldEvent {
    field: '$.ack.updates[].dead.id'
    value: string
    index: number
  }

  export interface SwimMessageAckUpdatesDeadIncarnationFieldEvent {
    field: '$.ack.updates[].dead.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageAckUpdatesDeadFromFieldEvent {
    field: '$.ack.updates[].dead.from'
    value: string
    index: number
  }

  export interface SwimMessageAckUpdatesDeadRefusedFieldEvent {
    field: '$.ack.updates[].dead.refused'
    value: boolean
    index: number
  }

  export interface SwimMessageAckUpdatesForgetIdFieldEvent {
    field: '$.ack.updates[].forget.id'
    value: string
    index: number
  }

  export interface SwimMessageAckUpdatesForgetIncarnationFieldEvent {
    field: '$.ack.updates[].forget.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageAckUpdatesForgetFromFieldEvent {
    field: '$.ack.updates[].forget.from'
    value: string
    index: number
  }

  export interface SwimMessageAckUpdatesForgetRefusedFieldEvent {
    field: '$.ack.updates[].forget.refused'
    value: boolean
    index: number
  }

  export interface SwimMessagePingReqSeqFieldEvent {
    field: '$.pingReq.seq'
    value: number
  }

  export interface SwimMessagePingReqTargetFieldEvent {
    field: '$.pingReq.target'
    value: string
  }

  export interface SwimMessagePingReqTargetAddrsFieldEvent {
    field: '$.pingReq.targetAddrs[]'
    index: number
    value: string
  }

  export interface SwimMessagePingReqUpdatesRecordIdFieldEvent {
    field: '$.pingReq.updates[].record.id'
    value: string
    index: number
  }

  export interface SwimMessagePingReqUpdatesRecordIncarnationFieldEvent {
    field: '$.pingReq.updates[].record.incarnation'
    value: number
    index: number
  }

  export interface SwimMessagePingReqUpdatesRecordAddrsFieldEvent {
    field: '$.pingReq.updates[].record.addrs[]'
    index: number
    value: string
  }

  export interface SwimMessagePingReqUpdatesRecordMetaKeyFieldEvent {
    field: '$.pingReq.updates[].record.meta[].key'
    value: string
    index: number
  }

  export interface SwimMessagePingReqUpdatesRecordMetaValueFieldEvent {
    field: '$.pingReq.updates[].record.meta[].value'
    value: string
    index: number
  }

  export interface SwimMessagePingReqUpdatesRecordLeavingFieldEvent {
    field: '$.pingReq.updates[].record.leaving'
    value: boolean
    index: number
  }

  export interface SwimMessagePingReqUpdatesRecordSignatureFieldEvent {
    field: '$.pingReq.updates[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SwimMessagePingReqUpdatesRecordGenerationFieldEvent {
    field: '$.pingReq.updates[].record.generation'
    value: number
    index: number
  }

  export interface SwimMessagePingReqUpdatesRecordClusterTagFieldEvent {
    field: '$.pingReq.updates[].record.clusterTag'
    value: number
    index: number
  }

  export interface SwimMessagePingReqUpdatesSuspectIdFieldEvent {
    field: '$.pingReq.updates[].suspect.id'
    value: string
    index: number
  }

  export interface SwimMessagePingReqUpdatesSuspectIncarnationFieldEvent {
    field: '$.pingReq.updates[].suspect.incarnation'
    value: number
    index: number
  }

  export interface SwimMessagePingReqUpdatesSuspectFromFieldEvent {
    field: '$.pingReq.updates[].suspect.from'
    value: string
    index: number
  }

  export interface SwimMessagePingReqUpdatesSuspectRefusedFieldEvent {
    field: '$.pingReq.updates[].suspect.refused'
    value: boolean
    index: number
  }

  export interface SwimMessagePingReqUpdatesDeadIdFieldEvent {
    field: '$.pingReq.updates[].dead.id'
    value: string
    index: number
  }

  export interface SwimMessagePingReqUpdatesDeadIncarnationFieldEvent {
    field: '$.pingReq.updates[].dead.incarnation'
    value: number
    index: number
  }

  export interface SwimMessagePingReqUpdatesDeadFromFieldEvent {
    field: '$.pingReq.updates[].dead.from'
    value: string
    index: number
  }

  export interface SwimMessagePingReqUpdatesDeadRefusedFieldEvent {
    field: '$.pingReq.updates[].dead.refused'
    value: boolean
    index: number
  }

  export interface SwimMessagePingReqUpdatesForgetIdFieldEvent {
    field: '$.pingReq.updates[].forget.id'
    value: string
    index: number
  }

  export interface SwimMessagePingReqUpdatesForgetIncarnationFieldEvent {
    field: '$.pingReq.updates[].forget.incarnation'
    value: number
    index: number
  }

  export interface SwimMessagePingReqUpdatesForgetFromFieldEvent {
    field: '$.pingReq.updates[].forget.from'
    value: string
    index: number
  }

  export interface SwimMessagePingReqUpdatesForgetRefusedFieldEvent {
    field: '$.pingReq.updates[].forget.refused'
    value: boolean
    index: number
  }

  export interface SwimMessagePingReqTimeoutFieldEvent {
    field: '$.pingReq.timeout'
    value: number
  }

  export interface SwimMessageNackSeqFieldEvent {
    field: '$.nack.seq'
    value: number
  }

  export interface SwimMessageNackUpdatesRecordIdFieldEvent {
    field: '$.nack.updates[].record.id'
    value: string
    index: number
  }

  export interface SwimMessageNackUpdatesRecordIncarnationFieldEvent {
    field: '$.nack.updates[].record.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageNackUpdatesRecordAddrsFieldEvent {
    field: '$.nack.updates[].record.addrs[]'
    index: number
    value: string
  }

  export interface SwimMessageNackUpdatesRecordMetaKeyFieldEvent {
    field: '$.nack.updates[].record.meta[].key'
    value: string
    index: number
  }

  export interface SwimMessageNackUpdatesRecordMetaValueFieldEvent {
    field: '$.nack.updates[].record.meta[].value'
    value: string
    index: number
  }

  export interface SwimMessageNackUpdatesRecordLeavingFieldEvent {
    field: '$.nack.updates[].record.leaving'
    value: boolean
    index: number
  }

  export interface SwimMessageNackUpdatesRecordSignatureFieldEvent {
    field: '$.nack.updates[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SwimMessageNackUpdatesRecordGenerationFieldEvent {
    field: '$.nack.updates[].record.generation'
    value: number
    index: number
  }

  export interface SwimMessageNackUpdatesRecordClusterTagFieldEvent {
    field: '$.nack.updates[].record.clusterTag'
    value: number
    index: number
  }

  export interface SwimMessageNackUpdatesSuspectIdFieldEvent {
    field: '$.nack.updates[].suspect.id'
    value: string
    index: number
  }

  export interface SwimMessageNackUpdatesSuspectIncarnationFieldEvent {
    field: '$.nack.updates[].suspect.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageNackUpdatesSuspectFromFieldEvent {
    field: '$.nack.updates[].suspect.from'
    value: string
    index: number
  }

  export interface SwimMessageNackUpdatesSuspectRefusedFieldEvent {
    field: '$.nack.updates[].suspect.refused'
    value: boolean
    index: number
  }

  export interface SwimMessageNackUpdatesDeadIdFieldEvent {
    field: '$.nack.updates[].dead.id'
    value: string
    index: number
  }

  export interface SwimMessageNackUpdatesDeadIncarnationFieldEvent {
    field: '$.nack.updates[].dead.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageNackUpdatesDeadFromFieldEvent {
    field: '$.nack.updates[].dead.from'
    value: string
    index: number
  }

  export interface SwimMessageNackUpdatesDeadRefusedFieldEvent {
    field: '$.nack.updates[].dead.refused'
    value: boolean
    index: number
  }

  export interface SwimMessageNackUpdatesForgetIdFieldEvent {
    field: '$.nack.updates[].forget.id'
    value: string
    index: number
  }

  export interface SwimMessageNackUpdatesForgetIncarnationFieldEvent {
    field: '$.nack.updates[].forget.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageNackUpdatesForgetFromFieldEvent {
    field: '$.nack.updates[].forget.from'
    value: string
    index: number
  }

  export interface SwimMessageNackUpdatesForgetRefusedFieldEvent {
    field: '$.nack.updates[].forget.refused'
    value: boolean
    index: number
  }

  export interface SwimMessageGossipUpdatesRecordIdFieldEvent {
    field: '$.gossip.updates[].record.id'
    value: string
    index: number
  }

  export interface SwimMessageGossipUpdatesRecordIncarnationFieldEvent {
    field: '$.gossip.updates[].record.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageGossipUpdatesRecordAddrsFieldEvent {
    field: '$.gossip.updates[].record.addrs[]'
    index: number
    value: string
  }

  export interface SwimMessageGossipUpdatesRecordMetaKeyFieldEvent {
    field: '$.gossip.updates[].record.meta[].key'
    value: string
    index: number
  }

  export interface SwimMessageGossipUpdatesRecordMetaValueFieldEvent {
    field: '$.gossip.updates[].record.meta[].value'
    value: string
    index: number
  }

  export interface SwimMessageGossipUpdatesRecordLeavingFieldEvent {
    field: '$.gossip.updates[].record.leaving'
    value: boolean
    index: number
  }

  export interface SwimMessageGossipUpdatesRecordSignatureFieldEvent {
    field: '$.gossip.updates[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SwimMessageGossipUpdatesRecordGenerationFieldEvent {
    field: '$.gossip.updates[].record.generation'
    value: number
    index: number
  }

  export interface SwimMessageGossipUpdatesRecordClusterTagFieldEvent {
    field: '$.gossip.updates[].record.clusterTag'
    value: number
    index: number
  }

  export interface SwimMessageGossipUpdatesSuspectIdFieldEvent {
    field: '$.gossip.updates[].suspect.id'
    value: string
    index: number
  }

  export interface SwimMessageGossipUpdatesSuspectIncarnationFieldEvent {
    field: '$.gossip.updates[].suspect.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageGossipUpdatesSuspectFromFieldEvent {
    field: '$.gossip.updates[].suspect.from'
    value: string
    index: number
  }

  export interface SwimMessageGossipUpdatesSuspectRefusedFieldEvent {
    field: '$.gossip.updates[].suspect.refused'
    value: boolean
    index: number
  }

  export interface SwimMessageGossipUpdatesDeadIdFieldEvent {
    field: '$.gossip.updates[].dead.id'
    value: string
    index: number
  }

  export interface SwimMessageGossipUpdatesDeadIncarnationFieldEvent {
    field: '$.gossip.updates[].dead.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageGossipUpdatesDeadFromFieldEvent {
    field: '$.gossip.updates[].dead.from'
    value: string
    index: number
  }

  export interface SwimMessageGossipUpdatesDeadRefusedFieldEvent {
    field: '$.gossip.updates[].dead.refused'
    value: boolean
    index: number
  }

  export interface SwimMessageGossipUpdatesForgetIdFieldEvent {
    field: '$.gossip.updates[].forget.id'
    value: string
    index: number
  }

  export interface SwimMessageGossipUpdatesForgetIncarnationFieldEvent {
    field: '$.gossip.updates[].forget.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageGossipUpdatesForgetFromFieldEvent {
    field: '$.gossip.updates[].forget.from'
    value: string
    index: number
  }

  export interface SwimMessageGossipUpdatesForgetRefusedFieldEvent {
    field: '$.gossip.updates[].forget.refused'
    value: boolean
    index: number
  }

  export interface SwimMessageSyncJoinFieldEvent {
    field: '$.sync.join'
    value: boolean
  }

  export interface SwimMessageSyncResponseFieldEvent {
    field: '$.sync.response'
    value: boolean
  }

  export interface SwimMessageSyncEntriesRecordIdFieldEvent {
    field: '$.sync.entries[].record.id'
    value: string
    index: number
  }

  export interface SwimMessageSyncEntriesRecordIncarnationFieldEvent {
    field: '$.sync.entries[].record.incarnation'
    value: number
    index: number
  }

  export interface SwimMessageSyncEntriesRecordAddrsFieldEvent {
    field: '$.sync.entries[].record.addrs[]'
    index: number
    value: string
  }

  export interface SwimMessageSyncEntriesRecordMetaKeyFieldEvent {
    field: '$.sync.entries[].record.meta[].key'
    value: string
    index: number
  }

  export interface SwimMessageSyncEntriesRecordMetaValueFieldEvent {
    field: '$.sync.entries[].record.meta[].value'
    value: string
    index: number
  }

  export interface SwimMessageSyncEntriesRecordLeavingFieldEvent {
    field: '$.sync.entries[].record.leaving'
    value: boolean
    index: number
  }

  export interface SwimMessageSyncEntriesRecordSignatureFieldEvent {
    field: '$.sync.entries[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SwimMessageSyncEntriesRecordGenerationFieldEvent {
    field: '$.sync.entries[].record.generation'
    value: number
    index: number
  }

  export interface SwimMessageSyncEntriesRecordClusterTagFieldEvent {
    field: '$.sync.entries[].record.clusterTag'
    value: number
    index: number
  }

  export interface SwimMessageSyncEntriesStateFieldEvent {
    field: '$.sync.entries[].state'
    value: SyncEntry.State
    index: number
  }

  export interface SwimMessageSyncEntriesIncarnationFieldEvent {
    field: '$.sync.entries[].incarnation'
    value: number
    index: number
  }

  export interface SwimMessageSyncDigestFieldEvent {
    field: '$.sync.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SwimMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SwimMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SwimMessage>): SwimMessage {
    return decodeMessage(buf, SwimMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SwimMessage>): Generator<SwimMessagePingSeqFieldEvent | SwimMessagePingTargetFieldEvent | SwimMessagePingUpdatesRecordIdFieldEvent | SwimMessagePingUpdatesRecordIncarnationFieldEvent | SwimMessagePingUpdatesRecordAddrsFieldEvent | SwimMessagePingUpdatesRecordMetaKeyFieldEvent | SwimMessagePingUpdatesRecordMetaValueFieldEvent | SwimMessagePingUpdatesRecordLeavingFieldEvent | SwimMessagePingUpdatesRecordSignatureFieldEvent | SwimMessagePingUpdatesRecordGenerationFieldEvent | SwimMessagePingUpdatesRecordClusterTagFieldEvent | SwimMessagePingUpdatesSuspectIdFieldEvent | SwimMessagePingUpdatesSuspectIncarnationFieldEvent | SwimMessagePingUpdatesSuspectFromFieldEvent | SwimMessagePingUpdatesSuspectRefusedFieldEvent | SwimMessagePingUpdatesDeadIdFieldEvent | SwimMessagePingUpdatesDeadIncarnationFieldEvent | SwimMessagePingUpdatesDeadFromFieldEvent | SwimMessagePingUpdatesDeadRefusedFieldEvent | SwimMessagePingUpdatesForgetIdFieldEvent | SwimMessagePingUpdatesForgetIncarnationFieldEvent | SwimMessagePingUpdatesForgetFromFieldEvent | SwimMessagePingUpdatesForgetRefusedFieldEvent | SwimMessageAckSeqFieldEvent | SwimMessageAckUpdatesRecordIdFieldEvent | SwimMessageAckUpdatesRecordIncarnationFieldEvent | SwimMessageAckUpdatesRecordAddrsFieldEvent | SwimMessageAckUpdatesRecordMetaKeyFieldEvent | SwimMessageAckUpdatesRecordMetaValueFieldEvent | SwimMessageAckUpdatesRecordLeavingFieldEvent | SwimMessageAckUpdatesRecordSignatureFieldEvent | SwimMessageAckUpdatesRecordGenerationFieldEvent | SwimMessageAckUpdatesRecordClusterTagFieldEvent | SwimMessageAckUpdatesSuspectIdFieldEvent | SwimMessageAckUpdatesSuspectIncarnationFieldEvent | SwimMessageAckUpdatesSuspectFromFieldEvent | SwimMessageAckUpdatesSuspectRefusedFieldEvent | SwimMessageAckUpdatesDeadIdFieldEvent | SwimMessageAckUpdatesDeadIncarnationFieldEvent | SwimMessageAckUpdatesDeadFromFieldEvent | SwimMessageAckUpdatesDeadRefusedFieldEvent | SwimMessageAckUpdatesForgetIdFieldEvent | SwimMessageAckUpdatesForgetIncarnationFieldEvent | SwimMessageAckUpdatesForgetFromFieldEvent | SwimMessageAckUpdatesForgetRefusedFieldEvent | SwimMessagePingReqSeqFieldEvent | SwimMessagePingReqTargetFieldEvent | SwimMessagePingReqTargetAddrsFieldEvent | SwimMessagePingReqUpdatesRecordIdFieldEvent | SwimMessagePingReqUpdatesRecordIncarnationFieldEvent | SwimMessagePingReqUpdatesRecordAddrsFieldEvent | SwimMessagePingReqUpdatesRecordMetaKeyFieldEvent | SwimMessagePingReqUpdatesRecordMetaValueFieldEvent | SwimMessagePingReqUpdatesRecordLeavingFieldEvent | SwimMessagePingReqUpdatesRecordSignatureFieldEvent | SwimMessagePingReqUpdatesRecordGenerationFieldEvent | SwimMessagePingReqUpdatesRecordClusterTagFieldEvent | SwimMessagePingReqUpdatesSuspectIdFieldEvent | SwimMessagePingReqUpdatesSuspectIncarnationFieldEvent | SwimMessagePingReqUpdatesSuspectFromFieldEvent | SwimMessagePingReqUpdatesSuspectRefusedFieldEvent | SwimMessagePingReqUpdatesDeadIdFieldEvent | SwimMessagePingReqUpdatesDeadIncarnationFieldEvent | SwimMessagePingReqUpdatesDeadFromFieldEvent | SwimMessagePingReqUpdatesDeadRefusedFieldEvent | SwimMessagePingReqUpdatesForgetIdFieldEvent | SwimMessagePingReqUpdatesForgetIncarnationFieldEvent | SwimMessagePingReqUpdatesForgetFromFieldEvent | SwimMessagePingReqUpdatesForgetRefusedFieldEvent | SwimMessagePingReqTimeoutFieldEvent | SwimMessageNackSeqFieldEvent | SwimMessageNackUpdatesRecordIdFieldEvent | SwimMessageNackUpdatesRecordIncarnationFieldEvent | SwimMessageNackUpdatesRecordAddrsFieldEvent | SwimMessageNackUpdatesRecordMetaKeyFieldEvent | SwimMessageNackUpdatesRecordMetaValueFieldEvent | SwimMessageNackUpdatesRecordLeavingFieldEvent | SwimMessageNackUpdatesRecordSignatureFieldEvent | SwimMessageNackUpdatesRecordGenerationFieldEvent | SwimMessageNackUpdatesRecordClusterTagFieldEvent | SwimMessageNackUpdatesSuspectIdFieldEvent | SwimMessageNackUpdatesSuspectIncarnationFieldEvent | SwimMessageNackUpdatesSuspectFromFieldEvent | SwimMessageNackUpdatesSuspectRefusedFieldEvent | SwimMessageNackUpdatesDeadIdFieldEvent | SwimMessageNackUpdatesDeadIncarnationFieldEvent | SwimMessageNackUpdatesDeadFromFieldEvent | SwimMessageNackUpdatesDeadRefusedFieldEvent | SwimMessageNackUpdatesForgetIdFieldEvent | SwimMessageNackUpdatesForgetIncarnationFieldEvent | SwimMessageNackUpdatesForgetFromFieldEvent | SwimMessageNackUpdatesForgetRefusedFieldEvent | SwimMessageGossipUpdatesRecordIdFieldEvent | SwimMessageGossipUpdatesRecordIncarnationFieldEvent | SwimMessageGossipUpdatesRecordAddrsFieldEvent | SwimMessageGossipUpdatesRecordMetaKeyFieldEvent | SwimMessageGossipUpdatesRecordMetaValueFieldEvent | SwimMessageGossipUpdatesRecordLeavingFieldEvent | SwimMessageGossipUpdatesRecordSignatureFieldEvent | SwimMessageGossipUpdatesRecordGenerationFieldEvent | SwimMessageGossipUpdatesRecordClusterTagFieldEvent | SwimMessageGossipUpdatesSuspectIdFieldEvent | SwimMessageGossipUpdatesSuspectIncarnationFieldEvent | SwimMessageGossipUpdatesSuspectFromFieldEvent | SwimMessageGossipUpdatesSuspectRefusedFieldEvent | SwimMessageGossipUpdatesDeadIdFieldEvent | SwimMessageGossipUpdatesDeadIncarnationFieldEvent | SwimMessageGossipUpdatesDeadFromFieldEvent | SwimMessageGossipUpdatesDeadRefusedFieldEvent | SwimMessageGossipUpdatesForgetIdFieldEvent | SwimMessageGossipUpdatesForgetIncarnationFieldEvent | SwimMessageGossipUpdatesForgetFromFieldEvent | SwimMessageGossipUpdatesForgetRefusedFieldEvent | SwimMessageSyncJoinFieldEvent | SwimMessageSyncResponseFieldEvent | SwimMessageSyncEntriesRecordIdFieldEvent | SwimMessageSyncEntriesRecordIncarnationFieldEvent | SwimMessageSyncEntriesRecordAddrsFieldEvent | SwimMessageSyncEntriesRecordMetaKeyFieldEvent | SwimMessageSyncEntriesRecordMetaValueFieldEvent | SwimMessageSyncEntriesRecordLeavingFieldEvent | SwimMessageSyncEntriesRecordSignatureFieldEvent | SwimMessageSyncEntriesRecordGenerationFieldEvent | SwimMessageSyncEntriesRecordClusterTagFieldEvent | SwimMessageSyncEntriesStateFieldEvent | SwimMessageSyncEntriesIncarnationFieldEvent | SwimMessageSyncDigestFieldEvent> {
    return streamMessage(buf, SwimMessage.codec(), opts)
  }
}

export interface Ping {
  seq: number
  target: string
  updates: Update[]
}

export namespace Ping {
  let _codec: Codec<Ping>

  export const codec = (): Codec<Ping> => {
    if (_codec == null) {
      _codec = message<Ping>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(8)
          w.sint64Number(obj.seq)
        }

        if ((obj.target != null && obj.target !== '')) {
          w.uint32(18)
          w.string(obj.target)
        }

        if (obj.updates != null && obj.updates.length > 0) {
          for (const value of obj.updates) {
            w.uint32(26)
            Update.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0,
          target: '',
          updates: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.sint64Number()
              break
            }
            case 2: {
              obj.target = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.updates != null && obj.updates.length === opts.limits.updates) {
                throw new MaxLengthError('Decode error - repeated field "updates" had too many elements')
              }

              obj.updates.push(Update.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.updates$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          updates: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.sint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.target`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.updates != null && obj.updates === opts.limits.updates) {
                throw new MaxLengthError('Streaming decode error - repeated field "updates" had too many elements')
              }

              for (const evt of Update.codec().stream(reader, reader.uint32(), `${prefix}.updates[]`, {
                limits: opts.limits?.updates$
              })) {
                yield {
                  ...evt,
                  index: obj.updates
                }
              }

              obj.updates++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PingSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface PingTargetFieldEvent {
    field: '$.target'
    value: string
  }

  export interface PingUpdatesRecordIdFieldEvent {
    field: '$.updates[].record.id'
    value: string
    index: number
  }

  export interface PingUpdatesRecordIncarnationFieldEvent {
    field: '$.updates[].record.incarnation'
    value: number
    index: number
  }

  export interface PingUpdatesRecordAddrsFieldEvent {
    field: '$.updates[].record.addrs[]'
    index: number
    value: string
  }

  export interface PingUpdatesRecordMetaKeyFieldEvent {
    field: '$.updates[].record.meta[].key'
    value: string
    index: number
  }

  export interface PingUpdatesRecordMetaValueFieldEvent {
    field: '$.updates[].record.meta[].value'
    value: string
    index: number
  }

  export interface PingUpdatesRecordLeavingFieldEvent {
    field: '$.updates[].record.leaving'
    value: boolean
    index: number
  }

  export interface PingUpdatesRecordSignatureFieldEvent {
    field: '$.updates[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PingUpdatesRecordGenerationFieldEvent {
    field: '$.updates[].record.generation'
    value: number
    index: number
  }

  export interface PingUpdatesRecordClusterTagFieldEvent {
    field: '$.updates[].record.clusterTag'
    value: number
    index: number
  }

  export interface PingUpdatesSuspectIdFieldEvent {
    field: '$.updates[].suspect.id'
    value: string
    index: number
  }

  export interface PingUpdatesSuspectIncarnationFieldEvent {
    field: '$.updates[].suspect.incarnation'
    value: number
    index: number
  }

  export interface PingUpdatesSuspectFromFieldEvent {
    field: '$.updates[].suspect.from'
    value: string
    index: number
  }

  export interface PingUpdatesSuspectRefusedFieldEvent {
    field: '$.updates[].suspect.refused'
    value: boolean
    index: number
  }

  export interface PingUpdatesDeadIdFieldEvent {
    field: '$.updates[].dead.id'
    value: string
    index: number
  }

  export interface PingUpdatesDeadIncarnationFieldEvent {
    field: '$.updates[].dead.incarnation'
    value: number
    index: number
  }

  export interface PingUpdatesDeadFromFieldEvent {
    field: '$.updates[].dead.from'
    value: string
    index: number
  }

  export interface PingUpdatesDeadRefusedFieldEvent {
    field: '$.updates[].dead.refused'
    value: boolean
    index: number
  }

  export interface PingUpdatesForgetIdFieldEvent {
    field: '$.updates[].forget.id'
    value: string
    index: number
  }

  export interface PingUpdatesForgetIncarnationFieldEvent {
    field: '$.updates[].forget.incarnation'
    value: number
    index: number
  }

  export interface PingUpdatesForgetFromFieldEvent {
    field: '$.updates[].forget.from'
    value: string
    index: number
  }

  export interface PingUpdatesForgetRefusedFieldEvent {
    field: '$.updates[].forget.refused'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Ping>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ping.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ping>): Ping {
    return decodeMessage(buf, Ping.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ping>): Generator<PingSeqFieldEvent | PingTargetFieldEvent | PingUpdatesRecordIdFieldEvent | PingUpdatesRecordIncarnationFieldEvent | PingUpdatesRecordAddrsFieldEvent | PingUpdatesRecordMetaKeyFieldEvent | PingUpdatesRecordMetaValueFieldEvent | PingUpdatesRecordLeavingFieldEvent | PingUpdatesRecordSignatureFieldEvent | PingUpdatesRecordGenerationFieldEvent | PingUpdatesRecordClusterTagFieldEvent | PingUpdatesSuspectIdFieldEvent | PingUpdatesSuspectIncarnationFieldEvent | PingUpdatesSuspectFromFieldEvent | PingUpdatesSuspectRefusedFieldEvent | PingUpdatesDeadIdFieldEvent | PingUpdatesDeadIncarnationFieldEvent | PingUpdatesDeadFromFieldEvent | PingUpdatesDeadRefusedFieldEvent | PingUpdatesForgetIdFieldEvent | PingUpdatesForgetIncarnationFieldEvent | PingUpdatesForgetFromFieldEvent | PingUpdatesForgetRefusedFieldEvent> {
    return streamMessage(buf, Ping.codec(), opts)
  }
}

export interface Ack {
  seq: number
  updates: Update[]
}

export namespace Ack {
  let _codec: Codec<Ack>

  export const codec = (): Codec<Ack> => {
    if (_codec == null) {
      _codec = message<Ack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(8)
          w.sint64Number(obj.seq)
        }

        if (obj.updates != null && obj.updates.length > 0) {
          for (const value of obj.updates) {
            w.uint32(18)
            Update.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0,
          updates: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.sint64Number()
              break
            }
            case 2: {
              if (opts.limits?.updates != null && obj.updates.length === opts.limits.updates) {
                throw new MaxLengthError('Decode error - repeated field "updates" had too many elements')
              }

              obj.updates.push(Update.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.updates$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          updates: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.sint64Number()
              }
              break
            }
            case 2: {
              if (opts.limits?.updates != null && obj.updates === opts.limits.updates) {
                throw new MaxLengthError('Streaming decode error - repeated field "updates" had too many elements')
              }

              for (const evt of Update.codec().stream(reader, reader.uint32(), `${prefix}.updates[]`, {
                limits: opts.limits?.updates$
              })) {
                yield {
                  ...evt,
                  index: obj.updates
                }
              }

              obj.updates++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AckSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface AckUpdatesRecordIdFieldEvent {
    field: '$.updates[].record.id'
    value: string
    index: number
  }

  export interface AckUpdatesRecordIncarnationFieldEvent {
    field: '$.updates[].record.incarnation'
    value: number
    index: number
  }

  export interface AckUpdatesRecordAddrsFieldEvent {
    field: '$.updates[].record.addrs[]'
    index: number
    value: string
  }

  export interface AckUpdatesRecordMetaKeyFieldEvent {
    field: '$.updates[].record.meta[].key'
    value: string
    index: number
  }

  export interface AckUpdatesRecordMetaValueFieldEvent {
    field: '$.updates[].record.meta[].value'
    value: string
    index: number
  }

  export interface AckUpdatesRecordLeavingFieldEvent {
    field: '$.updates[].record.leaving'
    value: boolean
    index: number
  }

  export interface AckUpdatesRecordSignatureFieldEvent {
    field: '$.updates[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface AckUpdatesRecordGenerationFieldEvent {
    field: '$.updates[].record.generation'
    value: number
    index: number
  }

  export interface AckUpdatesRecordClusterTagFieldEvent {
    field: '$.updates[].record.clusterTag'
    value: number
    index: number
  }

  export interface AckUpdatesSuspectIdFieldEvent {
    field: '$.updates[].suspect.id'
    value: string
    index: number
  }

  export interface AckUpdatesSuspectIncarnationFieldEvent {
    field: '$.updates[].suspect.incarnation'
    value: number
    index: number
  }

  export interface AckUpdatesSuspectFromFieldEvent {
    field: '$.updates[].suspect.from'
    value: string
    index: number
  }

  export interface AckUpdatesSuspectRefusedFieldEvent {
    field: '$.updates[].suspect.refused'
    value: boolean
    index: number
  }

  export interface AckUpdatesDeadIdFieldEvent {
    field: '$.updates[].dead.id'
    value: string
    index: number
  }

  export interface AckUpdatesDeadIncarnationFieldEvent {
    field: '$.updates[].dead.incarnation'
    value: number
    index: number
  }

  export interface AckUpdatesDeadFromFieldEvent {
    field: '$.updates[].dead.from'
    value: string
    index: number
  }

  export interface AckUpdatesDeadRefusedFieldEvent {
    field: '$.updates[].dead.refused'
    value: boolean
    index: number
  }

  export interface AckUpdatesForgetIdFieldEvent {
    field: '$.updates[].forget.id'
    value: string
    index: number
  }

  export interface AckUpdatesForgetIncarnationFieldEvent {
    field: '$.updates[].forget.incarnation'
    value: number
    index: number
  }

  export interface AckUpdatesForgetFromFieldEvent {
    field: '$.updates[].forget.from'
    value: string
    index: number
  }

  export interface AckUpdatesForgetRefusedFieldEvent {
    field: '$.updates[].forget.refused'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Ack>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ack.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack {
    return decodeMessage(buf, Ack.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Generator<AckSeqFieldEvent | AckUpdatesRecordIdFieldEvent | AckUpdatesRecordIncarnationFieldEvent | AckUpdatesRecordAddrsFieldEvent | AckUpdatesRecordMetaKeyFieldEvent | AckUpdatesRecordMetaValueFieldEvent | AckUpdatesRecordLeavingFieldEvent | AckUpdatesRecordSignatureFieldEvent | AckUpdatesRecordGenerationFieldEvent | AckUpdatesRecordClusterTagFieldEvent | AckUpdatesSuspectIdFieldEvent | AckUpdatesSuspectIncarnationFieldEvent | AckUpdatesSuspectFromFieldEvent | AckUpdatesSuspectRefusedFieldEvent | AckUpdatesDeadIdFieldEvent | AckUpdatesDeadIncarnationFieldEvent | AckUpdatesDeadFromFieldEvent | AckUpdatesDeadRefusedFieldEvent | AckUpdatesForgetIdFieldEvent | AckUpdatesForgetIncarnationFieldEvent | AckUpdatesForgetFromFieldEvent | AckUpdatesForgetRefusedFieldEvent> {
    return streamMessage(buf, Ack.codec(), opts)
  }
}

export interface PingReq {
  seq: number
  target: string
  targetAddrs: string[]
  updates: Update[]
  timeout?: number
}

export namespace PingReq {
  let _codec: Codec<PingReq>

  export const codec = (): Codec<PingReq> => {
    if (_codec == null) {
      _codec = message<PingReq>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(8)
          w.sint64Number(obj.seq)
        }

        if ((obj.target != null && obj.target !== '')) {
          w.uint32(18)
          w.string(obj.target)
        }

        if (obj.targetAddrs != null && obj.targetAddrs.length > 0) {
          for (const value of obj.targetAddrs) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (obj.updates != null && obj.updates.length > 0) {
          for (const value of obj.updates) {
            w.uint32(34)
            Update.codec().encode(value, w)
          }
        }

        if (obj.timeout != null) {
          w.uint32(40)
          w.uint32(obj.timeout)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0,
          target: '',
          targetAddrs: [],
          updates: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.sint64Number()
              break
            }
            case 2: {
              obj.target = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.targetAddrs != null && obj.targetAddrs.length === opts.limits.targetAddrs) {
                throw new MaxLengthError('Decode error - repeated field "targetAddrs" had too many elements')
              }

              obj.targetAddrs.push(reader.string())
              break
            }
            case 4: {
              if (opts.limits?.updates != null && obj.updates.length === opts.limits.updates) {
                throw new MaxLengthError('Decode error - repeated field "updates" had too many elements')
              }

              obj.updates.push(Update.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.updates$
              }))
              break
            }
            case 5: {
              obj.timeout = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          targetAddrs: 0,
          updates: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.sint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.target`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.targetAddrs != null && obj.targetAddrs === opts.limits.targetAddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "targetAddrs" had too many elements')
              }

              yield {
                field: `${prefix}.targetAddrs[]`,
                index: obj.targetAddrs,
                value: reader.string()
              }

              obj.targetAddrs++

              break
            }
            case 4: {
              if (opts.limits?.updates != null && obj.updates === opts.limits.updates) {
                throw new MaxLengthError('Streaming decode error - repeated field "updates" had too many elements')
              }

              for (const evt of Update.codec().stream(reader, reader.uint32(), `${prefix}.updates[]`, {
                limits: opts.limits?.updates$
              })) {
                yield {
                  ...evt,
                  index: obj.updates
                }
              }

              obj.updates++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.timeout`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PingReqSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface PingReqTargetFieldEvent {
    field: '$.target'
    value: string
  }

  export interface PingReqTargetAddrsFieldEvent {
    field: '$.targetAddrs[]'
    index: number
    value: string
  }

  export interface PingReqUpdatesRecordIdFieldEvent {
    field: '$.updates[].record.id'
    value: string
    index: number
  }

  export interface PingReqUpdatesRecordIncarnationFieldEvent {
    field: '$.updates[].record.incarnation'
    value: number
    index: number
  }

  export interface PingReqUpdatesRecordAddrsFieldEvent {
    field: '$.updates[].record.addrs[]'
    index: number
    value: string
  }

  export interface PingReqUpdatesRecordMetaKeyFieldEvent {
    field: '$.updates[].record.meta[].key'
    value: string
    index: number
  }

  export interface PingReqUpdatesRecordMetaValueFieldEvent {
    field: '$.updates[].record.meta[].value'
    value: string
    index: number
  }

  export interface PingReqUpdatesRecordLeavingFieldEvent {
    field: '$.updates[].record.leaving'
    value: boolean
    index: number
  }

  export interface PingReqUpdatesRecordSignatureFieldEvent {
    field: '$.updates[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PingReqUpdatesRecordGenerationFieldEvent {
    field: '$.updates[].record.generation'
    value: number
    index: number
  }

  export interface PingReqUpdatesRecordClusterTagFieldEvent {
    field: '$.updates[].record.clusterTag'
    value: number
    index: number
  }

  export interface PingReqUpdatesSuspectIdFieldEvent {
    field: '$.updates[].suspect.id'
    value: string
    index: number
  }

  export interface PingReqUpdatesSuspectIncarnationFieldEvent {
    field: '$.updates[].suspect.incarnation'
    value: number
    index: number
  }

  export interface PingReqUpdatesSuspectFromFieldEvent {
    field: '$.updates[].suspect.from'
    value: string
    index: number
  }

  export interface PingReqUpdatesSuspectRefusedFieldEvent {
    field: '$.updates[].suspect.refused'
    value: boolean
    index: number
  }

  export interface PingReqUpdatesDeadIdFieldEvent {
    field: '$.updates[].dead.id'
    value: string
    index: number
  }

  export interface PingReqUpdatesDeadIncarnationFieldEvent {
    field: '$.updates[].dead.incarnation'
    value: number
    index: number
  }

  export interface PingReqUpdatesDeadFromFieldEvent {
    field: '$.updates[].dead.from'
    value: string
    index: number
  }

  export interface PingReqUpdatesDeadRefusedFieldEvent {
    field: '$.updates[].dead.refused'
    value: boolean
    index: number
  }

  export interface PingReqUpdatesForgetIdFieldEvent {
    field: '$.updates[].forget.id'
    value: string
    index: number
  }

  export interface PingReqUpdatesForgetIncarnationFieldEvent {
    field: '$.updates[].forget.incarnation'
    value: number
    index: number
  }

  export interface PingReqUpdatesForgetFromFieldEvent {
    field: '$.updates[].forget.from'
    value: string
    index: number
  }

  export interface PingReqUpdatesForgetRefusedFieldEvent {
    field: '$.updates[].forget.refused'
    value: boolean
    index: number
  }

  export interface PingReqTimeoutFieldEvent {
    field: '$.timeout'
    value: number
  }

  export function encode (obj: Partial<PingReq>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PingReq.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PingReq>): PingReq {
    return decodeMessage(buf, PingReq.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PingReq>): Generator<PingReqSeqFieldEvent | PingReqTargetFieldEvent | PingReqTargetAddrsFieldEvent | PingReqUpdatesRecordIdFieldEvent | PingReqUpdatesRecordIncarnationFieldEvent | PingReqUpdatesRecordAddrsFieldEvent | PingReqUpdatesRecordMetaKeyFieldEvent | PingReqUpdatesRecordMetaValueFieldEvent | PingReqUpdatesRecordLeavingFieldEvent | PingReqUpdatesRecordSignatureFieldEvent | PingReqUpdatesRecordGenerationFieldEvent | PingReqUpdatesRecordClusterTagFieldEvent | PingReqUpdatesSuspectIdFieldEvent | PingReqUpdatesSuspectIncarnationFieldEvent | PingReqUpdatesSuspectFromFieldEvent | PingReqUpdatesSuspectRefusedFieldEvent | PingReqUpdatesDeadIdFieldEvent | PingReqUpdatesDeadIncarnationFieldEvent | PingReqUpdatesDeadFromFieldEvent | PingReqUpdatesDeadRefusedFieldEvent | PingReqUpdatesForgetIdFieldEvent | PingReqUpdatesForgetIncarnationFieldEvent | PingReqUpdatesForgetFromFieldEvent | PingReqUpdatesForgetRefusedFieldEvent | PingReqTimeoutFieldEvent> {
    return streamMessage(buf, PingReq.codec(), opts)
  }
}

export interface Nack {
  seq: number
  updates: Update[]
}

export namespace Nack {
  let _codec: Codec<Nack>

  export const codec = (): Codec<Nack> => {
    if (_codec == null) {
      _codec = message<Nack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(8)
          w.sint64Number(obj.seq)
        }

        if (obj.updates != null && obj.updates.length > 0) {
          for (const value of obj.updates) {
            w.uint32(18)
            Update.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0,
          updates: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.sint64Number()
              break
            }
            case 2: {
              if (opts.limits?.updates != null && obj.updates.length === opts.limits.updates) {
                throw new MaxLengthError('Decode error - repeated field "updates" had too many elements')
              }

              obj.updates.push(Update.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.updates$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          updates: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.sint64Number()
              }
              break
            }
            case 2: {
              if (opts.limits?.updates != null && obj.updates === opts.limits.updates) {
                throw new MaxLengthError('Streaming decode error - repeated field "updates" had too many elements')
              }

              for (const evt of Update.codec().stream(reader, reader.uint32(), `${prefix}.updates[]`, {
                limits: opts.limits?.updates$
              })) {
                yield {
                  ...evt,
                  index: obj.updates
                }
              }

              obj.updates++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface NackSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface NackUpdatesRecordIdFieldEvent {
    field: '$.updates[].record.id'
    value: string
    index: number
  }

  export interface NackUpdatesRecordIncarnationFieldEvent {
    field: '$.updates[].record.incarnation'
    value: number
    index: number
  }

  export interface NackUpdatesRecordAddrsFieldEvent {
    field: '$.updates[].record.addrs[]'
    index: number
    value: string
  }

  export interface NackUpdatesRecordMetaKeyFieldEvent {
    field: '$.updates[].record.meta[].key'
    value: string
    index: number
  }

  export interface NackUpdatesRecordMetaValueFieldEvent {
    field: '$.updates[].record.meta[].value'
    value: string
    index: number
  }

  export interface NackUpdatesRecordLeavingFieldEvent {
    field: '$.updates[].record.leaving'
    value: boolean
    index: number
  }

  export interface NackUpdatesRecordSignatureFieldEvent {
    field: '$.updates[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface NackUpdatesRecordGenerationFieldEvent {
    field: '$.updates[].record.generation'
    value: number
    index: number
  }

  export interface NackUpdatesRecordClusterTagFieldEvent {
    field: '$.updates[].record.clusterTag'
    value: number
    index: number
  }

  export interface NackUpdatesSuspectIdFieldEvent {
    field: '$.updates[].suspect.id'
    value: string
    index: number
  }

  export interface NackUpdatesSuspectIncarnationFieldEvent {
    field: '$.updates[].suspect.incarnation'
    value: number
    index: number
  }

  export interface NackUpdatesSuspectFromFieldEvent {
    field: '$.updates[].suspect.from'
    value: string
    index: number
  }

  export interface NackUpdatesSuspectRefusedFieldEvent {
    field: '$.updates[].suspect.refused'
    value: boolean
    index: number
  }

  export interface NackUpdatesDeadIdFieldEvent {
    field: '$.updates[].dead.id'
    value: string
    index: number
  }

  export interface NackUpdatesDeadIncarnationFieldEvent {
    field: '$.updates[].dead.incarnation'
    value: number
    index: number
  }

  export interface NackUpdatesDeadFromFieldEvent {
    field: '$.updates[].dead.from'
    value: string
    index: number
  }

  export interface NackUpdatesDeadRefusedFieldEvent {
    field: '$.updates[].dead.refused'
    value: boolean
    index: number
  }

  export interface NackUpdatesForgetIdFieldEvent {
    field: '$.updates[].forget.id'
    value: string
    index: number
  }

  export interface NackUpdatesForgetIncarnationFieldEvent {
    field: '$.updates[].forget.incarnation'
    value: number
    index: number
  }

  export interface NackUpdatesForgetFromFieldEvent {
    field: '$.updates[].forget.from'
    value: string
    index: number
  }

  export interface NackUpdatesForgetRefusedFieldEvent {
    field: '$.updates[].forget.refused'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Nack>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Nack.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Nack>): Nack {
    return decodeMessage(buf, Nack.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Nack>): Generator<NackSeqFieldEvent | NackUpdatesRecordIdFieldEvent | NackUpdatesRecordIncarnationFieldEvent | NackUpdatesRecordAddrsFieldEvent | NackUpdatesRecordMetaKeyFieldEvent | NackUpdatesRecordMetaValueFieldEvent | NackUpdatesRecordLeavingFieldEvent | NackUpdatesRecordSignatureFieldEvent | NackUpdatesRecordGenerationFieldEvent | NackUpdatesRecordClusterTagFieldEvent | NackUpdatesSuspectIdFieldEvent | NackUpdatesSuspectIncarnationFieldEvent | NackUpdatesSuspectFromFieldEvent | NackUpdatesSuspectRefusedFieldEvent | NackUpdatesDeadIdFieldEvent | NackUpdatesDeadIncarnationFieldEvent | NackUpdatesDeadFromFieldEvent | NackUpdatesDeadRefusedFieldEvent | NackUpdatesForgetIdFieldEvent | NackUpdatesForgetIncarnationFieldEvent | NackUpdatesForgetFromFieldEvent | NackUpdatesForgetRefusedFieldEvent> {
    return streamMessage(buf, Nack.codec(), opts)
  }
}

export interface Gossip {
  updates: Update[]
}

export namespace Gossip {
  let _codec: Codec<Gossip>

  export const codec = (): Codec<Gossip> => {
    if (_codec == null) {
      _codec = message<Gossip>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.updates != null && obj.updates.length > 0) {
          for (const value of obj.updates) {
            w.uint32(10)
            Update.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          updates: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.updates != null && obj.updates.length === opts.limits.updates) {
                throw new MaxLengthError('Decode error - repeated field "updates" had too many elements')
              }

              obj.updates.push(Update.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.updates$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          updates: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.updates != null && obj.updates === opts.limits.updates) {
                throw new MaxLengthError('Streaming decode error - repeated field "updates" had too many elements')
              }

              for (const evt of Update.codec().stream(reader, reader.uint32(), `${prefix}.updates[]`, {
                limits: opts.limits?.updates$
              })) {
                yield {
                  ...evt,
                  index: obj.updates
                }
              }

              obj.updates++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GossipUpdatesRecordIdFieldEvent {
    field: '$.updates[].record.id'
    value: string
    index: number
  }

  export interface GossipUpdatesRecordIncarnationFieldEvent {
    field: '$.updates[].record.incarnation'
    value: number
    index: number
  }

  export interface GossipUpdatesRecordAddrsFieldEvent {
    field: '$.updates[].record.addrs[]'
    index: number
    value: string
  }

  export interface GossipUpdatesRecordMetaKeyFieldEvent {
    field: '$.updates[].record.meta[].key'
    value: string
    index: number
  }

  export interface GossipUpdatesRecordMetaValueFieldEvent {
    field: '$.updates[].record.meta[].value'
    value: string
    index: number
  }

  export interface GossipUpdatesRecordLeavingFieldEvent {
    field: '$.updates[].record.leaving'
    value: boolean
    index: number
  }

  export interface GossipUpdatesRecordSignatureFieldEvent {
    field: '$.updates[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface GossipUpdatesRecordGenerationFieldEvent {
    field: '$.updates[].record.generation'
    value: number
    index: number
  }

  export interface GossipUpdatesRecordClusterTagFieldEvent {
    field: '$.updates[].record.clusterTag'
    value: number
    index: number
  }

  export interface GossipUpdatesSuspectIdFieldEvent {
    field: '$.updates[].suspect.id'
    value: string
    index: number
  }

  export interface GossipUpdatesSuspectIncarnationFieldEvent {
    field: '$.updates[].suspect.incarnation'
    value: number
    index: number
  }

  export interface GossipUpdatesSuspectFromFieldEvent {
    field: '$.updates[].suspect.from'
    value: string
    index: number
  }

  export interface GossipUpdatesSuspectRefusedFieldEvent {
    field: '$.updates[].suspect.refused'
    value: boolean
    index: number
  }

  export interface GossipUpdatesDeadIdFieldEvent {
    field: '$.updates[].dead.id'
    value: string
    index: number
  }

  export interface GossipUpdatesDeadIncarnationFieldEvent {
    field: '$.updates[].dead.incarnation'
    value: number
    index: number
  }

  export interface GossipUpdatesDeadFromFieldEvent {
    field: '$.updates[].dead.from'
    value: string
    index: number
  }

  export interface GossipUpdatesDeadRefusedFieldEvent {
    field: '$.updates[].dead.refused'
    value: boolean
    index: number
  }

  export interface GossipUpdatesForgetIdFieldEvent {
    field: '$.updates[].forget.id'
    value: string
    index: number
  }

  export interface GossipUpdatesForgetIncarnationFieldEvent {
    field: '$.updates[].forget.incarnation'
    value: number
    index: number
  }

  export interface GossipUpdatesForgetFromFieldEvent {
    field: '$.updates[].forget.from'
    value: string
    index: number
  }

  export interface GossipUpdatesForgetRefusedFieldEvent {
    field: '$.updates[].forget.refused'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Gossip>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Gossip.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Gossip>): Gossip {
    return decodeMessage(buf, Gossip.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Gossip>): Generator<GossipUpdatesRecordIdFieldEvent | GossipUpdatesRecordIncarnationFieldEvent | GossipUpdatesRecordAddrsFieldEvent | GossipUpdatesRecordMetaKeyFieldEvent | GossipUpdatesRecordMetaValueFieldEvent | GossipUpdatesRecordLeavingFieldEvent | GossipUpdatesRecordSignatureFieldEvent | GossipUpdatesRecordGenerationFieldEvent | GossipUpdatesRecordClusterTagFieldEvent | GossipUpdatesSuspectIdFieldEvent | GossipUpdatesSuspectIncarnationFieldEvent | GossipUpdatesSuspectFromFieldEvent | GossipUpdatesSuspectRefusedFieldEvent | GossipUpdatesDeadIdFieldEvent | GossipUpdatesDeadIncarnationFieldEvent | GossipUpdatesDeadFromFieldEvent | GossipUpdatesDeadRefusedFieldEvent | GossipUpdatesForgetIdFieldEvent | GossipUpdatesForgetIncarnationFieldEvent | GossipUpdatesForgetFromFieldEvent | GossipUpdatesForgetRefusedFieldEvent> {
    return streamMessage(buf, Gossip.codec(), opts)
  }
}

export interface Sync {
  join: boolean
  response: boolean
  entries: SyncEntry[]
  digest: Uint8Array<ArrayBuffer>
}

export namespace Sync {
  let _codec: Codec<Sync>

  export const codec = (): Codec<Sync> => {
    if (_codec == null) {
      _codec = message<Sync>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.join != null && obj.join !== false)) {
          w.uint32(8)
          w.bool(obj.join)
        }

        if ((obj.response != null && obj.response !== false)) {
          w.uint32(16)
          w.bool(obj.response)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(26)
            SyncEntry.codec().encode(value, w)
          }
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.digest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          join: false,
          response: false,
          entries: [],
          digest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.join = reader.bool()
              break
            }
            case 2: {
              obj.response = reader.bool()
              break
            }
            case 3: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(SyncEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 4: {
              obj.digest = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.join`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.response`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of SyncEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncJoinFieldEvent {
    field: '$.join'
    value: boolean
  }

  export interface SyncResponseFieldEvent {
    field: '$.response'
    value: boolean
  }

  export interface SyncEntriesRecordIdFieldEvent {
    field: '$.entries[].record.id'
    value: string
    index: number
  }

  export interface SyncEntriesRecordIncarnationFieldEvent {
    field: '$.entries[].record.incarnation'
    value: number
    index: number
  }

  export interface SyncEntriesRecordAddrsFieldEvent {
    field: '$.entries[].record.addrs[]'
    index: number
    value: string
  }

  export interface SyncEntriesRecordMetaKeyFieldEvent {
    field: '$.entries[].record.meta[].key'
    value: string
    index: number
  }

  export interface SyncEntriesRecordMetaValueFieldEvent {
    field: '$.entries[].record.meta[].value'
    value: string
    index: number
  }

  export interface SyncEntriesRecordLeavingFieldEvent {
    field: '$.entries[].record.leaving'
    value: boolean
    index: number
  }

  export interface SyncEntriesRecordSignatureFieldEvent {
    field: '$.entries[].record.signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncEntriesRecordGenerationFieldEvent {
    field: '$.entries[].record.generation'
    value: number
    index: number
  }

  export interface SyncEntriesRecordClusterTagFieldEvent {
    field: '$.entries[].record.clusterTag'
    value: number
    index: number
  }

  export interface SyncEntriesStateFieldEvent {
    field: '$.entries[].state'
    value: SyncEntry.State
    index: number
  }

  export interface SyncEntriesIncarnationFieldEvent {
    field: '$.entries[].incarnation'
    value: number
    index: number
  }

  export interface SyncDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Sync>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Sync.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync>): Sync {
    return decodeMessage(buf, Sync.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Sync>): Generator<SyncJoinFieldEvent | SyncResponseFieldEvent | SyncEntriesRecordIdFieldEvent | SyncEntriesRecordIncarnationFieldEvent | SyncEntriesRecordAddrsFieldEvent | SyncEntriesRecordMetaKeyFieldEvent | SyncEntriesRecordMetaValueFieldEvent | SyncEntriesRecordLeavingFieldEvent | SyncEntriesRecordSignatureFieldEvent | SyncEntriesRecordGenerationFieldEvent | SyncEntriesRecordClusterTagFieldEvent | SyncEntriesStateFieldEvent | SyncEntriesIncarnationFieldEvent | SyncDigestFieldEvent> {
    return streamMessage(buf, Sync.codec(), opts)
  }
}

export interface Update {
  record?: MemberRecord
  suspect?: Accusation
  dead?: Accusation
  forget?: Accusation
}

export namespace Update {
  let _codec: Codec<Update>

  export const codec = (): Codec<Update> => {
    if (_codec == null) {
      _codec = message<Update>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.forget != null) {
          obj.dead = undefined
          obj.suspect = undefined
          obj.record = undefined
        }

        if (obj.dead != null) {
          obj.forget = undefined
          obj.suspect = undefined
          obj.record = undefined
        }

        if (obj.suspect != null) {
          obj.forget = undefined
          obj.dead = undefined
          obj.record = undefined
        }

        if (obj.record != null) {
          obj.forget = undefined
          obj.dead = undefined
          obj.suspect = undefined
        }

        if (obj.record != null) {
          w.uint32(10)
          MemberRecord.codec().encode(obj.record, w)
        }

        if (obj.suspect != null) {
          w.uint32(18)
          Accusation.codec().encode(obj.suspect, w)
        }

        if (obj.dead != null) {
          w.uint32(26)
          Accusation.codec().encode(obj.dead, w)
        }

        if (obj.forget != null) {
          w.uint32(34)
          Accusation.codec().encode(obj.forget, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.record = MemberRecord.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.record
              })
              break
            }
            case 2: {
              obj.suspect = Accusation.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.suspect
              })
              break
            }
            case 3: {
              obj.dead = Accusation.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.dead
              })
              break
            }
            case 4: {
              obj.forget = Accusation.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.forget
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.forget != null) {
          delete obj.dead
          delete obj.suspect
          delete obj.record
        }

        if (obj.dead != null) {
          delete obj.forget
          delete obj.suspect
          delete obj.record
        }

        if (obj.suspect != null) {
          delete obj.forget
          delete obj.dead
          delete obj.record
        }

        if (obj.record != null) {
          delete obj.forget
          delete obj.dead
          delete obj.suspect
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * MemberRecord.codec().stream(reader, reader.uint32(), `${prefix}.record`, {
                limits: opts.limits?.record
              })

              break
            }
            case 2: {
              yield * Accusation.codec().stream(reader, reader.uint32(), `${prefix}.suspect`, {
                limits: opts.limits?.suspect
              })

              break
            }
            case 3: {
              yield * Accusation.codec().stream(reader, reader.uint32(), `${prefix}.dead`, {
                limits: opts.limits?.dead
              })

              break
            }
            case 4: {
              yield * Accusation.codec().stream(reader, reader.uint32(), `${prefix}.forget`, {
                limits: opts.limits?.forget
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface UpdateRecordIdFieldEvent {
    field: '$.record.id'
    value: string
  }

  export interface UpdateRecordIncarnationFieldEvent {
    field: '$.record.incarnation'
    value: number
  }

  export interface UpdateRecordAddrsFieldEvent {
    field: '$.record.addrs[]'
    index: number
    value: string
  }

  export interface UpdateRecordMetaKeyFieldEvent {
    field: '$.record.meta[].key'
    value: string
    index: number
  }

  export interface UpdateRecordMetaValueFieldEvent {
    field: '$.record.meta[].value'
    value: string
    index: number
  }

  export interface UpdateRecordLeavingFieldEvent {
    field: '$.record.leaving'
    value: boolean
  }

  export interface UpdateRecordSignatureFieldEvent {
    field: '$.record.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UpdateRecordGenerationFieldEvent {
    field: '$.record.generation'
    value: number
  }

  export interface UpdateRecordClusterTagFieldEvent {
    field: '$.record.clusterTag'
    value: number
  }

  export interface UpdateSuspectIdFieldEvent {
    field: '$.suspect.id'
    value: string
  }

  export interface UpdateSuspectIncarnationFieldEvent {
    field: '$.suspect.incarnation'
    value: number
  }

  export interface UpdateSuspectFromFieldEvent {
    field: '$.suspect.from'
    value: string
  }

  export interface UpdateSuspectRefusedFieldEvent {
    field: '$.suspect.refused'
    value: boolean
  }

  export interface UpdateDeadIdFieldEvent {
    field: '$.dead.id'
    value: string
  }

  export interface UpdateDeadIncarnationFieldEvent {
    field: '$.dead.incarnation'
    value: number
  }

  export interface UpdateDeadFromFieldEvent {
    field: '$.dead.from'
    value: string
  }

  export interface UpdateDeadRefusedFieldEvent {
    field: '$.dead.refused'
    value: boolean
  }

  export interface UpdateForgetIdFieldEvent {
    field: '$.forget.id'
    value: string
  }

  export interface UpdateForgetIncarnationFieldEvent {
    field: '$.forget.incarnation'
    value: number
  }

  export interface UpdateForgetFromFieldEvent {
    field: '$.forget.from'
    value: string
  }

  export interface UpdateForgetRefusedFieldEvent {
    field: '$.forget.refused'
    value: boolean
  }

  export function encode (obj: Partial<Update>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Update.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Update>): Update {
    return decodeMessage(buf, Update.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Update>): Generator<UpdateRecordIdFieldEvent | UpdateRecordIncarnationFieldEvent | UpdateRecordAddrsFieldEvent | UpdateRecordMetaKeyFieldEvent | UpdateRecordMetaValueFieldEvent | UpdateRecordLeavingFieldEvent | UpdateRecordSignatureFieldEvent | UpdateRecordGenerationFieldEvent | UpdateRecordClusterTagFieldEvent | UpdateSuspectIdFieldEvent | UpdateSuspectIncarnationFieldEvent | UpdateSuspectFromFieldEvent | UpdateSuspectRefusedFieldEvent | UpdateDeadIdFieldEvent | UpdateDeadIncarnationFieldEvent | UpdateDeadFromFieldEvent | UpdateDeadRefusedFieldEvent | UpdateForgetIdFieldEvent | UpdateForgetIncarnationFieldEvent | UpdateForgetFromFieldEvent | UpdateForgetRefusedFieldEvent> {
    return streamMessage(buf, Update.codec(), opts)
  }
}

export interface Accusation {
  id: string
  incarnation: number
  from: string
  refused: boolean
}

export namespace Accusation {
  let _codec: Codec<Accusation>

  export const codec = (): Codec<Accusation> => {
    if (_codec == null) {
      _codec = message<Accusation>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.incarnation != null && obj.incarnation !== 0)) {
          w.uint32(16)
          w.sint64Number(obj.incarnation)
        }

        if ((obj.from != null && obj.from !== '')) {
          w.uint32(26)
          w.string(obj.from)
        }

        if ((obj.refused != null && obj.refused !== false)) {
          w.uint32(32)
          w.bool(obj.refused)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          incarnation: 0,
          from: '',
          refused: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.incarnation = reader.sint64Number()
              break
            }
            case 3: {
              obj.from = reader.string()
              break
            }
            case 4: {
              obj.refused = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.incarnation`,
                value: reader.sint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.from`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.refused`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AccusationIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface AccusationIncarnationFieldEvent {
    field: '$.incarnation'
    value: number
  }

  export interface AccusationFromFieldEvent {
    field: '$.from'
    value: string
  }

  export interface AccusationRefusedFieldEvent {
    field: '$.refused'
    value: boolean
  }

  export function encode (obj: Partial<Accusation>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Accusation.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Accusation>): Accusation {
    return decodeMessage(buf, Accusation.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Accusation>): Generator<AccusationIdFieldEvent | AccusationIncarnationFieldEvent | AccusationFromFieldEvent | AccusationRefusedFieldEvent> {
    return streamMessage(buf, Accusation.codec(), opts)
  }
}

export interface MemberRecord {
  id: string
  incarnation: number
  addrs: string[]
  meta: MetaEntry[]
  leaving: boolean
  signature: Uint8Array<ArrayBuffer>
  generation?: number
  clusterTag?: number
}

export namespace MemberRecord {
  let _codec: Codec<MemberRecord>

  export const codec = (): Codec<MemberRecord> => {
    if (_codec == null) {
      _codec = message<MemberRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.incarnation != null && obj.incarnation !== 0)) {
          w.uint32(16)
          w.sint64Number(obj.incarnation)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (obj.meta != null && obj.meta.length > 0) {
          for (const value of obj.meta) {
            w.uint32(34)
            MetaEntry.codec().encode(value, w)
          }
        }

        if ((obj.leaving != null && obj.leaving !== false)) {
          w.uint32(40)
          w.bool(obj.leaving)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.signature)
        }

        if (obj.generation != null) {
          w.uint32(56)
          w.uint64Number(obj.generation)
        }

        if (obj.clusterTag != null) {
          w.uint32(69)
          w.fixed32(obj.clusterTag)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          incarnation: 0,
          addrs: [],
          meta: [],
          leaving: false,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.incarnation = reader.sint64Number()
              break
            }
            case 3: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 4: {
              if (opts.limits?.meta != null && obj.meta.length === opts.limits.meta) {
                throw new MaxLengthError('Decode error - repeated field "meta" had too many elements')
              }

              obj.meta.push(MetaEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.meta$
              }))
              break
            }
            case 5: {
              obj.leaving = reader.bool()
              break
            }
            case 6: {
              obj.signature = reader.bytes()
              break
            }
            case 7: {
              obj.generation = reader.uint64Number()
              break
            }
            case 8: {
              obj.clusterTag = reader.fixed32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0,
          meta: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.incarnation`,
                value: reader.sint64Number()
              }
              break
            }
            case 3: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 4: {
              if (opts.limits?.meta != null && obj.meta === opts.limits.meta) {
                throw new MaxLengthError('Streaming decode error - repeated field "meta" had too many elements')
              }

              for (const evt of MetaEntry.codec().stream(reader, reader.uint32(), `${prefix}.meta[]`, {
                limits: opts.limits?.meta$
              })) {
                yield {
                  ...evt,
                  index: obj.meta
                }
              }

              obj.meta++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.leaving`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.generation`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.clusterTag`,
                value: reader.fixed32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MemberRecordIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface MemberRecordIncarnationFieldEvent {
    field: '$.incarnation'
    value: number
  }

  export interface MemberRecordAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface MemberRecordMetaKeyFieldEvent {
    field: '$.meta[].key'
    value: string
    index: number
  }

  export interface MemberRecordMetaValueFieldEvent {
    field: '$.meta[].value'
    value: string
    index: number
  }

  export interface MemberRecordLeavingFieldEvent {
    field: '$.leaving'
    value: boolean
  }

  export interface MemberRecordSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MemberRecordGenerationFieldEvent {
    field: '$.generation'
    value: number
  }

  export interface MemberRecordClusterTagFieldEvent {
    field: '$.clusterTag'
    value: number
  }

  export function encode (obj: Partial<MemberRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MemberRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MemberRecord>): MemberRecord {
    return decodeMessage(buf, MemberRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MemberRecord>): Generator<MemberRecordIdFieldEvent | MemberRecordIncarnationFieldEvent | MemberRecordAddrsFieldEvent | MemberRecordMetaKeyFieldEvent | MemberRecordMetaValueFieldEvent | MemberRecordLeavingFieldEvent | MemberRecordSignatureFieldEvent | MemberRecordGenerationFieldEvent | MemberRecordClusterTagFieldEvent> {
    return streamMessage(buf, MemberRecord.codec(), opts)
  }
}

export interface MetaEntry {
  key: string
  value: string
}

export namespace MetaEntry {
  let _codec: Codec<MetaEntry>

  export const codec = (): Codec<MetaEntry> => {
    if (_codec == null) {
      _codec = message<MetaEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key !== '')) {
          w.uint32(10)
          w.string(obj.key)
        }

        if ((obj.value != null && obj.value !== '')) {
          w.uint32(18)
          w.string(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: '',
          value: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.string()
              break
            }
            case 2: {
              obj.value = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.key`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.value`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MetaEntryKeyFieldEvent {
    field: '$.key'
    value: string
  }

  export interface MetaEntryValueFieldEvent {
    field: '$.value'
    value: string
  }

  export function encode (obj: Partial<MetaEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MetaEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetaEntry>): MetaEntry {
    return decodeMessage(buf, MetaEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MetaEntry>): Generator<MetaEntryKeyFieldEvent | MetaEntryValueFieldEvent> {
    return streamMessage(buf, MetaEntry.codec(), opts)
  }
}

export interface SyncEntry {
  record?: MemberRecord
  state: SyncEntry.State
  incarnation: number
}

export namespace SyncEntry {
  export enum State {
    STATE_UNSPECIFIED = 'STATE_UNSPECIFIED',
    ALIVE = 'ALIVE',
    SUSPECT = 'SUSPECT',
    DEAD = 'DEAD',
    LEFT = 'LEFT'
  }

  enum __StateValues {
    STATE_UNSPECIFIED = 0,
    ALIVE = 1,
    SUSPECT = 2,
    DEAD = 3,
    LEFT = 4
  }

  export namespace State {
    export const codec = (): Codec<State> => {
      return enumeration<State>(__StateValues)
    }
  }

  let _codec: Codec<SyncEntry>

  export const codec = (): Codec<SyncEntry> => {
    if (_codec == null) {
      _codec = message<SyncEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.record != null) {
          w.uint32(10)
          MemberRecord.codec().encode(obj.record, w)
        }

        if (obj.state != null && __StateValues[obj.state] !== 0) {
          w.uint32(16)
          SyncEntry.State.codec().encode(obj.state, w)
        }

        if ((obj.incarnation != null && obj.incarnation !== 0)) {
          w.uint32(24)
          w.sint64Number(obj.incarnation)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          state: State.STATE_UNSPECIFIED,
          incarnation: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.record = MemberRecord.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.record
              })
              break
            }
            case 2: {
              obj.state = SyncEntry.State.codec().decode(reader)
              break
            }
            case 3: {
              obj.incarnation = reader.sint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * MemberRecord.codec().stream(reader, reader.uint32(), `${prefix}.record`, {
                limits: opts.limits?.record
              })

              break
            }
            case 2: {
              yield {
                field: `${prefix}.state`,
                value: SyncEntry.State.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.incarnation`,
                value: reader.sint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncEntryRecordIdFieldEvent {
    field: '$.record.id'
    value: string
  }

  export interface SyncEntryRecordIncarnationFieldEvent {
    field: '$.record.incarnation'
    value: number
  }

  export interface SyncEntryRecordAddrsFieldEvent {
    field: '$.record.addrs[]'
    index: number
    value: string
  }

  export interface SyncEntryRecordMetaKeyFieldEvent {
    field: '$.record.meta[].key'
    value: string
    index: number
  }

  export interface SyncEntryRecordMetaValueFieldEvent {
    field: '$.record.meta[].value'
    value: string
    index: number
  }

  export interface SyncEntryRecordLeavingFieldEvent {
    field: '$.record.leaving'
    value: boolean
  }

  export interface SyncEntryRecordSignatureFieldEvent {
    field: '$.record.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncEntryRecordGenerationFieldEvent {
    field: '$.record.generation'
    value: number
  }

  export interface SyncEntryRecordClusterTagFieldEvent {
    field: '$.record.clusterTag'
    value: number
  }

  export interface SyncEntryStateFieldEvent {
    field: '$.state'
    value: SyncEntry.State
  }

  export interface SyncEntryIncarnationFieldEvent {
    field: '$.incarnation'
    value: number
  }

  export function encode (obj: Partial<SyncEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncEntry>): SyncEntry {
    return decodeMessage(buf, SyncEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncEntry>): Generator<SyncEntryRecordIdFieldEvent | SyncEntryRecordIncarnationFieldEvent | SyncEntryRecordAddrsFieldEvent | SyncEntryRecordMetaKeyFieldEvent | SyncEntryRecordMetaValueFieldEvent | SyncEntryRecordLeavingFieldEvent | SyncEntryRecordSignatureFieldEvent | SyncEntryRecordGenerationFieldEvent | SyncEntryRecordClusterTagFieldEvent | SyncEntryStateFieldEvent | SyncEntryIncarnationFieldEvent> {
    return streamMessage(buf, SyncEntry.codec(), opts)
  }
}
