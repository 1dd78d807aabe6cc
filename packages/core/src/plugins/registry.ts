// The plugin registry: which plugin serves which task definition, with its checked config, and
// the one place hooks are called — with deadlines, errors wrapped with the plugin id and hook,
// and the rule that a plugin failure on the attester side is *abstain*, never reject.
import {
  abstain,
  checkManifest,
  createPluginContext,
  type ExecuteResult,
  isWispPlugin,
  type PluginContextComponents,
  PluginError,
  parsePluginConfig,
  type Runtime,
  type TaskInput,
  type Verdict,
  type WispPlugin,
  withDeadline,
} from '@wisp/plugin-sdk'
import { type LeaderElection, type RoundRobinOptions, roundRobinLeaderElection } from '@wisp/protocol'
import { CoreError } from '../errors.js'
import { type Logger, type MetricsPort, noopMetrics, silentLogger } from '../ports.js'

export interface PluginRegistryOptions {
  /** the runtime the engine runs in; plugins must list it */
  runtime: Runtime
  /** deadline of a performer's execute */
  executeTimeoutMs: number
  /** deadline of an attester's validate: past it the attester abstains */
  validateTimeoutMs: number
}

export const DEFAULT_PLUGIN_REGISTRY_OPTIONS: Omit<PluginRegistryOptions, 'runtime'> = {
  executeTimeoutMs: 30_000,
  validateTimeoutMs: 10_000,
}

export interface RegisteredPlugin {
  plugin: WispPlugin
  config: unknown
  taskDefinitionIds: readonly number[]
}

export class PluginRegistry {
  readonly #options: PluginRegistryOptions
  readonly #components: PluginContextComponents
  readonly #logger: Logger
  readonly #metrics: MetricsPort
  readonly #byDefinition = new Map<number, RegisteredPlugin>()

  constructor(
    options: PluginRegistryOptions,
    components: PluginContextComponents & { logger?: Logger; metrics?: MetricsPort } = {},
  ) {
    this.#options = options
    this.#components = components
    this.#logger = components.logger ?? silentLogger
    this.#metrics = components.metrics ?? noopMetrics
  }

  /**
   * Registers a plugin for its task definitions (or a subset). Checks the manifest and apiVersion,
   * the runtime, the capabilities this runtime can grant, and the config against its schema.
   */
  register(
    plugin: unknown,
    config: unknown,
    options: { taskDefinitionIds?: readonly number[] } = {},
  ): RegisteredPlugin {
    if (!isWispPlugin(plugin)) {
      throw new CoreError(
        'ENGINE_PLUGIN_LOAD_FAILED',
        'not a plugin: the module must default-export definePlugin(...)',
      )
    }
    const manifest = checkManifest(plugin.manifest)
    if (!manifest.runtimes.includes(this.#options.runtime)) {
      throw new CoreError(
        'ENGINE_PLUGIN_UNSUPPORTED_RUNTIME',
        `${manifest.id} does not run in ${this.#options.runtime}`,
        {
          details: { pluginId: manifest.id, runtimes: manifest.runtimes, runtime: this.#options.runtime },
        },
      )
    }
    if ((manifest.capabilities.fetch?.length ?? 0) > 0 && this.#components.fetch === undefined) {
      throw new CoreError(
        'ENGINE_PLUGIN_UNSUPPORTED_RUNTIME',
        `${manifest.id} needs fetch, which this runtime does not give plugins`,
      )
    }
    if (manifest.capabilities.storage === true && this.#components.store === undefined) {
      throw new CoreError(
        'ENGINE_PLUGIN_UNSUPPORTED_RUNTIME',
        `${manifest.id} needs storage, which this runtime does not give plugins`,
      )
    }
    const ids = options.taskDefinitionIds ?? manifest.taskDefinitionIds
    for (const id of ids) {
      if (!manifest.taskDefinitionIds.includes(id)) {
        throw new CoreError('ENGINE_PLUGIN_CONFLICT', `${manifest.id} does not serve task definition ${id}`)
      }
      const taken = this.#byDefinition.get(id)
      if (taken !== undefined) {
        throw new CoreError(
          'ENGINE_PLUGIN_CONFLICT',
          `task definition ${id} is already served by ${taken.plugin.manifest.id}`,
          {
            details: { taskDefinitionId: id, existing: taken.plugin.manifest.id, incoming: manifest.id },
          },
        )
      }
    }
    const entry: RegisteredPlugin = {
      plugin,
      config: parsePluginConfig(manifest, config),
      taskDefinitionIds: [...ids],
    }
    for (const id of ids) this.#byDefinition.set(id, entry)
    this.#logger.info('plugin registered', {
      pluginId: manifest.id,
      version: manifest.version,
      taskDefinitionIds: ids,
    })
    return entry
  }

  forTaskDefinition(id: number): RegisteredPlugin | undefined {
    return this.#byDefinition.get(id)
  }

  taskDefinitionIds(): number[] {
    return [...this.#byDefinition.keys()].sort((a, b) => a - b)
  }

  #require(id: number): RegisteredPlugin {
    const entry = this.#byDefinition.get(id)
    if (entry === undefined) {
      throw new CoreError('ENGINE_UNKNOWN_TASK_DEFINITION', `no plugin serves task definition ${id}`, {
        details: { taskDefinitionId: id },
      })
    }
    return entry
  }

  #context(entry: RegisteredPlugin, taskDefinitionId: number, signal: AbortSignal) {
    return createPluginContext(
      { manifest: entry.plugin.manifest, config: entry.config, taskDefinitionId, signal },
      { ...this.#components, logger: this.#components.logger ?? this.#logger },
    )
  }

  /** Performer side. Throws PluginError (PLUGIN_TIMEOUT / PLUGIN_HOOK_FAILED) or CoreError. */
  async execute(taskDefinitionId: number, signal?: AbortSignal): Promise<ExecuteResult> {
    const entry = this.#require(taskDefinitionId)
    const id = entry.plugin.manifest.id
    const started = Date.now()
    try {
      const result = await withDeadline(
        (s) => entry.plugin.execute(this.#context(entry, taskDefinitionId, s)),
        {
          timeoutMs: this.#options.executeTimeoutMs,
          what: 'execute',
          pluginId: id,
          ...(signal ? { parent: signal } : {}),
        },
      )
      if (typeof result?.proofOfTask !== 'string' || !(result.data instanceof Uint8Array)) {
        throw new PluginError('PLUGIN_HOOK_FAILED', `${id} execute returned a malformed result`, {
          details: { pluginId: id },
        })
      }
      this.#metrics.observe('wisp_plugin_hook_seconds', (Date.now() - started) / 1000, {
        plugin: id,
        hook: 'execute',
      })
      return result
    } catch (err) {
      this.#metrics.increment('wisp_plugin_hook_failures_total', {
        plugin: id,
        hook: 'execute',
        code: (err as PluginError).code ?? 'UNEXPECTED',
      })
      throw err
    }
  }

  /**
   * Attester side. Never throws: an unknown definition, a throw, a malformed answer or a timeout is
   * `abstain` with the reason — a plugin bug must not make anyone vote against a performer.
   */
  async validate(task: TaskInput, signal?: AbortSignal): Promise<Verdict> {
    const entry = this.#byDefinition.get(task.taskDefinitionId)
    if (entry === undefined) return abstain(`no plugin serves task definition ${task.taskDefinitionId}`)
    const id = entry.plugin.manifest.id
    const started = Date.now()
    try {
      const verdict = await withDeadline(
        (s) => entry.plugin.validate(task, this.#context(entry, task.taskDefinitionId, s)),
        {
          timeoutMs: this.#options.validateTimeoutMs,
          what: 'validate',
          pluginId: id,
          ...(signal ? { parent: signal } : {}),
        },
      )
      if (!isVerdict(verdict)) {
        throw new PluginError('PLUGIN_HOOK_FAILED', `${id} validate returned a malformed verdict`, {
          details: { pluginId: id },
        })
      }
      this.#metrics.observe('wisp_plugin_hook_seconds', (Date.now() - started) / 1000, {
        plugin: id,
        hook: 'validate',
      })
      return verdict
    } catch (err) {
      const code = (err as PluginError).code ?? 'UNEXPECTED'
      this.#metrics.increment('wisp_plugin_hook_failures_total', { plugin: id, hook: 'validate', code })
      this.#logger.warn('plugin validate failed: abstaining', {
        pluginId: id,
        code,
        error: (err as Error).message,
      })
      return abstain(`${code}: ${(err as Error).message}`)
    }
  }

  /** The plugin's leader election if it has one, else round robin. */
  electionFor(taskDefinitionId: number, roundRobin?: RoundRobinOptions): LeaderElection {
    const plugin = this.#byDefinition.get(taskDefinitionId)?.plugin
    if (plugin?.electLeader !== undefined) {
      const elect = plugin.electLeader.bind(plugin)
      return { name: `${plugin.manifest.id}#electLeader`, electLeader: elect }
    }
    return roundRobinLeaderElection(roundRobin)
  }
}

function isVerdict(v: unknown): v is Verdict {
  const kind = (v as { kind?: unknown } | null)?.kind
  return (
    kind === 'approve' ||
    ((kind === 'reject' || kind === 'abstain') && typeof (v as { reason?: unknown }).reason === 'string')
  )
}
