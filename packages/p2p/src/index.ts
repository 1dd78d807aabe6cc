// Portable API: runs in Node, pages, workers and workerd. Runtime factories live in
// `@wisp/p2p/node` (relay, Node peer, Prometheus), `@wisp/p2p/browser` and `@wisp/p2p/edge`.
export { multiaddrProblem, peerIdOf } from './address.js'
export { AuthBook, type PeerAuth } from './auth/book.js'
export { AUTH_CHALLENGE_BYTES, AUTH_PROTOCOL } from './auth/protocol.js'
export { type AuthSigner, createBlsAuthSigner } from './auth/signer.js'
export { BOOTSTRAP_TAG } from './bootstrap.js'
export type { RepairCounts } from './connection-repair.js'
export {
  BanList,
  createPeerDefences,
  type PeerDefences,
  PeerPenalties,
  withBans,
} from './defences.js'
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
  type ConnectionRepairKind,
  createMemoryMetrics,
  type DisconnectReason,
  type MemoryMetrics,
  type NetworkStats,
  type OutcomeCheckResult,
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
  type BanOptions,
  type CustomMessageOptions,
  DEFAULT_AUTH_OPTIONS,
  DEFAULT_BAN_OPTIONS,
  DEFAULT_CUSTOM_MESSAGE_OPTIONS,
  DEFAULT_DEDUPE_OPTIONS,
  DEFAULT_NETWORK_OPTIONS,
  DEFAULT_OUTCOME_CHECK_OPTIONS,
  DEFAULT_PENALTY_OPTIONS,
  DEFAULT_RATE_LIMIT_OPTIONS,
  type DedupeOptions,
  type Deployment,
  type NetworkOptions,
  type OutcomeCheckOptions,
  type PartialNetworkOptions,
  type PenaltyOptions,
  type RateLimit,
  type RateLimitOptions,
  resolveNetworkOptions,
} from './options.js'
export { DEFAULT_SCORING, gossipsubScoring, type ScoringOptions, type TopicScoring } from './scoring.js'
export { maxInboundRpcBytes, wispGossipsub, wispServices } from './services.js'
export { GOSSIP_KINDS } from './validation/validate.js'
export {
  type BlameableReason,
  IGNORE_REASONS,
  type IgnoreReason,
  type Outcome,
  REJECT_REASONS,
  type RejectReason,
  type Verdict,
} from './verdicts.js'
