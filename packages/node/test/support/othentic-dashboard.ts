// The Prometheus names Othentic's shipped Grafana dashboard queries (a node lacking one shows a
// blank panel), and a reader of the text exposition format.

export const OTHENTIC_DASHBOARD_NAMES = [
  'process_start_time_seconds',
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_version_info',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_gc_duration_seconds_sum',
  'libp2p_connection_manager_connections',
  'gossipsub_msg_publish_count_total',
  'gossipsub_msg_received_prevalidation_total',
] as const

/** `name{labels} value` lines of a scrape, as [labels, value] */
export function series(body: string, name: string): Array<[string, number]> {
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const value = Number(line.slice(line.lastIndexOf(' ') + 1))
      return [line.slice(name.length, line.lastIndexOf(' ')), value]
    })
}

/** the dashboard names absent from a scrape */
export function missingDashboardNames(body: string): string[] {
  return OTHENTIC_DASHBOARD_NAMES.filter((name) => series(body, name).length === 0)
}

/** Polls `probe` every 100 ms until it gives a value (15 s at most, then throws naming `what`). */
export async function poll<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
