import type { Registry } from 'prom-client'

/** The value of one series in a registry, e.g. `wisp_p2p_messages_total{topic="task",outcome="reject",reason="malformed"}`. */
export async function seriesValue(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name)
  const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0)
}
