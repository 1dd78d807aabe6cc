export { BoundedSet } from './bounded-set.js'
export {
  createEngine,
  type Engine,
  type EngineComponents,
  type EngineOptions,
  type PluginRegistration,
} from './engine.js'
export { CoreError, type CoreErrorCode } from './errors.js'
export { type EngineEventName, type EngineEvents, EventBus } from './events.js'
export {
  DEFINITION_TOTALS_TASK,
  type InternalTaskPlanResult,
  type InternalTasksPort,
  isInternalTask,
  VOTING_POWER_SYNC_TASK,
  validateInternalTask,
} from './internal-tasks/port.js'
export {
  DEFAULT_INTERNAL_TASK_OPTIONS,
  type InternalTaskComponents,
  type InternalTaskOptions,
  type InternalTaskRun,
  InternalTaskRunner,
} from './internal-tasks/runner.js'
export { LOCAL_PEER, withLocalLoopback } from './loopback.js'
export { DEFAULT_OPERATOR_VIEW_OPTIONS, OperatorView, type OperatorViewOptions } from './operators.js'
export {
  loadPinnedPlugin,
  loadPluginModule,
  type ModuleImporter,
  type PinnedPluginSource,
} from './plugins/loader.js'
export {
  DEFAULT_PLUGIN_REGISTRY_OPTIONS,
  PluginRegistry,
  type PluginRegistryOptions,
  type RegisteredPlugin,
} from './plugins/registry.js'
export * from './ports.js'
export {
  Aggregator,
  type AggregatorComponents,
  type AggregatorOptions,
  DEFAULT_AGGREGATOR_OPTIONS,
} from './roles/aggregator.js'
export {
  Attester,
  type AttesterComponents,
  type AttesterOptions,
  DEFAULT_ATTESTER_OPTIONS,
} from './roles/attester.js'
export {
  type ElectionOptions,
  type ElectionQuery,
  isElectedPerformer,
  leaderCandidates,
} from './roles/election.js'
export {
  DEFAULT_MISSED_TASK_OPTIONS,
  type MissedTaskComponents,
  type MissedTaskOptions,
  MissedTasks,
} from './roles/missed-tasks.js'
export {
  DEFAULT_PERFORMER_OPTIONS,
  Performer,
  type PerformerComponents,
  type PerformerOptions,
} from './roles/performer.js'
export { type PublishComponents, type PublishedTask, publishTask } from './roles/publish.js'
export {
  DEFAULT_REPUBLISH_OPTIONS,
  Republisher,
  type RepublisherComponents,
  type RepublishKind,
  type RepublishOptions,
} from './roles/republisher.js'
export { taskInfoOf, taskInputOf } from './roles/task.js'
export { performerSignatureValid, performerWasElected } from './roles/task-checks.js'
export {
  DEFAULT_WATCHTOWER_OPTIONS,
  Watchtower,
  type WatchtowerComponents,
  type WatchtowerOptions,
} from './roles/watchtower.js'
export { type ValidationServiceOptions, validateWithService } from './validation-service.js'
