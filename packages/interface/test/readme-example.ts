import { MemoryMetrics, type MetricsPort, silentLogger } from '@wisp/interface'

const metrics: MetricsPort = new MemoryMetrics()
metrics.increment('wisp_votes_total', { verdict: 'approve' })
silentLogger.child('engine').info('nothing is printed')
console.log((metrics as MemoryMetrics).toJSON()) // { 'wisp_votes_total{verdict=approve}': 1 }
