// The engine's MetricsPort on a prom-client registry: series are created on first use, with the
// label names of that first use (the engine always uses one label set per series).

import type { MetricsPort } from '@wisp/core'
import { Counter, Histogram, type Registry } from 'prom-client'

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
