// Browser entry (pages): WebSocket + WebRTC + circuit relay.
export * from '../index.js'
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
