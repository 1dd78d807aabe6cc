// Browser entry (pages): WebSocket + WebRTC + circuit relay.
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
export {
  DEFAULT_WEBRTC_DISCOVERY,
  parseAnnouncement,
  startWebRTCDiscovery,
  type WebRTCDiscoveryOptions,
  webRTCDiscoveryTopic,
} from './discovery.js'
export { browserConnectionGater } from './gater.js'
export {
  type BrowserPeerOptions,
  createBrowserPeer,
  DEFAULT_BROWSER_PEER_OPTIONS,
  type IceServer,
  type PartialBrowserPeerOptions,
  webRTCAddressVia,
} from './peer.js'
