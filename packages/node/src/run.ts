// One Wisp operator process: a durable store, a BLS verifier pool, a libp2p peer, the chain, the
// engine with the roles asked for, and optionally JSON-RPC and Prometheus endpoints.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { BlsVerifier } from '@wisp/bls'
import { createNodeVerifierPool } from '@wisp/bls/pool/node'
import { createChainDirectory, createChainPort, type WispChainPort } from '@wisp/chain'
import { createEngine, type Engine, type EngineOptions, type PluginRegistration } from '@wisp/core'
import { createBlsAuthSigner, type WispNetwork } from '@wisp/p2p'
import {
  createNodePeer,
  createPrometheusMetrics,
  type MetricsServer,
  startMetricsServer,
} from '@wisp/p2p/node'
import { LevelStore } from '@wisp/storage/level'
import { Registry } from 'prom-client'
import { createPublicClient, createWalletClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { NodeError } from './errors.js'
import { type JsonRpcServer, startJsonRpcServer } from './json-rpc.js'
import { createConsoleLogger, type NodeLogger } from './logger.js'
import { prometheusMetricsPort } from './metrics.js'
import { blsSigner, ecdsaSigner, type OperatorKeys } from './signers.js'

type Address = `0x${string}`

export interface WispNodeConfig {
  name: string
  keys: OperatorKeys
  chain: { rpcUrl: string; attestationCenter: Address; chainId?: number }
  p2p: { bootstrap: string[]; listen?: string[]; seed?: string; topicNamespace?: string; auth?: boolean }
  /** LevelDB (slashing protection, history, pending aggregations) lives here */
  dataDir: string
  roles: Pick<EngineOptions, 'performer' | 'attester' | 'aggregator' | 'roundRobin'>
  plugins: PluginRegistration[]
  jsonRpc?: { port: number; host?: string }
  metrics?: { port: number; host?: string }
  /** BLS verification workers (0 = verify inline) */
  verifierWorkers?: number
}

export interface WispNode {
  readonly name: string
  readonly address: Address
  readonly engine: Engine
  readonly network: WispNetwork
  readonly chain: WispChainPort
  readonly jsonRpc: JsonRpcServer | undefined
  readonly metrics: MetricsServer | undefined
  stop(): Promise<void>
}

export async function startWispNode(
  config: WispNodeConfig,
  components: { logger?: NodeLogger } = {},
): Promise<WispNode> {
  const logger = (components.logger ?? createConsoleLogger()).child(config.name)
  const account = privateKeyToAccount(config.keys.ecdsaKey)
  const transport = http(config.chain.rpcUrl, { retryCount: 2, timeout: 15_000 })
  const publicClient = createPublicClient({ transport, pollingInterval: 250 })
  const walletClient = createWalletClient({ account, transport })
  const chain = await createChainPort(
    {
      attestationCenter: config.chain.attestationCenter,
      ...(config.chain.chainId ? { chainId: config.chain.chainId } : {}),
    },
    { publicClient, walletClient },
  ).catch((cause: unknown) => {
    throw new NodeError(
      'NODE_RPC_UNREACHABLE',
      `chain at ${config.chain.rpcUrl}: ${(cause as Error).message}`,
      { cause },
    )
  })
  const directory = createChainDirectory({ attestationCenter: chain.attestationCenter }, { publicClient })
  const me = await directory.getOperatorByAddress(account.address)
  if (me === undefined && (config.roles.attester || config.roles.performer)) {
    throw new NodeError(
      'NODE_NOT_AN_OPERATOR',
      `${account.address} is not a registered operator of ${chain.attestationCenter}`,
    )
  }

  await mkdir(config.dataDir, { recursive: true })
  const store = await LevelStore.open({ path: join(config.dataDir, 'db') })
  const verifier: BlsVerifier = createNodeVerifierPool({ workers: config.verifierWorkers ?? 1 })
  const registry = new Registry()
  const p2pMetrics = createPrometheusMetrics({}, { registry })
  const network = await createNodePeer(
    {
      bootstrap: config.p2p.bootstrap,
      listen: config.p2p.listen ?? [],
      ...(config.p2p.seed ? { seed: config.p2p.seed } : {}),
      ...(config.p2p.topicNamespace ? { topicNamespace: config.p2p.topicNamespace } : {}),
      deployments: [{ chainId: chain.chainId, attestationCenter: chain.attestationCenter }],
      auth: { enabled: config.p2p.auth ?? false, timeoutMs: 10_000 },
    },
    {
      verifier,
      directory,
      definitions: directory,
      ...(me
        ? { signer: createBlsAuthSigner({ operatorId: me.id, address: me.address }, config.keys.bls) }
        : {}),
      metrics: p2pMetrics,
      logger: logger.child('p2p'),
    },
  )
  const engine = createEngine(
    { runtime: 'node', operatorAddress: account.address, ...config.roles },
    {
      gossip: network,
      chain,
      store,
      verifier,
      blsSigner: blsSigner(config.keys),
      ecdsaSigner: ecdsaSigner(config.keys),
      fetch: (url, init) => fetch(url, init as RequestInit),
      plugins: config.plugins,
      logger: logger.child('engine'),
      metrics: prometheusMetricsPort(registry),
    },
  )
  await engine.start()
  const jsonRpc = config.jsonRpc
    ? await startJsonRpcServer(config.jsonRpc, {
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
      })
    : undefined
  const metrics = config.metrics ? await startMetricsServer(config.metrics, { registry }) : undefined
  logger.info('node started', {
    address: account.address,
    operatorId: me?.id ?? 'none',
    peerId: network.peerId,
    ...(jsonRpc ? { jsonRpc: jsonRpc.url } : {}),
    ...(metrics ? { metrics: metrics.url } : {}),
  })
  return {
    name: config.name,
    address: account.address,
    engine,
    network,
    chain,
    jsonRpc,
    metrics,
    async stop() {
      await engine.stop()
      await jsonRpc?.close()
      await metrics?.close()
      await network.stop()
      await verifier.close()
      await store.close()
    },
  }
}
