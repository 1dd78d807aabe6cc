/// <reference types="node" />
// Node entry: the polyfills run before any libp2p module is evaluated.
import './polyfills.js'

export * from '../index.js'
export { BOOTSTRAP_CONFIGURED_METRIC, BOOTSTRAP_CONNECTED_METRIC } from './bootstrap-gauges.js'
export {
  DEFAULT_FEDERATION_OPTIONS,
  type Federation,
  type FederationOptions,
  relayAnnouncementTopic,
} from './federation.js'
export { REFUSED_CONNECTIONS_METRIC } from './load-shedding.js'
export { type MetricsServer, startMetricsServer } from './metrics-server.js'
export {
  createNodePeer,
  DEFAULT_NODE_PEER_OPTIONS,
  type NodePeerOptions,
  type PartialNodePeerOptions,
} from './peer.js'
export { createPrometheusMetrics, gossipsubMetricsRegister, type PrometheusMetrics } from './prometheus.js'
export {
  createRelay,
  DEFAULT_RELAY_OPTIONS,
  type HubOptions,
  type PartialRelayOptions,
  type RelayOptions,
  resolveRelayOptions,
  type WispRelay,
} from './relay.js'
export { loadOrCreateSeed, SEED_FILE, seedFromHex } from './seed-file.js'
