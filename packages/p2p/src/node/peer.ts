/// <reference types="node" />
import './polyfills.js'
import { bootstrap } from '@libp2p/bootstrap'
import { createLibp2p } from 'libp2p'
import { BOOTSTRAP_TAG } from '../bootstrap.js'
import { createPeerDefences, withBans } from '../defences.js'
import { privateKeyFromOptions } from '../identity.js'
import { type NetworkComponents, startNetwork, type WispNetwork } from '../network.js'
import {
  DEFAULT_NETWORK_OPTIONS,
  type NetworkOptions,
  type PartialNetworkOptions,
  resolveNetworkOptions,
} from '../options.js'
import { CONNECTION_MONITOR, wispServices } from '../services.js'
import { nodeStack } from './stack.js'

export interface NodePeerOptions extends NetworkOptions {
  /** WebSocket listen addresses; none by default (a peer dials its relays). */
  listen: string[]
  announce: string[]
  /**
   * Open connections at most. An operator dials its relays and, when it listens, accepts a few
   * direct peers: 64 is plenty and bounds what a connection flood can cost (libp2p's default
   * is 300, sized for DHT nodes).
   */
  maxConnections: number
  /** Inbound connections per second per remote host before refusing (libp2p's default 5). */
  inboundConnectionThreshold: number
}

export const DEFAULT_NODE_PEER_OPTIONS: Readonly<NodePeerOptions> = Object.freeze({
  ...DEFAULT_NETWORK_OPTIONS,
  listen: [],
  announce: [],
  maxConnections: 64,
  inboundConnectionThreshold: 5,
})

export type PartialNodePeerOptions = PartialNetworkOptions &
  Partial<Omit<NodePeerOptions, keyof NetworkOptions>>

/** A Node operator or observer: dials relays (and anyone) over WebSocket, optionally listens. */
export async function createNodePeer(
  partial: PartialNodePeerOptions = {},
  components: NetworkComponents = {},
): Promise<WispNetwork> {
  const options: NodePeerOptions = {
    ...resolveNetworkOptions(partial),
    listen: [...(partial.listen ?? DEFAULT_NODE_PEER_OPTIONS.listen)],
    announce: [...(partial.announce ?? DEFAULT_NODE_PEER_OPTIONS.announce)],
    maxConnections: partial.maxConnections ?? DEFAULT_NODE_PEER_OPTIONS.maxConnections,
    inboundConnectionThreshold:
      partial.inboundConnectionThreshold ?? DEFAULT_NODE_PEER_OPTIONS.inboundConnectionThreshold,
  }
  const defences = components.defences ?? createPeerDefences(options, components.now)
  const libp2p = await createLibp2p({
    start: false,
    connectionMonitor: CONNECTION_MONITOR,
    privateKey: await privateKeyFromOptions(options.seed),
    addresses: { listen: options.listen, announce: options.announce },
    ...nodeStack(),
    connectionManager: {
      maxConnections: options.maxConnections,
      inboundConnectionThreshold: options.inboundConnectionThreshold,
      maxIncomingPendingConnections: Math.max(10, options.inboundConnectionThreshold * 2),
    },
    connectionGater: withBans(defences.bans),
    peerDiscovery:
      options.bootstrap.length > 0
        ? [bootstrap({ list: options.bootstrap, timeout: 0, tagName: BOOTSTRAP_TAG })]
        : [],
    services: wispServices(options, {}, defences, components.metrics),
  })
  return startNetwork(libp2p, options, { ...components, defences })
}
