/// <reference types="node" />
import './polyfills.js'
import { join } from 'node:path'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { gossipTopics } from '@wisp/protocol'
import { FsDatastore } from 'datastore-fs'
import { createLibp2p } from 'libp2p'
import { BOOTSTRAP_TAG } from '../bootstrap.js'
import { webRTCDiscoveryTopic } from '../browser/discovery.js'
import { createPeerDefences, type PeerDefences, withBans } from '../defences.js'
import { privateKeyFromOptions } from '../identity.js'
import { silentLogger } from '../logger.js'
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
import {
  DEFAULT_FEDERATION_OPTIONS,
  type Federation,
  type FederationOptions,
  relayAnnouncementTopic,
  startFederation,
} from './federation.js'
import { createLoadShedder } from './load-shedding.js'
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

export interface RelayOptions extends NetworkOptions, HubOptions, FederationOptions {
  /** Listen addresses: `/tcp/N/ws` (WebSocket, what browsers dial) and/or `/tcp/N` (TCP). */
  listen: string[]
  /** Public addresses to advertise instead (e.g. `/dns4/relay.example/tcp/443/wss` behind a proxy). */
  announce: string[]
  /** Where the peer store is persisted; in memory when absent. */
  dataDir?: string
  /**
   * Open connections at most: beyond it new inbound connections are refused before their
   * handshake (a warning and `wisp_p2p_relay_refused_connections_total`), so a full relay sheds
   * load instead of degrading everyone; clients go to another relay. A bootstrap relay is the hub
   * for every leaf peer and browser of the network: 1024 leaves room for hundreds of operators and
   * pages; each costs a socket, a Noise session and gossipsub state (tens of KiB). The relay's
   * own dials to other relays (`peers`, at most `maxRelays`) are on top of it.
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
  ...DEFAULT_FEDERATION_OPTIONS,
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
    peers: [...(options.peers ?? d.peers)],
    maxRelays: options.maxRelays ?? d.maxRelays,
    announceEveryMs: options.announceEveryMs ?? d.announceEveryMs,
    allowRelays: [...(options.allowRelays ?? d.allowRelays)],
  }
}

/** The services of a bootstrap node: a peer's, with every mesh peer kept, plus the circuit relay server. */
export function hubServices(
  options: NetworkOptions & HubOptions,
  defences?: Pick<PeerDefences, 'penalties'>,
  metrics?: P2PMetrics,
) {
  const ns = options.topicNamespace
  return {
    ...wispServices(
      options,
      {
        // A relay keeps every leaf in its mesh: it grafts every subscriber itself (D, Dlo) rather
        // than wait for the leaf to graft it. A browser whose mesh is already full of browsers
        // (WebRTC) never grafts the relay again after the relay restarts, and the relay's default
        // heartbeat stops grafting at 6 peers: such a leaf then hears tasks only by gossip.
        D: options.meshMaxPeers,
        Dlo: options.meshMaxPeers,
        Dhi: options.meshMaxPeers,
        // the peers' topics plus the relays' announcements (federation.ts)
        allowedTopics: [
          ...Object.values(gossipTopics(ns)),
          webRTCDiscoveryTopic(ns),
          relayAnnouncementTopic(ns),
        ],
      },
      defences,
      metrics,
    ),
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

/** A relay: a Wisp network plus its federation with other relays. */
export interface WispRelay extends WispNetwork {
  readonly federation: Federation
  /** Inbound connections refused at the connection limit so far. */
  refusedConnections(): number
}

/**
 * A bootstrap relay: WebSocket (and/or TCP) listener, circuit relay v2 server (with libp2p's default circuit
 * limits, so browsers only signal WebRTC through it and move their gossip onto the direct
 * connection), gossipsub subscribed to every topic (a relay that does not subscribe forwards
 * nothing), identify, ping; peer id from the seed; peer store in `dataDir`. Federated with the
 * relays of `peers` (and of `bootstrap`) and those that announce themselves (federation.ts);
 * refuses inbound connections beyond `maxConnections` (load-shedding.ts).
 */
export async function createRelay(
  partial: PartialRelayOptions = {},
  components: NetworkComponents = {},
): Promise<WispRelay> {
  const options = resolveRelayOptions(partial)
  const gauges = bootstrapGauges(components.metrics, options.bootstrap)
  let datastore: FsDatastore | undefined
  if (options.dataDir !== undefined) {
    datastore = new FsDatastore(join(options.dataDir, 'peerstore'))
    await datastore.open()
  }
  const defences = components.defences ?? createPeerDefences(options, components.now)
  const logger = (components.logger ?? silentLogger).child('relay')
  let federation: Federation | undefined
  const shedder = createLoadShedder({
    maxConnections: options.maxConnections,
    allow: options.allow,
    exempt: (peerId) => federation?.has(peerId) === true,
    logger,
    metrics: components.metrics,
    now: components.now,
  })
  const libp2p = await createLibp2p({
    start: false,
    connectionMonitor: CONNECTION_MONITOR,
    privateKey: await privateKeyFromOptions(options.seed),
    ...(datastore !== undefined ? { datastore } : {}),
    addresses: { listen: options.listen, announce: options.announce },
    ...nodeStack(),
    // libp2p's own limit leaves room for the federation links; inbound ones stop at maxConnections
    connectionManager: hubConnectionManager({
      ...options,
      maxConnections: options.maxConnections + options.maxRelays,
    }),
    connectionGater: withBans(defences.bans, {
      denyInboundConnection: (maConn) => shedder.denyInboundConnection(maConn),
    }),
    peerDiscovery:
      options.bootstrap.length > 0
        ? [bootstrap({ list: options.bootstrap, timeout: 0, tagName: BOOTSTRAP_TAG })]
        : [],
    services: hubServices(options, defences),
  })
  const network = await startNetwork(libp2p, options, { ...components, defences }, async () => {
    await datastore?.close()
  })
  shedder.attach(libp2p)
  serveBrowserDiscovery(network, options.topicNamespace)
  gauges(libp2p)
  // a relay's bootstrap peers are other relays too
  federation = startFederation(
    libp2p,
    options.topicNamespace,
    { ...options, peers: [...new Set([...options.peers, ...options.bootstrap])] },
    logger,
    (id) => defences.bans.isBanned(id),
  )
  const stopNetwork = network.stop
  const started = federation
  return Object.assign(network, {
    federation: started,
    refusedConnections: () => shedder.refused(),
    async stop() {
      started.stop()
      await stopNetwork.call(network)
    },
  })
}
