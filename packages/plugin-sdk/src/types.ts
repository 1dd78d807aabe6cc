import type { LeaderCandidate, LeaderElectionInput } from '@wisp/protocol'
import type { ConfigSchema } from './schema.js'

/** Bumped on any breaking change to the hooks or the context. */
export const PLUGIN_API_VERSION = 1

export type Runtime = 'node' | 'browser' | 'worker' | 'edge'
export const RUNTIMES: readonly Runtime[] = ['node', 'browser', 'worker', 'edge']

export interface PluginCapabilities {
  /** hosts (`example.com`, `127.0.0.1:8080`) the plugin may fetch; anything else is refused */
  fetch?: readonly string[]
  /** a private key-value namespace */
  storage?: boolean
}

/** Static, structured-clone-safe description of a plugin. */
export interface PluginManifest {
  /** npm-style name, e.g. `price-oracle` or `@acme/price-oracle` */
  id: string
  /** semver of the plugin */
  version: string
  /** the {@link PLUGIN_API_VERSION} the plugin was written against */
  apiVersion: number
  /** the task definitions (uint16) whose tasks this plugin executes and validates */
  taskDefinitionIds: readonly number[]
  runtimes: readonly Runtime[]
  capabilities: PluginCapabilities
  configSchema: ConfigSchema
  description?: string
}

/** A task as attesters see it (docs/protocol.md §1 TaskInfo). */
export interface TaskInput {
  proofOfTask: string
  data: Uint8Array
  taskDefinitionId: number
  performer: `0x${string}`
}

export interface ExecuteResult {
  proofOfTask: string
  data: Uint8Array
}

/**
 * What an attester answers. `reject` means the performer's result is wrong; `abstain` means "no
 * vote" (cannot tell: source down, bug) and must never count against the performer.
 */
export type Verdict =
  | { kind: 'approve' }
  | { kind: 'reject'; reason: string }
  | { kind: 'abstain'; reason: string }

export const approve = (): Verdict => ({ kind: 'approve' })
export const reject = (reason: string): Verdict => ({ kind: 'reject', reason })
export const abstain = (reason: string): Verdict => ({ kind: 'abstain', reason })

export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** The plugin's private namespace of bytes. */
export interface PluginStorage {
  get(key: string): Promise<Uint8Array | undefined>
  put(key: string, value: Uint8Array): Promise<void>
  delete(key: string): Promise<void>
}

export interface FetchResponse {
  status: number
  ok: boolean
  text(): Promise<string>
  json(): Promise<unknown>
}

export type PluginFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<FetchResponse>

/** Read-only view of the chain. */
export interface PluginChain {
  chainId: number
  getBlockNumber(): Promise<bigint>
}

export interface PluginContext<Config> {
  config: Config
  taskDefinitionId: number
  logger: PluginLogger
  /** present when the manifest asks for `storage` */
  storage: PluginStorage | undefined
  /** allow-listed by the manifest's `fetch` capability */
  fetch: PluginFetch
  chain: PluginChain | undefined
  /** injected clock (ms since epoch) so tests and replays are deterministic */
  now(): number
  /** aborted on deadline or shutdown: stop work and return */
  signal: AbortSignal
}

export interface PluginHooks<Config> {
  /** Performer side: do the work and describe it. The engine signs and publishes. */
  execute(ctx: PluginContext<Config>): Promise<ExecuteResult>
  /** Attester side: check the performer's result. A throw or timeout counts as abstain. */
  validate(task: TaskInput, ctx: PluginContext<Config>): Promise<Verdict>
  /** Optional: replace the default round-robin leader election. Must be pure. */
  electLeader?(input: LeaderElectionInput): LeaderCandidate
}

export interface WispPlugin<Config = unknown> extends PluginHooks<Config> {
  readonly kind: 'wisp-plugin'
  readonly manifest: PluginManifest
}
