import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { noise } from '@libp2p/noise'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { createPeerDefences, withBans } from '../defences.js'
import { privateKeyFromOptions } from '../identity.js'
import {
  asLightNetwork,
  DEFAULT_RELAY_TARGET,
  type LightNetwork,
  type LightPeerComponents,
  type LightPeerOptions,
  loadRemembered,
  setLightRelayPolicy,
  startingRelays,
} from '../light-relays.js'
import { silentLogger } from '../logger.js'
import { type NetworkComponents, startNetwork, type WispNetwork } from '../network.js'
import {
  DEFAULT_NETWORK_OPTIONS,
  type NetworkOptions,
  type PartialNetworkOptions,
  resolveNetworkOptions,
} from '../options.js'
import { CONNECTION_MONITOR, wispServices } from '../services.js'
import { DEFAULT_WEBRTC_DISCOVERY, startWebRTCDiscovery } from './discovery.js'
import { browserConnectionGater } from './gater.js'

export interface IceServer {
  urls: string | string[]
  username?: string
  credential?: string
}

export interface BrowserPeerOptions extends NetworkOptions, LightPeerOptions {
  /** Allow `ws://` and private/loopback addresses (local networks, devnets). Off on the internet. */
  allowLocalNetworks: boolean
  /**
   * Listen for direct WebRTC connections, signalled through a relay reservation. Off: the page
   * only dials (still fine for gossip through the relay).
   */
  listenWebRTC: boolean
  /** STUN/TURN servers. Empty: host candidates only (same machine or LAN). */
  iceServers: IceServer[]
  /**
   * Direct WebRTC connections to other browsers to open by themselves, found through the relays'
   * discovery topic (browser/discovery.ts). 0: only explicit dials.
   */
  maxDirectPeers: number
  /**
   * Open connections at most: a page has its relays, `maxDirectPeers` WebRTC peers and the
   * circuits that signal them. 32 leaves room for all of it while keeping a tab's sockets and
   * WebRTC state small (libp2p's default is 300).
   */
  maxConnections: number
}

export const DEFAULT_BROWSER_PEER_OPTIONS: Readonly<BrowserPeerOptions> = Object.freeze({
  ...DEFAULT_NETWORK_OPTIONS,
  allowLocalNetworks: false,
  listenWebRTC: true,
  iceServers: [],
  maxDirectPeers: DEFAULT_WEBRTC_DISCOVERY.maxDirectPeers,
  maxConnections: 32,
  relayTarget: DEFAULT_RELAY_TARGET,
})

export type PartialBrowserPeerOptions = PartialNetworkOptions &
  Partial<Omit<BrowserPeerOptions, keyof NetworkOptions>>

/**
 * A peer in a page: WebSocket to relays, WebRTC to other browsers (signalled through the relay's
 * circuit), circuit relay transport for the signalling. RTCPeerConnection only exists on pages,
 * so this factory cannot run in a worker (use the edge peer there).
 */
export async function createBrowserPeer(
  partial: PartialBrowserPeerOptions = {},
  components: NetworkComponents & LightPeerComponents = {},
): Promise<WispNetwork & LightNetwork> {
  const d = DEFAULT_BROWSER_PEER_OPTIONS
  const options: BrowserPeerOptions = {
    ...resolveNetworkOptions(partial),
    allowLocalNetworks: partial.allowLocalNetworks ?? d.allowLocalNetworks,
    listenWebRTC: partial.listenWebRTC ?? d.listenWebRTC,
    iceServers: [...(partial.iceServers ?? d.iceServers)],
    maxDirectPeers: partial.maxDirectPeers ?? d.maxDirectPeers,
    maxConnections: partial.maxConnections ?? d.maxConnections,
    relayTarget: partial.relayTarget ?? d.relayTarget,
  }
  const logger = components.logger ?? silentLogger
  const remembered = await loadRemembered(components.peerStore, logger.child('p2p'))
  // every relay it may hold is a bootstrap peer for network.ts (never banned by the score sweep)
  const bootstrap = startingRelays(options.bootstrap, remembered)
  const defences = components.defences ?? createPeerDefences(options, components.now)
  const libp2p = await createLibp2p({
    start: false,
    connectionMonitor: CONNECTION_MONITOR,
    privateKey: await privateKeyFromOptions(options.seed),
    // a reservation on a relay (/p2p-circuit) is what makes /webrtc reachable
    addresses: { listen: options.listenWebRTC ? ['/p2p-circuit', '/webrtc'] : [] },
    transports: [
      webSockets(),
      webRTC({ rtcConfiguration: { iceServers: options.iceServers } }),
      circuitRelayTransport(),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // inbound connections are WebRTC from other pages: libp2p's default threshold (5/s per host)
    connectionManager: { maxConnections: options.maxConnections },
    connectionGater: withBans(defences.bans, browserConnectionGater(options)),
    // no bootstrap discovery: the light keeper chooses which relays to dial (light-relays.ts)
    services: wispServices(options, {}, defences),
  })
  const policy = {
    relayTarget: options.relayTarget,
    configured: options.bootstrap,
    remembered,
    ...(components.peerStore !== undefined ? { backend: components.peerStore } : {}),
    ...(components.now !== undefined ? { now: components.now } : {}),
  }
  setLightRelayPolicy(libp2p, policy)
  const network = await startNetwork(libp2p, { ...options, bootstrap }, { ...components, defences })
  const stopDiscovery = startWebRTCDiscovery(
    libp2p,
    {
      namespace: options.topicNamespace,
      relays: bootstrap,
      maxDirectPeers: options.maxDirectPeers,
      announceEveryMs: DEFAULT_WEBRTC_DISCOVERY.announceEveryMs,
    },
    logger.child('discovery'),
  )
  const stop = network.stop.bind(network)
  return asLightNetwork(
    Object.assign(network, {
      async stop() {
        stopDiscovery()
        await stop()
      },
    }),
    policy,
    options.relayTarget,
  )
}

/**
 * The address that reaches `peerId` over WebRTC, signalled through `relayAddress` (a relay
 * multiaddr ending in /p2p/<relay id>) where `peerId` holds a reservation.
 */
export function webRTCAddressVia(relayAddress: string, peerId: string): string {
  return `${relayAddress}/p2p-circuit/webrtc/p2p/${peerId}`
}
