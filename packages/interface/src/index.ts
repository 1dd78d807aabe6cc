export { LOG_LEVEL_RANK, type Logger, type LogLevel, silentLogger } from './logger.js'
export { MemoryMetrics, type MetricsPort, noopMetrics } from './metrics.js'
export type {
  BlsSignerPort,
  ChainPort,
  EcdsaSignerPort,
  GossipPort,
  GossipReceived,
  OperatorDirectory,
  TaskDefinitionDirectory,
  TaskOutcomeChecker,
} from './ports.js'
export type {
  Address,
  AnnouncedOutcome,
  DoubleAttestationProof,
  Hex,
  IncorrectAttestationProof,
  OperatorRecord,
  OutcomeCheck,
  SlashOutcome,
  SubmitTaskOutcome,
  SubmitTaskParams,
  TaskDefinitionInfo,
} from './records.js'
