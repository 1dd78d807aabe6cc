import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { noise } from '@libp2p/noise'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { BOOTSTRAP_TAG } from '../bootstrap.js'
import { createPeerDefences, withBans } from '../defences.js'
import { privateKeyFromOptions } from '../identity.js'
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

export interface BrowserPeerOptions extends NetworkOptions {
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
  components: NetworkComponents = {},
): Promise<WispNetwork> {
  const d = DEFAULT_BROWSER_PEER_OPTIONS
  const options: BrowserPeerOptions = {
    ...resolveNetworkOptions(partial),
    allowLocalNetworks: partial.allowLocalNetworks ?? d.allowLocalNetworks,
    listenWebRTC: partial.listenWebRTC ?? d.listenWebRTC,
    iceServers: [...(partial.iceServers ?? d.iceServers)],
    maxDirectPeers: partial.maxDirectPeers ?? d.maxDirectPeers,
    maxConnections: partial.maxConnections ?? d.maxConnections,
  }
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
    peerDiscovery:
      options.bootstrap.length > 0
        ? [bootstrap({ list: options.bootstrap, timeout: 0, tagName: BOOTSTRAP_TAG })]
        : [],
    services: wispServices(options, {}, defences),
  })
  const network = await startNetwork(libp2p, options, { ...components, defences })
  const stopDiscovery = startWebRTCDiscovery(
    libp2p,
    {
      namespace: options.topicNamespace,
      relays: options.bootstrap,
      maxDirectPeers: options.maxDirectPeers,
      announceEveryMs: DEFAULT_WEBRTC_DISCOVERY.announceEveryMs,
    },
    (components.logger ?? silentLogger).child('discovery'),
  )
  const stop = network.stop.bind(network)
  return Object.assign(network, {
    async stop() {
      stopDiscovery()
      await stop()
    },
  })
}

/**
 * The address that reaches `peerId` over WebRTC, signalled through `relayAddress` (a relay
 * multiaddr ending in /p2p/<relay id>) where `peerId` holds a reservation.
 */
export function webRTCAddressVia(relayAddress: string, peerId: string): string {
  return `${relayAddress}/p2p-circuit/webrtc/p2p/${peerId}`
}
