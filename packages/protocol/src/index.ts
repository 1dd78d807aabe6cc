export * from './abi.js'
export * from './attesters.js'
export {
  type Check,
  checkAddress,
  checkBoolean,
  checkBoundedString,
  checkBytes32,
  checkHexBytes,
  checkOperatorId,
  checkUint16,
  MAX_UINT16,
  MAX_UINT32,
} from './check.js'
export * from './codes.js'
export * from './errors.js'
export * from './hashes.js'
export * from './jsonrpc.js'
export * from './leader.js'
export * from './performer-signature.js'
export * from './quorum.js'
export * from './rpc.js'
export * from './signatures.js'
export * from './timers.js'
export * from './topics.js'
export * from './validation-service.js'
export * from './wire/codec.js'
export * from './wire/limits.js'
export * from './wire/types.js'
export * from './words.js'
