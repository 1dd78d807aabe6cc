// Plugins for runtimes that run them in-process (Node, edge, tests): the config's plugins from the
// catalogue, and — where the runtime can load code — installed packages by name. Browsers run
// plugins in a worker with their own host.
import type { WispPlugin } from '@wisp/plugin-sdk'
import { BUNDLED_PLUGINS, createBundledPlugin, isUrlPlugin } from './catalogue.js'
import type { OperatorConfig } from './config.js'
import { OperatorError } from './errors.js'
import type { LoadedPlugins } from './operator.js'

export interface PluginLoaderOptions {
  /** names the runtime in errors */
  runtime: string
  /** loads a plugin package that is not bundled (Node: an import from node_modules); absent: bundled only */
  importPackage?: (name: string) => Promise<WispPlugin>
}

export async function loadPlugins(
  config: OperatorConfig,
  options: PluginLoaderOptions,
): Promise<LoadedPlugins> {
  const registrations: LoadedPlugins['registrations'] = []
  const described: LoadedPlugins['described'] = []
  for (const [i, spec] of config.plugins.entries()) {
    const path = `config.plugins[${i}]`
    if (isUrlPlugin(spec)) {
      throw new OperatorError(
        'OPERATOR_UNKNOWN_PLUGIN',
        `${path}.url: the ${options.runtime} runtime loads plugins by package name (no code fetched at run time)`,
        { details: { path } },
      )
    }
    const bundled = BUNDLED_PLUGINS.has(spec.package) || options.importPackage === undefined
    const plugin = bundled ? createBundledPlugin(spec, path) : await options.importPackage!(spec.package)
    const taskDefinitionIds = spec.taskDefinitionIds ?? [...plugin.manifest.taskDefinitionIds]
    registrations.push({ plugin, config: spec.config, taskDefinitionIds })
    described.push({
      id: plugin.manifest.id,
      version: plugin.manifest.version,
      taskDefinitionIds,
      source: bundled ? 'bundled' : 'package',
    })
  }
  return { registrations, described }
}

/** Bundled plugins only: for runtimes that cannot load code at run time (workerd). */
export function bundledPlugins(config: OperatorConfig, runtime: string): Promise<LoadedPlugins> {
  return loadPlugins(config, { runtime })
}
