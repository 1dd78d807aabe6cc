// Othentic's Grafana dashboard queries these names; a node lacking one shows a blank panel. A real
// Node peer and relay over WebSocket on loopback exchange a gossip message each way, then
// `/metrics` is scraped over HTTP; then the same scrape of a whole Node operator (startWispNode
// with `metrics`) on anvil with Othentic-shaped contracts. The gossipsub_* series are gossipsub's
// own (its metricsRegister), so the relay's copies of a message count as gossipsub counts them.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ANVIL_DEV_KEYS, type Anvil, deployOthenticShapedNetwork, startAnvil } from '@wisp/contracts/dev'
import { parseOperatorConfig } from '@wisp/operator'
import {
  createNodePeer,
  createPrometheusMetrics,
  createRelay,
  GOSSIP_KINDS,
  startMetricsServer,
  type WispNetwork,
} from '@wisp/p2p/node'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConsoleLogger, keysFromEcdsa, startWispNode, type WispNode } from '../src/index.js'
import { collectProcessMetrics, exportLibp2pMetrics } from '../src/metrics.js'
import { missingDashboardNames, poll, series } from './support/othentic-dashboard.js'

/**
 * prom-client observes GC asynchronously: make garbage until a collection has been reported (none
 * in time: the last scrape is returned, so the failure names what is missing).
 */
async function scrapeAfterGc(url: string): Promise<string> {
  const scrape = async () => (await fetch(url)).text()
  return poll('a GC observation', async () => {
    const garbage: number[][] = []
    for (let i = 0; i < 20_000; i++) garbage.push(new Array(64).fill(i))
    garbage.length = 0
    const text = await scrape()
    return series(text, 'nodejs_gc_duration_seconds_sum').length > 0 ? text : undefined
  }).catch(scrape)
}

let relay: WispNetwork
let peer: WispNetwork
let server: Awaited<ReturnType<typeof startMetricsServer>>

beforeAll(async () => {
  relay = await createRelay({ listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
  const registry = new Registry()
  // gossipsub counts into the registry itself: the network's metrics hand it a register
  peer = await createNodePeer({ bootstrap: [] }, { metrics: createPrometheusMetrics({}, { registry }) })
  collectProcessMetrics(registry)
  collectProcessMetrics(registry) // a second call must not throw (duplicate registration)
  exportLibp2pMetrics(registry, peer)
  server = await startMetricsServer({ port: 0 }, { registry })
  await peer.dial(relay.getMultiaddrs()[0]!)
  // gossip flows once each side has the other in its mesh (grafted on a heartbeat)
  await poll('mesh', () =>
    GOSSIP_KINDS.every(
      (k) => relay.meshPeers(k).includes(peer.peerId) && peer.meshPeers(k).includes(relay.peerId),
    )
      ? true
      : undefined,
  )
}, 60_000)

afterAll(async () => {
  await server?.close()
  await peer?.stop()
  await relay?.stop()
})

describe("metrics under Othentic's dashboard names", () => {
  it('a scrape has every name, the gossip ones counting per topic', async () => {
    const topic = peer.topics.customMessage
    const received = new Promise((resolve) => peer.onMessage('customMessage', resolve))
    expect((await peer.publish('customMessage', { data: '0xc0ffee' })).recipients).toBe(1)
    await relay.publish('customMessage', { data: '0xbeef' })
    await received
    const body = await scrapeAfterGc(server.url)

    expect(missingDashboardNames(body)).toEqual([])
    expect(series(body, 'gossipsub_msg_publish_count_total')).toContainEqual([`{topic="${topic}"}`, 1])
    expect(series(body, 'gossipsub_msg_received_prevalidation_total')).toContainEqual([
      `{topic="${topic}"}`,
      1,
    ])
    // the other topics are there at 0, so their panels show 0 rather than "no data"
    expect(series(body, 'gossipsub_msg_publish_count_total')).toContainEqual([
      `{topic="${peer.topics.attestation}"}`,
      0,
    ])
    // the peer dialled the relay: one outbound connection, labelled as libp2p's metric group is
    expect(series(body, 'libp2p_connection_manager_connections')).toEqual([
      ['{libp2p_connection_manager_connections="inbound"}', 0],
      ['{libp2p_connection_manager_connections="outbound"}', 1],
    ])
  }, 60_000)
})

describe('a Node operator (startWispNode) with metrics', () => {
  let anvil: Anvil | undefined
  let node: WispNode | undefined
  let dataDir: string | undefined
  afterAll(async () => {
    await node?.stop()
    await anvil?.stop()
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
  })

  it('serves every name on its /metrics, gossip it sends and receives counted', async () => {
    anvil = await startAnvil()
    const key = ANVIL_DEV_KEYS[1]!
    const net = await deployOthenticShapedNetwork({
      rpcUrl: anvil.rpcUrl,
      eventVersion: 2,
      operators: [{ ecdsaKey: key, votingPower: 10n ** 18n }],
      taskDefinitions: [{ name: 'hash-chain' }],
    })
    dataDir = mkdtempSync(join(tmpdir(), 'wisp-metrics-'))
    const operator = parseOperatorConfig({
      version: 1,
      network: { name: 'metrics', kind: 'local' },
      chain: {
        rpcUrl: anvil.rpcUrl,
        chainId: net.chainId,
        attestationCenter: net.contracts.attestationCenter,
        backend: 'othentic',
        fromBlock: Number(net.startBlock),
        pollingIntervalMs: 250,
      },
      p2p: { bootstrap: relay.getMultiaddrs() },
      roles: ['attester'],
      plugins: [{ package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 5 } }],
      metrics: { port: 0 },
      dataDir,
    })
    node = await startWispNode(
      { name: 'attester', keys: keysFromEcdsa(key), operator, verifierWorkers: 0 },
      { logger: createConsoleLogger({ level: 'error', write: () => undefined }) },
    )
    const network = node.network
    await poll('mesh with the relay', () =>
      GOSSIP_KINDS.every((k) => relay.meshPeers(k).includes(network.peerId)) ? true : undefined,
    )
    await network.publish('customMessage', { data: '0x01' })
    await relay.publish('customMessage', { data: '0x02' })
    const topic = network.topics.customMessage
    const body = await poll("the relay's message counted", async () => {
      const text = await scrapeAfterGc(node!.metrics!.url)
      return series(text, 'gossipsub_msg_received_prevalidation_total').some(
        ([l, v]) => l === `{topic="${topic}"}` && v >= 1,
      )
        ? text
        : undefined
    })
    expect(missingDashboardNames(body)).toEqual([])
    expect(series(body, 'gossipsub_msg_publish_count_total')).toContainEqual([`{topic="${topic}"}`, 1])
    // Wisp's own series stay beside Othentic's names
    expect(series(body, 'wisp_p2p_messages_total').length).toBeGreaterThan(0)
  }, 120_000)
})
