// The Node runtime of an operator: its factories (LevelDB store, worker-thread BLS verifier pool,
// libp2p Node peer, in-process signers, Prometheus metrics, plugins from the catalogue or installed
// packages) handed to @wisp/operator's createOperator, plus the Node-only endpoints: JSON-RPC
// (`sendTask`, `sendCustomMessage`) and Prometheus `/metrics`.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type BlsVerifier, initBls } from '@wisp/bls'
import { createNodeVerifierPool } from '@wisp/bls/pool/node'
import type { ChainCache } from '@wisp/chain'
import { loadPluginModule, type PluginRegistration } from '@wisp/core'
import {
  createOperator,
  type LoadedPlugins,
  loadPlugins,
  type Operator,
  type OperatorConfig,
  type OperatorRuntime,
} from '@wisp/operator'
import { createBlsAuthSigner } from '@wisp/p2p'
import {
  createNodePeer,
  createPrometheusMetrics,
  loadOrCreateSeed,
  type MetricsServer,
  startMetricsServer,
} from '@wisp/p2p/node'
import type { WispPlugin } from '@wisp/plugin-sdk'
import { LevelStore } from '@wisp/storage/level'
import { Registry } from 'prom-client'
import { privateKeyToAccount } from 'viem/accounts'
import { NodeError } from './errors.js'
import { type JsonRpcServer, startJsonRpcServer } from './json-rpc.js'
import { createConsoleLogger, type NodeLogger } from './logger.js'
import {
  collectProcessMetrics,
  exportLibp2pMetrics,
  type MetricsPusher,
  prometheusMetricsPort,
  startMetricsPush,
} from './metrics.js'
import { blsSigner, ecdsaSigner, type OperatorKeys } from './signers.js'

type Address = `0x${string}`

export interface WispNodeConfig {
  /** names the node in logs */
  name: string
  keys: OperatorKeys
  /** the operator config shared with every runtime (see @wisp/operator) */
  operator: OperatorConfig
  /** 32-byte Ed25519 seed (0x-hex) of the peer id; else kept in `<dataDir>/identity.seed` */
  p2pSeed?: string
  /** LevelDB lives here; default `config.dataDir`, else `.wisp/<name>` */
  dataDir?: string
  /** BLS verification workers (0 = verify inline) */
  verifierWorkers?: number
  /** plugins given as objects (embedders, tests) instead of `operator.plugins` */
  plugins?: PluginRegistration[]
}

export interface WispNode {
  readonly name: string
  readonly address: Address
  readonly operator: Operator
  readonly engine: Operator['engine']
  readonly network: Operator['network']
  readonly chain: Operator['chain']
  readonly jsonRpc: JsonRpcServer | undefined
  readonly metrics: MetricsServer | undefined
  stop(): Promise<void>
}

function describeRegistrations(registrations: PluginRegistration[]): LoadedPlugins {
  return {
    registrations,
    described: registrations.map((r) => {
      const manifest = (r.plugin as WispPlugin).manifest
      return {
        id: manifest.id,
        version: manifest.version,
        taskDefinitionIds: [...(r.taskDefinitionIds ?? manifest.taskDefinitionIds)],
        source: 'package' as const,
      }
    }),
  }
}

/** A verifier the node uses but does not own: its close() leaves the shared one open. */
function borrowed(shared: BlsVerifier): BlsVerifier {
  return {
    verify: (job) => shared.verify(job),
    verifyMany: (jobs) => shared.verifyMany(jobs),
    get pending() {
      return shared.pending
    },
    close: async () => undefined,
  }
}

export async function startWispNode(
  config: WispNodeConfig,
  components: {
    logger?: NodeLogger
    /**
     * A BLS verifier to use instead of a pool of this node's own: several operators in one process
     * then share its worker threads. The caller owns it (the node's stop() does not close it).
     */
    verifier?: BlsVerifier
    /**
     * A chain cache of the network's AttestationCenter to follow the chain through, shared with
     * the other operators of this process (one RPC poll per interval for all of them). The caller
     * owns it (the node's stop() leaves it running).
     */
    chainCache?: ChainCache
    /**
     * Another peer than the Node peer, e.g. the light peer of browsers and edge workers
     * (`createEdgePeer` from `@wisp/p2p/edge`: it holds `relayTarget` of the configured relays and
     * moves when one goes), as the failover benchmark's attesters use.
     */
    createNetwork?: OperatorRuntime['createNetwork']
  } = {},
): Promise<WispNode> {
  const logger = (components.logger ?? createConsoleLogger()).child(config.name)
  // signing and any inline verification on this thread use the WebAssembly backend when it loads
  // (noble otherwise, with a warning); the verifier pool's workers choose theirs themselves
  const blsBackend = await initBls({ logger })
  const account = privateKeyToAccount(config.keys.ecdsaKey)
  const dataDir = config.dataDir ?? config.operator.dataDir ?? join('.wisp', config.name)
  const registry = new Registry()
  // Othentic's dashboard reads prom-client's process/Node.js series and libp2p's names
  collectProcessMetrics(registry)
  const operator = await createOperator(config.operator, {
    kind: 'node',
    supportedRoles: ['attester', 'aggregator', 'performer', 'watchtower'],
    address: account.address,
    blsSigner: blsSigner(config.keys),
    ecdsaSigner: ecdsaSigner(config.keys),
    chainAccount: account,
    authSigner: (me) => createBlsAuthSigner({ operatorId: me.id, address: me.address }, config.keys.bls),
    openStore: async () => {
      await mkdir(dataDir, { recursive: true })
      return LevelStore.open({ path: join(dataDir, 'db') })
    },
    createVerifier: () =>
      components.verifier !== undefined
        ? borrowed(components.verifier)
        : createNodeVerifierPool({ workers: config.verifierWorkers ?? 1 }),
    createNetwork:
      components.createNetwork ??
      ((options, network) =>
        createNodePeer(
          {
            ...options,
            listen: config.operator.p2p.listen,
            announce: config.operator.p2p.announce ?? [],
            // Othentic's aggregator is its network's bootstrap: others dial it, it relays for them
            bootstrapNode: config.operator.p2p.bootstrapNode ?? false,
            seed: config.p2pSeed ?? loadOrCreateSeed(dataDir), // the peer id survives restarts
          },
          network,
        )),
    loadPlugins: async (c) =>
      config.plugins
        ? describeRegistrations(config.plugins)
        : // bundled plugins from the catalogue, any other package imported from node_modules
          loadPlugins(c, {
            runtime: 'node',
            importPackage: (name) => loadPluginModule(name, (s) => import(s)),
          }),
    fetch: (url, init) => fetch(url, init as RequestInit),
    ...(components.chainCache ? { chainCache: components.chainCache } : {}),
    logger,
    metrics: prometheusMetricsPort(registry),
    p2pMetrics: createPrometheusMetrics({}, { registry }),
  })
  const { engine, chain } = operator
  exportLibp2pMetrics(registry, operator.network)
  let jsonRpc: JsonRpcServer | undefined
  let metrics: MetricsServer | undefined
  let pusher: MetricsPusher | undefined
  try {
    jsonRpc = config.operator.jsonRpc
      ? await startJsonRpcServer(
          { ...config.operator.jsonRpc, chainId: chain.chainId },
          {
            sendTask: async (request) => {
              if (request.targetChainId !== undefined && request.targetChainId !== chain.chainId) {
                throw new NodeError(
                  'NODE_BAD_FLAGS',
                  `targetChainId ${request.targetChainId} is not this network's chain ${chain.chainId}`,
                )
              }
              return engine.sendTask(request)
            },
            sendCustomMessage: async (data) => {
              await engine.gossip.publish('customMessage', { data })
            },
          },
        )
      : undefined
    const metricsConfig = config.operator.metrics
    metrics =
      metricsConfig?.port !== undefined
        ? await startMetricsServer({ port: metricsConfig.port, host: metricsConfig.host }, { registry })
        : undefined
    // Othentic's --metrics.export-url: pushed whether or not a port is served
    pusher =
      metricsConfig?.exportUrl !== undefined
        ? startMetricsPush(
            {
              url: metricsConfig.exportUrl,
              jobName: `wisp_${[...config.operator.roles].sort().join('_')}`,
              groupings: { instance: account.address.toLowerCase() },
              ...(metricsConfig.exportIntervalMs !== undefined
                ? { intervalMs: metricsConfig.exportIntervalMs }
                : {}),
            },
            { registry, logger: logger.child('metrics') },
          )
        : undefined
  } catch (err) {
    await jsonRpc?.close()
    await operator.stop()
    throw err
  }
  logger.info('node started', {
    bls: blsBackend,
    ...(jsonRpc ? { jsonRpc: jsonRpc.url } : {}),
    ...(metrics ? { metrics: metrics.url } : {}),
    ...(config.operator.metrics?.exportUrl ? { metricsExport: config.operator.metrics.exportUrl } : {}),
  })
  return {
    name: config.name,
    address: account.address,
    operator,
    engine,
    network: operator.network,
    chain,
    jsonRpc,
    metrics,
    async stop() {
      await jsonRpc?.close()
      await metrics?.close()
      try {
        await operator.stop()
      } finally {
        // the final figures, after the operator's last work (a failure is a warning)
        await pusher?.stop()
      }
    },
  }
}
