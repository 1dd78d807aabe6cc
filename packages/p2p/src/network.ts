// The Wisp side of a libp2p node, the same in every runtime: topic validators, subscriptions,
// typed publish/receive, operator auth, metrics. Runtime factories build the libp2p node
// (transports differ) and hand it here before starting it.
import type { GossipSub } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import type { BlsVerifier } from '@wisp/bls'
import type { TaskOutcomeChecker } from '@wisp/interface'
import {
  encodeMessage,
  type GossipTopicKind,
  type GossipTopics,
  gossipTopics,
  type WireMessageMap,
} from '@wisp/protocol'
import { timeoutSignal } from './abort.js'
import { AuthBook, type PeerAuth } from './auth/book.js'
import { startAuthChallenger } from './auth/challenger.js'
import { createAuthorGate } from './auth/gate.js'
import { registerAuthResponder } from './auth/responder.js'
import type { AuthSigner } from './auth/signer.js'
import { keepBootstrapPeers } from './bootstrap.js'
import type { OperatorDirectory, TaskDefinitionDirectory } from './directory.js'
import { P2PError } from './errors.js'
import { type ReceivedMessage, wireGossip } from './gossip.js'
import { type Logger, silentLogger } from './logger.js'
import { createMemoryMetrics, type P2PMetrics } from './metrics.js'
import type { NetworkOptions } from './options.js'
import { startOutbox } from './outbox.js'
import type { ValidationContext } from './validation/context.js'
import { RateLimiter } from './validation/rate-limit.js'
import { SeenCache } from './validation/seen.js'
import { GOSSIP_KINDS } from './validation/validate.js'

export type { ReceivedMessage }

export interface WispServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  pubsub: GossipSub
}

export interface NetworkComponents {
  /** BLS checks (gossip signatures, auth answers); the pools of @wisp/bls batch them. */
  verifier?: BlsVerifier
  /** Without it validation is structural only: sizes, encoding, duplicates, rates. */
  directory?: OperatorDirectory
  definitions?: TaskDefinitionDirectory
  /**
   * Checks a TaskSubmitted announcement against the chain (`@wisp/chain`'s directory implements
   * it). Without it an announcement is only checked structurally.
   */
  outcomes?: TaskOutcomeChecker
  /** Present on operators: answers auth challenges. */
  signer?: AuthSigner
  metrics?: P2PMetrics
  logger?: Logger
  now?: () => number
}

export interface ConnectionInfo {
  peerId: string
  remoteAddr: string
  direction: 'inbound' | 'outbound'
  /** relayed connections have data/time limits; gossip does not run on them */
  limited: boolean
}

export interface WispNetwork {
  readonly peerId: string
  readonly topics: GossipTopics
  /** The underlying node, for what this API does not cover. */
  readonly libp2p: Libp2p<WispServices>
  getMultiaddrs(): string[]
  dial(address: string, options?: { signal?: AbortSignal }): Promise<ConnectionInfo>
  hangUp(peerId: string): Promise<void>
  connections(): ConnectionInfo[]
  /** Validates and encodes like peers will, then publishes; resolves to how many peers got it. */
  publish<K extends GossipTopicKind>(kind: K, message: WireMessageMap[K]): Promise<{ recipients: number }>
  onMessage<K extends GossipTopicKind>(kind: K, handler: (received: ReceivedMessage<K>) => void): () => void
  /** Peers subscribed to a topic, and those in our mesh for it (who we forward to). */
  topicPeers(kind: GossipTopicKind): string[]
  meshPeers(kind: GossipTopicKind): string[]
  /** A peer's gossipsub score (see scoring.ts). */
  score(peerId: string): number
  authOf(peerId: string): PeerAuth | undefined
  stop(): Promise<void>
}

interface GossipsubInternals {
  getMeshPeers?(topic: string): string[]
  getScore?(peerId: string): number
}

/**
 * Wires Wisp onto a libp2p node that is not started yet, then starts it. `cleanup` runs after
 * the node stops (e.g. closing a verifier the factory created).
 */
export async function startNetwork(
  libp2p: Libp2p<WispServices>,
  options: NetworkOptions,
  components: NetworkComponents,
  cleanup: () => Promise<void> = async () => undefined,
): Promise<WispNetwork> {
  const logger = (components.logger ?? silentLogger).child('p2p')
  const metrics = components.metrics ?? createMemoryMetrics()
  const now = components.now ?? Date.now
  const topics = gossipTopics(options.topicNamespace)
  const pubsub = libp2p.services.pubsub
  const selfId = libp2p.peerId.toString()

  if (options.auth.enabled && (components.directory === undefined || components.verifier === undefined)) {
    throw new P2PError('P2P_MISSING_COMPONENT', 'auth needs an operator directory and a BLS verifier')
  }
  if (components.directory !== undefined && components.verifier === undefined) {
    throw new P2PError('P2P_MISSING_COMPONENT', 'checking signatures needs a BLS verifier')
  }

  const book = new AuthBook()
  const ctx: ValidationContext = {
    options,
    directory: components.directory,
    definitions: components.definitions,
    verifier: components.verifier,
    gate: options.auth.enabled ? createAuthorGate(book, selfId, options.auth.timeoutMs) : undefined,
    seen: new SeenCache(options.dedupe, now),
    customRate: new RateLimiter(options.customMessages.perPeer, now),
  }
  const gossip = wireGossip(pubsub, topics, { ctx, book, metrics, logger })

  let stopChallenger = (): void => undefined
  if (options.auth.enabled) {
    stopChallenger = startAuthChallenger(libp2p, options.auth, {
      book,
      directory: components.directory!,
      verifier: components.verifier!,
      metrics,
      logger: logger.child('auth'),
    })
  }

  // registered before start, so the first identify already lists the protocol
  if (components.signer !== undefined) {
    await registerAuthResponder(libp2p, options.auth, {
      signer: components.signer,
      logger: logger.child('auth'),
    })
  }
  await libp2p.start()
  for (const kind of GOSSIP_KINDS) pubsub.subscribe(topics[kind])
  const stopKeeping = keepBootstrapPeers(libp2p, options.bootstrap, logger)
  const outbox = startOutbox(pubsub, logger, now)

  const internals = pubsub as unknown as GossipsubInternals
  const network: WispNetwork = {
    peerId: selfId,
    topics,
    libp2p,
    getMultiaddrs: () => libp2p.getMultiaddrs().map((ma) => ma.toString()),
    async dial(address, dialOptions = {}) {
      try {
        const connection = await libp2p.dial(multiaddr(address), dialOptions)
        return connectionInfo(connection)
      } catch (cause) {
        throw new P2PError('P2P_DIAL_FAILED', `could not dial ${address}`, { cause, details: { address } })
      }
    },
    async hangUp(peerId) {
      const connections = libp2p.getConnections().filter((c) => c.remotePeer.toString() === peerId)
      // graceful first; a remote that is already gone cannot acknowledge, so abort after a second
      await Promise.all(
        connections.map(async (c) => {
          const { signal, clear } = timeoutSignal(1000)
          await c.close({ signal }).catch((err: Error) => c.abort(err))
          clear()
        }),
      )
    },
    connections: () => libp2p.getConnections().map(connectionInfo),
    async publish(kind, message) {
      let bytes: Uint8Array
      try {
        bytes = encodeMessage(kind, message, options.wireLimits)
      } catch (cause) {
        throw new P2PError('P2P_ENCODE_FAILED', `cannot publish this ${kind}`, { cause, details: { kind } })
      }
      if (kind === 'customMessage') {
        const dataBytes = ((message as WireMessageMap['customMessage']).data.length - 2) / 2
        if (dataBytes > options.customMessages.maxDataBytes) {
          throw new P2PError('P2P_ENCODE_FAILED', 'custom message data is over the size limit', {
            details: { kind, dataBytes, limit: options.customMessages.maxDataBytes },
          })
        }
        // peers enforce the same rate on us; going over it would only get our messages ignored
        if (!ctx.customRate.take(selfId)) {
          throw new P2PError('P2P_RATE_LIMITED', 'custom message rate limit reached', {
            details: options.customMessages.perPeer,
          })
        }
      }
      ctx.seen.checkAndMark(SeenCache.key(topics[kind], bytes))
      try {
        const result = await pubsub.publish(topics[kind], bytes)
        if (result.recipients.length === 0) outbox.hold(topics[kind], bytes)
        return { recipients: result.recipients.length }
      } catch (cause) {
        throw new P2PError('P2P_PUBLISH_FAILED', `publishing a ${kind} failed`, { cause, details: { kind } })
      }
    },
    onMessage: gossip.onMessage,
    topicPeers: (kind) => pubsub.getSubscribers(topics[kind]).map((p) => p.toString()),
    meshPeers: (kind) => internals.getMeshPeers?.(topics[kind]) ?? [],
    score: (peerId) => internals.getScore?.(peerId) ?? 0,
    authOf: (peerId) => book.get(peerId),
    async stop() {
      stopChallenger()
      stopKeeping()
      outbox.stop()
      await libp2p.stop()
      await cleanup()
    },
  }
  metrics.attach({
    connections: () => libp2p.getConnections().length,
    topicPeers: (kind) => pubsub.getSubscribers(topics[kind]).length,
  })
  logger.info('started', { peerId: selfId, addresses: network.getMultiaddrs() })
  return network
}

function connectionInfo(c: {
  remotePeer: { toString(): string }
  remoteAddr: { toString(): string }
  direction: 'inbound' | 'outbound'
  limits?: unknown
}): ConnectionInfo {
  return {
    peerId: c.remotePeer.toString(),
    remoteAddr: c.remoteAddr.toString(),
    direction: c.direction,
    limited: c.limits !== undefined,
  }
}
