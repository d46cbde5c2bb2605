/**
 * The wire format: protocol messages to bytes and back, the only place where bytes become
 * messages. `swim.proto` is the schema, `swim.ts` the code protons generates from it
 * (`npm run generate`); `encode.ts` and `decode.ts` map messages to it and back,
 * `validate.ts` holds the rules both apply, `size.ts` the exact sizes without encoding.
 */

export { CLUSTER_TAG_BYTES, clusterTag, DEFAULT_CLUSTER_TAG } from './cluster-tag.ts'
export type { WireOptions } from './options.ts'
export { decodeMessage } from './decode.ts'
export { encodeMessage, encodeRecordForSigning, RECORD_SIGNING_DOMAIN } from './encode.ts'
export { WireEncodeError } from './errors.ts'
export type { DecodeResult, WireError, WireErrorCode } from './errors.ts'
export { DEFAULT_LIMITS, NO_LIMITS, resolveLimits } from './limits.ts'
export type { WireLimits } from './limits.ts'
export { encodedSize, updateSize } from './size.ts'
export { validateMessage, validateRecord } from './validate.ts'
