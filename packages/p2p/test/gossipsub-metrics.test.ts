// The register gossipsub's own metrics go through (its `metricsRegister` hook) on a prom-client
// registry: what a scrape shows before and after gossipsub counts. The series gossipsub creates on
// a real node are checked by @wisp/node's metrics tests (Othentic's dashboard names).
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { gossipsubMetricsRegister } from '../src/node/index.js'

describe('gossipsubMetricsRegister', () => {
  it('per-topic counters start at 0 for the given topics; others appear when counted', async () => {
    const registry = new Registry()
    const register = gossipsubMetricsRegister(registry, ['ns.p2p.task', 'ns.p2p.attest'])
    const published = register.gauge<{ topic: string }>({
      name: 'gossipsub_msg_publish_count_total',
      help: 'Total count of msg published by topic',
      labelNames: ['topic'],
    })
    // not a counter (no _total): nothing pre-filled
    register.gauge<{ topic: string }>({ name: 'gossipsub_mesh_x', help: 'x', labelNames: ['topic'] })
    published.inc({ topic: 'ns.p2p.task' }, 1)
    published.inc({ topic: 'other' }, 2)
    const text = await registry.metrics()
    expect(text).toContain('# TYPE gossipsub_msg_publish_count_total gauge')
    expect(text).toContain('gossipsub_msg_publish_count_total{topic="ns.p2p.task"} 1')
    expect(text).toContain('gossipsub_msg_publish_count_total{topic="ns.p2p.attest"} 0')
    expect(text).toContain('gossipsub_msg_publish_count_total{topic="other"} 2')
    expect(text).not.toMatch(/^gossipsub_mesh_x\{/m)
  })

  it('scrape hooks run before the first series is read, once per scrape', async () => {
    const registry = new Registry()
    const register = gossipsubMetricsRegister(registry)
    const early = register.gauge({ name: 'gossipsub_cache_size', help: 'registered first' })
    const late = register.gauge({ name: 'gossipsub_mcache_size', help: 'carries the hook' })
    let runs = 0
    late.addCollect(() => {
      runs++
      early.set(runs * 10)
      late.set(runs)
    })
    expect(await registry.metrics()).toMatch(/^gossipsub_cache_size 10$/m)
    expect(runs).toBe(1)
    expect(await registry.metrics()).toMatch(/^gossipsub_cache_size 20$/m)
    expect(runs).toBe(2)
  })

  it('avgMinMax becomes <name>_avg, _min and _max; histograms are histograms', async () => {
    const registry = new Registry()
    const register = gossipsubMetricsRegister(registry)
    register.avgMinMax({ name: 'gossipsub_score', help: 'scores' }).set([1, -3, 8])
    register
      .histogram({ name: 'gossipsub_heartbeat_duration_seconds', help: 'h', buckets: [0.1, 1] })
      .observe(0.5)
    const text = await registry.metrics()
    expect(text).toMatch(/^gossipsub_score_avg 2$/m)
    expect(text).toMatch(/^gossipsub_score_min -3$/m)
    expect(text).toMatch(/^gossipsub_score_max 8$/m)
    expect(text).toMatch(/^gossipsub_heartbeat_duration_seconds_bucket\{le="1"\} 1$/m)
  })

  it('one gossipsub per registry: a second register is P2P_INVALID_OPTIONS, not a late name clash', () => {
    const registry = new Registry()
    gossipsubMetricsRegister(registry).gauge({ name: 'gossipsub_protocol', help: 'p' })
    expect(() => gossipsubMetricsRegister(registry)).toThrow(
      expect.objectContaining({
        code: 'P2P_INVALID_OPTIONS',
        message: expect.stringMatching(/own PrometheusMetrics/),
      }),
    )
  })
})
