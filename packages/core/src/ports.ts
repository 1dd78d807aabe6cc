// The engine's ports live in @wisp/interface (one definition for core, chain, p2p and the
// runtimes); re-exported here so engine code and its users import them from one place.
export {
  type Address,
  type AnnouncedOutcome,
  type BlsSignerPort,
  type ChainPort,
  type DoubleAttestationProof,
  type EcdsaSignerPort,
  type GossipPort,
  type GossipReceived,
  type Hex,
  type IncorrectAttestationProof,
  type Logger,
  type MetricsPort,
  noopMetrics,
  type OperatorRecord,
  type OutcomeCheck,
  type SlashOutcome,
  type SubmitTaskOutcome,
  type SubmitTaskParams,
  silentLogger,
  type TaskDefinitionInfo,
} from '@wisp/interface'
