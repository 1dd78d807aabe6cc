/** Counters and histograms; Node maps them to Prometheus, the browser and edge keep them in memory. */
export interface MetricsPort {
  increment(name: string, labels?: Record<string, string>, by?: number): void
  observe(name: string, value: number, labels?: Record<string, string>): void
}

export const noopMetrics: MetricsPort = { increment() {}, observe() {} }

function keyOf(name: string, labels: Record<string, string> | undefined): string {
  if (labels === undefined || Object.keys(labels).length === 0) return name
  const parts = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
  return `${name}{${parts.join(',')}}`
}

/** Counters and the last observed value per series, for status pages (`name{label=value}` keys). */
export class MemoryMetrics implements MetricsPort {
  readonly counters = new Map<string, number>()
  readonly observed = new Map<string, { count: number; sum: number }>()

  increment(name: string, labels?: Record<string, string>, by = 1): void {
    const key = keyOf(name, labels)
    this.counters.set(key, (this.counters.get(key) ?? 0) + by)
  }

  observe(name: string, value: number, labels?: Record<string, string>): void {
    const key = keyOf(name, labels)
    const o = this.observed.get(key) ?? { count: 0, sum: 0 }
    o.count++
    o.sum += value
    this.observed.set(key, o)
  }

  get(name: string, labels?: Record<string, string>): number {
    return this.counters.get(keyOf(name, labels)) ?? 0
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counters].sort(([a], [b]) => a.localeCompare(b)))
  }
}
