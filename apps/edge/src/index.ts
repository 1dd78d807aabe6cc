// Library entry (for tests and custom workers); the worker module itself is src/worker.ts.
export {
  type AttesterStatus,
  type EdgeAttester,
  type EdgeAttesterComponents,
  startEdgeAttester,
} from './attester.js'
export {
  DEFAULTS,
  type EdgeConfig,
  type EdgeEnv,
  type EdgeSecrets,
  type PluginBinding,
  parseEdgeConfig,
  parsePlugins,
  parseRelays,
} from './config.js'
export { DurableObjectStore } from './do-store.js'
export { describeError, EDGE_ERROR_CODES, EdgeError, type EdgeErrorCode } from './errors.js'
export { createConsoleLogger, type EdgeLogger } from './logger.js'
export { BUNDLED_PLUGINS, pluginRegistrations } from './plugins.js'
export { installShims, LocalBroadcastChannel, shimWebSocketBufferedAmount } from './shims.js'
export { MemoryMetrics, StatusTracker, type TaskEntry, type VoteCounters } from './status.js'
