// A Node peer as its network's bootstrap node over TCP, as Othentic's aggregator is: peers given
// only its `/ip4/…/tcp/N/p2p/…` address gossip with each other through it, beside a WebSocket peer.
// And a node that reaches none of its bootstrap peers says so: one warning per state change naming
// each address and its dial error, and the `wisp_p2p_bootstrap_peers_connected` gauge at 0.
// Real libp2p over loopback.
import { type BlsVerifier, createInlineVerifier } from '@wisp/bls'
import { freePort } from '@wisp/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEdgePeer } from '../src/edge/index.js'
import {
  BOOTSTRAP_CONFIGURED_METRIC,
  BOOTSTRAP_CONNECTED_METRIC,
  createNodePeer,
  createPrometheusMetrics,
  GOSSIP_KINDS,
  type Logger,
  type PartialNetworkOptions,
  type PrometheusMetrics,
  peerIdFromSeed,
  type WispNetwork,
} from '../src/node/index.js'
import { waitForMesh } from './support/cluster.js'
import {
  DEPLOYMENT,
  definitions,
  directoryOf,
  makeAttestation,
  makeOperators,
  makeTask,
} from './support/fixtures.js'
import { nextMessage, waitFor } from './support/wait.js'

const operators = makeOperators(3)
const [op1, op2] = operators as [(typeof operators)[0], (typeof operators)[0]]
const common: PartialNetworkOptions = { deployments: [DEPLOYMENT], topicNamespace: 'wisp-tcp-bootstrap' }
const HUB_SEED = `0x${'7c'.repeat(32)}`
const CIRCUIT_HOP = '/libp2p/circuit/relay/0.2.0/hop'

function recordingLogger() {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = []
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, fields })
    }
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  }
  const warnings = () => lines.filter((l) => l.level === 'warn' && l.message.startsWith('no bootstrap peer'))
  const recoveries = () => lines.filter((l) => l.message === 'bootstrap peer reachable again')
  return { logger, lines, warnings, recoveries }
}

/** A gauge's value as scraped from the registry. */
async function gauge(metrics: PrometheusMetrics, name: string): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name)
  const value = await metric?.get()
  return value?.values[0]?.value
}

let verifier: BlsVerifier
const started: WispNetwork[] = []
const track = <T extends WispNetwork>(n: T): T => {
  started.push(n)
  return n
}
beforeAll(() => {
  verifier = createInlineVerifier()
})
afterEach(async () => {
  await Promise.all(started.splice(0).map((n) => n.stop()))
})
afterAll(async () => {
  await verifier?.close()
})

const components = (extra: Record<string, unknown> = {}) => ({
  verifier,
  directory: directoryOf(operators),
  definitions: definitions(),
  ...extra,
})

const startHub = (tcpPort: number, wsPort?: number) =>
  createNodePeer(
    {
      ...common,
      seed: HUB_SEED,
      bootstrapNode: true,
      listen: [
        `/ip4/127.0.0.1/tcp/${tcpPort}`,
        ...(wsPort !== undefined ? [`/ip4/127.0.0.1/tcp/${wsPort}/ws`] : []),
      ],
    },
    components(),
  )

describe('a Node peer as the bootstrap node, over TCP', () => {
  it('peers given only its TCP multiaddr gossip through it; a WebSocket peer joins the same mesh', async () => {
    const [tcpPort, wsPort] = [await freePort(), await freePort()]
    const hubId = await peerIdFromSeed(HUB_SEED)
    const hub = track(await startHub(tcpPort, wsPort))
    const tcpAddress = `/ip4/127.0.0.1/tcp/${tcpPort}/p2p/${hubId}`
    const wsAddress = `/ip4/127.0.0.1/tcp/${wsPort}/ws/p2p/${hubId}`
    expect(hub.getMultiaddrs()).toEqual(expect.arrayContaining([tcpAddress, wsAddress]))
    // what the relay runs for others: the circuit relay server
    expect(hub.libp2p.getProtocols()).toContain(CIRCUIT_HOP)

    // nobody dials by hand: each peer only has the hub in its bootstrap list
    const a = track(await createNodePeer({ ...common, bootstrap: [tcpAddress] }, components()))
    const b = track(await createNodePeer({ ...common, bootstrap: [tcpAddress] }, components()))
    const c = track(await createNodePeer({ ...common, bootstrap: [wsAddress] }, components()))
    await Promise.all([a, b, c].map((p) => waitForMesh(hub, p)))
    const remoteOf = (p: WispNetwork) => p.connections().find((x) => x.peerId === hubId)!.remoteAddr
    expect(remoteOf(a)).toBe(tcpAddress)
    expect(remoteOf(b)).toBe(tcpAddress)
    expect(remoteOf(c)).toBe(wsAddress)
    // the leaves know each other only through the hub
    expect(a.connections().map((x) => x.peerId)).not.toContain(b.peerId)

    const task = await makeTask(op1, { proofOfTask: 'ipfs://over-tcp' })
    const atB = nextMessage(b, 'task', (r) => r.message.proofOfTask === task.proofOfTask)
    const atC = nextMessage(c, 'task', (r) => r.message.proofOfTask === task.proofOfTask)
    await a.publish('task', task)
    expect((await atB).from).toBe(a.peerId) // signed by its author, forwarded by the hub
    await atC

    const vote = makeAttestation(task, op2)
    const atA = nextMessage(a, 'attestation')
    await b.publish('attestation', vote)
    expect((await atA).message).toEqual(vote)
    for (const kind of GOSSIP_KINDS) expect(hub.meshPeers(kind)).toHaveLength(3)
  }, 60_000)

  it('a plain peer does not serve others: no circuit relay server', async () => {
    const peer = track(
      await createNodePeer({ ...common, listen: [`/ip4/127.0.0.1/tcp/${await freePort()}`] }),
    )
    expect(peer.libp2p.getProtocols()).not.toContain(CIRCUIT_HOP)
    expect(peer.getMultiaddrs()[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
  })

  it('announces the given addresses instead of its listen addresses', async () => {
    const peer = track(
      await createNodePeer({
        ...common,
        listen: [`/ip4/127.0.0.1/tcp/${await freePort()}`],
        announce: ['/dns4/aggregator.example/tcp/9876'],
      }),
    )
    expect(peer.getMultiaddrs()).toEqual([`/dns4/aggregator.example/tcp/9876/p2p/${peer.peerId}`])
  })
})

describe('no bootstrap peer reachable', () => {
  it('warns once naming each address and its error, sets the gauge to 0, and says when one is back', async () => {
    const port = await freePort()
    const hubAddress = `/ip4/127.0.0.1/tcp/${port}/p2p/${await peerIdFromSeed(HUB_SEED)}`
    const log = recordingLogger()
    const metrics = createPrometheusMetrics()
    const peer = track(
      await createNodePeer(
        { ...common, bootstrap: [hubAddress] },
        components({ metrics, logger: log.logger }),
      ),
    )
    const [warning] = await waitFor('the warning', () => log.warnings().length > 0 && log.warnings())
    expect(warning!.message).toBe('no bootstrap peer is reachable: this node has no path to the network')
    expect(warning!.fields?.tried).toMatch(new RegExp(`^${hubAddress} \\(.*ECONNREFUSED.*\\)$`))
    expect(await gauge(metrics, BOOTSTRAP_CONNECTED_METRIC)).toBe(0)
    expect(await gauge(metrics, BOOTSTRAP_CONFIGURED_METRIC)).toBe(1)

    // the bootstrap node comes up: redialled, one info line, the gauge at 1
    const hub = track(await startHub(port))
    await waitFor('the redial', () => log.recoveries().length === 1)
    expect(log.recoveries()[0]!.fields).toEqual({ address: hubAddress })
    expect(await gauge(metrics, BOOTSTRAP_CONNECTED_METRIC)).toBe(1)
    // a state change logs once, not on every failed redial in between
    expect(log.warnings()).toHaveLength(1)

    // and down again: a second warning
    await hub.stop()
    started.splice(started.indexOf(hub), 1)
    await waitFor('the second warning', () => log.warnings().length === 2, { timeoutMs: 30_000 })
    expect(await gauge(metrics, BOOTSTRAP_CONNECTED_METRIC)).toBe(0)
    expect(peer.connections()).toHaveLength(0)
  }, 60_000)

  it('a runtime without TCP names the transport as the reason', async () => {
    const port = await freePort()
    const hubAddress = `/ip4/127.0.0.1/tcp/${port}/p2p/${await peerIdFromSeed(HUB_SEED)}`
    track(await startHub(port)) // listening: only the transport is missing
    const log = recordingLogger()
    track(await createEdgePeer({ ...common, bootstrap: [hubAddress] }, { logger: log.logger }))
    const [warning] = await waitFor('the warning', () => log.warnings().length > 0 && log.warnings())
    expect(warning!.fields?.tried).toBe(`${hubAddress} (transport not supported here)`)
  }, 30_000)

  it('no gauge values without bootstrap peers configured, and no warning', async () => {
    const log = recordingLogger()
    const metrics = createPrometheusMetrics()
    track(await createNodePeer({ ...common }, components({ metrics, logger: log.logger })))
    expect(await gauge(metrics, BOOTSTRAP_CONFIGURED_METRIC)).toBe(0)
    expect(await gauge(metrics, BOOTSTRAP_CONNECTED_METRIC)).toBe(0)
    expect(log.warnings()).toHaveLength(0)
  })
})
