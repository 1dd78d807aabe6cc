export {
  type BlsBackendName,
  type BlsInitLogger,
  blsBackend,
  type InitBlsOptions,
  initBls,
  type WasmBackend,
} from './backend.js'
export { type BytesLike, bytesToHex, type Hex, toBytes } from './bytes.js'
export { type G1, type G2, P, R } from './curve.js'
export { BlsError, type BlsErrorCode } from './errors.js'
export { hashToField, hashToPoint, hashToPointEvm, mapToPoint } from './hash-to-point.js'
export {
  PUBLIC_KEY_CACHE_SIZE,
  PublicKeyCache,
  toVerifyJob,
  type VerifyJob,
  type VerifyOutcome,
  verifyJobs,
} from './jobs.js'
export { PublicKey, SecretKey, Signature } from './keys.js'
export {
  G1_BYTES,
  type G1Evm,
  G2_BYTES,
  type G2Evm,
  g1FromEvm,
  g1FromJson,
  g1ToEvm,
  g1ToJson,
  g2FromEvm,
  g2ToEvm,
} from './points.js'
export { type PossessionContext, signProofOfPossession, verifyProofOfPossession } from './pop.js'
export {
  type BatchExecutor,
  type BatchingOptions,
  BatchingVerifier,
  type BlsVerifier,
  createInlineVerifier,
  MAX_BATCH_JOBS,
  MAX_BATCH_WAIT_MS,
  MAX_PENDING_JOBS,
} from './verifier.js'
export {
  aggregatePublicKeys,
  aggregateSignatures,
  type SignedBy,
  type SignedMessage,
  verify,
  verifyBatch,
  verifyHashed,
  verifySameMessage,
} from './verify.js'
