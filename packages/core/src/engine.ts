// Wires the roles onto the ports. One engine per operator identity; any subset of roles.
import type { BlsVerifier } from '@wisp/bls'
import type { BaseFetch, NamespaceableStore, Runtime, WispPlugin } from '@wisp/plugin-sdk'
import type { RoundRobinOptions, SendTaskRequest } from '@wisp/protocol'
import { History, type KeyValueStore, SlashingProtection } from '@wisp/storage'
import { CoreError } from './errors.js'
import { EventBus } from './events.js'
import { withLocalLoopback } from './loopback.js'
import { OperatorView, type OperatorViewOptions } from './operators.js'
import {
  DEFAULT_PLUGIN_REGISTRY_OPTIONS,
  PluginRegistry,
  type PluginRegistryOptions,
} from './plugins/registry.js'
import {
  type BlsSignerPort,
  type ChainPort,
  type EcdsaSignerPort,
  type GossipPort,
  type Logger,
  type MetricsPort,
  noopMetrics,
  silentLogger,
} from './ports.js'
import { Aggregator, type AggregatorOptions, DEFAULT_AGGREGATOR_OPTIONS } from './roles/aggregator.js'
import { Attester, type AttesterOptions, DEFAULT_ATTESTER_OPTIONS } from './roles/attester.js'
import { DEFAULT_PERFORMER_OPTIONS, Performer, type PerformerOptions } from './roles/performer.js'
import { type PublishedTask, publishTask } from './roles/publish.js'

type Address = `0x${string}`

export interface EngineOptions {
  runtime: Runtime
  /** this node's operator address; needed by every role */
  operatorAddress: Address
  performer?: Partial<Omit<PerformerOptions, 'operatorAddress'>> & { taskDefinitionIds: readonly number[] }
  attester?: Partial<Omit<AttesterOptions, 'operatorAddress'>>
  aggregator?: Partial<AggregatorOptions>
  plugins?: Partial<Omit<PluginRegistryOptions, 'runtime'>>
  operatorView?: Partial<OperatorViewOptions>
  /** leader election slots (blocks per slot), shared by performer and attester checks */
  roundRobin?: RoundRobinOptions
  /** operators that may be elected performer (default: every active operator) */
  performerIds?: readonly number[]
}

export interface PluginRegistration {
  plugin: WispPlugin | unknown
  config: unknown
  taskDefinitionIds?: readonly number[]
}

export interface EngineComponents {
  gossip: GossipPort
  chain: ChainPort
  /** durable store: slashing protection, history, pending aggregations, plugin namespaces */
  store: KeyValueStore
  verifier: BlsVerifier
  blsSigner?: BlsSignerPort
  ecdsaSigner?: EcdsaSignerPort
  fetch?: BaseFetch
  plugins?: readonly PluginRegistration[]
  logger?: Logger
  metrics?: MetricsPort
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export interface Engine {
  readonly events: EventBus
  /** the network as the roles see it: own messages are looped back to local subscribers */
  readonly gossip: GossipPort
  readonly registry: PluginRegistry
  readonly operators: OperatorView
  readonly history: History
  readonly slashing: SlashingProtection
  readonly performer: Performer | undefined
  readonly attester: Attester | undefined
  readonly aggregator: Aggregator | undefined
  /**
   * Publishes a task signed elsewhere (JSON-RPC `sendTask` from an AVS's performer service); this
   * node's own attester sees it too.
   */
  sendTask(request: SendTaskRequest): Promise<PublishedTask>
  start(): Promise<void>
  stop(): Promise<void>
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function createEngine(options: EngineOptions, components: EngineComponents): Engine {
  const logger = components.logger ?? silentLogger
  const metrics = components.metrics ?? noopMetrics
  const now = components.now ?? Date.now
  const sleep = components.sleep ?? defaultSleep
  const events = new EventBus()
  const gossip = withLocalLoopback(components.gossip)
  const pluginStore: NamespaceableStore = components.store
  const registry = new PluginRegistry(
    { ...DEFAULT_PLUGIN_REGISTRY_OPTIONS, ...options.plugins, runtime: options.runtime },
    { ...(components.fetch ? { fetch: components.fetch } : {}), store: pluginStore, logger, metrics, now },
  )
  for (const p of components.plugins ?? []) {
    registry.register(
      p.plugin,
      p.config,
      p.taskDefinitionIds ? { taskDefinitionIds: p.taskDefinitionIds } : {},
    )
  }
  const operators = new OperatorView(components.chain, options.operatorView, { now })
  const history = new History(components.store)
  const slashing = new SlashingProtection(components.store, { now })
  const roundRobin = {
    ...(options.roundRobin ? { roundRobin: options.roundRobin } : {}),
    ...(options.performerIds ? { performerIds: options.performerIds } : {}),
  }

  let performer: Performer | undefined
  if (options.performer !== undefined) {
    performer = new Performer(
      {
        ...DEFAULT_PERFORMER_OPTIONS,
        ...roundRobin,
        ...options.performer,
        operatorAddress: options.operatorAddress,
      },
      {
        gossip,
        chain: components.chain,
        operators,
        registry,
        ...(components.ecdsaSigner ? { ecdsa: components.ecdsaSigner } : {}),
        ...(components.blsSigner ? { bls: components.blsSigner } : {}),
        events,
        logger,
        metrics,
      },
    )
  }

  let attester: Attester | undefined
  if (options.attester !== undefined) {
    if (components.blsSigner === undefined)
      throw new CoreError('ENGINE_INVALID_OPTIONS', 'an attester needs a BLS signer')
    attester = new Attester(
      {
        ...DEFAULT_ATTESTER_OPTIONS,
        ...roundRobin,
        ...options.attester,
        operatorAddress: options.operatorAddress,
      },
      {
        gossip,
        chain: components.chain,
        operators,
        registry,
        signer: components.blsSigner,
        verifier: components.verifier,
        slashing,
        history,
        events,
        logger,
        metrics,
        ...(components.fetch ? { fetch: components.fetch } : {}),
        now,
      },
    )
  }

  let aggregator: Aggregator | undefined
  if (options.aggregator !== undefined) {
    aggregator = new Aggregator(
      { ...DEFAULT_AGGREGATOR_OPTIONS, ...options.aggregator },
      {
        gossip,
        chain: components.chain,
        operators,
        verifier: components.verifier,
        store: components.store,
        history,
        events,
        logger,
        metrics,
        now,
        sleep,
      },
    )
  }

  return {
    events,
    gossip,
    registry,
    operators,
    history,
    slashing,
    performer,
    attester,
    aggregator,
    sendTask(request) {
      return publishTask({ gossip, events, logger, metrics }, request.task, request.signature, 'send-task')
    },
    async start() {
      await operators.refresh()
      await aggregator?.start()
      attester?.start()
      performer?.start()
      logger.info('engine started', {
        roles: [performer && 'performer', attester && 'attester', aggregator && 'aggregator'].filter(Boolean),
      })
    },
    async stop() {
      performer?.stop()
      attester?.stop()
      aggregator?.stop()
    },
  }
}
