// Edge entry (workerd, Web Workers): WebSocket dial only.
export * from '../index.js'
export {
  DEFAULT_RELAY_TARGET,
  type LightNetwork,
  type LightPeerComponents,
  type LightPeerOptions,
  type LightRelayStatus,
  relayRank,
  startingRelays,
} from '../light-relays.js'
export {
  bytesPeerStore,
  createMemoryPeerStore,
  keyValuePeerStore,
  MAX_REMEMBERED_PEERS,
  MAX_REMEMBERED_RELAYS,
  type PeerRecord,
  type PeerStoreBackend,
  type PersistedPeers,
  parsePersistedPeers,
  type RelayRecord,
} from '../peer-store.js'
export { createEdgePeer, EDGE_MAX_CONNECTIONS, type PartialEdgePeerOptions } from './peer.js'
