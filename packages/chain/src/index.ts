// @wisp/chain: viem actions against Wisp's Othentic-compatible AttestationCenter, the engine's
// ChainPort and the network layer's directories. Portable (no Node APIs). The dev tooling (anvil
// launcher, local-network deployer, dev keys) is `@wisp/contracts/dev`.
export * from './actions/admin.js'
export { type G1Like, type G2Like, g1Words, g2Words, wordsToBytes } from './actions/encoding.js'
export * from './actions/events.js'
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
