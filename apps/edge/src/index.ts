// Library entry (for tests and custom workers); the worker module itself is src/worker.ts.
export {
  type AttesterStatus,
  createEdgeStatus,
  type EdgeAttester,
  type EdgeAttesterComponents,
  type EdgeExtras,
  startEdgeAttester,
} from './attester.js'
export {
  DEFAULTS,
  type EdgeConfig,
  type EdgeEnv,
  type EdgeSecrets,
  hostOf,
  loadEdgeNetwork,
  MOVED_BINDINGS,
  parseEdgeConfig,
  parseWispConfig,
  type ShownConfig,
  shownConfig,
} from './config.js'
export { DurableObjectStore } from './do-store.js'
export { describeError, EDGE_ERROR_CODES, EdgeError, type EdgeErrorCode } from './errors.js'
export { createConsoleLogger } from './logger.js'
export { installShims, LocalBroadcastChannel, shimWebSocketBufferedAmount } from './shims.js'
