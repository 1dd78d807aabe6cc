// Wires the roles onto the ports. One engine per operator identity; any subset of roles.
import type { BlsVerifier } from '@wisp/bls'
import type { BaseFetch, NamespaceableStore, Runtime, WispPlugin } from '@wisp/plugin-sdk'
import type { RoundRobinOptions, SendTaskRequest } from '@wisp/protocol'
import { History, type KeyValueStore, SlashingProtection } from '@wisp/storage'
import { CoreError } from './errors.js'
import { EventBus } from './events.js'
import type { InternalTasksPort } from './internal-tasks/port.js'
import {
  DEFAULT_INTERNAL_TASK_OPTIONS,
  type InternalTaskOptions,
  InternalTaskRunner,
} from './internal-tasks/runner.js'
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
import { DEFAULT_MISSED_TASK_OPTIONS, type MissedTaskOptions, MissedTasks } from './roles/missed-tasks.js'
import { DEFAULT_PERFORMER_OPTIONS, Performer, type PerformerOptions } from './roles/performer.js'
import { type PublishedTask, publishTask } from './roles/publish.js'
import { DEFAULT_REPUBLISH_OPTIONS, Republisher, type RepublishOptions } from './roles/republisher.js'
import { performerSignatureValid, performerWasElected } from './roles/task-checks.js'
import { DEFAULT_WATCHTOWER_OPTIONS, Watchtower, type WatchtowerOptions } from './roles/watchtower.js'

type Address = `0x${string}`

export interface EngineOptions {
  runtime: Runtime
  /** this node's operator address; needed by every role */
  operatorAddress: Address
  performer?: Partial<Omit<PerformerOptions, 'operatorAddress'>> & { taskDefinitionIds: readonly number[] }
  attester?: Partial<Omit<AttesterOptions, 'operatorAddress'>>
  aggregator?: Partial<AggregatorOptions>
  /**
   * Run internal tasks (10001 voting-power sync, 10002 definition totals) as the aggregator does with
   * Othentic's --internal-tasks; needs the aggregator role and the `internalTasks` component.
   */
  internalTasks?: Partial<Omit<InternalTaskOptions, 'operatorAddress'>>
  /**
   * Proves double attestation on chain (a role of its own). Default: on where the aggregator runs
   * (it sees every vote anyway); `false` turns it off, options or `true` turn it on anywhere.
   */
  watchtower?: Partial<WatchtowerOptions> | boolean
  /** re-publication of this node's tasks and votes until they are settled on chain */
  republish?: Partial<RepublishOptions>
  /** the aggregator's copies of tasks it sent (sendTask) that an operator missed (see missed-tasks.ts) */
  missedTasks?: Partial<MissedTaskOptions>
  /**
   * How many blocks back a performer's election counts: what `sendTask` checks, like the network's
   * attesters (0 = no election; default: the attester's window, else 0).
   */
  electionWindowBlocks?: bigint
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
  /** what differs on chain, and the attester's check of internal tasks (without it they are ignored) */
  internalTasks?: InternalTasksPort
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
  readonly watchtower: Watchtower | undefined
  readonly republisher: Republisher | undefined
  /** the aggregator's internal tasks, when on */
  readonly internalTasks: InternalTaskRunner | undefined
  /**
   * Publishes a task signed elsewhere (JSON-RPC `sendTask` from an AVS's performer service); this
   * node's own attester sees it too. Checked first as every attester will check it — the task
   * definition exists, the performer is an active operator (elected, where election applies) and
   * signed it — else a CoreError `SEND_TASK_*` and nothing is gossiped.
   */
  sendTask(request: SendTaskRequest): Promise<PublishedTask>
  /** The task's outcome is on chain (seen by the host, e.g. in the contract's events). */
  settleTask(taskHash: `0x${string}`): Promise<void>
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
  const republisher =
    options.performer !== undefined || options.attester !== undefined
      ? new Republisher(
          { ...DEFAULT_REPUBLISH_OPTIONS, ...options.republish },
          { gossip, store: components.store, logger, metrics, now },
        )
      : undefined

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
        ...(republisher ? { republisher } : {}),
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
        ...(republisher ? { republisher } : {}),
        ...(components.internalTasks ? { internalTasks: components.internalTasks } : {}),
        now,
      },
    )
  }

  let aggregator: Aggregator | undefined
  let missedTasks: MissedTasks | undefined
  if (options.aggregator !== undefined) {
    missedTasks = new MissedTasks(
      { ...DEFAULT_MISSED_TASK_OPTIONS, ...options.missedTasks },
      { gossip, events, logger, metrics, now, votersOf: (hash) => aggregator?.votersOf(hash) ?? new Set() },
    )
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
        missedTasks,
      },
    )
  }

  let internalTasks: InternalTaskRunner | undefined
  if (options.internalTasks !== undefined) {
    if (aggregator === undefined || components.internalTasks === undefined)
      throw new CoreError(
        'ENGINE_INVALID_OPTIONS',
        'internal tasks need the aggregator role and an internalTasks component',
      )
    internalTasks = new InternalTaskRunner(
      {
        ...DEFAULT_INTERNAL_TASK_OPTIONS,
        // ECDSA where there is a key: every submitTask overload (Othentic v1 too) takes it
        signatureType: components.ecdsaSigner ? 'ecdsa' : 'bls',
        ...options.internalTasks,
        operatorAddress: options.operatorAddress,
      },
      {
        internalTasks: components.internalTasks,
        gossip,
        operators,
        events,
        logger,
        metrics,
        ...(components.ecdsaSigner ? { ecdsa: components.ecdsaSigner } : {}),
        ...(components.blsSigner ? { bls: components.blsSigner } : {}),
        ...(republisher ? { republisher } : {}),
      },
    )
  }

  const watchtowerWanted = options.watchtower ?? options.aggregator !== undefined
  const watchtower =
    watchtowerWanted === false
      ? undefined
      : new Watchtower(
          {
            ...DEFAULT_WATCHTOWER_OPTIONS,
            ...(typeof watchtowerWanted === 'object' ? watchtowerWanted : {}),
          },
          {
            gossip,
            chain: components.chain,
            operators,
            verifier: components.verifier,
            store: components.store,
            events,
            logger,
            metrics,
            now,
            sleep,
          },
        )

  const electionWindowBlocks =
    options.electionWindowBlocks ??
    options.attester?.electionWindowBlocks ??
    (options.attester !== undefined ? DEFAULT_ATTESTER_OPTIONS.electionWindowBlocks : 0n)

  /** What every attester will check, checked before publishing (see `Engine.sendTask`). */
  const checkTask = async (request: SendTaskRequest): Promise<void> => {
    const { task, signature } = request
    const refuse = (
      code:
        | 'SEND_TASK_UNKNOWN_DEFINITION'
        | 'SEND_TASK_INACTIVE_PERFORMER'
        | 'SEND_TASK_BAD_SIGNATURE'
        | 'SEND_TASK_NOT_ELECTED',
      message: string,
    ) => {
      metrics.increment('wisp_send_task_refused_total', { code })
      return new CoreError(code, message, {
        details: { taskDefinitionId: task.taskDefinitionId, performer: task.taskPerformer },
      })
    }
    if ((await components.chain.getTaskDefinition(task.taskDefinitionId)) === undefined)
      throw refuse('SEND_TASK_UNKNOWN_DEFINITION', `task definition ${task.taskDefinitionId} does not exist`)
    const performer = await operators.byAddress(task.taskPerformer)
    if (performer === undefined)
      throw refuse(
        'SEND_TASK_INACTIVE_PERFORMER',
        `performer ${task.taskPerformer} is not a registered operator`,
      )
    if (!performer.active)
      throw refuse(
        'SEND_TASK_INACTIVE_PERFORMER',
        `performer ${task.taskPerformer} is not an active operator`,
      )
    if (!(await performerSignatureValid(components.verifier, task, signature, performer.blsPublicKey))) {
      throw refuse(
        'SEND_TASK_BAD_SIGNATURE',
        `the ${signature.type} signature is not performer ${task.taskPerformer}'s signature of this task`,
      )
    }
    const election = { ...roundRobin, windowBlocks: electionWindowBlocks }
    if (
      !(await performerWasElected(
        { chain: components.chain, registry },
        election,
        task,
        await operators.all(),
      ))
    )
      throw refuse(
        'SEND_TASK_NOT_ELECTED',
        `performer ${task.taskPerformer} was not elected in the last ${electionWindowBlocks} blocks`,
      )
  }

  // An outcome announced on gossip settles our kept tasks and votes once the chain confirms it.
  const unsubscribe: Array<() => void> = []
  const settleAnnounced = async (message: {
    taskId: string
    txHash: `0x${string}`
    performerAddress: Address
  }) => {
    const hash = message.taskId.toLowerCase() as `0x${string}`
    if (republisher === undefined || !republisher.tracks(hash)) return
    const check = await components.chain.checkTaskOutcome({
      taskHash: hash,
      txHash: message.txHash,
      performer: message.performerAddress,
    })
    if (check.status === 'confirmed') await republisher.settle(hash)
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
    watchtower,
    republisher,
    internalTasks,
    async sendTask(request) {
      await checkTask(request)
      const published = await publishTask(
        { gossip, events, logger, metrics, ...(republisher ? { republisher } : {}) },
        request.task,
        request.signature,
        'send-task',
      )
      // the aggregator is the only node holding a task its JSON-RPC took: it copies it to whoever missed it
      if (republisher === undefined) missedTasks?.keep(published.taskHash, published.message)
      return published
    },
    async settleTask(taskHash) {
      await republisher?.settle(taskHash.toLowerCase() as `0x${string}`)
    },
    async start() {
      await operators.refresh()
      await republisher?.start()
      if (republisher !== undefined) {
        unsubscribe.push(
          gossip.onMessage('taskSubmitted', (r) => {
            settleAnnounced(r.message).catch((err) =>
              logger.warn('could not check an announced outcome', { error: (err as Error).message }),
            )
          }),
          events.on('submission:sent', (e) => void republisher.settle(e.taskHash).catch(() => undefined)),
          events.on(
            'submission:already-done',
            (e) => void republisher.settle(e.taskHash).catch(() => undefined),
          ),
        )
      }
      await aggregator?.start()
      missedTasks?.start()
      watchtower?.start()
      attester?.start()
      performer?.start()
      internalTasks?.start()
      logger.info('engine started', {
        roles: [
          performer && 'performer',
          attester && 'attester',
          aggregator && 'aggregator',
          watchtower && 'watchtower',
          internalTasks && 'internal-tasks',
        ].filter(Boolean),
      })
    },
    async stop() {
      for (const off of unsubscribe.splice(0)) off()
      internalTasks?.stop()
      performer?.stop()
      attester?.stop()
      republisher?.stop()
      missedTasks?.stop()
      // in-flight submissions and proofs finish before the host closes the store
      await Promise.all([aggregator?.stop(), watchtower?.stop()])
    },
  }
}
