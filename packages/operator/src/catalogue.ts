// The plugins bundled with Wisp, registered in this one place: every runtime (Node, page, worker,
// edge) builds bundled plugins from here. Adding a bundled plugin: add its package to this
// package's dependencies and one entry below; nothing else changes.
import { createHashChainPlugin } from '@wisp/plugin-hash-chain'
import { createPriceOraclePlugin, sourceHosts } from '@wisp/plugin-price-oracle'
import type { WispPlugin } from '@wisp/plugin-sdk'
import type { PackagePluginSpec, PluginSpec, UrlPluginSpec } from './config.js'
import { OperatorError } from './errors.js'

export interface BundledPlugin {
  /** the package name, which is the plugin's manifest id */
  readonly package: string
  /** one line for help texts and dashboards */
  readonly summary: string
  create(spec: PackagePluginSpec): WispPlugin
}

const definitions = (spec: PackagePluginSpec) =>
  spec.taskDefinitionIds ? { taskDefinitionIds: spec.taskDefinitionIds } : {}

export const BUNDLED_PLUGINS: ReadonlyMap<string, BundledPlugin> = new Map(
  [
    {
      package: '@wisp/plugin-hash-chain',
      summary: 'deterministic compute: keccak hash chain of a seed (config: {iterations})',
      create: (spec: PackagePluginSpec) => createHashChainPlugin(definitions(spec)) as WispPlugin,
    },
    {
      package: '@wisp/plugin-price-oracle',
      summary: 'median price from HTTP sources within a tolerance (config: {pair, sources, …})',
      create: (spec: PackagePluginSpec) =>
        createPriceOraclePlugin({
          // by default the hosts of its configured sources, nothing else
          hosts: spec.hosts ?? sourceHosts(spec.config),
          ...definitions(spec),
        }) as WispPlugin,
    },
  ].map((p) => [p.package, p] as const),
)

export function isUrlPlugin(spec: PluginSpec): spec is UrlPluginSpec {
  return 'url' in spec
}

/** Builds a bundled plugin; OPERATOR_UNKNOWN_PLUGIN names the bundled ones when it is not one. */
export function createBundledPlugin(spec: PackagePluginSpec, path = 'config.plugins'): WispPlugin {
  const entry = BUNDLED_PLUGINS.get(spec.package)
  if (entry === undefined) {
    throw new OperatorError(
      'OPERATOR_UNKNOWN_PLUGIN',
      `${path}: ${spec.package} is not bundled with this runtime (bundled: ${[...BUNDLED_PLUGINS.keys()].join(', ')})`,
      { details: { package: spec.package, bundled: [...BUNDLED_PLUGINS.keys()] } },
    )
  }
  return entry.create(spec)
}
