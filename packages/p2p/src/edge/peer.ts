import { bootstrap } from '@libp2p/bootstrap'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { BOOTSTRAP_TAG } from '../bootstrap.js'
import { createPeerDefences, withBans } from '../defences.js'
import { privateKeyFromOptions } from '../identity.js'
import { type NetworkComponents, startNetwork, type WispNetwork } from '../network.js'
import { type PartialNetworkOptions, resolveNetworkOptions } from '../options.js'
import { CONNECTION_MONITOR, wispServices } from '../services.js'

/**
 * An edge peer only dials (its relays, perhaps a few others): 16 connections are plenty, and a
 * worker's budget of open sockets is small (libp2p's default of 300 is sized for DHT nodes).
 */
export const EDGE_MAX_CONNECTIONS = 16

/**
 * A peer for runtimes that can only open outgoing WebSockets (edge workers, Web Workers): dials
 * its relays, listens on nothing. Needs a global `WebSocket` and `Promise.withResolvers`.
 */
export async function createEdgePeer(
  partial: PartialNetworkOptions = {},
  components: NetworkComponents = {},
): Promise<WispNetwork> {
  const options = resolveNetworkOptions(partial)
  const defences = components.defences ?? createPeerDefences(options, components.now)
  const libp2p = await createLibp2p({
    start: false,
    connectionMonitor: CONNECTION_MONITOR,
    privateKey: await privateKeyFromOptions(options.seed),
    addresses: { listen: [] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // dial what we are told to (a local relay in a devnet too): an edge peer has no other way out
    connectionGater: withBans(defences.bans, { denyDialMultiaddr: () => false }),
    // nothing dials in (no listeners), so only the total needs a bound
    connectionManager: { maxConnections: EDGE_MAX_CONNECTIONS },
    peerDiscovery:
      options.bootstrap.length > 0
        ? [bootstrap({ list: options.bootstrap, timeout: 0, tagName: BOOTSTRAP_TAG })]
        : [],
    services: wispServices(options, {}, defences),
  })
  return startNetwork(libp2p, options, { ...components, defences })
}
