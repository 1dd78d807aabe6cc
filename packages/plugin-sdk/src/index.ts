export {
  type ComplianceCheck,
  type ComplianceOptions,
  type ComplianceReport,
  checkCompliance,
} from './compliance.js'
export {
  type BaseFetch,
  createPluginContext,
  type NamespaceableStore,
  type PluginContextComponents,
  silentLogger,
} from './context.js'
export { withDeadline } from './deadline.js'
export { checkManifest, definePlugin, isWispPlugin, parsePluginConfig } from './define.js'
export { PluginError, type PluginErrorCode } from './errors.js'
export { type ConfigSchema, type SchemaIssue, validateConfig } from './schema.js'
export {
  abstain,
  approve,
  type ExecuteResult,
  type FetchResponse,
  PLUGIN_API_VERSION,
  type PluginCapabilities,
  type PluginChain,
  type PluginContext,
  type PluginFetch,
  type PluginHooks,
  type PluginLogger,
  type PluginManifest,
  type PluginStorage,
  RUNTIMES,
  type Runtime,
  reject,
  type TaskInput,
  type Verdict,
  type WispPlugin,
} from './types.js'
