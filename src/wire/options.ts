/** How a node encodes and decodes messages: for its cluster, and for the path they travel. */
export interface WireOptions {
  /**
   * This node's cluster tag (`clusterTag(name)`). Encoding stamps it on every record
   * (default: the default cluster's). Decoding rejects, with code `foreign-cluster`, a
   * message holding a record stamped with another tag; without it, the decoder does not
   * look at tags.
   */
  clusterTag?: number
  /**
   * The member a datagram is sealed for. A datagram's seal already names its receiver (its
   * key is derived for that one member, `src/libp2p/packet-crypto.ts`), so a ping to it
   * travels without its target id (a 52-character PeerId, most of a ping's bytes): encoding
   * leaves out a ping's target when it is this member, and decoding reads a ping without a
   * target as addressed to it. Without this option, a ping needs its target.
   */
  impliedTarget?: string
}
