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
  const base = plan.base
  const input: OperatorConfigInput = {
    // --config's file first; every flag given overrides its field
    ...base,
    version: 1,
    // Node ignores the network kind (it matters to browsers); name it for the logs
    network: base?.network ?? {
      name: `wisp ${plan.command}`,
      kind: LOCAL_CHAIN_IDS.has(chainId) ? 'local' : 'mainnet',
    },
    roles: [plan.command],
    chain: {
      ...base?.chain,
      // --chain-rpc replaces the file's RPC list, fallbacks included
      ...(base?.chain.rpcUrls && base.chain.rpcUrl !== plan.chain.rpcUrl ? { rpcUrls: undefined } : {}),
      rpcUrl: plan.chain.rpcUrl,
      chainId,
      attestationCenter: plan.chain.attestationCenter,
    },
    p2p: {
      ...base?.p2p,
      bootstrap: plan.p2p.bootstrap.length > 0 || !base ? plan.p2p.bootstrap : base.p2p.bootstrap,
      listen: plan.p2p.listen.length > 0 || !base ? plan.p2p.listen : base.p2p.listen,
    },
    ...(plan.validationServiceUrl
      ? { attester: { ...base?.attester, validationService: { url: plan.validationServiceUrl } } }
      : {}),
    ...(plan.command === 'aggregator' && (!base || plan.aggregatorDelayMs > 0)
      ? { aggregator: { delayMs: plan.aggregatorDelayMs } }
      : {}),
    ...(plan.command === 'performer' ? { performer: performerOf(plan) } : {}),
    plugins:
      plan.plugins.length > 0 || !base
        ? plan.plugins.map((p) => ({ package: p.package, config: p.config }))
        : base.plugins,
    dataDir: plan.dataDir,
    ...endpoint('jsonRpc', plan.jsonRpcPort, base?.jsonRpc, plan.serverHost),
    ...endpoint('metrics', plan.metricsPort, base?.metrics, plan.serverHost),
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

/**
 * A server's port and host: the flag's port over the config file's, --host over the file's host
 * (the operator config's default host is loopback).
 */
function endpoint(
  key: 'jsonRpc' | 'metrics',
  port: number | undefined,
  base: { port: number; host: string } | undefined,
  host: string | undefined,
): Partial<Record<'jsonRpc' | 'metrics', { port: number; host?: string }>> {
  const p = port ?? base?.port
  if (p === undefined) return {}
  const h = host ?? base?.host
  return { [key]: { port: p, ...(h !== undefined ? { host: h } : {}) } }
}

/** the performer's flags, over the config file's performer section */
function performerOf(plan: NodePlan): NonNullable<OperatorConfigInput['performer']> {
  const base = plan.base?.performer
  const p = plan.performer
  if (base === undefined) return p
  return {
    taskDefinitionIds: p.taskDefinitionIds.length > 0 ? p.taskDefinitionIds : base.taskDefinitionIds,
    signatureType: p.signatureType,
    intervalMs: p.intervalMs || base.intervalMs,
    everyBlocks: p.everyBlocks || base.everyBlocks,
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
