// One operator, assembled the same way on every runtime. A runtime (the Node CLI, a page, a Web
// Worker, the edge worker) supplies only its factories: the peer, the BLS verifier, the store, the
// signers, the plugins' host, the logger and the clock. Everything else — checking the chain and
// the operator's registration, the engine and its roles, the status every dashboard reads, the
// per-task log line and the outcome records — happens here, once.
import type { BlsVerifier } from '@wisp/bls'
import {
  type ChainCache,
  createChainDirectory,
  createChainPort,
  createChainTransport,
  createInternalTasks,
  getOperatorPaymentDetail,
  parseTaskEvents,
  type TaskOutcomeEvent,
  type WispChainPort,
} from '@wisp/chain'
import {
  createEngine,
  type Engine,
  type EngineOptions,
  type PluginRegistration,
  taskInfoOf,
} from '@wisp/core'
import type { BlsSignerPort, EcdsaSignerPort, Logger, MetricsPort, OperatorRecord } from '@wisp/interface'
import {
  type AuthSigner,
  GOSSIP_KINDS,
  type NetworkComponents,
  type P2PMetrics,
  type PartialNetworkOptions,
  type WispNetwork,
} from '@wisp/p2p'
import type { BaseFetch, Runtime } from '@wisp/plugin-sdk'
import { taskHash } from '@wisp/protocol'
import type { KeyValueStore } from '@wisp/storage'
import {
  type Account,
  bytesToHex,
  createPublicClient,
  createWalletClient,
  type PublicClient,
  parseAbi,
  zeroAddress,
} from 'viem'
import { type OperatorConfig, ROLES_THAT_READ_VOTES, type Role } from './config.js'
import { OperatorError } from './errors.js'
import { createCountsSaver, restoreCounts } from './persisted-counts.js'
import {
  type ExclusionReason,
  emptyStatus,
  type Hex,
  type HistoryRow,
  type PeerView,
  type PluginDescription,
  type PluginFailure,
  type RuntimeKind,
  StatusTracker,
} from './status.js'

/** What a runtime hands in: its factories and its secrets' front doors. */
export interface OperatorRuntime {
  kind: RuntimeKind
  /** the roles this runtime can run */
  supportedRoles: readonly Role[]
  /** the operator's address (from its ECDSA key or given) */
  address: Hex
  blsSigner: BlsSignerPort
  /** performers signing tasks with ECDSA */
  ecdsaSigner?: EcdsaSignerPort
  /** aggregators: the account that sends submitTask */
  chainAccount?: Account
  /** answers relays' auth challenges as this operator (registered operators only) */
  authSigner(operator: OperatorRecord): AuthSigner
  openStore(): Promise<KeyValueStore>
  createVerifier(): BlsVerifier
  createNetwork(options: PartialNetworkOptions, components: NetworkComponents): Promise<WispNetwork>
  /** the engine's registrations for the config's plugins (the catalogue, an importer, a plugin worker) */
  loadPlugins(config: OperatorConfig): Promise<LoadedPlugins>
  /** plugins' and validation services' fetch */
  fetch?: BaseFetch
  logger: Logger
  /** engine and status counters (Prometheus on Node, in memory elsewhere) */
  metrics?: MetricsPort
  p2pMetrics?: P2PMetrics
  now?: () => number
  /** a tracker the runtime already shows (e.g. a page subscribed before start); a new one otherwise */
  status?: StatusTracker
  /**
   * A chain cache of this network's AttestationCenter shared by operators hosted in one process:
   * they follow the chain through its one watch (one RPC poll per interval, not one per operator).
   * The host owns it; stopping this operator leaves it running.
   */
  chainCache?: ChainCache
}

export interface LoadedPlugins {
  registrations: PluginRegistration[]
  /** what the dashboard lists */
  described: PluginDescription[]
  failures?: PluginFailure[]
  /** the engine's own validation deadline, when the host enforces the real one */
  engineValidateTimeoutMs?: number
  /** validations and restarts, when the host counts them */
  stats?: () => { validations: number; restarts: number }
  close?(): void
}

export interface Operator {
  readonly config: OperatorConfig
  readonly address: Hex
  /** undefined for an aggregator that is not an operator */
  readonly operatorId: number | undefined
  readonly engine: Engine
  readonly network: WispNetwork
  readonly chain: WispChainPort
  readonly publicClient: PublicClient
  readonly status: StatusTracker
  readonly plugins: LoadedPlugins
  stop(): Promise<void>
}

const runtimeOf: Record<RuntimeKind, Runtime> = {
  node: 'node',
  page: 'browser',
  worker: 'worker',
  edge: 'edge',
}

/** The status is never polled faster than this, whatever the chain polling interval. */
export const STATUS_POLL_MIN_MS = 1000
/** how often the history rows are read again from the store while tasks come in */
const HISTORY_REFRESH_MS = 10_000
/** how long after a task event the history may still change (the engine writes it after its events) */
const HISTORY_SETTLE_MS = 30_000

/** How long to wait for a bootstrap relay before warning that none answers. */
export const BOOTSTRAP_WARNING_MS = 15_000

/** Lets the event loop run (input, rendering on a page) between start-up phases. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0))
/** Performance marks of the start-up phases (DevTools, tests); not every runtime has them. */
const mark = (name: string) =>
  (globalThis as { performance?: { mark?(name: string): void } }).performance?.mark?.(`wisp:${name}`)
const short = (hash: string) => `${hash.slice(0, 10)}…`
const relayIdOf = (addr: string) => /\/p2p\/([^/]+)$/.exec(addr)?.[1]

/**
 * Starts an operator: chain and registration checks first (nothing is opened for an operator that
 * cannot work), then store, plugins, verifier, network and engine. On failure everything opened so
 * far is closed and the coded error is rethrown.
 */
export async function createOperator(config: OperatorConfig, runtime: OperatorRuntime): Promise<Operator> {
  const logger = runtime.logger
  const now = runtime.now ?? Date.now
  const tracker =
    runtime.status ??
    new StatusTracker(
      emptyStatus({
        runtime: runtime.kind,
        network: config.network.name,
        address: runtime.address,
        chainId: config.chain.chainId,
        attestationCenter: config.chain.attestationCenter,
      }),
      { ...(runtime.metrics ? { metrics: runtime.metrics } : {}), now },
    )
  const closers: Array<() => Promise<void> | void> = []
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await Promise.resolve(close()).catch(() => undefined)
  }

  try {
    const unsupported = config.roles.filter((r) => !runtime.supportedRoles.includes(r))
    if (unsupported.length > 0) {
      throw new OperatorError(
        'OPERATOR_ROLE_UNSUPPORTED',
        `config.roles: the ${runtime.kind} runtime cannot run ${unsupported.join(', ')} (it runs ${runtime.supportedRoles.join(', ')})`,
        { details: { path: 'config.roles', unsupported } },
      )
    }
    const wants = (role: Role) => config.roles.includes(role)
    if (wants('aggregator') && runtime.chainAccount === undefined)
      throw new OperatorError(
        'OPERATOR_MISSING_COMPONENT',
        'an aggregator needs an account to send submitTask',
      )
    if (wants('watchtower') && runtime.chainAccount === undefined)
      throw new OperatorError(
        'OPERATOR_MISSING_COMPONENT',
        'a watchtower needs an account to send its proofs',
      )
    if (wants('performer') && config.performer.signatureType === 'ecdsa' && runtime.ecdsaSigner === undefined)
      throw new OperatorError('OPERATOR_MISSING_COMPONENT', 'an ECDSA performer needs an ECDSA signer')
    if (config.attester.validationService !== undefined && runtime.fetch === undefined)
      throw new OperatorError(
        'OPERATOR_MISSING_COMPONENT',
        `config.attester.validationService: the ${runtime.kind} runtime supplied no fetch to call it`,
      )
    mark('chain')
    // several RPCs: a failing or rate-limited one hands the request to the next
    const transport = createChainTransport(config.chain.rpcUrls ?? [config.chain.rpcUrl], {
      retryCount: config.chain.rpcRetryCount,
      timeoutMs: config.chain.rpcTimeoutMs,
    })
    const publicClient = createPublicClient({ transport, pollingInterval: config.chain.pollingIntervalMs })
    const walletClient = runtime.chainAccount
      ? createWalletClient({ account: runtime.chainAccount, transport })
      : undefined
    // CHAIN_RPC_FAILED, CHAIN_WRONG_CHAIN, CHAIN_NOT_A_CONTRACT, CHAIN_NOT_AN_ATTESTATION_CENTER pass through
    const chain = await createChainPort(
      {
        attestationCenter: config.chain.attestationCenter,
        chainId: config.chain.chainId,
        outcomeWindowMs: config.chain.outcomeWindowMs,
        // Wisp's own contracts or an Othentic deployment (asked from the contract when 'auto')
        backend: config.chain.backend,
        fromBlock: BigInt(config.chain.fromBlock),
      },
      {
        publicClient,
        ...(walletClient ? { walletClient } : {}),
        ...(runtime.chainCache ? { cache: runtime.chainCache } : {}),
      },
    )
    tracker.update((s) => {
      s.chain.rpcOk = true
    })
    const directory = createChainDirectory(
      {
        attestationCenter: chain.attestationCenter,
        backend: chain.backend,
        fromBlock: BigInt(config.chain.fromBlock),
        outcomeWindowMs: config.chain.outcomeWindowMs,
        outcomePollingIntervalMs: Math.min(config.chain.pollingIntervalMs, 1000),
      },
      // one snapshot and one event watch for the engine and the network layer
      { publicClient, now, cache: chain.cache },
    )
    closers.push(() => {
      directory.close()
      chain.close()
    })
    const me = await directory.getOperatorByAddress(runtime.address)
    if (me === undefined && (wants('attester') || wants('performer'))) {
      throw new OperatorError(
        'OPERATOR_NOT_AN_OPERATOR',
        `${runtime.address} is not a registered operator of ${chain.attestationCenter} on chain ${chain.chainId}`,
        { details: { address: runtime.address, attestationCenter: chain.attestationCenter } },
      )
    }
    if (me !== undefined && bytesToHex(me.blsPublicKey) !== bytesToHex(runtime.blsSigner.publicKey)) {
      throw new OperatorError(
        'OPERATOR_KEY_MISMATCH',
        `operator ${me.id} (${me.address}) is registered with another BLS key: its votes would not verify (run updateBlsKey, or use the registered key)`,
        { details: { operatorId: me.id } },
      )
    }
    tracker.update((s) => {
      if (me === undefined) return
      s.operator.operatorId = me.id
      s.operator.active = me.active
      s.operator.votingPower = me.votingPower.toString()
    })

    await nextTask()
    mark('plugins')
    const store = await runtime.openStore()
    closers.push(() => store.close())
    const genesis = await publicClient.getBlock({ blockNumber: 0n })
    const epoch = await restoreCounts(store, tracker, chain.chainId, genesis.hash as Hex, now)
    const plugins = await runtime.loadPlugins(config)
    closers.push(() => plugins.close?.())
    tracker.update((s) => {
      s.plugins = plugins.described
      s.pluginFailures = plugins.failures ?? []
    })
    const pluginOf = new Map<number, string>()
    for (const p of plugins.described) for (const id of p.taskDefinitionIds) pluginOf.set(id, p.id)

    await nextTask()
    mark('network')
    const verifier = runtime.createVerifier()
    closers.push(() => verifier.close())
    const full = config.p2p.validation !== 'structural'
    // light: only a node that aggregates must BLS-check every vote (what it counts must be genuine)
    const light = config.p2p.validation === 'light'
    // Only the aggregator and the watchtower read other operators' votes. A light peer (page,
    // worker, edge) is a leaf behind its relays that routes gossip for nobody, so by default it
    // leaves the votes topic and publishes its own votes through its relays; a Node operator,
    // which may route for others as Othentic's node does, keeps it unless told otherwise.
    const receiveVotes =
      config.p2p.receiveVotes ?? (runtime.kind === 'node' || ROLES_THAT_READ_VOTES.some(wants))
    const network = await runtime.createNetwork(
      {
        bootstrap: config.p2p.bootstrap,
        topicNamespace: config.p2p.topicNamespace,
        deployments: [{ chainId: chain.chainId, attestationCenter: chain.attestationCenter }],
        auth: { enabled: config.p2p.auth },
        ...(!receiveVotes ? { subscribe: GOSSIP_KINDS.filter((kind) => kind !== 'attestation') } : {}),
        ...(light
          ? {
              voteChecks: {
                mode: wants('aggregator') ? ('all' as const) : ('sample' as const),
                peersSample: true,
              },
            }
          : {}),
      },
      {
        verifier,
        // full validation: operators and definitions from the chain, TaskSubmitted checked there too
        ...(full ? { directory, definitions: directory, outcomes: directory } : {}),
        ...(me ? { signer: runtime.authSigner(me) } : {}),
        ...(runtime.p2pMetrics ? { metrics: runtime.p2pMetrics } : {}),
        logger: logger.child('p2p'),
        now,
      },
    )
    closers.push(() => network.stop())
    tracker.update((s) => {
      s.p2p.peerId = network.peerId
    })

    await nextTask()
    mark('engine')
    const election = {
      roundRobin: { interval: BigInt(config.election.roundRobinInterval) },
      ...(config.election.performerIds ? { performerIds: config.election.performerIds } : {}),
    }
    const engineOptions: EngineOptions = {
      runtime: runtimeOf[runtime.kind],
      operatorAddress: runtime.address,
      ...election,
      // what sendTask checks, like the network's attesters
      electionWindowBlocks: BigInt(config.election.windowBlocks),
      watchtower: wants('watchtower') || wants('aggregator'),
      plugins: { validateTimeoutMs: plugins.engineValidateTimeoutMs ?? config.attester.validateTimeoutMs },
      ...(wants('attester')
        ? {
            attester: {
              electionWindowBlocks: BigInt(config.election.windowBlocks),
              ...(config.attester.validationService
                ? {
                    validationService: {
                      url: config.attester.validationService.url,
                      timeoutMs: config.attester.validateTimeoutMs,
                    },
                  }
                : {}),
            },
          }
        : {}),
      ...(wants('aggregator')
        ? {
            aggregator: {
              delayMs: config.aggregator.delayMs,
              latencyMs: config.aggregator.latencyMs,
              latencyBlocks: config.aggregator.latencyBlocks,
              // a bound in blocks reads the head as often as the rest of the node does
              blockPollMs: config.chain.pollingIntervalMs,
            },
          }
        : {}),
      ...(wants('aggregator') && config.aggregator.internalTasks
        ? { internalTasks: { intervalMs: config.aggregator.internalTasksIntervalMs } }
        : {}),
      ...(wants('performer')
        ? { performer: { ...config.performer, blockPollMs: config.chain.pollingIntervalMs } }
        : {}),
    }
    const engine = createEngine(engineOptions, {
      gossip: network,
      chain,
      store,
      verifier,
      blsSigner: runtime.blsSigner,
      ...(runtime.ecdsaSigner ? { ecdsaSigner: runtime.ecdsaSigner } : {}),
      ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
      plugins: plugins.registrations,
      // attesters check internal tasks with it whether or not this node runs them
      internalTasks: createInternalTasks(publicClient, {
        attestationCenter: chain.attestationCenter,
        backend: chain.backend,
        registry: chain.registry,
      }),
      logger: logger.child('engine'),
      ...(runtime.metrics ? { metrics: runtime.metrics } : {}),
      now,
    })
    closers.push(() => engine.stop())

    // The status (block, outcomes on chain, voting power, rewards) is for people: no need to poll it
    // faster than once a second, even where the performer polls blocks every 250 ms (a local
    // network of many nodes would otherwise spend its RPC on dashboards).
    const statusPollMs = Math.max(config.chain.pollingIntervalMs, STATUS_POLL_MIN_MS)
    const taskLog = logger.child('tasks')
    const follow = followTasks({ engine, chain, tracker, taskLog, pluginOf, now, chainSince: epoch.since })
    closers.push(follow.stop)
    await engine.start()

    // on-chain confirmation of outcomes: every runtime records the same thing, from the logs the
    // chain cache's watch reads anyway (no poll of its own)
    closers.push(
      chain.cache.onLogs((logs) => {
        const events = parseTaskEvents(logs, chain.attestationCenter)
        if (events.length > 0) follow.onChainEvents(events)
      }),
    )

    const relayIds = new Set(config.p2p.bootstrap.map(relayIdOf).filter((x): x is string => x !== undefined))
    // light peers (browser, edge) may hold relays from their peer store, not in the config
    const lightRelays = (
      network as { relays?: () => { connected: string[]; switches: number } }
    ).relays?.bind(network)
    let relaySwitches = 0
    const refreshPeers = () => {
      const light = lightRelays?.()
      for (const id of light?.connected ?? []) relayIds.add(id)
      if (light !== undefined && light.switches > relaySwitches) {
        relaySwitches = light.switches
        tracker.log('warn', `lost a relay: moved to another (${relaySwitches} relay switches so far)`)
      }
      const peers: PeerView[] = network.connections().map((c) => ({
        peerId: c.peerId,
        kind: relayIds.has(c.peerId) ? 'relay' : c.remoteAddr.includes('/webrtc') ? 'webrtc' : 'other',
        remoteAddr: c.remoteAddr,
        direction: c.direction,
        limited: c.limited,
      }))
      const webrtcAddress = network.getMultiaddrs().find((a) => a.includes('/p2p-circuit/webrtc'))
      const mesh = new Set([...network.meshPeers('task'), ...network.meshPeers('attestation')])
      tracker.update((s) => {
        s.p2p.peers = peers
        s.p2p.relayConnected = peers.some((p) => p.kind === 'relay')
        s.p2p.meshPeers = mesh.size
        if (webrtcAddress !== undefined) s.p2p.webrtcAddress = webrtcAddress
        if (plugins.stats) s.pluginStats = plugins.stats()
      })
    }
    const onConnection = () => refreshPeers()
    for (const e of ['connection:open', 'connection:close', 'self:peer:update'] as const)
      network.libp2p.addEventListener(e, onConnection)
    closers.push(() => {
      for (const e of ['connection:open', 'connection:close', 'self:peer:update'] as const)
        network.libp2p.removeEventListener(e, onConnection)
    })

    let tick = 0
    let rewardTokenRead: Promise<void> | undefined
    /** the head at the last read of the operator's own figures: an idle chain is not asked again */
    let figuresAt: bigint | undefined
    const refreshChain = async () => {
      if (rewardTokenRead === undefined && tick % 5 === 0)
        rewardTokenRead = readRewardToken(publicClient as PublicClient, chain.attestationCenter)
          .then((token) =>
            tracker.update((s) => {
              s.operator.rewardToken = token
            }),
          )
          .catch(() => {
            rewardTokenRead = undefined // a deployment without a treasury: no unit to show; try again later
          })
      try {
        // the cache's watch reads the head every poll interval: ask only when it has not lately
        // (it failed, or has not started)
        const watched = chain.cache.head()
        const block = watched?.fresh ? watched.block : await chain.getBlockNumber()
        tracker.update((s) => {
          s.chain.blockNumber = block.toString()
          s.chain.rpcOk = true
        })
        if (tick++ % 5 !== 0 || block === figuresAt) return
        const [op, total, payment] = await Promise.all([
          // cached, and reloaded by the contracts' events (registrations, key and power changes);
          // not getOperatorByAddress: an unknown address forces a reload of every operator, and a
          // node whose account is not registered (an aggregator may not be) did that every 5 s
          directory
            .getOperators()
            .then((all) => all.find((o) => o.address.toLowerCase() === runtime.address.toLowerCase())),
          chain.getNetworkTotal(),
          me
            ? getOperatorPaymentDetail(publicClient, {
                attestationCenter: chain.attestationCenter,
                operatorId: me.id,
              })
            : undefined,
        ])
        tracker.update((s) => {
          if (op !== undefined) {
            s.operator.operatorId = op.id
            s.operator.active = op.active
            s.operator.votingPower = op.votingPower.toString()
          }
          s.operator.networkTotal = total.toString()
          if (payment !== undefined) {
            s.operator.rewards = payment.feeToClaim.toString()
            s.operator.paymentStatus = payment.paymentStatus
          }
        })
        figuresAt = block
      } catch (err) {
        tracker.update((s) => {
          s.chain.rpcOk = false
        })
        tracker.log('warn', `chain: ${(err as Error).message.split('\n')[0]}`)
      }
    }
    const saveCounts = createCountsSaver(store, tracker, chain.chainId, epoch.genesisHash)
    const timers = [
      setInterval(() => void refreshChain(), statusPollMs),
      setInterval(refreshPeers, 1000),
      setInterval(() => void follow.refreshHistoryIfActive(), HISTORY_REFRESH_MS),
      setInterval(() => void saveCounts(), 5000),
    ]
    closers.push(() => {
      for (const t of timers) clearInterval(t)
    })
    closers.push(saveCounts)

    // say so when no bootstrap relay answers: an operator without peers sees no task. The p2p layer
    // logs the dial errors themselves; this puts the state on the status (dashboards) once. A
    // bootstrap node needs none: the others dial it.
    const bootstrapCheck = setTimeout(
      () => {
        if (config.p2p.bootstrap.length === 0) {
          if (!config.p2p.bootstrapNode)
            logger.warn('no bootstrap peer configured: this operator has no peers and sees no tasks', {})
        } else if (!network.connections().some((c) => relayIds.has(c.peerId))) {
          tracker.log('warn', `no bootstrap peer is reachable (${config.p2p.bootstrap.length} configured)`)
        }
      },
      config.p2p.bootstrap.length === 0 ? 0 : BOOTSTRAP_WARNING_MS,
    )
    closers.push(() => clearTimeout(bootstrapCheck))

    await refreshChain()
    refreshPeers()
    await follow.refreshHistory()
    mark('running')
    tracker.update((s) => {
      s.phase = 'running'
      s.startedAt = now()
      delete s.message
    })
    logger.info('operator started', {
      roles: config.roles,
      address: runtime.address,
      operatorId: me?.id ?? 'none',
      peerId: network.peerId,
      chainId: chain.chainId,
    })

    let stopped = false
    return {
      config,
      address: runtime.address,
      operatorId: me?.id,
      engine,
      network,
      chain,
      publicClient: publicClient as PublicClient,
      status: tracker,
      plugins,
      async stop() {
        if (stopped) return
        stopped = true
        await closeAll()
        tracker.update((s) => {
          s.phase = 'stopped'
        })
      },
    }
  } catch (err) {
    await closeAll()
    tracker.update((s) => {
      s.phase = 'error'
      s.message = (err as Error).message
      const code = (err as { code?: unknown }).code
      if (typeof code === 'string') s.code = code
    })
    throw err
  }
}

/** Folds the engine's events, gossip and chain events into the status, history and the task log. */
function followTasks(p: {
  engine: Engine
  chain: WispChainPort
  /** history older than this was recorded on a previous chain (a reset local network) */
  chainSince: number
  tracker: StatusTracker
  taskLog: Logger
  pluginOf: Map<number, string>
  now: () => number
}) {
  const { engine, tracker: t, taskLog } = p
  const taskKeys = new Map<string, Hex>()
  const keyOf = (definitionId: number, proofOfTask: string, data: string) =>
    `${definitionId}|${proofOfTask}|${data.toLowerCase()}`
  let stopped = false
  // The history rows come from the store, written by the engine a little after its events (the
  // attestation after the vote is out, the outcome after the submission). The periodic refresh
  // reads the store only for a while after such an event: an idle operator reads nothing.
  let activeAt = Number.NEGATIVE_INFINITY
  const active = () => {
    activeAt = p.now()
  }

  // the attester limit of each definition, read once, for the "why not included" answer
  const maxAttesters = new Map<number, number>()
  const learnDefinition = (id: number) => {
    if (maxAttesters.has(id)) return
    maxAttesters.set(id, 0)
    p.chain
      .getTaskDefinition(id)
      .then((d) => maxAttesters.set(id, d?.maximumNumberOfAttesters ?? 0))
      .catch(() => maxAttesters.delete(id))
  }
  const exclusion = (
    hash: Hex,
    attesterIds: number[],
    isApproved: boolean,
    seenAt: number,
  ): ExclusionReason | undefined => {
    const myId = t.status.operator.operatorId
    if (myId !== undefined && attesterIds.includes(myId)) return undefined
    const view = t.task(hash)
    if (view?.vote === undefined) return 'no-vote'
    if (view.vote.isApproved !== isApproved) return 'other-verdict'
    if (view.vote.at >= seenAt) return 'late'
    const max = maxAttesters.get(view.definitionId) ?? 0
    if (max > 0 && attesterIds.length >= max) return 'over-attester-limit'
    return 'not-needed'
  }

  const setOutcome = (
    hash: Hex,
    o: { txHash: Hex; isApproved: boolean; attesterIds: number[]; confirmed: boolean; blockNumber?: bigint },
  ) => {
    const myId = t.status.operator.operatorId
    const included = myId !== undefined && o.attesterIds.includes(myId)
    const view = t.task(hash)
    if (view === undefined) return
    const first = view.outcome === undefined
    const excluded = first ? exclusion(hash, o.attesterIds, o.isApproved, p.now()) : view.outcome?.excluded
    t.update(() => {
      view.outcome = {
        txHash: o.txHash,
        isApproved: o.isApproved,
        included,
        ...(excluded ? { excluded } : {}),
        confirmed: o.confirmed || (view.outcome?.confirmed ?? false),
        attesterIds: o.attesterIds,
        ...(o.blockNumber !== undefined ? { blockNumber: o.blockNumber.toString() } : {}),
      }
      if (first) {
        t.count('outcomes')
        if (included) t.count('included')
      }
    })
    if (!first) return
    taskLog.info(
      `task ${short(hash)} → ${o.isApproved ? 'TaskSubmitted' : 'TaskRejected'}${included ? ' with our vote' : ` without our vote (${excluded})`}`,
      { taskHash: hash, txHash: o.txHash, attesters: o.attesterIds, confirmed: o.confirmed },
    )
    void engine.history
      .setOutcome({
        taskHash: hash,
        status: o.isApproved ? 'submitted' : 'rejected',
        txHash: o.txHash,
        attesterIds: o.attesterIds,
        at: p.now(),
      })
      .then(() => refreshHistory())
      .catch(() => undefined)
  }

  const refreshHistory = async () => {
    if (stopped) return
    try {
      const [attestations, outcomes] = await Promise.all([
        engine.history.recentAttestations(50),
        engine.history.recentOutcomes(200),
      ])
      const myId = t.status.operator.operatorId
      const byHash = new Map(outcomes.map((o) => [o.taskHash, o]))
      const rows: HistoryRow[] = attestations.map((a) => {
        const o = byHash.get(a.taskHash)
        return {
          taskHash: a.taskHash,
          definitionId: a.taskDefinitionId,
          verdict: a.verdict,
          ...(a.reason ? { reason: a.reason } : {}),
          at: a.at,
          ...(a.at < p.chainSince ? { otherChain: true } : {}),
          ...(o
            ? {
                outcome: {
                  status: o.status,
                  ...(o.txHash ? { txHash: o.txHash } : {}),
                  ...(myId !== undefined && o.attesterIds ? { included: o.attesterIds.includes(myId) } : {}),
                },
              }
            : {}),
        }
      })
      t.update((s) => {
        s.history = rows
      })
    } catch (err) {
      t.log('warn', `history: ${(err as Error).message}`)
    }
  }

  const offs = [
    engine.gossip.onMessage('task', (received) => {
      active()
      const info = taskInfoOf(received.message)
      const hash = taskHash(info)
      if (t.task(hash) !== undefined) return
      taskKeys.set(keyOf(info.taskDefinitionId, info.proofOfTask, info.data), hash)
      if (taskKeys.size > 1000) taskKeys.delete(taskKeys.keys().next().value as string)
      const plugin = p.pluginOf.get(info.taskDefinitionId)
      learnDefinition(info.taskDefinitionId)
      t.addTask({
        taskHash: hash,
        definitionId: info.taskDefinitionId,
        ...(plugin ? { plugin } : {}),
        performer: info.taskPerformer,
        proofOfTask: info.proofOfTask,
        receivedAt: p.now(),
      })
    }),
    engine.gossip.onMessage('taskSubmitted', (received) => {
      const m = received.message
      const hash = m.taskId.toLowerCase() as Hex
      if (!/^0x[0-9a-f]{64}$/.test(hash)) return
      setOutcome(hash, {
        txHash: m.txHash,
        isApproved: m.isApproved,
        attesterIds: m.operatorIds,
        confirmed: false,
      })
    }),
    engine.events.on('task:ignored', (e) => {
      if (e.taskHash === undefined || e.reason === 'duplicate task') return
      const view = t.task(e.taskHash)
      t.update(() => {
        if (view !== undefined) view.ignored = e.reason
        t.count('ignored')
      })
      taskLog.info(`task ${short(e.taskHash)} ignored: ${e.reason}`, { taskHash: e.taskHash })
    }),
    engine.events.on('vote:decided', (e) => {
      active()
      t.recordVerdict(
        e.taskHash,
        e.verdict.kind,
        e.latencyMs,
        e.verdict.kind === 'approve' ? undefined : e.verdict.reason,
      )
    }),
    engine.events.on('vote:published', (e) => {
      const view = t.task(e.taskHash)
      t.update(() => {
        if (view !== undefined)
          view.vote = { isApproved: e.isApproved, recipients: e.recipients, at: p.now() }
        t.count('published')
      })
      taskLog.info(
        `task ${short(e.taskHash)} def ${view?.definitionId ?? '?'} → ${view?.verdict ?? (e.isApproved ? 'approve' : 'reject')}${view?.reason ? ` (${view.reason})` : ''} → vote sent to ${e.recipients} peers`,
        { taskHash: e.taskHash, voteHash: e.voteHash, latencyMs: view?.latencyMs },
      )
    }),
    engine.events.on('vote:refused', (e) => {
      const view = t.task(e.taskHash)
      t.update(() => {
        if (view !== undefined) view.refused = e.reason
        t.count('refused')
      })
      t.log('warn', `vote refused: ${e.reason}`)
      taskLog.warn(`task ${short(e.taskHash)} → vote refused: ${e.reason}`, { taskHash: e.taskHash })
    }),
    engine.events.on('submission:sent', (e) => {
      active()
      taskLog.info(`task ${short(e.taskHash)} → submitted ${e.event}`, {
        taskHash: e.taskHash,
        txHash: e.txHash,
        attesters: e.attesterIds,
      })
    }),
    engine.events.on('submission:failed', (e) => {
      if (e.final)
        taskLog.error(`task ${short(e.taskHash)} → submission failed: ${e.code}`, { message: e.message })
    }),
  ]

  return {
    refreshHistory,
    /** the periodic refresh: only within {@link HISTORY_SETTLE_MS} of the last task event */
    refreshHistoryIfActive: async () => {
      if (p.now() - activeAt <= HISTORY_SETTLE_MS) await refreshHistory()
    },
    onChainEvents(events: TaskOutcomeEvent[]) {
      for (const e of events) {
        const hash = taskKeys.get(keyOf(e.taskDefinitionId, e.proofOfTask, e.data))
        if (hash === undefined) continue
        // settled on chain: our kept task or vote need not be published again
        void engine.settleTask(hash).catch(() => undefined)
        setOutcome(hash, {
          txHash: e.transactionHash,
          isApproved: e.isApproved,
          attesterIds: e.attesterIds,
          confirmed: true,
          blockNumber: e.blockNumber,
        })
      }
    },
    stop() {
      stopped = true
      for (const off of offs) off()
    },
  }
}

const rewardAbi = parseAbi([
  'function avsTreasury() view returns (address)',
  'function token() view returns (address)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
])

/** The token rewards are paid in: the AttestationCenter's treasury's ERC-20, or the native coin. */
export async function readRewardToken(
  client: PublicClient,
  attestationCenter: Hex,
): Promise<{ symbol: string; decimals: number; address: Hex }> {
  const treasury = await client.readContract({
    address: attestationCenter,
    abi: rewardAbi,
    functionName: 'avsTreasury',
  })
  const token = await client.readContract({ address: treasury, abi: rewardAbi, functionName: 'token' })
  if (token === zeroAddress) return { symbol: 'ETH', decimals: 18, address: zeroAddress }
  const [symbol, decimals] = await Promise.all([
    client.readContract({ address: token, abi: rewardAbi, functionName: 'symbol' }),
    client.readContract({ address: token, abi: rewardAbi, functionName: 'decimals' }),
  ])
  return { symbol, decimals, address: token }
}
