// The Wisp side of a libp2p node, the same in every runtime: topic validators, subscriptions,
// typed publish/receive, operator auth, metrics. Runtime factories build the libp2p node
// (transports differ) and hand it here before starting it.
import type { GossipSub } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { Connection, Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import type { BlsVerifier } from '@wisp/bls'
import type { TaskOutcomeChecker } from '@wisp/interface'
import {
  clearTimer,
  encodeMessage,
  type GossipTopicKind,
  type GossipTopics,
  gossipTopics,
  setTimer,
  type TimerHandle,
  type WireMessageMap,
} from '@wisp/protocol'
import { timeoutSignal } from './abort.js'
import { AuthBook, type PeerAuth } from './auth/book.js'
import { startAuthChallenger } from './auth/challenger.js'
import { createAuthorGate } from './auth/gate.js'
import { registerAuthResponder } from './auth/responder.js'
import type { AuthSigner } from './auth/signer.js'
import { keepBootstrapPeers } from './bootstrap.js'
import { type RepairCounts, startConnectionRepair } from './connection-repair.js'
import { createPeerDefences, type PeerDefences } from './defences.js'
import type { OperatorDirectory, TaskDefinitionDirectory } from './directory.js'
import { P2PError } from './errors.js'
import { type ReceivedMessage, wireGossip } from './gossip.js'
import { type Logger, silentLogger } from './logger.js'
import { createMemoryMetrics, type P2PMetrics } from './metrics.js'
import type { NetworkOptions } from './options.js'
import { startOutbox } from './outbox.js'
import type { RateLimitedKind, ValidationContext } from './validation/context.js'
import { OutcomeCache } from './validation/outcomes.js'
import { RateLimiter } from './validation/rate-limit.js'
import { RejectionLog } from './validation/rejections.js'
import { SeenCache } from './validation/seen.js'
import { GOSSIP_KINDS } from './validation/validate.js'
import { VoteBook } from './validation/votes.js'

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
  /**
   * Application-specific penalties and bans. The runtime factories create it
   * (`createPeerDefences`) and hand it to the gossipsub service too (`wispServices(…, defences)`),
   * so the score reads the penalties, and to the connection gater (`withBans`). When absent
   * startNetwork makes its own: bans still work (through 'connection:open'), but gossipsub's score
   * does not see the penalties.
   */
  defences?: PeerDefences
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
  /** A peer's application-specific penalty (≥ 0; the score counts it negated). */
  penalty(peerId: string): number
  /** Peers banned right now (fell below the graylist threshold; see `bans` in the options). */
  banned(): string[]
  authOf(peerId: string): PeerAuth | undefined
  /** What the connection repair did about a connected peer (see connection-repair.ts). */
  repairs(peerId: string): RepairCounts
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

  const defences = components.defences ?? createPeerDefences(options, now)
  if (components.defences === undefined) {
    logger.debug('no defences from the factory: penalties are not part of the gossipsub score')
  }
  const book = new AuthBook()
  const rates: Record<RateLimitedKind, RateLimiter> = {
    task: new RateLimiter(options.rateLimits.task, now),
    attestation: new RateLimiter(options.rateLimits.attestation, now),
    taskSubmitted: new RateLimiter(options.rateLimits.taskSubmitted, now),
  }
  const ctx: ValidationContext = {
    options,
    directory: components.directory,
    definitions: components.definitions,
    verifier: components.verifier,
    outcomes: components.outcomes,
    gate: options.auth.enabled ? createAuthorGate(book, selfId, options.auth.timeoutMs) : undefined,
    seen: new SeenCache(options.dedupe, now),
    customRate: new RateLimiter(options.customMessages.perPeer, now),
    rates,
    linkRate: new RateLimiter(options.rateLimits.perLink, now),
    penalties: defences.penalties,
    votes: new VoteBook({ maxEntries: options.dedupe.maxVotes }),
    outcomeCache: new OutcomeCache(options.outcomeChecks),
    metrics,
    rejections: new RejectionLog({}, { logger: logger.child('gossip'), now }),
  }
  const kindOfTopic = new Map<string, GossipTopicKind>(GOSSIP_KINDS.map((k) => [topics[k], k]))
  /** Our own rate: peers hold us to the same buckets (beyond them they would reject us). */
  const takeOwn = (kind: GossipTopicKind | undefined): boolean => {
    if (kind === 'customMessage') return ctx.customRate.take(selfId)
    if (kind === undefined) return true
    return rates[kind].take(selfId)
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
  const internals = pubsub as unknown as GossipsubInternals
  const { bans } = defences
  // a banned peer that gets through anyway (a node built without our gater) is closed at once
  const refuseBanned = (evt: { detail: Connection }) => {
    const connection = evt.detail
    if (!bans.isBanned(connection.remotePeer.toString())) return
    metrics.peerDisconnected('banned')
    connection.abort(new Error('peer is banned'))
  }
  libp2p.addEventListener('connection:open', refuseBanned)
  const repair = startConnectionRepair(libp2p, { logger, metrics })

  await libp2p.start()
  for (const kind of options.subscribe) pubsub.subscribe(topics[kind])
  const stopKeeping = keepBootstrapPeers(libp2p, options.bootstrap, logger, (id) => bans.isBanned(id))
  const outbox = startOutbox(pubsub, logger, now, (topic) => takeOwn(kindOfTopic.get(topic)))
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
      }
      // peers enforce the same rates on us; going over them would get our messages ignored
      // (custom messages) or rejected and us scored down (the others)
      if (!takeOwn(kind)) {
        throw new P2PError('P2P_RATE_LIMITED', `${kind} rate limit reached`, {
          details: {
            kind,
            ...(kind === 'customMessage'
              ? options.customMessages.perPeer
              : options.rateLimits[kind as RateLimitedKind]),
          },
        })
      }
      ctx.seen.accepted(SeenCache.key(topics[kind], bytes))
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
    penalty: (peerId) => defences.penalties.get(peerId),
    banned: () => bans.banned(),
    authOf: (peerId) => book.get(peerId),
    repairs: (peerId) => repair.counts(peerId),
    async stop() {
      stopped = true
      clearTimer(sweepTimer)
      libp2p.removeEventListener('connection:open', refuseBanned)
      repair.stop()
      stopChallenger()
      stopKeeping()
      outbox.stop()
      ctx.rejections?.close()
      await libp2p.stop()
      await cleanup()
    },
  }
  // Graylisted peers: gossipsub only stops listening to them. Once per score decay interval, hang
  // up every connected peer below the graylist threshold and ban it (bans.firstMs, doubling per
  // repeat offence up to bans.maxMs): the gater refuses it meanwhile, keepBootstrapPeers skips it.
  // Never our bootstrap relays: a light peer's relay is often its only connection, so banning it
  // cuts the peer off entirely — and a restarting relay breaks its IWANT promises in flight (P7),
  // which can push an honest relay below the threshold for a moment. Gossipsub still ignores a
  // graylisted relay's messages; replacing a bad relay is the operator's call (its config).
  const bootstrapIds = new Set(
    options.bootstrap.map((address) => /\/p2p\/([^/]+)$/.exec(address)?.[1]).filter((id) => id !== undefined),
  )
  let stopped = false
  let sweepTimer: TimerHandle | undefined
  const sweep = () => {
    const graylist = options.scoring.thresholds.graylist
    const checked = new Set<string>()
    for (const connection of libp2p.getConnections()) {
      const peerId = connection.remotePeer.toString()
      if (checked.has(peerId)) continue
      checked.add(peerId)
      const score = internals.getScore?.(peerId) ?? 0
      if (score >= graylist || bans.isBanned(peerId) || bootstrapIds.has(peerId)) continue
      const banMs = bans.ban(peerId)
      metrics.peerDisconnected('graylisted')
      logger.warn('peer below the graylist threshold: disconnected and banned', { peerId, score, banMs })
      void network.hangUp(peerId).catch(() => undefined)
    }
  }
  const scheduleSweep = () => {
    if (stopped) return
    sweepTimer = setTimer(() => {
      try {
        sweep()
      } finally {
        scheduleSweep()
      }
    }, options.scoring.decayIntervalMs)
  }
  scheduleSweep()

  metrics.attach({
    connections: () => libp2p.getConnections().length,
    topicPeers: (kind) => pubsub.getSubscribers(topics[kind]).length,
    bannedPeers: () => bans.banned().length,
    penalizedPeers: () => defences.penalties.size,
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
