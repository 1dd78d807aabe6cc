// Edge entry (workerd, Web Workers): WebSocket dial only.
export * from '../index.js'
export { createEdgePeer } from './peer.js'
