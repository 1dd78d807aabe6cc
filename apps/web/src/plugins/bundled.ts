// The plugins bundled with the app, built from their config entry.
import { createHashChainPlugin } from '@wisp/plugin-hash-chain'
import { createPriceOraclePlugin } from '@wisp/plugin-price-oracle'
import type { WispPlugin } from '@wisp/plugin-sdk'
import type { BundledPluginSpec } from '../config.js'

export function bundledPlugin(spec: BundledPluginSpec): WispPlugin {
  const ids = spec.taskDefinitionIds ? { taskDefinitionIds: spec.taskDefinitionIds } : {}
  switch (spec.id) {
    case '@wisp/plugin-hash-chain':
      return createHashChainPlugin(ids) as WispPlugin
    case '@wisp/plugin-price-oracle':
      return createPriceOraclePlugin({ hosts: spec.hosts ?? [], ...ids }) as WispPlugin
    default:
      throw new Error(`unknown bundled plugin ${(spec as { id: string }).id}`)
  }
}
