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
} from './ports.js'
export type {
  Address,
  Hex,
  OperatorRecord,
  SubmitTaskOutcome,
  SubmitTaskParams,
  TaskDefinitionInfo,
} from './records.js'
