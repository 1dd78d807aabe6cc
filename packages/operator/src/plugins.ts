// The default plugin loader for runtimes that run plugins in-process (edge, tests): the config's
// bundled plugins from the catalogue. Node adds importing installed packages by name; browsers
// run plugins in a worker with their own host.

import { createBundledPlugin, isUrlPlugin } from './catalogue.js'
import type { OperatorConfig } from './config.js'
import { OperatorError } from './errors.js'
import type { LoadedPlugins } from './operator.js'

export async function bundledPlugins(config: OperatorConfig, runtime: string): Promise<LoadedPlugins> {
  const registrations: LoadedPlugins['registrations'] = []
  const described: LoadedPlugins['described'] = []
  config.plugins.forEach((spec, i) => {
    const path = `config.plugins[${i}]`
    if (isUrlPlugin(spec)) {
      throw new OperatorError(
        'OPERATOR_UNKNOWN_PLUGIN',
        `${path}.url: the ${runtime} runtime runs bundled plugins only (no code loaded at run time)`,
        { details: { path } },
      )
    }
    const plugin = createBundledPlugin(spec, path)
    const taskDefinitionIds = spec.taskDefinitionIds ?? [...plugin.manifest.taskDefinitionIds]
    registrations.push({ plugin, config: spec.config, taskDefinitionIds })
    described.push({
      id: plugin.manifest.id,
      version: plugin.manifest.version,
      taskDefinitionIds,
      source: 'bundled',
    })
  })
  return { registrations, described }
}
