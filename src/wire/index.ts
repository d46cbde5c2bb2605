/**
 * The wire format: protocol messages to bytes and back. `swim.proto` is the schema,
 * `swim.ts` the code protons generates from it (`npm run generate`).
 */

export {
  decodeMessage,
  encodeMessage,
  encodeRecordForSigning,
  encodedSize,
  updateSize,
  validateMessage,
  validateRecord,
  RECORD_SIGNING_DOMAIN,
  WireEncodeError
} from './codec.ts'
export type { DecodeResult, WireError, WireErrorCode } from './codec.ts'
export { DEFAULT_LIMITS, NO_LIMITS, resolveLimits } from './limits.ts'
export type { WireLimits } from './limits.ts'
