// The one place where the CLI's checked flags become a node's config (@wisp/operator's
// OperatorConfig plus the Node-only parts). Anything the operator config refuses is reported with
// the flag that set it, as a bad flag.
import { type OperatorConfigInput, OperatorError, parseOperatorConfig } from '@wisp/operator'
import { NodeError } from './errors.js'
import type { Grammar } from './flags.js'
import type { NodePlan } from './preflight.js'
import type { WispNodeConfig } from './run.js'

/** Chains whose nodes are local development nodes (anvil, hardhat, ganache). */
const LOCAL_CHAIN_IDS = new Set([31337, 1337])

/** checked flags (and the chain id, given or asked from the RPC) → the node's config */
export function nodeConfigOf(plan: NodePlan, chainId: number, grammar: Grammar = 'wisp'): WispNodeConfig {
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
      ...(plan.p2p.announce.length > 0 ? { announce: plan.p2p.announce } : {}),
      // Othentic's aggregator is the network's bootstrap node: it listens and relays for the rest
      ...(grammar === 'othentic' && plan.command === 'aggregator' ? { bootstrapNode: true } : {}),
    },
    ...(plan.validationServiceUrl
      ? { attester: { ...base?.attester, validationService: { url: plan.validationServiceUrl } } }
      : {}),
    ...(plan.command === 'aggregator' ? { aggregator: aggregatorOf(plan) } : {}),
    ...(plan.command === 'performer' ? { performer: performerOf(plan) } : {}),
    plugins:
      plan.plugins.length > 0 || !base
        ? plan.plugins.map((p) => ({ package: p.package, config: p.config }))
        : base.plugins,
    dataDir: plan.dataDir,
    ...jsonRpcOf(plan, grammar),
    ...metricsOf(plan),
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
 * --json-rpc (a port) and its limits, over the config file's; --host over the file's host (the
 * operator config's default host is loopback). Othentic's grammar answers sendCustomMessage only
 * with --json-rpc.custom-message-enabled.
 */
function jsonRpcOf(plan: NodePlan, grammar: Grammar): Pick<OperatorConfigInput, 'jsonRpc'> {
  const base = plan.base?.jsonRpc
  const port = plan.jsonRpcPort ?? base?.port
  if (port === undefined) return {}
  const host = plan.serverHost ?? base?.host
  return {
    jsonRpc: {
      ...base,
      port,
      ...(host !== undefined ? { host } : {}),
      ...plan.jsonRpcLimits,
      ...(grammar === 'othentic' ? { customMessages: plan.customMessages === true } : {}),
    },
  }
}

/** --metrics (a port) and --metrics.export-url (a Pushgateway), over the config file's */
function metricsOf(plan: NodePlan): Pick<OperatorConfigInput, 'metrics'> {
  const base = plan.base?.metrics
  const port = plan.metricsPort ?? base?.port
  const exportUrl = plan.metricsExportUrl ?? base?.exportUrl
  if (port === undefined && exportUrl === undefined) return {}
  const host = plan.serverHost ?? base?.host
  return {
    metrics: {
      ...base,
      ...(port !== undefined ? { port } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(exportUrl !== undefined ? { exportUrl } : {}),
    },
  }
}

/** the aggregator's flags, over the config file's aggregator section */
function aggregatorOf(plan: NodePlan): NonNullable<OperatorConfigInput['aggregator']> {
  const base = plan.base?.aggregator
  return {
    ...base,
    ...(plan.aggregatorDelayMs > 0 || !base ? { delayMs: plan.aggregatorDelayMs } : {}),
    ...(plan.internalTasks ? { internalTasks: true } : {}),
    ...plan.aggregatorLatency,
  } as NonNullable<OperatorConfigInput['aggregator']>
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
  'config.metrics.exportUrl': '--metrics.export-url',
  'config.metrics': '--metrics',
  'config.p2p.announce': '--announced-addresses',
  'config.aggregator.internalTasks': '--internal-tasks',
  'config.aggregator.latencyMs': '--aggregator.latency-ms',
  'config.aggregator.latencyBlocks': '--aggregator.latency-blocks',
}
