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
import { bootstrapGauges } from './bootstrap-gauges.js'
import {
  DEFAULT_RELAY_OPTIONS,
  type HubOptions,
  hubConnectionManager,
  hubServices,
  serveBrowserDiscovery,
} from './relay.js'
import { nodeStack } from './stack.js'

export interface NodePeerOptions extends NetworkOptions, HubOptions {
  /**
   * Listen addresses: `/ip4/0.0.0.0/tcp/9876` (TCP, what Othentic's nodes dial) and/or
   * `/ip4/…/tcp/N/ws` (WebSocket, what browsers can dial); none by default (a peer dials its
   * bootstrap peers).
   */
  listen: string[]
  /** Addresses to advertise instead of the listen addresses (a public IP or name behind NAT). */
  announce: string[]
  /**
   * Serve as a bootstrap node too, as Othentic's aggregator does: run what the relay runs for
   * others (circuit relay server, every peer kept in the gossip mesh, the browsers' discovery
   * topic, the relay's connection limits), so peers given only this node's address gossip with
   * each other through it. `maxReservations` and `meshMaxPeers` apply only then.
   */
  bootstrapNode: boolean
  /**
   * Open connections at most. An operator dials its relays and, when it listens, accepts a few
   * direct peers: 64 is plenty and bounds what a connection flood can cost (libp2p's default
   * is 300, sized for DHT nodes). A bootstrap node defaults to the relay's 1024.
   */
  maxConnections: number
  /** Inbound connections per second per remote host before refusing (libp2p's default 5). */
  inboundConnectionThreshold: number
}

export const DEFAULT_NODE_PEER_OPTIONS: Readonly<NodePeerOptions> = Object.freeze({
  ...DEFAULT_NETWORK_OPTIONS,
  listen: [],
  announce: [],
  bootstrapNode: false,
  maxConnections: 64,
  inboundConnectionThreshold: 5,
  maxReservations: DEFAULT_RELAY_OPTIONS.maxReservations,
  meshMaxPeers: DEFAULT_RELAY_OPTIONS.meshMaxPeers,
})

export type PartialNodePeerOptions = PartialNetworkOptions &
  Partial<Omit<NodePeerOptions, keyof NetworkOptions>>

/**
 * A Node operator or observer: dials its bootstrap peers (and anyone) over TCP or WebSocket,
 * optionally listens, optionally serves as a bootstrap node (`bootstrapNode`).
 */
export async function createNodePeer(
  partial: PartialNodePeerOptions = {},
  components: NetworkComponents = {},
): Promise<WispNetwork> {
  const d = DEFAULT_NODE_PEER_OPTIONS
  const bootstrapNode = partial.bootstrapNode ?? d.bootstrapNode
  const options: NodePeerOptions = {
    ...resolveNetworkOptions(partial),
    listen: [...(partial.listen ?? d.listen)],
    announce: [...(partial.announce ?? d.announce)],
    bootstrapNode,
    maxConnections:
      partial.maxConnections ?? (bootstrapNode ? DEFAULT_RELAY_OPTIONS.maxConnections : d.maxConnections),
    inboundConnectionThreshold: partial.inboundConnectionThreshold ?? d.inboundConnectionThreshold,
    maxReservations: partial.maxReservations ?? d.maxReservations,
    meshMaxPeers: partial.meshMaxPeers ?? d.meshMaxPeers,
  }
  const gauges = bootstrapGauges(components.metrics, options.bootstrap)
  const defences = components.defences ?? createPeerDefences(options, components.now)
  const libp2p = await createLibp2p({
    start: false,
    connectionMonitor: CONNECTION_MONITOR,
    privateKey: await privateKeyFromOptions(options.seed),
    addresses: { listen: options.listen, announce: options.announce },
    ...nodeStack(),
    connectionManager: bootstrapNode
      ? hubConnectionManager(options)
      : {
          maxConnections: options.maxConnections,
          inboundConnectionThreshold: options.inboundConnectionThreshold,
          maxIncomingPendingConnections: Math.max(10, options.inboundConnectionThreshold * 2),
        },
    connectionGater: withBans(defences.bans),
    peerDiscovery:
      options.bootstrap.length > 0
        ? [bootstrap({ list: options.bootstrap, timeout: 0, tagName: BOOTSTRAP_TAG })]
        : [],
    // the hub's services are a superset of a peer's: one libp2p node serves both
    services: bootstrapNode
      ? hubServices(options, defences, components.metrics)
      : wispServices(options, {}, defences, components.metrics),
  })
  const network = await startNetwork(libp2p, options, { ...components, defences })
  if (bootstrapNode) serveBrowserDiscovery(network, options.topicNamespace)
  gauges(libp2p)
  return network
}
