/// <reference types="node" />
import type { BlsVerifier } from '@wisp/bls'
import { createNodeVerifierPool } from '@wisp/bls/pool/node'
import {
  createMemoryOperatorDirectory,
  createMemoryTaskDefinitions,
  createPrometheusMetrics,
  createRelay,
  type MetricsServer,
  startMetricsServer,
  type WispNetwork,
} from '@wisp/p2p/node'
import type { RelayConfig } from './config.js'
import { resolveSeed } from './identity.js'

export interface RunningRelay {
  network: WispNetwork
  metrics?: MetricsServer
  stop(): Promise<void>
}

/** Starts the relay a config describes; `print` gets the start-up lines. */
export async function runRelay(config: RelayConfig, print: (line: string) => void): Promise<RunningRelay> {
  const seed = resolveSeed(config.relay.seed, config.relay.dataDir)
  const metrics = createPrometheusMetrics()
  let verifier: BlsVerifier | undefined
  if (config.operators !== undefined) verifier = createNodeVerifierPool()
  const network = await createRelay(
    { ...config.relay, ...(seed !== undefined ? { seed } : {}) },
    {
      metrics,
      ...(config.operators !== undefined
        ? { directory: createMemoryOperatorDirectory(config.operators), verifier }
        : {}),
      ...(config.definitions !== undefined
        ? { definitions: createMemoryTaskDefinitions(config.definitions) }
        : {}),
    },
  )
  let server: MetricsServer | undefined
  if (config.metrics !== undefined) {
    server = await startMetricsServer(config.metrics, { registry: metrics.registry })
  }
  const addresses = network.getMultiaddrs()
  if (config.json) {
    print(JSON.stringify({ peerId: network.peerId, multiaddrs: addresses, metrics: server?.url ?? null }))
  } else {
    print(`wisp-relay peer id: ${network.peerId}`)
    print('listening on:')
    for (const a of addresses) print(`  ${a}`)
    if (server !== undefined) print(`metrics: ${server.url}`)
  }
  return {
    network,
    ...(server !== undefined ? { metrics: server } : {}),
    async stop() {
      await server?.close()
      await network.stop()
      await verifier?.close()
    },
  }
}
