/// <reference types="node" />
// Cost of gossipsub's own metrics (its metricsRegister on a prom-client registry): a relay and
// two Node peers over WebSocket in this process; one peer publishes custom messages to the other,
// with and without a PrometheusMetrics, and the registry is scraped. Prints one JSON document.
//   node --conditions=@wisp/source --import tsx bench/metrics.ts [--quick]
import {
  createNodePeer,
  createPrometheusMetrics,
  createRelay,
  GOSSIP_KINDS,
  type WispNetwork,
} from '../src/node/index.js'

const QUICK = process.argv.includes('--quick')
const MESSAGES = QUICK ? 300 : 2_000
const SCRAPES = QUICK ? 20 : 100

async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

// the custom-message budget (10 per 10 s by default) raised so that gossip, not the limiter, is measured
const customMessages = { perPeer: { messages: 1_000_000, intervalMs: 1_000 } }

async function run(withMetrics: boolean) {
  const topicNamespace = `bench-metrics-${withMetrics}`
  const common = { topicNamespace, customMessages }
  const relay = await createRelay({ ...common, listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
  const bootstrap = relay.getMultiaddrs()
  const metrics = withMetrics ? createPrometheusMetrics() : undefined
  const sender = await createNodePeer({ ...common, bootstrap }, metrics ? { metrics } : {})
  const receiver: WispNetwork = await createNodePeer({ ...common, bootstrap })
  await until(
    () => [sender, receiver].every((p) => GOSSIP_KINDS.every((k) => relay.meshPeers(k).includes(p.peerId))),
    'mesh',
  )
  let received = 0
  receiver.onMessage('customMessage', () => received++)
  const started = performance.now()
  for (let i = 0; i < MESSAGES; i++) {
    await sender.publish('customMessage', { data: `0x${i.toString(16).padStart(8, '0')}` })
  }
  await until(() => received === MESSAGES, 'every message delivered')
  const seconds = (performance.now() - started) / 1000
  let scrape: { medianMs: number; bytes: number; series: number } | undefined
  if (metrics) {
    const times: number[] = []
    let text = ''
    for (let i = 0; i < SCRAPES; i++) {
      const t = performance.now()
      text = await metrics.registry.metrics()
      times.push(performance.now() - t)
    }
    scrape = {
      medianMs: Number(median(times).toFixed(3)),
      bytes: text.length,
      series: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
    }
  }
  await Promise.all([sender.stop(), receiver.stop()])
  await relay.stop()
  return { messagesPerSecond: Math.round(MESSAGES / seconds), ...(scrape ? { scrape } : {}) }
}

// a warm-up run (JIT, sockets) first, then alternating rounds: throughput on loopback is noisy
await run(false)
const rounds = QUICK ? 1 : 3
const plain: number[] = []
const counted: number[] = []
let scrape: Awaited<ReturnType<typeof run>>['scrape']
for (let i = 0; i < rounds; i++) {
  plain.push((await run(false)).messagesPerSecond)
  const r = await run(true)
  counted.push(r.messagesPerSecond)
  scrape = r.scrape
}
const without = { messagesPerSecond: median(plain) }
const withMetrics = { messagesPerSecond: median(counted), scrape }
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'p2p gossipsub metrics',
      messages: MESSAGES,
      withoutMetrics: without,
      withMetrics,
      throughputRatio: Number((withMetrics.messagesPerSecond / without.messagesPerSecond).toFixed(3)),
    },
    null,
    2,
  )}\n`,
)
process.exit(0)
