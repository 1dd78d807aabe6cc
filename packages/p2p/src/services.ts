// The libp2p services every Wisp node runs, configured from the shared options.
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipTopics } from '@wisp/protocol'
import { webRTCDiscoveryTopic } from './browser/discovery.js'
import type { NetworkOptions } from './options.js'
import { gossipsubScoring } from './scoring.js'

export type GossipsubInit = NonNullable<Parameters<typeof gossipsub>[0]>

/**
 * libp2p pings every connection every 10 s and by default aborts it on any failed ping: a missed
 * deadline, or the remote resetting the ping stream (its handler gives up after 10 s). A peer busy
 * with a burst — a relay forwarding every vote to many light peers, a page validating them —
 * fails one easily, and the abort drops every gossip message in flight on that connection (lost
 * votes: tasks that never reach quorum). Failed pings are only logged here; a connection still
 * ends when its socket closes, and {@link keepBootstrapPeers} redials relays.
 */
export const CONNECTION_MONITOR = Object.freeze({ abortConnectionOnPingFailure: false })

export function wispGossipsub(options: NetworkOptions, overrides: GossipsubInit = {}) {
  const topics = gossipTopics(options.topicNamespace)
  return gossipsub({
    // A light node may be alone for a while; publishing then reaches nobody instead of throwing.
    allowPublishToZeroTopicPeers: true,
    emitSelf: false,
    // Only our four topics and the browsers' WebRTC discovery: foreign topics cost memory in
    // gossipsub's caches and carry nothing for us.
    allowedTopics: [...Object.values(topics), webRTCDiscoveryTopic(options.topicNamespace)],
    ...gossipsubScoring(options.scoring, topics),
    ...overrides,
  })
}

export function wispServices(options: NetworkOptions, gossip: GossipsubInit = {}) {
  return {
    identify: identify(),
    ping: ping(),
    pubsub: wispGossipsub(options, gossip),
  }
}
