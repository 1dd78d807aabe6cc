/// <reference types="node" />
// The network's metrics as Prometheus series, in a registry of the caller's (never the global one).
import type { MetricsRegister } from '@libp2p/gossipsub/metrics'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { P2PError } from '../errors.js'
import type { NetworkStats, P2PMetrics } from '../metrics.js'
import { GOSSIP_KINDS } from '../validation/validate.js'

export interface PrometheusMetrics extends P2PMetrics {
  readonly registry: Registry
  gossipsubRegister(topics: readonly string[]): MetricsRegister
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
 *  connection_repairs_total{kind}         connections identified again or handed back to gossipsub,
 *                                         and peers gossipsub dropped on a read error
 *  banned_peers                           peers banned right now
 *  penalized_peers                        peers with an application-specific penalty
 * and gossipsub's own `gossipsub_*` series in the same registry (see {@link gossipsubMetricsRegister}).
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
  const repairs = new Counter({
    name: `${prefix}connection_repairs_total`,
    help: 'Open connections identified again (identify) or handed back to gossipsub (gossip_hand_back); peers gossipsub dropped when reading their stream failed (gossip_read_error)',
    labelNames: ['kind'],
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
    gossipsubRegister: (topics) => gossipsubMetricsRegister(registry, topics),
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
    connectionRepair(kind) {
      repairs.inc({ kind })
    },
    attach(s) {
      stats = s
    },
  }
}

type AnyLabels = Record<string, string | number>
type CollectFn = (gauge: unknown) => void

/**
 * gossipsub's `metricsRegister` on a prom-client registry: gossipsub creates its own series
 * (`gossipsub_msg_publish_count_total{topic}`, `gossipsub_msg_received_prevalidation_total{topic}`,
 * mesh, score, RPC and cache series — ~90 names) and counts them where it publishes and receives.
 * It counts with gauges (hence names ending in `_total` typed `gauge`). Its "avgMinMax" series
 * become three gauges `<name>_avg`, `_min`, `_max`. A registry takes one gossipsub: the names
 * would collide.
 *
 * `topics`: the labels of per-topic counters that start at 0, so a dashboard panel shows 0 rather
 * than "no data" before the first message.
 */
export function gossipsubMetricsRegister(
  registry: Registry,
  topics: readonly string[] = [],
): MetricsRegister {
  if (registry.getSingleMetric('gossipsub_protocol') !== undefined) {
    throw new P2PError(
      'P2P_INVALID_OPTIONS',
      'this registry already holds a gossipsub node’s series: give each node its own PrometheusMetrics',
    )
  }
  // gossipsub refreshes its scrape-time gauges (cache sizes, scores) from one collect hook on a
  // series registered late: run the hooks once per scrape, before the first series is read, so
  // no gauge shows the previous scrape's value.
  const collects: CollectFn[] = []
  let collected = false
  const collectOnce = () => {
    if (collected) return
    collected = true
    queueMicrotask(() => {
      collected = false
    })
    for (const fn of collects) fn(undefined)
  }
  const gauge = (config: { name: string; help: string; labelNames?: readonly string[] }) => {
    const labelNames = [...(config.labelNames ?? [])]
    const g = new Gauge({
      name: config.name,
      help: config.help,
      labelNames,
      registers: [registry],
      collect: collectOnce,
    })
    if (labelNames.length === 1 && labelNames[0] === 'topic' && config.name.endsWith('_total')) {
      for (const topic of topics) g.inc({ topic }, 0)
    }
    return Object.assign(g, {
      addCollect(fn: CollectFn) {
        collects.push(fn)
      },
    })
  }
  const register = {
    gauge,
    histogram(config: { name: string; help: string; labelNames?: readonly string[]; buckets?: number[] }) {
      return new Histogram({
        name: config.name,
        help: config.help,
        labelNames: [...(config.labelNames ?? [])],
        ...(config.buckets ? { buckets: config.buckets } : {}),
        registers: [registry],
        collect: collectOnce,
      })
    },
    avgMinMax(config: { name: string; help: string; labelNames?: readonly string[] }) {
      const stat = (suffix: 'avg' | 'min' | 'max') =>
        gauge({ ...config, name: `${config.name}_${suffix}`, help: `${config.help} (${suffix})` })
      const avg = stat('avg')
      const min = stat('min')
      const max = stat('max')
      return {
        set(...args: [number[]] | [AnyLabels, number[]]) {
          const [labels, values] = args.length === 1 ? [{}, args[0]] : args
          if (values.length === 0) return
          let sum = 0
          let lo = Number.POSITIVE_INFINITY
          let hi = Number.NEGATIVE_INFINITY
          for (const v of values) {
            sum += v
            if (v < lo) lo = v
            if (v > hi) hi = v
          }
          avg.set(labels, sum / values.length)
          min.set(labels, lo)
          max.set(labels, hi)
        },
      }
    },
  }
  // the generic signatures of gossipsub's interface are structural over label records
  return register as unknown as MetricsRegister
}
