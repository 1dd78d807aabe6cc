import { noise } from '@libp2p/noise'
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
import { type PartialNetworkOptions, resolveNetworkOptions } from '../options.js'
import { CONNECTION_MONITOR, wispServices } from '../services.js'

/**
 * An edge peer only dials (its relays, perhaps a few others): 16 connections are plenty, and a
 * worker's budget of open sockets is small (libp2p's default of 300 is sized for DHT nodes).
 */
export const EDGE_MAX_CONNECTIONS = 16

export type PartialEdgePeerOptions = PartialNetworkOptions & Partial<LightPeerOptions>

/**
 * A peer for runtimes that can only open outgoing WebSockets (edge workers, Web Workers): dials
 * `relayTarget` of its relays (configured, remembered in `components.peerStore`, met since) and
 * moves to another when one goes; listens on nothing. Needs a global `WebSocket` and
 * `Promise.withResolvers`.
 */
export async function createEdgePeer(
  partial: PartialEdgePeerOptions = {},
  components: NetworkComponents & LightPeerComponents = {},
): Promise<WispNetwork & LightNetwork> {
  const options = resolveNetworkOptions(partial)
  const relayTarget = partial.relayTarget ?? DEFAULT_RELAY_TARGET
  const logger = (components.logger ?? silentLogger).child('p2p')
  const remembered = await loadRemembered(components.peerStore, logger)
  // every relay it may hold is a bootstrap peer for network.ts (never banned by the score sweep)
  const bootstrap = startingRelays(options.bootstrap, remembered)
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
    // no bootstrap discovery: the light keeper chooses which relays to dial (light-relays.ts)
    services: wispServices(options, {}, defences),
  })
  const policy = {
    relayTarget,
    configured: options.bootstrap,
    remembered,
    ...(components.peerStore !== undefined ? { backend: components.peerStore } : {}),
    ...(components.now !== undefined ? { now: components.now } : {}),
  }
  setLightRelayPolicy(libp2p, policy)
  const network = await startNetwork(libp2p, { ...options, bootstrap }, { ...components, defences })
  return asLightNetwork(network, policy, relayTarget)
}
