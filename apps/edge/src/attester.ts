// Assembles the edge attester from the workspace's parts: the engine (attester role only) on
// an edge libp2p peer (WebSocket dial to the relays), a viem ChainPort over fetch, inline BLS
// (no threads in workerd), the statically bundled plugins, and a durable KeyValueStore (the
// Durable Object's storage, so slashing protection survives restarts). Nothing here is
// workerd-specific beyond the globals the shims fill in; the Durable Object lives in worker.ts.
import { createInlineVerifier, SecretKey } from '@wisp/bls'
import { createChainDirectory, createChainPort, type WispChainPort } from '@wisp/chain'
import { createEngine, type Engine } from '@wisp/core'
import { createBlsAuthSigner } from '@wisp/p2p'
import { createEdgePeer } from '@wisp/p2p/edge'
import type { Verdict } from '@wisp/plugin-sdk'
import { parseSendTaskParams, taskHash } from '@wisp/protocol'
import type { KeyValueStore, SlashingInterchange } from '@wisp/storage'
import { bytesToHex, createPublicClient, type Hex, http } from 'viem'
import type { EdgeConfig, EdgeSecrets } from './config.js'
import { EdgeError } from './errors.js'
import type { EdgeLogger } from './logger.js'
import { pluginRegistrations } from './plugins.js'
import { MemoryMetrics, StatusTracker, type TaskEntry, type VoteCounters } from './status.js'

type Network = Awaited<ReturnType<typeof createEdgePeer>>

export interface EdgeAttesterComponents {
  /** durable: slashing protection, history, plugin namespaces */
  store: KeyValueStore
  logger: EdgeLogger
  /** the peer id's Ed25519 seed (from the P2P_SEED secret, or generated once and stored) */
  p2pSeed: Hex
  /** plugins' fetch (price oracle); the platform's by default */
  fetch?: typeof fetch
  now?: () => number
}

export interface OperatorStatus {
  address: Hex
  /** 1-based operator index, when registered */
  id: number | undefined
  registered: boolean
  active: boolean
  votingPower: string
  blsPublicKey: Hex
  /** false when the chain holds another BLS key for this operator: votes would not verify */
  keyMatchesChain: boolean
  keySource: EdgeConfig['blsKey']
}

export interface NetworkStatus {
  peerId: string
  relays: string[]
  connections: Array<{ peerId: string; remoteAddr: string; direction: string }>
  /** peers subscribed to the task topic, and those in our mesh for it */
  taskTopicPeers: number
  taskMeshPeers: number
  relayConnected: boolean
}

export interface AttesterStatus {
  operator: OperatorStatus
  chain: { chainId: number; attestationCenter: Hex; registry: Hex }
  network: NetworkStatus
  votes: VoteCounters
  recent: TaskEntry[]
  metrics: Record<string, number>
}

export interface EdgeAttester {
  readonly engine: Engine
  readonly network: Network
  status(): AttesterStatus
  /**
   * Validates and votes on a task given as `sendTask` params (PROTOCOL.md §4), exactly as if it
   * had been gossiped (same checks, same slashing protection); the vote is gossiped. For operators
   * re-attesting a task the network missed. Resolves to the verdict, or undefined when ignored.
   */
  attest(params: unknown): Promise<{ taskHash: Hex; verdict: Verdict | undefined }>
  exportSlashingProtection(): Promise<SlashingInterchange>
  /** keep-alive work: redial relays we lost; refresh the operator set */
  tick(): Promise<void>
  stop(): Promise<void>
}

function relayPeerId(addr: string): string {
  return addr.slice(addr.lastIndexOf('/p2p/') + 5)
}

export async function startEdgeAttester(
  config: EdgeConfig,
  secrets: EdgeSecrets,
  components: EdgeAttesterComponents,
): Promise<EdgeAttester> {
  const logger = components.logger
  const now = components.now ?? Date.now
  const platformFetch = components.fetch ?? ((input, init) => fetch(input, init))

  // the key: a raw BLS key, or Othentic's derivation from the ECDSA key (PROTOCOL.md §2)
  let secretKey: SecretKey
  try {
    secretKey =
      secrets.blsKey !== undefined
        ? SecretKey.fromBytes(secrets.blsKey)
        : SecretKey.fromEcdsaPrivateKey(secrets.ecdsaKey as Hex)
  } catch (cause) {
    throw new EdgeError('EDGE_INVALID_CONFIG', 'the operator key is not a valid BLS secret key', { cause })
  }
  const publicKey = secretKey.publicKey.toBytes()
  // resolved before any socket opens: an unknown plugin fails fast
  const plugins = pluginRegistrations(config.plugins)

  const publicClient = createPublicClient({ transport: http(config.chain.rpcUrl, { retryCount: 2 }) })
  let chain: WispChainPort
  try {
    chain = await createChainPort(
      { attestationCenter: config.chain.attestationCenter, chainId: config.chain.chainId },
      { publicClient },
    )
  } catch (cause) {
    throw new EdgeError('EDGE_START_FAILED', `chain: ${(cause as Error).message}`, { cause })
  }
  const directory = createChainDirectory(
    { attestationCenter: config.chain.attestationCenter },
    { publicClient, now },
  )
  const me = await directory.getOperatorByAddress(config.operatorAddress)
  const keyMatchesChain = me === undefined || bytesToHex(me.blsPublicKey) === bytesToHex(publicKey)
  if (me === undefined) {
    logger.warn('this operator is not registered: its votes will be ignored until it is', {
      operator: config.operatorAddress,
    })
  } else if (!keyMatchesChain) {
    logger.error('the BLS key does not match the key registered for this operator: votes will not verify', {
      operator: config.operatorAddress,
      operatorId: me.id,
    })
  }

  const verifier = createInlineVerifier()
  const full = config.p2pValidation === 'full'
  let network: Network
  try {
    network = await createEdgePeer(
      {
        topicNamespace: config.topicNamespace,
        bootstrap: config.relays,
        deployments: [{ chainId: chain.chainId, attestationCenter: chain.attestationCenter }],
        seed: components.p2pSeed,
      },
      {
        verifier,
        ...(full ? { directory, definitions: directory } : {}),
        // answer relays' auth challenges as this operator (registered operators only)
        ...(me !== undefined && keyMatchesChain
          ? { signer: createBlsAuthSigner({ operatorId: me.id, address: config.operatorAddress }, secretKey) }
          : {}),
        logger, // the network names its own component (p2p)
        now,
      },
    )
  } catch (cause) {
    await verifier.close()
    throw new EdgeError('EDGE_START_FAILED', `network: ${(cause as Error).message}`, { cause })
  }

  const metrics = new MemoryMetrics()
  let engine: Engine
  try {
    engine = createEngine(
      {
        runtime: 'edge',
        operatorAddress: config.operatorAddress,
        attester: { electionWindowBlocks: config.electionWindowBlocks },
        roundRobin: { interval: config.roundRobinInterval },
        plugins: { validateTimeoutMs: config.validateTimeoutMs },
      },
      {
        gossip: network,
        chain,
        store: components.store,
        verifier,
        blsSigner: {
          publicKey,
          // inline: one hash-to-curve and one G1 multiplication, a few ms with noble
          sign: async (domain, digest) => secretKey.sign(domain, digest).toBytes(),
        },
        fetch: platformFetch,
        plugins,
        logger: logger.child('engine'),
        metrics,
        now,
      },
    )
    await engine.start()
  } catch (cause) {
    await network.stop().catch(() => undefined)
    await verifier.close()
    throw new EdgeError('EDGE_START_FAILED', `engine: ${(cause as Error).message}`, { cause })
  }

  const tracker = new StatusTracker({ now })
  tracker.operatorId = me?.id
  tracker.attach(engine.events, network)
  logger.info('attester started', {
    operator: config.operatorAddress,
    operatorId: me?.id,
    peerId: network.peerId,
    relays: config.relays.length,
    plugins: config.plugins.map((p) => p.id),
  })

  let operator = me
  const relayIds = new Set(config.relays.map(relayPeerId))

  return {
    engine,
    network,
    status() {
      const connections = network.connections()
      return {
        operator: {
          address: config.operatorAddress,
          id: operator?.id,
          registered: operator !== undefined,
          active: operator?.active ?? false,
          votingPower: (operator?.votingPower ?? 0n).toString(),
          blsPublicKey: bytesToHex(publicKey),
          keyMatchesChain,
          keySource: config.blsKey,
        },
        chain: {
          chainId: chain.chainId,
          attestationCenter: chain.attestationCenter,
          registry: chain.registry,
        },
        network: {
          peerId: network.peerId,
          relays: config.relays,
          connections: connections.map((c) => ({
            peerId: c.peerId,
            remoteAddr: c.remoteAddr,
            direction: c.direction,
          })),
          taskTopicPeers: network.topicPeers('task').length,
          taskMeshPeers: network.meshPeers('task').length,
          relayConnected: connections.some((c) => relayIds.has(c.peerId)),
        },
        votes: { ...tracker.counters },
        recent: tracker.recent(),
        metrics: metrics.toJSON(),
      }
    },
    async attest(params) {
      let request: ReturnType<typeof parseSendTaskParams>
      try {
        request = parseSendTaskParams(params)
      } catch (cause) {
        throw new EdgeError('EDGE_BAD_REQUEST', `not sendTask params: ${(cause as Error).message}`, { cause })
      }
      const { task, signature } = request
      const verdict = await engine.attester!.handleTask({
        message: {
          proofOfTask: task.proofOfTask,
          data: task.data,
          performer: task.taskPerformer,
          definitionId: task.taskDefinitionId,
          signature,
        },
        from: 'admin',
      })
      return { taskHash: taskHash(task), verdict }
    },
    exportSlashingProtection: () => engine.slashing.export(),
    async tick() {
      const connected = new Set(network.connections().map((c) => c.peerId))
      await Promise.all(
        config.relays
          .filter((addr) => !connected.has(relayPeerId(addr)))
          .map((addr) =>
            network.dial(addr).then(
              () => logger.info('redialled relay', { relay: addr }),
              (err: Error) => logger.warn('relay unreachable', { relay: addr, error: err.message }),
            ),
          ),
      )
      try {
        await directory.refresh()
        operator = (await directory.getOperatorByAddress(config.operatorAddress)) ?? operator
        tracker.operatorId = operator?.id
      } catch (err) {
        logger.warn('operator refresh failed', { error: (err as Error).message })
      }
    },
    async stop() {
      tracker.detach()
      await engine.stop()
      await network.stop()
      await verifier.close()
      logger.info('attester stopped')
    },
  }
}
