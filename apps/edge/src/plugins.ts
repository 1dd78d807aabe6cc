// The plugins this worker can run, bundled statically: workerd forbids eval and compiling code
// (JS or WASM) at run time, so URL-loaded plugins are not an option here. To ship another plugin,
// add its factory below and rebuild.
import type { PluginRegistration } from '@wisp/core'
import { createHashChainPlugin } from '@wisp/plugin-hash-chain'
import { createPriceOraclePlugin, type PriceOracleConfig } from '@wisp/plugin-price-oracle'
import type { PluginBinding } from './config.js'
import { EdgeError } from './errors.js'

type Factory = (binding: PluginBinding) => PluginRegistration['plugin']

function hostsOf(config: unknown): string[] {
  const sources = (config as Partial<PriceOracleConfig> | null)?.sources
  if (!Array.isArray(sources)) return []
  const hosts = new Set<string>()
  for (const s of sources) {
    try {
      hosts.add(new URL(String(s.url)).host)
    } catch {
      // the plugin's config check reports the bad URL
    }
  }
  return [...hosts]
}

export const BUNDLED_PLUGINS: Readonly<Record<string, Factory>> = Object.freeze({
  '@wisp/plugin-hash-chain': (b) =>
    createHashChainPlugin(b.taskDefinitionIds ? { taskDefinitionIds: b.taskDefinitionIds } : {}),
  '@wisp/plugin-price-oracle': (b) =>
    createPriceOraclePlugin({
      hosts: b.hosts ?? hostsOf(b.config),
      ...(b.taskDefinitionIds ? { taskDefinitionIds: b.taskDefinitionIds } : {}),
    }),
})

/** Registrations for the engine; EDGE_UNKNOWN_PLUGIN for a plugin that is not bundled. */
export function pluginRegistrations(bindings: readonly PluginBinding[]): PluginRegistration[] {
  return bindings.map((b) => {
    const factory = BUNDLED_PLUGINS[b.id]
    if (factory === undefined) {
      throw new EdgeError('EDGE_UNKNOWN_PLUGIN', `plugin ${b.id} is not bundled into this worker`, {
        details: { id: b.id, bundled: Object.keys(BUNDLED_PLUGINS) },
      })
    }
    return {
      plugin: factory(b),
      config: b.config,
      ...(b.taskDefinitionIds ? { taskDefinitionIds: b.taskDefinitionIds } : {}),
    }
  })
}
