export { NodeError, type NodeErrorCode } from './errors.js'
export {
  type JsonRpcHandlers,
  type JsonRpcServer,
  MAX_JSON_RPC_BODY_BYTES,
  SEND_TASK_ERRORS,
  startJsonRpcServer,
} from './json-rpc.js'
export { createConsoleLogger, type LogLevel, type NodeLogger } from './logger.js'
export { prometheusMetricsPort } from './metrics.js'
export { startWispNode, type WispNode, type WispNodeConfig } from './run.js'
export { blsSigner, ecdsaSigner, keysFromEcdsa, keysFromKeystore, type OperatorKeys } from './signers.js'
