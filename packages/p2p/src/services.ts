// The libp2p services every Wisp node runs, configured from the shared options.
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipTopics } from '@wisp/protocol'
import { webRTCDiscoveryTopic } from './browser/discovery.js'
import type { PeerDefences } from './defences.js'
import type { P2PMetrics } from './metrics.js'
import type { NetworkOptions } from './options.js'
import { relayAnnouncementTopic } from './relay-topic.js'
import { gossipsubScoring } from './scoring.js'

export type GossipsubInit = NonNullable<Parameters<typeof gossipsub>[0]>

/**
 * libp2p pings every connection every 10 s and by default aborts it on any failed ping: a missed
 * deadline, or the remote resetting the ping stream (its handler gives up after 10 s). A peer busy
 * with a burst — a relay forwarding every vote to many light peers, a page validating them —
 * fails one easily, and the abort drops every gossip message in flight on that connection (lost
 * votes: tasks that never reach quorum). Failed pings are only logged here; a connection still
 * ends when its socket closes, and {@link keepBootstrapPeers} redials relays.
 *
 * So the pings only measure round trips, and once a minute is enough for that. Every 10 s they were
 * most of what an idle node spends on the network: each is a new stream, a protocol negotiation
 * and a close, from both ends, on every connection (a relay with 250 light peers ran 50 a second).
 * Yamux's own keep-alive (every 30 s) still holds NAT mappings open.
 */
export const CONNECTION_MONITOR = Object.freeze({ abortConnectionOnPingFailure: false, pingInterval: 60_000 })

/**
 * Messages one RPC frame may carry at the full wire size. js-gossipsub answers an IWANT with every
 * message asked for in one frame, and honest messages are small (a vote ≈ 600 bytes, a task a few
 * KiB), so 32 of the largest possible ones leave plenty of room.
 */
const RPC_FRAME_MESSAGES = 32
/** Per message: topic, author key, sequence number and signature around the data (< 512 bytes). */
const RPC_ENVELOPE_BYTES = 512
/** Control messages beside them: 5000 IHAVE/IWANT ids (gossipsub's caps) of ≈ 40 bytes each. */
const RPC_CONTROL_BYTES = 256 * 1024

/**
 * gossipsub's `maxInboundDataLength`: the largest length-prefixed RPC frame read from a peer
 * (larger → the stream is dropped before any protobuf decoding). Derived from the wire limits:
 * with the defaults (64 KiB messages) 32 × (64 KiB + 512) + 256 KiB ≈ 2.3 MiB instead of
 * it-length-prefixed's 4 MiB default. Each message in it is then checked against its own topic's
 * limit before decoding (`safeDecodeMessage` compares the length first).
 */
export function maxInboundRpcBytes(options: Pick<NetworkOptions, 'wireLimits'>): number {
  const m = options.wireLimits.maxMessageBytes
  const largest = Math.max(m.task, m.attestation, m.taskSubmitted, m.customMessage)
  return RPC_FRAME_MESSAGES * (largest + RPC_ENVELOPE_BYTES) + RPC_CONTROL_BYTES
}

/**
 * gossipsub's own metrics, when `metrics` has a place for them: labelled by topic string (the
 * `topic` label of `gossipsub_msg_publish_count_total`, … that Othentic's dashboard reads).
 */
function gossipsubMetrics(topics: readonly string[], metrics: P2PMetrics | undefined): GossipsubInit {
  const metricsRegister = metrics?.gossipsubRegister?.(topics)
  if (metricsRegister === undefined) return {}
  return { metricsRegister, metricsTopicStrToLabel: new Map(topics.map((t) => [t, t])) }
}

/** `metrics`: the node's P2PMetrics, so gossipsub counts into its registry (when it has one). */
export function wispGossipsub(
  options: NetworkOptions,
  overrides: GossipsubInit = {},
  defences?: Pick<PeerDefences, 'penalties'>,
  metrics?: P2PMetrics,
) {
  const topics = gossipTopics(options.topicNamespace)
  return gossipsub({
    // A light node may be alone for a while; publishing then reaches nobody instead of throwing.
    allowPublishToZeroTopicPeers: true,
    emitSelf: false,
    // Only our four topics and the browsers' WebRTC discovery: foreign topics cost memory in
    // gossipsub's caches and carry nothing for us.
    allowedTopics: [...Object.values(topics), webRTCDiscoveryTopic(options.topicNamespace)],
    maxInboundDataLength: maxInboundRpcBytes(options),
    ...gossipsubScoring(options.scoring, topics, defences?.penalties.score, [
      relayAnnouncementTopic(options.topicNamespace),
    ]),
    ...gossipsubMetrics(Object.values(topics), metrics),
    ...overrides,
  })
}

/**
 * `defences`: the node's PeerDefences, so gossipsub reads its penalties as the P5 score;
 * `metrics`: the node's P2PMetrics, so gossipsub's own series land in its registry.
 */
export function wispServices(
  options: NetworkOptions,
  gossip: GossipsubInit = {},
  defences?: Pick<PeerDefences, 'penalties'>,
  metrics?: P2PMetrics,
) {
  return {
    identify: identify(),
    ping: ping(),
    pubsub: wispGossipsub(options, gossip, defences, metrics),
  }
}
