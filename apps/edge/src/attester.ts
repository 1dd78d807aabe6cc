// The edge runtime of an operator: its factories for @wisp/operator's createOperator — an edge
// libp2p peer (WebSocket dial only), inline BLS (no threads in workerd), the Durable Object's
// storage, the plugins bundled into the worker, counters in memory, the platform's fetch — plus
// what only the edge does: attest a task handed in over HTTP, export slashing protection, and the
// keep-alive tick. Nothing here is workerd-specific beyond the globals the shims fill in; the
// Durable Object lives in worker.ts.
import { createInlineVerifier, SecretKey } from '@wisp/bls'
import { type Logger, MemoryMetrics } from '@wisp/interface'
import {
  bundledPlugins,
  createOperator,
  emptyStatus,
  type Operator,
  type OperatorStatus,
  StatusTracker,
} from '@wisp/operator'
import { createBlsAuthSigner } from '@wisp/p2p'
import { bytesPeerStore, createEdgePeer, type LightNetwork } from '@wisp/p2p/edge'
import type { BaseFetch, Verdict } from '@wisp/plugin-sdk'
import { parseSendTaskParams, taskHash } from '@wisp/protocol'
import type { KeyValueStore, SlashingInterchange } from '@wisp/storage'
import { bytesToHex, type Hex } from 'viem'
import type { EdgeConfig, EdgeSecrets } from './config.js'
import { EdgeError } from './errors.js'

export interface EdgeAttesterComponents {
  /** durable: slashing protection, history, status counters, plugin namespaces */
  store: KeyValueStore
  logger: Logger
  /** the peer id's Ed25519 seed (from the P2P_SEED secret, or generated once and stored) */
  p2pSeed: Hex
  /** the status to fill (made before the start, so a failed start shows in it); a new one otherwise */
  status?: StatusTracker
  /** engine and status counters; a new one otherwise */
  metrics?: MemoryMetrics
  /** plugins' fetch (price oracle); the platform's by default */
  fetch?: BaseFetch
  now?: () => number
}

/** What only the edge shows, next to the shared status. */
export interface EdgeExtras {
  keySource: EdgeConfig['blsKey']
  blsPublicKey: Hex
  /** peers subscribed to the task topic, and those in our mesh for it */
  taskTopicPeers: number
  taskMeshPeers: number
  /** the engine's counters and the status counters' twins (`wisp_operator_<name>_total`) */
  metrics: Record<string, number>
}

export type AttesterStatus = OperatorStatus & { edge: EdgeExtras }

export interface EdgeAttester {
  readonly operator: Operator
  status(): AttesterStatus
  /**
   * Validates and votes on a task given as `sendTask` params (docs/protocol.md §4), exactly as if it
   * had been gossiped (same checks, same slashing protection); the vote is gossiped. For operators
   * re-attesting a task the network missed. Resolves to the verdict, or undefined when ignored.
   */
  attest(params: unknown): Promise<{ taskHash: Hex; verdict: Verdict | undefined }>
  exportSlashingProtection(): Promise<SlashingInterchange>
  /** keep-alive work: redial relays we lost (the operator refreshes its chain view by itself) */
  tick(): Promise<void>
  stop(): Promise<void>
}

/** The shared status of this edge operator before it starts (phase `starting`). */
export function createEdgeStatus(config: EdgeConfig, metrics?: MemoryMetrics): StatusTracker {
  const { chain, network } = config.operator
  return new StatusTracker(
    emptyStatus({
      runtime: 'edge',
      network: network.name,
      address: config.operatorAddress,
      chainId: chain.chainId,
      attestationCenter: chain.attestationCenter,
    }),
    metrics ? { metrics } : {},
  )
}

const relayIdOf = (addr: string) => addr.slice(addr.lastIndexOf('/p2p/') + 5)

/**
 * Starts the attester. Throws what createOperator throws (OPERATOR_NOT_AN_OPERATOR,
 * OPERATOR_KEY_MISMATCH, CHAIN_* …), and EDGE_INVALID_CONFIG for a key that is no BLS key.
 */
export async function startEdgeAttester(
  config: EdgeConfig,
  secrets: EdgeSecrets,
  components: EdgeAttesterComponents,
): Promise<EdgeAttester> {
  const { logger, store, p2pSeed } = components
  // the key: a raw BLS key, or Othentic's derivation from the ECDSA key (docs/protocol.md §2)
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
  const metrics = components.metrics ?? new MemoryMetrics()
  const status = components.status ?? createEdgeStatus(config, metrics)

  let light: LightNetwork | undefined
  const operator = await createOperator(config.operator, {
    kind: 'edge',
    supportedRoles: ['attester'],
    address: config.operatorAddress,
    blsSigner: {
      publicKey,
      // inline: one hash-to-curve and one G1 multiplication, a few ms with noble
      sign: async (domain, digest) => secretKey.sign(domain, digest).toBytes(),
    },
    authSigner: (me) =>
      createBlsAuthSigner({ operatorId: me.id, address: config.operatorAddress }, secretKey),
    openStore: async () => store,
    createVerifier: () => createInlineVerifier(),
    createNetwork: async (options, network) => {
      const peer = await createEdgePeer(
        {
          ...options,
          seed: p2pSeed,
          ...(config.operator.p2p.relayTarget === undefined
            ? {}
            : { relayTarget: config.operator.p2p.relayTarget }),
        },
        // relays and peers seen, next to slashing protection (Durable Object storage on workerd):
        // a restarted or evicted object dials the relays that worked last first
        { ...network, peerStore: bytesPeerStore(store, 'p2p/peer-store') },
      )
      light = peer
      return peer
    },
    // workerd compiles no code at run time: the plugins bundled into the worker only
    loadPlugins: (c) => bundledPlugins(c, 'edge'),
    fetch: components.fetch ?? ((url, init) => fetch(url, init)),
    logger,
    metrics,
    ...(components.now ? { now: components.now } : {}),
    status,
  })
  const { network, engine } = operator
  const bootstrap = config.operator.p2p.bootstrap

  return {
    operator,
    status() {
      return {
        ...operator.status.snapshot(),
        edge: {
          keySource: config.blsKey,
          blsPublicKey: bytesToHex(publicKey),
          taskTopicPeers: network.topicPeers('task').length,
          taskMeshPeers: network.meshPeers('task').length,
          metrics: metrics.toJSON(),
        },
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
      // the network redials its bootstrap relays too; the alarm is the backstop after an idle spell
      const connected = new Set(network.connections().map((c) => c.peerId))
      // only as many as the light peer is short of: it holds relayTarget relays, not all of them
      const held = light?.relays()
      const missing = held === undefined ? bootstrap.length : held.target - held.connected.length
      await Promise.all(
        bootstrap
          .filter((addr) => !connected.has(relayIdOf(addr)))
          .slice(0, Math.max(0, missing))
          .map((addr) =>
            network.dial(addr).then(
              () => logger.info('redialled relay', { relay: addr }),
              (err: Error) => logger.warn('relay unreachable', { relay: addr, error: err.message }),
            ),
          ),
      )
    },
    async stop() {
      await operator.stop()
      logger.info('attester stopped')
    },
  }
}
