/// <reference types="node" />
import './polyfills.js'
import { join } from 'node:path'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { FsDatastore } from 'datastore-fs'
import { createLibp2p } from 'libp2p'
import { BOOTSTRAP_TAG } from '../bootstrap.js'
import { webRTCDiscoveryTopic } from '../browser/discovery.js'
import { createPeerDefences, type PeerDefences, withBans } from '../defences.js'
import { privateKeyFromOptions } from '../identity.js'
import type { P2PMetrics } from '../metrics.js'
import { type NetworkComponents, startNetwork, type WispNetwork } from '../network.js'
import {
  DEFAULT_NETWORK_OPTIONS,
  type NetworkOptions,
  type PartialNetworkOptions,
  resolveNetworkOptions,
} from '../options.js'
import { CONNECTION_MONITOR, wispServices } from '../services.js'
import { bootstrapGauges } from './bootstrap-gauges.js'
import { nodeStack } from './stack.js'

/** What a bootstrap node (the relay, or a peer with `bootstrapNode`) needs beyond a peer's options. */
export interface HubOptions {
  /**
   * Circuit reservations (each lets a browser be dialled through us for WebRTC signalling).
   * libp2p's default of 15 is sized for a generic node; a bootstrap relay serves every browser.
   */
  maxReservations: number
  /**
   * Most peers we keep in each topic's mesh. A bootstrap relay is the hub of a star of leaf peers
   * that each have only it: it must keep all of them grafted to forward to them at once rather
   * than by lazy gossip a heartbeat later.
   */
  meshMaxPeers: number
}

export interface RelayOptions extends NetworkOptions, HubOptions {
  /** Listen addresses: `/tcp/N/ws` (WebSocket, what browsers dial) and/or `/tcp/N` (TCP). */
  listen: string[]
  /** Public addresses to advertise instead (e.g. `/dns4/relay.example/tcp/443/wss` behind a proxy). */
  announce: string[]
  /** Where the peer store is persisted; in memory when absent. */
  dataDir?: string
  /**
   * Open connections at most (beyond it libp2p prunes the least valuable). A bootstrap relay is
   * the hub for every leaf peer and browser of the network: 1024 leaves room for hundreds of
   * operators and pages; each costs a socket, a Noise session and gossipsub state (tens of KiB).
   */
  maxConnections: number
  /**
   * Inbound connections per second per remote host before refusing (libp2p's default: 5): a
   * reconnecting peer needs one, a host opening dozens a second is attacking us.
   */
  inboundConnectionThreshold: number
  /** Multiaddr prefixes exempt from connection limits, e.g. `/ip4/127.0.0.1` for a local proxy. */
  allow: string[]
}

export const DEFAULT_RELAY_OPTIONS: Readonly<RelayOptions> = Object.freeze({
  ...DEFAULT_NETWORK_OPTIONS,
  listen: ['/ip4/0.0.0.0/tcp/9090/ws'],
  announce: [],
  maxReservations: 256,
  maxConnections: 1024,
  inboundConnectionThreshold: 5,
  allow: [],
  meshMaxPeers: 1000,
})

export type PartialRelayOptions = PartialNetworkOptions & Partial<Omit<RelayOptions, keyof NetworkOptions>>

export function resolveRelayOptions(options: PartialRelayOptions = {}): RelayOptions {
  const d = DEFAULT_RELAY_OPTIONS
  return {
    ...resolveNetworkOptions(options),
    listen: [...(options.listen ?? d.listen)],
    announce: [...(options.announce ?? d.announce)],
    dataDir: options.dataDir,
    maxReservations: options.maxReservations ?? d.maxReservations,
    maxConnections: options.maxConnections ?? d.maxConnections,
    inboundConnectionThreshold: options.inboundConnectionThreshold ?? d.inboundConnectionThreshold,
    allow: [...(options.allow ?? d.allow)],
    meshMaxPeers: options.meshMaxPeers ?? d.meshMaxPeers,
  }
}

/** The services of a bootstrap node: a peer's, with every mesh peer kept, plus the circuit relay server. */
export function hubServices(
  options: NetworkOptions & HubOptions,
  defences?: Pick<PeerDefences, 'penalties'>,
  metrics?: P2PMetrics,
) {
  return {
    ...wispServices(options, { Dhi: options.meshMaxPeers }, defences, metrics),
    relay: circuitRelayServer({ reservations: { maxReservations: options.maxReservations } }),
  }
}

/** A bootstrap node's connection limits (libp2p `connectionManager`). */
export function hubConnectionManager(
  options: Pick<RelayOptions, 'maxConnections' | 'inboundConnectionThreshold'> & { allow?: string[] },
) {
  return {
    maxConnections: options.maxConnections,
    inboundConnectionThreshold: options.inboundConnectionThreshold,
    // connections still in their handshake: a few seconds' worth of the inbound rate
    maxIncomingPendingConnections: Math.max(10, options.inboundConnectionThreshold * 4),
    allow: options.allow ?? [],
  }
}

/** Once started: forwards the browsers' WebRTC announcements to each other (see browser/discovery.ts). */
export function serveBrowserDiscovery(network: WispNetwork, topicNamespace: string): void {
  network.libp2p.services.pubsub.subscribe(webRTCDiscoveryTopic(topicNamespace))
}

/**
 * A bootstrap relay: WebSocket (and/or TCP) listener, circuit relay v2 server (with libp2p's default circuit
 * limits, so browsers only signal WebRTC through it and move their gossip onto the direct
 * connection), gossipsub subscribed to every topic (a relay that does not subscribe forwards
 * nothing), identify, ping; peer id from the seed; peer store in `dataDir`.
 */
export async function createRelay(
  partial: PartialRelayOptions = {},
  components: NetworkComponents = {},
): Promise<WispNetwork> {
  const options = resolveRelayOptions(partial)
  const gauges = bootstrapGauges(components.metrics, options.bootstrap)
  let datastore: FsDatastore | undefined
  if (options.dataDir !== undefined) {
    datastore = new FsDatastore(join(options.dataDir, 'peerstore'))
    await datastore.open()
  }
  const defences = components.defences ?? createPeerDefences(options, components.now)
  const libp2p = await createLibp2p({
    start: false,
    connectionMonitor: CONNECTION_MONITOR,
    privateKey: await privateKeyFromOptions(options.seed),
    ...(datastore !== undefined ? { datastore } : {}),
    addresses: { listen: options.listen, announce: options.announce },
    ...nodeStack(),
    connectionManager: hubConnectionManager(options),
    connectionGater: withBans(defences.bans),
    peerDiscovery:
      options.bootstrap.length > 0
        ? [bootstrap({ list: options.bootstrap, timeout: 0, tagName: BOOTSTRAP_TAG })]
        : [],
    services: hubServices(options, defences),
  })
  const network = await startNetwork(libp2p, options, { ...components, defences }, async () => {
    await datastore?.close()
  })
  serveBrowserDiscovery(network, options.topicNamespace)
  gauges(libp2p)
  return network
}
