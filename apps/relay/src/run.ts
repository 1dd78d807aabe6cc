/// <reference types="node" />
import type { BlsVerifier } from '@wisp/bls'
import { createNodeVerifierPool } from '@wisp/bls/pool/node'
import { createChainDirectory, createChainTransport, verifyAttestationCenter } from '@wisp/chain'
import {
  createMemoryOperatorDirectory,
  createMemoryTaskDefinitions,
  createPrometheusMetrics,
  createRelay,
  loadOrCreateSeed,
  type MetricsServer,
  type NetworkComponents,
  type PartialRelayOptions,
  parseSeed,
  startMetricsServer,
  type WispRelay,
} from '@wisp/p2p/node'
import { createPublicClient } from 'viem'
import type { RelayChainConfig, RelayConfig } from './config.js'
import { RelayError } from './errors.js'

export interface RunningRelay {
  network: WispRelay
  metrics?: MetricsServer
  stop(): Promise<void>
}

/** Starts the relay a config describes; `print` gets the start-up lines. */
export async function runRelay(config: RelayConfig, print: (line: string) => void): Promise<RunningRelay> {
  // a given seed is checked before anything starts; without one, the peer id is kept in the data dir
  if (config.relay.seed !== undefined) parseSeed(config.relay.seed)
  const seed =
    config.relay.seed ??
    (config.relay.dataDir !== undefined ? loadOrCreateSeed(config.relay.dataDir) : undefined)
  const metrics = createPrometheusMetrics()
  // before anything starts: a wrong RPC or address is one coded line (CHAIN_*), not a relay that
  // forwards everything it cannot judge
  const chain = config.chain !== undefined ? await chainComponents(config.chain) : undefined
  const listed = config.relay.deployments
  if (
    chain !== undefined &&
    listed !== undefined &&
    !listed.some(
      (d) =>
        d.chainId === chain.deployment.chainId &&
        d.attestationCenter.toLowerCase() === chain.deployment.attestationCenter.toLowerCase(),
    )
  ) {
    // votes would be checked against a deployment whose operators this relay does not read
    throw new RelayError(
      'RELAY_INVALID_CONFIG',
      `"deployments" must include the chain mode's AttestationCenter ${chain.deployment.attestationCenter} on chain ${chain.deployment.chainId}`,
    )
  }
  let verifier: BlsVerifier | undefined
  if (config.operators !== undefined || chain !== undefined) verifier = createNodeVerifierPool()
  let network: WispRelay
  try {
    network = await createRelay(
      {
        ...config.relay,
        ...(seed !== undefined ? { seed } : {}),
        ...(chain !== undefined && config.relay.deployments === undefined
          ? { deployments: [chain.deployment] }
          : {}),
      } satisfies PartialRelayOptions,
      {
        metrics,
        ...(chain !== undefined ? { ...chain.components, verifier } : {}),
        ...(config.operators !== undefined
          ? { directory: createMemoryOperatorDirectory(config.operators), verifier }
          : {}),
        ...(config.definitions !== undefined
          ? { definitions: createMemoryTaskDefinitions(config.definitions) }
          : {}),
      },
    )
  } catch (err) {
    // the verifier's worker threads would keep the process alive
    await verifier?.close()
    throw err
  }
  let server: MetricsServer | undefined
  if (config.metrics !== undefined) {
    server = await startMetricsServer(config.metrics, { registry: metrics.registry })
  }
  const addresses = network.getMultiaddrs()
  const relays = network.federation.relays()
  const mode = chain !== undefined ? 'chain' : config.operators !== undefined ? 'operators' : 'structural'
  if (config.json) {
    print(
      JSON.stringify({
        peerId: network.peerId,
        multiaddrs: addresses,
        metrics: server?.url ?? null,
        mode,
        relays,
      }),
    )
  } else {
    print(`wisp-relay peer id: ${network.peerId}`)
    print(
      mode === 'chain'
        ? `judging gossip against ${chain!.deployment.attestationCenter} on chain ${chain!.deployment.chainId}`
        : mode === 'operators'
          ? 'judging gossip against the configured operators'
          : 'structural mode: sizes and encoding only (a public network needs --rpc and --attestation-center)',
    )
    print('listening on:')
    for (const a of addresses) print(`  ${a}`)
    if (relays.length > 0) print(`federating with ${relays.length} relay(s): ${relays.join(', ')}`)
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

/** Chain mode: the contract checked, then the nodes' own directory (operators, definitions, outcomes). */
async function chainComponents(config: RelayChainConfig) {
  const publicClient = createPublicClient({
    transport: createChainTransport(config.rpcUrls ?? [config.rpcUrl], { retryCount: 2, timeoutMs: 15_000 }),
  })
  const fromBlock = config.fromBlock === undefined ? {} : { fromBlock: BigInt(config.fromBlock) }
  const { chainId, backend } = await verifyAttestationCenter(publicClient, {
    attestationCenter: config.attestationCenter,
    ...(config.chainId !== undefined ? { chainId: config.chainId } : {}),
    ...(config.backend !== undefined ? { backend: config.backend } : {}),
    ...fromBlock,
  })
  const directory = createChainDirectory(
    {
      attestationCenter: config.attestationCenter,
      backend: backend.kind,
      ...fromBlock,
      ...(config.outcomeWindowMs !== undefined ? { outcomeWindowMs: config.outcomeWindowMs } : {}),
    },
    { publicClient },
  )
  const components: NetworkComponents = { directory, definitions: directory, outcomes: directory }
  return { components, deployment: { chainId, attestationCenter: config.attestationCenter } }
}
