// Builds the context a plugin hook receives: config, logger, a private storage namespace, a fetch
// limited to the manifest's hosts and tied to the hook's abort signal, an optional read-only
// chain view, and an injected clock. The engine and the compliance suite use the same builder.
import { PluginError } from './errors.js'
import type {
  FetchResponse,
  PluginChain,
  PluginContext,
  PluginFetch,
  PluginLogger,
  PluginManifest,
  PluginStorage,
} from './types.js'

/** The fetch the runtime provides (globalThis.fetch or a test server's). */
export type BaseFetch = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<FetchResponse>

/** Byte storage the engine owns; the plugin sees only its namespace. */
export interface NamespaceableStore {
  get(key: string): Promise<Uint8Array | undefined>
  put(key: string, value: Uint8Array): Promise<void>
  delete(key: string): Promise<void>
}

export interface PluginContextComponents {
  fetch?: BaseFetch
  store?: NamespaceableStore
  chain?: PluginChain
  logger?: PluginLogger
  now?: () => number
}

export const silentLogger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} }

export function createPluginContext<Config>(
  params: { manifest: PluginManifest; config: Config; taskDefinitionId: number; signal: AbortSignal },
  components: PluginContextComponents = {},
): PluginContext<Config> {
  const { manifest, signal } = params
  const allowed = new Set((manifest.capabilities.fetch ?? []).map((h) => h.toLowerCase()))
  const fetch: PluginFetch = async (url, init = {}) => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch (cause) {
      throw new PluginError('PLUGIN_CAPABILITY_DENIED', `not a URL: ${url}`, { cause })
    }
    const host = parsed.host.toLowerCase()
    if (
      !(allowed.has(host) || allowed.has(parsed.hostname.toLowerCase())) ||
      !/^https?:$/.test(parsed.protocol)
    ) {
      throw new PluginError('PLUGIN_CAPABILITY_DENIED', `${manifest.id} may not fetch ${host}`, {
        details: { pluginId: manifest.id, host, allowed: [...allowed] },
      })
    }
    if (components.fetch === undefined) {
      throw new PluginError('PLUGIN_CAPABILITY_DENIED', 'this runtime gives plugins no fetch')
    }
    signal.throwIfAborted()
    return components.fetch(url, { ...init, signal })
  }
  const prefix = `plugin/${manifest.id}/`
  const storage: PluginStorage | undefined =
    manifest.capabilities.storage === true && components.store !== undefined
      ? {
          get: (key) => components.store!.get(prefix + key),
          put: (key, value) => components.store!.put(prefix + key, value),
          delete: (key) => components.store!.delete(prefix + key),
        }
      : undefined
  return {
    config: params.config,
    taskDefinitionId: params.taskDefinitionId,
    logger: components.logger ?? silentLogger,
    storage,
    fetch,
    chain: components.chain,
    now: components.now ?? Date.now,
    signal,
  }
}
