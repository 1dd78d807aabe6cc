/// <reference types="node" />
// The network's metrics as Prometheus series, in a registry of the caller's (never the global one).
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { NetworkStats, P2PMetrics } from '../metrics.js'
import { GOSSIP_KINDS } from '../validation/validate.js'

export interface PrometheusMetrics extends P2PMetrics {
  readonly registry: Registry
}

/**
 * Series (prefix `wisp_p2p_`):
 *  messages_total{topic,outcome,reason}   every validated gossip message (accept/ignore/reject)
 *  validation_seconds{topic,outcome}      time from receipt to verdict, BLS batching included
 *  auth_total{outcome}                    operator / read-only / failed
 *  connections                            open connections
 *  topic_peers{topic}                     peers subscribed to each topic
 *  equivocations_total                    verified votes contradicting the operator's earlier vote
 *  penalty_points_total{reason}           application-specific score points charged to authors
 *  outcome_checks_total{result}           TaskSubmitted chain checks: confirmed/refuted/unknown/cached/busy
 *  disconnects_total{reason}              graylisted peers hung up, banned peers' connections refused
 *  banned_peers                           peers banned right now
 *  penalized_peers                        peers with an application-specific penalty
 */
export function createPrometheusMetrics(
  options: { prefix?: string } = {},
  components: { registry?: Registry } = {},
): PrometheusMetrics {
  const prefix = options.prefix ?? 'wisp_p2p_'
  const registry = components.registry ?? new Registry()
  let stats: NetworkStats | undefined

  const messages = new Counter({
    name: `${prefix}messages_total`,
    help: 'Gossip messages validated, by topic, outcome and reason',
    labelNames: ['topic', 'outcome', 'reason'],
    registers: [registry],
  })
  const validation = new Histogram({
    name: `${prefix}validation_seconds`,
    help: 'Gossip validation latency (decode, registry lookups, signature batches)',
    labelNames: ['topic', 'outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const auth = new Counter({
    name: `${prefix}auth_total`,
    help: 'Operator auth results of connected peers',
    labelNames: ['outcome'],
    registers: [registry],
  })
  const equivocations = new Counter({
    name: `${prefix}equivocations_total`,
    help: 'Verified votes contradicting the same operator’s earlier vote on a task (accepted once)',
    registers: [registry],
  })
  const penaltyPoints = new Counter({
    name: `${prefix}penalty_points_total`,
    help: 'Application-specific score points charged to message authors, by reason',
    labelNames: ['reason'],
    registers: [registry],
  })
  const outcomeChecks = new Counter({
    name: `${prefix}outcome_checks_total`,
    help: 'TaskSubmitted chain checks by result (cached: no RPC call; busy: not checked)',
    labelNames: ['result'],
    registers: [registry],
  })
  const disconnects = new Counter({
    name: `${prefix}disconnects_total`,
    help: 'Connections we closed: peers below the graylist threshold (then banned), banned peers',
    labelNames: ['reason'],
    registers: [registry],
  })
  new Gauge({
    name: `${prefix}banned_peers`,
    help: 'Peers banned right now',
    registers: [registry],
    collect() {
      if (stats !== undefined) this.set(stats.bannedPeers())
    },
  })
  new Gauge({
    name: `${prefix}penalized_peers`,
    help: 'Peers with an application-specific penalty',
    registers: [registry],
    collect() {
      if (stats !== undefined) this.set(stats.penalizedPeers())
    },
  })
  new Gauge({
    name: `${prefix}connections`,
    help: 'Open connections',
    registers: [registry],
    collect() {
      if (stats !== undefined) this.set(stats.connections())
    },
  })
  new Gauge({
    name: `${prefix}topic_peers`,
    help: 'Peers subscribed to each gossip topic',
    labelNames: ['topic'],
    registers: [registry],
    collect() {
      if (stats === undefined) return
      for (const topic of GOSSIP_KINDS) this.set({ topic }, stats.topicPeers(topic))
    },
  })

  return {
    registry,
    messageValidated({ topic, outcome, reason, seconds }) {
      messages.inc({ topic, outcome, reason })
      validation.observe({ topic, outcome }, seconds)
    },
    authCompleted(outcome) {
      auth.inc({ outcome })
    },
    equivocation() {
      equivocations.inc()
    },
    peerPenalized({ reason, points }) {
      penaltyPoints.inc({ reason }, points)
    },
    outcomeChecked(result) {
      outcomeChecks.inc({ result })
    },
    peerDisconnected(reason) {
      disconnects.inc({ reason })
    },
    attach(s) {
      stats = s
    },
  }
}
