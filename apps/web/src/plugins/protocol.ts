// What the plugin worker exposes. Plugins (bundled and URL-pinned) run there, never on the page
// and never next to a key; the page talks to them through proxies (host.ts).
import type { PluginManifest, TaskInput, Verdict } from '@wisp/plugin-sdk'
import type { ErrorInfo } from '@wisp/protocol'
import type { PluginSpec } from '../config.js'

export interface PluginEnv {
  chainId: number
  rpcUrl: string
  /** idb database for plugins that ask for storage (each sees only its namespace) */
  storeName: string
  /** in-worker deadline of one validate */
  validateTimeoutMs: number
}

export interface LoadedPlugin {
  manifest: PluginManifest
  taskDefinitionIds: number[]
  source: 'bundled' | 'url'
  url?: string
  sha256?: string
  /** a custom leader election cannot cross the worker boundary: round robin is used instead */
  hasElectLeader: boolean
}

export type LoadOutcome =
  | { ok: true; plugin: LoadedPlugin }
  | { ok: false; source: 'bundled' | 'url'; what: string; error: ErrorInfo }

export interface ValidationProgress {
  id: number
  phase: 'start'
}

export interface PluginWorkerService {
  /** Loads and registers plugins; `progress` receives a message when each validation starts. */
  load(specs: PluginSpec[], env: PluginEnv, progress: MessagePort): Promise<LoadOutcome[]>
  /** Never throws: a failure or a deadline is abstain. */
  validate(id: number, task: TaskInput): Promise<Verdict>
  ping(): 'pong'
}
