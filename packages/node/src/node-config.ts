// The one place where the CLI's checked flags become a node's config (@wisp/operator's
// OperatorConfig plus the Node-only parts). Anything the operator config refuses is reported with
// the flag that set it, as a bad flag.
import { type OperatorConfigInput, OperatorError, parseOperatorConfig } from '@wisp/operator'
import { NodeError } from './errors.js'
import type { NodePlan } from './preflight.js'
import type { WispNodeConfig } from './run.js'

/** Chains whose nodes are local development nodes (anvil, hardhat, ganache). */
const LOCAL_CHAIN_IDS = new Set([31337, 1337])

/** checked flags (and the chain id, given or asked from the RPC) → the node's config */
export function nodeConfigOf(plan: NodePlan, chainId: number): WispNodeConfig {
  const input: OperatorConfigInput = {
    version: 1,
    // Node ignores the network kind (it matters to browsers); name it for the logs
    network: { name: `wisp ${plan.command}`, kind: LOCAL_CHAIN_IDS.has(chainId) ? 'local' : 'mainnet' },
    roles: [plan.command],
    chain: { rpcUrl: plan.chain.rpcUrl, chainId, attestationCenter: plan.chain.attestationCenter },
    p2p: { bootstrap: plan.p2p.bootstrap, listen: plan.p2p.listen },
    ...(plan.validationServiceUrl
      ? { attester: { validationService: { url: plan.validationServiceUrl } } }
      : {}),
    ...(plan.command === 'aggregator' ? { aggregator: { delayMs: plan.aggregatorDelayMs } } : {}),
    ...(plan.command === 'performer' ? { performer: plan.performer } : {}),
    plugins: plan.plugins.map((p) => ({ package: p.package, config: p.config })),
    dataDir: plan.dataDir,
    ...(plan.jsonRpcPort !== undefined ? { jsonRpc: { port: plan.jsonRpcPort } } : {}),
    ...(plan.metricsPort !== undefined ? { metrics: { port: plan.metricsPort } } : {}),
  }
  try {
    return {
      name: plan.command,
      keys: plan.keys,
      operator: parseOperatorConfig(input),
      dataDir: plan.dataDir,
    }
  } catch (err) {
    if (err instanceof OperatorError && err.code === 'OPERATOR_INVALID_CONFIG') {
      const path = String(err.details.path ?? '')
      const flag = Object.entries(FLAG_OF_PATH).find(([prefix]) => path.startsWith(prefix))?.[1]
      throw new NodeError('NODE_BAD_FLAGS', flag ? `${flag}: ${err.message}` : err.message, { cause: err })
    }
    throw err
  }
}

/** operator config field → the flag that sets it */
const FLAG_OF_PATH: Record<string, string> = {
  'config.chain.rpcUrl': '--chain-rpc',
  'config.chain.chainId': '--chain-id',
  'config.chain.attestationCenter': '--attestation-center',
  'config.p2p.bootstrap': '--bootstrap',
  'config.p2p.listen': '--p2p.listen',
  'config.attester.validationService': '--avs-webapi',
  'config.aggregator.delayMs': '--delay',
  'config.performer.taskDefinitionIds': '--task-definition',
  'config.performer.intervalMs': '--interval',
  'config.performer.everyBlocks': '--every-blocks',
  'config.performer.signatureType': '--signature-type',
  'config.plugins': '--plugin',
  'config.dataDir': '--p2p.datadir',
  'config.jsonRpc': '--json-rpc',
  'config.metrics': '--metrics',
}
