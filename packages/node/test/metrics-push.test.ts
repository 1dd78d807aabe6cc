// Pushgateway export (Othentic's --metrics.export-url): a real HTTP server stands in for the
// Pushgateway (it takes PUT /metrics/job/<job>/<label>/<value> with the text format). The pusher
// alone — periodic pushes, the push on stop, a Pushgateway that fails and recovers — then a whole
// Node operator on anvil that pushes without serving a metrics port.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ANVIL_DEV_KEYS, type Anvil, deployOthenticShapedNetwork, startAnvil } from '@wisp/contracts/dev'
import { parseOperatorConfig } from '@wisp/operator'
import { createNodePeer, createPrometheusMetrics, createRelay, type WispNetwork } from '@wisp/p2p/node'
import { Registry } from 'prom-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createConsoleLogger, keysFromEcdsa, startWispNode, type WispNode } from '../src/index.js'
import { collectProcessMetrics, exportLibp2pMetrics, startMetricsPush } from '../src/metrics.js'
import { missingDashboardNames, poll, series } from './support/othentic-dashboard.js'

interface Push {
  method: string
  path: string
  body: string
}

/** Records every request; answers `status` (settable). */
async function startGateway(): Promise<{
  url: string
  pushes: Push[]
  status: number
  close(): Promise<void>
}> {
  const state = { pushes: [] as Push[], status: 200 }
  const server: Server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      state.pushes.push({ method: req.method ?? '', path: req.url ?? '', body })
      res.writeHead(state.status).end(state.status === 200 ? '' : 'gateway says no')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  })
}

function capture() {
  const lines: string[] = []
  return { lines, logger: createConsoleLogger({ level: 'debug', write: (l) => lines.push(l) }) }
}

let gateway: Awaited<ReturnType<typeof startGateway>>
let relay: WispNetwork
let peer: WispNetwork
const registry = new Registry()

beforeAll(async () => {
  gateway = await startGateway()
  relay = await createRelay({ listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
  peer = await createNodePeer(
    { bootstrap: relay.getMultiaddrs() },
    { metrics: createPrometheusMetrics({}, { registry }) },
  )
  collectProcessMetrics(registry)
  exportLibp2pMetrics(registry, peer)
}, 60_000)

afterAll(async () => {
  await peer?.stop()
  await relay?.stop()
  await gateway?.close()
})

afterEach(() => {
  gateway.pushes.length = 0
  gateway.status = 200
})

describe('startMetricsPush', () => {
  it('PUTs the registry under job and instance periodically, and once more on stop', async () => {
    const { logger, lines } = capture()
    const pusher = startMetricsPush(
      { url: gateway.url, jobName: 'wisp_attester', groupings: { instance: '0xabc' }, intervalMs: 50 },
      { registry, logger },
    )
    await poll('two periodic pushes', () => (gateway.pushes.length >= 2 ? true : undefined))
    const first = gateway.pushes[0]!
    expect(first.method).toBe('PUT')
    expect(first.path).toBe('/metrics/job/wisp_attester/instance/0xabc')
    // the dashboard's names (the GC histogram appears after a collection; not asserted here)
    expect(missingDashboardNames(first.body).filter((n) => !n.startsWith('nodejs_gc_'))).toEqual([])
    expect(first.body).toContain('wisp_p2p_messages_total')

    await pusher.stop()
    const afterStop = gateway.pushes.length
    expect(gateway.pushes.at(-1)!.method).toBe('PUT')
    await pusher.stop() // idempotent: no further push
    // no timer left: nothing arrives after stop (a periodic push would come within 50 ms)
    await new Promise((r) => setTimeout(r, 200))
    expect(gateway.pushes.length).toBe(afterStop)
    expect(lines.filter((l) => l.includes('WARN'))).toEqual([])
  })

  it('the push on stop happens even before the first periodic one', async () => {
    const pusher = startMetricsPush(
      {
        url: `${gateway.url}/`,
        jobName: 'wisp_aggregator',
        groupings: { instance: 'x' },
        intervalMs: 3_600_000,
      },
      { registry, logger: capture().logger },
    )
    expect(gateway.pushes).toEqual([])
    await pusher.stop()
    expect(gateway.pushes.map((p) => `${p.method} ${p.path}`)).toEqual([
      'PUT /metrics/job/wisp_aggregator/instance/x',
    ])
  })

  it('a failing Pushgateway is a rate-limited warning naming the URL and status, then an info when it recovers', async () => {
    const { logger, lines } = capture()
    gateway.status = 500
    const pusher = startMetricsPush(
      {
        url: gateway.url,
        jobName: 'wisp_attester',
        groupings: { instance: 'y' },
        intervalMs: 20,
        warnEveryMs: 3_600_000,
      },
      { registry, logger },
    )
    await poll('five failed pushes', () => (gateway.pushes.length >= 5 ? true : undefined))
    const warnings = lines.filter((l) => l.includes('WARN'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`metrics push to ${gateway.url} failed: push failed with status 500`)
    gateway.status = 200
    await poll('the recovery logged', () =>
      lines.some((l) => l.includes('metrics push works again')) ? true : undefined,
    )
    expect(lines.find((l) => l.includes('works again'))).toMatch(/INFO .*failedPushes=\d+/)
    await pusher.stop()
  })

  it('an unreachable Pushgateway never throws, not even on stop', async () => {
    const { logger, lines } = capture()
    const pusher = startMetricsPush(
      {
        url: 'http://127.0.0.1:1',
        jobName: 'wisp_attester',
        groupings: { instance: 'z' },
        intervalMs: 3_600_000,
      },
      { registry, logger },
    )
    expect(await pusher.push()).toBe(false)
    await expect(pusher.stop()).resolves.toBeUndefined()
    expect(lines.filter((l) => l.includes('WARN'))).toEqual([
      expect.stringMatching(/metrics push to http:\/\/127\.0\.0\.1:1 failed: .*ECONNREFUSED/),
    ])
  })
})

describe('metrics.exportUrl in the operator config', () => {
  const base = {
    version: 1,
    network: { name: 'cfg', kind: 'local' },
    chain: { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, attestationCenter: `0x${'11'.repeat(20)}` },
    p2p: { bootstrap: [] },
  }
  it('an invalid URL or interval is OPERATOR_INVALID_CONFIG naming the field', () => {
    for (const [metrics, path] of [
      [{ exportUrl: 'pushgateway:9091' }, 'config.metrics.exportUrl'],
      [{ exportUrl: 'ftp://gw:9091' }, 'config.metrics.exportUrl'],
      [{ exportUrl: 'http://gw:9091', exportIntervalMs: 5 }, 'config.metrics.exportIntervalMs'],
      [{ host: '0.0.0.0' }, 'config.metrics'],
    ] as const) {
      expect(() => parseOperatorConfig({ ...base, metrics })).toThrow(
        expect.objectContaining({
          code: 'OPERATOR_INVALID_CONFIG',
          message: expect.stringMatching(`^${path}: `),
        }),
      )
    }
  })
  it('exportUrl alone is valid: pushed, no port served', () => {
    expect(parseOperatorConfig({ ...base, metrics: { exportUrl: 'http://gw:9091' } }).metrics).toEqual({
      host: '127.0.0.1',
      exportUrl: 'http://gw:9091',
    })
  })
})

describe('a Node operator with metrics.exportUrl and no metrics port', () => {
  let anvil: Anvil | undefined
  let node: WispNode | undefined
  let dataDir: string | undefined
  afterAll(async () => {
    await node?.stop()
    await anvil?.stop()
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
  })

  it('pushes every dashboard name as wisp_<role>/<address>, serves no port, pushes once more on stop', async () => {
    anvil = await startAnvil()
    const key = ANVIL_DEV_KEYS[1]!
    const net = await deployOthenticShapedNetwork({
      rpcUrl: anvil.rpcUrl,
      eventVersion: 2,
      operators: [{ ecdsaKey: key, votingPower: 10n ** 18n }],
      taskDefinitions: [{ name: 'hash-chain' }],
    })
    dataDir = mkdtempSync(join(tmpdir(), 'wisp-push-'))
    const operator = parseOperatorConfig({
      version: 1,
      network: { name: 'push', kind: 'local' },
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
      metrics: { exportUrl: gateway.url, exportIntervalMs: 100 },
      dataDir,
    })
    const { logger } = capture()
    node = await startWispNode(
      { name: 'attester', keys: keysFromEcdsa(key), operator, verifierWorkers: 0 },
      { logger },
    )
    expect(node.metrics).toBeUndefined()
    const path = `/metrics/job/wisp_attester/instance/${node.address.toLowerCase()}`
    // prom-client reports GC after a collection: make garbage until a push carries it
    const body = await poll('a push with every dashboard name', () => {
      const garbage: number[][] = []
      for (let i = 0; i < 20_000; i++) garbage.push(new Array(64).fill(i))
      const last = gateway.pushes.filter((p) => p.path === path).at(-1)
      return last !== undefined && missingDashboardNames(last.body).length === 0 ? last.body : undefined
    }).catch(() => gateway.pushes.at(-1)?.body ?? '')
    expect(missingDashboardNames(body)).toEqual([])
    expect(body).toContain('wisp_p2p_messages_total')

    // connected to the relay while running …
    await poll('a push while connected', () =>
      series(gateway.pushes.at(-1)?.body ?? '', 'libp2p_connection_manager_connections').some(
        ([l, v]) => l.includes('outbound') && v === 1,
      )
        ? true
        : undefined,
    )
    const before = gateway.pushes.length
    await node.stop()
    node = undefined
    // … and the push on stop comes after the operator stopped: its final figures, no connection
    expect(gateway.pushes.length).toBeGreaterThan(before)
    const last = gateway.pushes.at(-1)!
    expect(last.path).toBe(path)
    expect(series(last.body, 'libp2p_connection_manager_connections')).toEqual([
      ['{libp2p_connection_manager_connections="inbound"}', 0],
      ['{libp2p_connection_manager_connections="outbound"}', 0],
    ])
  })
})
