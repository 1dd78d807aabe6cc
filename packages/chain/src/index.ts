// @wisp/chain: viem actions against Wisp's Othentic-compatible AttestationCenter, the engine's
// ChainPort and the network layer's directories. Portable (no Node APIs). The dev tooling (anvil
// launcher, local-network deployer, dev keys) is `@wisp/contracts/dev`.
export * from './actions/admin.js'
export { type G1Like, type G2Like, g1Words, g2Words, wordsToBytes } from './actions/encoding.js'
export * from './actions/events.js'
export * from './actions/internal-tasks.js'
export * from './actions/onboarding.js'
export * from './actions/operators.js'
export { type CheckTaskOutcomeParams, checkTaskOutcome, createOutcomeChecker } from './actions/outcome.js'
export * from './actions/read.js'
export * from './actions/slashing.js'
export {
  type EncodedSubmitTask,
  encodeSubmitTask,
  type SentSubmitTask,
  type SubmitTaskOverload,
  type SubmitTaskParams as SubmitTaskActionParams,
  type SubmitTaskResult,
  sendSubmitTask,
  simulateSubmitTask,
  submitTask,
} from './actions/submit.js'
export {
  affectsChainSnapshot,
  type ChainCache,
  type ChainCacheOptions,
  type ChainHead,
  type ChainLogsListener,
  type ChainSnapshot,
  createChainCache,
  DEFAULT_CACHE_MAX_AGE_MS,
} from './backends/cache.js'
export { type CreateChainBackendParams, createChainBackend, detectChainBackend } from './backends/detect.js'
export { createOthenticBackend, type OthenticBackendParams } from './backends/othentic.js'
export {
  othenticAttestationCenterAbi,
  othenticOblsAbi,
  taskRejectedV1EventAbi,
  taskSubmittedV1EventAbi,
} from './backends/othentic-abi.js'
export {
  CHAIN_BACKEND_KINDS,
  type ChainBackend,
  type ChainBackendKind,
  type ChainBackendOption,
} from './backends/types.js'
export { createWispBackend } from './backends/wisp.js'
export * from './errors.js'
export * from './port.js'
export {
  type AnyClient,
  type ContractCall,
  DEFAULT_RECEIPT_OPTIONS,
  explainRevert,
  type ReceiptOptions,
  type SentWrite,
  sendWrite,
  type WriteOptions,
  type WriteRequest,
  type WriteResult,
  waitForReceipt,
  writeAndWait,
} from './transact.js'
export {
  type ChainTransportOptions,
  createChainTransport,
  DEFAULT_CHAIN_TRANSPORT_OPTIONS,
} from './transport.js'
