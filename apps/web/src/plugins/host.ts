// The page's (or engine worker's) side of the plugin worker. Every plugin the worker loaded gets a
// proxy plugin that the engine registers: its validate goes to the worker. A validation that has
// started in the worker and does not answer within the deadline (plus a grace period) means the
// worker is blocked: it is terminated, the validations in flight abstain, and a fresh worker
// reloads the plugins. A plugin can slow attesting down, never freeze the page.
import type { PluginRegistration } from '@wisp/core'
import { abstain, definePlugin, type TaskInput, type Verdict, type WispPlugin } from '@wisp/plugin-sdk'
import { type Remote, releaseProxy, transfer, wrap } from 'comlink'
import type { PluginSpec } from '../config.js'
import type {
  LoadedPlugin,
  LoadOutcome,
  PluginEnv,
  PluginWorkerService,
  ValidationProgress,
} from './protocol.js'

export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void
  addEventListener(type: string, listener: (event: Event) => void): void
  removeEventListener(type: string, listener: (event: Event) => void): void
  terminate(): void
}

export interface PluginHostOptions {
  /** deadline of one validate (in the worker) */
  validateTimeoutMs: number
  /** extra time before a silent worker is declared blocked and terminated */
  graceMs: number
}

export const DEFAULT_PLUGIN_HOST_OPTIONS: PluginHostOptions = { validateTimeoutMs: 10_000, graceMs: 1_000 }

interface Pending {
  resolve: (verdict: Verdict) => void
  timer: ReturnType<typeof setTimeout> | undefined
}

interface Running {
  worker: WorkerLike
  remote: Remote<PluginWorkerService>
  port: MessagePort
  ready: Promise<LoadOutcome[]>
}

export interface PluginHostStats {
  validations: number
  restarts: number
  inFlight: number
}

export class PluginHost {
  readonly #createWorker: () => WorkerLike
  readonly #options: PluginHostOptions
  #specs: PluginSpec[] = []
  #env: PluginEnv | undefined
  #running: Running | undefined
  #pending = new Map<number, Pending>()
  #nextId = 1
  #loaded: LoadedPlugin[] = []
  #failed: Array<Extract<LoadOutcome, { ok: false }>> = []
  #stats = { validations: 0, restarts: 0 }
  #closed = false
  onRestart: ((reason: string) => void) | undefined

  constructor(createWorker: () => WorkerLike, options: Partial<PluginHostOptions> = {}) {
    this.#createWorker = createWorker
    this.#options = { ...DEFAULT_PLUGIN_HOST_OPTIONS, ...options }
  }

  /** Starts the worker and loads the plugins; resolves with one outcome per spec. */
  async start(specs: PluginSpec[], env: Omit<PluginEnv, 'validateTimeoutMs'>): Promise<LoadOutcome[]> {
    this.#specs = specs
    this.#env = { ...env, validateTimeoutMs: this.#options.validateTimeoutMs }
    const outcomes = await this.#spawn().ready
    this.#loaded = outcomes.flatMap((o) => (o.ok ? [o.plugin] : []))
    this.#failed = outcomes.flatMap((o) => (o.ok ? [] : [o]))
    return outcomes
  }

  get loaded(): readonly LoadedPlugin[] {
    return this.#loaded
  }

  get failed(): ReadonlyArray<Extract<LoadOutcome, { ok: false }>> {
    return this.#failed
  }

  get stats(): PluginHostStats {
    return { ...this.#stats, inFlight: this.#pending.size }
  }

  #spawn(): Running {
    const worker = this.#createWorker()
    const remote = wrap<PluginWorkerService>(worker as unknown as Worker)
    const channel = new MessageChannel()
    const port = channel.port1
    port.onmessage = (event: MessageEvent<ValidationProgress>) => this.#started(event.data.id)
    const ready = remote.load(this.#specs, this.#env!, transfer(channel.port2, [channel.port2]))
    ready.catch(() => undefined)
    const running: Running = { worker, remote, port, ready }
    this.#running = running
    return running
  }

  #started(id: number): void {
    const pending = this.#pending.get(id)
    if (pending === undefined || pending.timer !== undefined) return
    pending.timer = setTimeout(
      () =>
        this.#restart(
          `a validation ran past ${this.#options.validateTimeoutMs} ms and blocked the plugin worker`,
        ),
      this.#options.validateTimeoutMs + this.#options.graceMs,
    )
  }

  #teardown(abstainReason: string): void {
    const old = this.#running
    if (old === undefined) return
    this.#running = undefined
    old.port.close()
    old.remote[releaseProxy]()
    old.worker.terminate()
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer)
      pending.resolve(abstain(abstainReason))
      this.#pending.delete(id)
    }
  }

  #restart(reason: string): void {
    if (this.#running === undefined || this.#closed) return
    this.#teardown(`PLUGIN_TIMEOUT: ${reason}`)
    this.#stats.restarts++
    this.onRestart?.(reason)
    this.#spawn()
  }

  /** Validates in the worker. Never throws: failures and deadlines are abstain. */
  async validate(task: TaskInput): Promise<Verdict> {
    if (this.#closed) return abstain('plugin host is closed')
    const running = this.#running ?? this.#spawn()
    await running.ready.catch(() => undefined)
    const id = this.#nextId++
    this.#stats.validations++
    return new Promise<Verdict>((resolve) => {
      this.#pending.set(id, { resolve, timer: undefined })
      running.remote.validate(id, task).then(
        (verdict) => this.#settle(id, verdict),
        (err: unknown) =>
          this.#settle(id, abstain(`plugin worker failed: ${(err as Error)?.message ?? err}`)),
      )
    })
  }

  #settle(id: number, verdict: Verdict): void {
    const pending = this.#pending.get(id)
    if (pending === undefined) return
    clearTimeout(pending.timer)
    this.#pending.delete(id)
    pending.resolve(verdict)
  }

  /**
   * One proxy plugin per loaded plugin, for the engine's registry: same id, version and task
   * definitions; validate forwards to the worker. The worker already checked the real config and
   * enforces capabilities, so the proxy has none and takes `{}` as its config.
   */
  registrations(): PluginRegistration[] {
    return this.#loaded.map((loaded) => ({
      plugin: this.#proxy(loaded),
      config: {},
      taskDefinitionIds: loaded.taskDefinitionIds,
    }))
  }

  #proxy(loaded: LoadedPlugin): WispPlugin {
    const m = loaded.manifest
    return definePlugin<Record<string, never>>({
      manifest: {
        id: m.id,
        version: m.version,
        apiVersion: m.apiVersion,
        taskDefinitionIds: [...loaded.taskDefinitionIds],
        runtimes: ['browser', 'worker'],
        capabilities: {},
        configSchema: { type: 'object', properties: {} },
        description: `${m.description ?? m.id} (runs in the plugin worker)`,
      },
      execute: async () => {
        throw new Error('the web attester does not perform tasks')
      },
      validate: (task) => this.validate(task),
    }) as WispPlugin
  }

  close(): void {
    this.#closed = true
    this.#teardown('the plugin host was closed')
  }
}
