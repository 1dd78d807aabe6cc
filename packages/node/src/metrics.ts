// The engine's MetricsPort on a prom-client registry: series are created on first use, with the
// label names of that first use (the engine always uses one label set per series). Beside it:
// the process and libp2p series Othentic's dashboard queries, and the push to a Pushgateway.

import type { MetricsPort } from '@wisp/core'
import type { WispNetwork } from '@wisp/p2p'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Pushgateway, type Registry } from 'prom-client'
import type { NodeLogger } from './logger.js'

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30]

export function prometheusMetricsPort(registry: Registry): MetricsPort {
  const counters = new Map<string, { metric: Counter; labels: string[] }>()
  const histograms = new Map<string, { metric: Histogram; labels: string[] }>()
  const pick = (names: string[], labels: Record<string, string> = {}) =>
    Object.fromEntries(names.map((n) => [n, labels[n] ?? 'none']))
  return {
    increment(name, labels = {}, by = 1) {
      let entry = counters.get(name)
      if (entry === undefined) {
        const labelNames = Object.keys(labels).sort()
        entry = {
          metric: new Counter({ name, help: `Wisp engine: ${name}`, labelNames, registers: [registry] }),
          labels: labelNames,
        }
        counters.set(name, entry)
      }
      entry.metric.inc(pick(entry.labels, labels), by)
    },
    observe(name, value, labels = {}) {
      let entry = histograms.get(name)
      if (entry === undefined) {
        const labelNames = Object.keys(labels).sort()
        entry = {
          metric: new Histogram({
            name,
            help: `Wisp engine: ${name}`,
            labelNames,
            buckets: SECONDS_BUCKETS,
            registers: [registry],
          }),
          labels: labelNames,
        }
        histograms.set(name, entry)
      }
      entry.metric.observe(pick(entry.labels, labels), value)
    },
  }
}

/**
 * prom-client's default process and Node.js series (`process_cpu_seconds_total`,
 * `nodejs_heap_size_used_bytes`, `nodejs_eventloop_lag_p99_seconds`, …): Othentic's Grafana
 * dashboard reads them. Once per registry: registering them twice throws.
 */
export function collectProcessMetrics(registry: Registry): void {
  if (registry.getSingleMetric('process_start_time_seconds') !== undefined) return
  collectDefaultMetrics({ register: registry })
}

/**
 * libp2p's connection count under its own name and labels, read from a Wisp network:
 *  libp2p_connection_manager_connections{libp2p_connection_manager_connections=inbound|outbound}
 * Othentic's dashboard queries it. libp2p reports it only through its `metrics` component, which
 * also wraps every stream to count bytes and adds ~100 series: this one gauge is read from the
 * connection list at scrape time instead. (gossipsub's series — `gossipsub_msg_publish_count_total`,
 * `gossipsub_msg_received_prevalidation_total`, … — are gossipsub's own: the network's
 * PrometheusMetrics hands gossipsub a register, see @wisp/p2p's `gossipsubMetricsRegister`.)
 * Once per registry.
 */
export function exportLibp2pMetrics(registry: Registry, network: WispNetwork): void {
  const { libp2p } = network
  // libp2p's connection manager reports a metric group: the label is named after the metric
  new Gauge({
    name: 'libp2p_connection_manager_connections',
    help: 'Open connections by direction',
    labelNames: ['libp2p_connection_manager_connections'],
    registers: [registry],
    collect() {
      const count = { inbound: 0, outbound: 0 }
      for (const connection of libp2p.getConnections()) count[connection.direction]++
      for (const [direction, n] of Object.entries(count))
        this.set({ libp2p_connection_manager_connections: direction }, n)
    },
  })
}

export interface MetricsPushOptions {
  /** the Pushgateway's base URL (Othentic's `--metrics.export-url`) */
  url: string
  /** Pushgateway job label, e.g. `wisp_attester` */
  jobName: string
  /** Pushgateway grouping labels beyond the job, e.g. `{ instance: <operator address> }` */
  groupings: Record<string, string>
  /** time between pushes (default 15 s, Prometheus' usual scrape interval) */
  intervalMs?: number
  /** one push gives up after this long (default 10 s) */
  timeoutMs?: number
  /** at most one warning about failed pushes per this long (default 60 s) */
  warnEveryMs?: number
}

export interface MetricsPusher {
  /** Pushes now; resolves to whether the Pushgateway took it (a failure is logged, never thrown). */
  push(): Promise<boolean>
  /** Stops the periodic push, then pushes once more (the final figures). */
  stop(): Promise<void>
}

export const DEFAULT_METRICS_PUSH = Object.freeze({
  intervalMs: 15_000,
  timeoutMs: 10_000,
  warnEveryMs: 60_000,
})

/**
 * Pushes a registry to a Prometheus Pushgateway (PUT: the group's series are replaced, so a
 * series that vanished does not linger) every `intervalMs` and once on stop. A Pushgateway that is
 * down costs a warning — the first at once, then one per `warnEveryMs` with the count — and an
 * info when pushes work again: the node never stops for it.
 */
export function startMetricsPush(
  options: MetricsPushOptions,
  components: { registry: Registry; logger: NodeLogger; now?: () => number },
): MetricsPusher {
  const intervalMs = options.intervalMs ?? DEFAULT_METRICS_PUSH.intervalMs
  const warnEveryMs = options.warnEveryMs ?? DEFAULT_METRICS_PUSH.warnEveryMs
  const now = components.now ?? Date.now
  const { logger } = components
  const gateway = new Pushgateway(
    options.url,
    { timeout: options.timeoutMs ?? DEFAULT_METRICS_PUSH.timeoutMs },
    components.registry,
  )
  let failures = 0
  let unreported = 0
  let lastWarning = Number.NEGATIVE_INFINITY
  let timer: NodeJS.Timeout | undefined
  let inFlight: Promise<boolean> | undefined
  let stopped = false

  const pushOnce = async (): Promise<boolean> => {
    try {
      await gateway.push({ jobName: options.jobName, groupings: options.groupings })
      if (failures > 0) {
        logger.info('metrics push works again', { url: options.url, failedPushes: failures })
      }
      failures = 0
      unreported = 0
      return true
    } catch (err) {
      failures++
      unreported++
      if (now() - lastWarning >= warnEveryMs) {
        // the Pushgateway's error body can be long: its first line says enough
        const why = (err as Error).message.split('\n')[0]!.slice(0, 200)
        logger.warn(`metrics push to ${options.url} failed: ${why}`, {
          job: options.jobName,
          failedPushes: unreported,
        })
        lastWarning = now()
        unreported = 0
      }
      return false
    }
  }
  const push = (): Promise<boolean> => {
    // one push at a time: a slow Pushgateway must not pile requests up
    inFlight ??= pushOnce().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }
  const schedule = () => {
    timer = setTimeout(() => {
      void push().finally(() => {
        if (!stopped) schedule()
      })
    }, intervalMs)
    timer.unref()
  }
  schedule()
  return {
    push,
    async stop() {
      if (stopped) return
      stopped = true
      clearTimeout(timer)
      await inFlight
      await push()
    },
  }
}
