// Portable API: runs in Node, pages, workers and workerd. Runtime factories live in
// `@wisp/p2p/node` (relay, Node peer, Prometheus), `@wisp/p2p/browser` and `@wisp/p2p/edge`.
export { AuthBook, type PeerAuth } from './auth/book.js'
export { AUTH_CHALLENGE_BYTES, AUTH_PROTOCOL } from './auth/protocol.js'
export { type AuthSigner, createBlsAuthSigner } from './auth/signer.js'
export { BOOTSTRAP_TAG } from './bootstrap.js'
export {
  createMemoryOperatorDirectory,
  createMemoryTaskDefinitions,
  type OperatorDirectory,
  type OperatorInfo,
  type TaskDefinitionDirectory,
} from './directory.js'
export { isP2PError, P2P_ERROR_CODES, P2PError, type P2PErrorCode } from './errors.js'
export { parseSeed, peerIdFromSeed, privateKeyFromSeed, randomSeed, SEED_BYTES } from './identity.js'
export { type Logger, silentLogger } from './logger.js'
export {
  type AuthOutcome,
  createMemoryMetrics,
  type MemoryMetrics,
  type NetworkStats,
  type P2PMetrics,
} from './metrics.js'
export {
  type ConnectionInfo,
  type NetworkComponents,
  type ReceivedMessage,
  startNetwork,
  type WispNetwork,
  type WispServices,
} from './network.js'
export {
  type AuthOptions,
  type CustomMessageOptions,
  DEFAULT_AUTH_OPTIONS,
  DEFAULT_CUSTOM_MESSAGE_OPTIONS,
  DEFAULT_DEDUPE_OPTIONS,
  DEFAULT_NETWORK_OPTIONS,
  type DedupeOptions,
  type Deployment,
  type NetworkOptions,
  type PartialNetworkOptions,
  resolveNetworkOptions,
} from './options.js'
export { DEFAULT_SCORING, gossipsubScoring, type ScoringOptions, type TopicScoring } from './scoring.js'
export { wispGossipsub, wispServices } from './services.js'
export { GOSSIP_KINDS } from './validation/validate.js'
export {
  IGNORE_REASONS,
  type IgnoreReason,
  type Outcome,
  REJECT_REASONS,
  type RejectReason,
  type Verdict,
} from './verdicts.js'
