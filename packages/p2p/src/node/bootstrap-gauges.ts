/// <reference types="node" />
// Whether a node reaches its bootstrap peers, as Prometheus gauges beside the PrometheusMetrics
// series: `wisp_p2p_bootstrap_peers_connected` at 0 while `wisp_p2p_bootstrap_peers` is not is a
// node cut off from the network (its log says why: see keepBootstrapPeers).
import type { Libp2p } from '@libp2p/interface'
import { Gauge, Registry } from 'prom-client'
import { bootstrapPeerIds } from '../bootstrap.js'
import { P2PError } from '../errors.js'
import type { P2PMetrics } from '../metrics.js'

export const BOOTSTRAP_CONNECTED_METRIC = 'wisp_p2p_bootstrap_peers_connected'
export const BOOTSTRAP_CONFIGURED_METRIC = 'wisp_p2p_bootstrap_peers'

/**
 * Registers the gauges in the registry of `metrics` when it has one (createPrometheusMetrics'),
 * before the node is built: a registry that already holds them belongs to another node. Returns
 * the function that points them at the started node.
 */
export function bootstrapGauges(
  metrics: P2PMetrics | undefined,
  bootstrap: readonly string[],
): (libp2p: Libp2p) => void {
  const registry = (metrics as { registry?: unknown } | undefined)?.registry
  if (!(registry instanceof Registry)) return () => undefined
  if (registry.getSingleMetric(BOOTSTRAP_CONNECTED_METRIC) !== undefined) {
    throw new P2PError(
      'P2P_INVALID_OPTIONS',
      `this registry already holds a node's ${BOOTSTRAP_CONNECTED_METRIC}: give each node its own PrometheusMetrics`,
    )
  }
  const ids = bootstrapPeerIds(bootstrap)
  let node: Libp2p | undefined
  new Gauge({
    name: BOOTSTRAP_CONFIGURED_METRIC,
    help: 'Bootstrap peers configured (distinct peer ids)',
    registers: [registry],
    collect() {
      this.set(ids.size)
    },
  })
  new Gauge({
    name: BOOTSTRAP_CONNECTED_METRIC,
    help: 'Configured bootstrap peers connected now (0 with some configured: cut off from the network)',
    registers: [registry],
    collect() {
      if (node === undefined) return
      const connected = new Set(node.getConnections().map((c) => c.remotePeer.toString()))
      this.set([...ids].filter((id) => connected.has(id)).length)
    },
  })
  return (libp2p) => {
    node = libp2p
  }
}
