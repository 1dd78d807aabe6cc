// A relay that restarts: Node peers redial it by themselves (keepBootstrapPeers) and a message
// published while nobody was reachable is held and delivered once the relay is back (the outbox).
// Real libp2p over loopback; the outbox's 120 s expiry is shown with a skewed clock (`now`).
import { type BlsVerifier, createInlineVerifier } from '@wisp/bls'
import { freePort } from '@wisp/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createNodePeer,
  createRelay,
  type Logger,
  type PartialNetworkOptions,
  peerIdFromSeed,
  type WispNetwork,
} from '../src/node/index.js'
import { type Cluster, startCluster, waitForMesh } from './support/cluster.js'
import { DEPLOYMENT, definitions, directoryOf, makeOperators, makeTask } from './support/fixtures.js'
import { nextMessage, waitFor } from './support/wait.js'

const operators = makeOperators(2)
const [op1, op2] = operators as [(typeof operators)[0], (typeof operators)[0]]
const common: PartialNetworkOptions = { deployments: [DEPLOYMENT], topicNamespace: 'wisp-reconnect' }

/** A logger that keeps every line, to see which part of the node did something. */
function recordingLogger() {
  const lines: Array<{ message: string; fields?: Record<string, unknown> }> = []
  const record = (message: string, fields?: Record<string, unknown>) => {
    lines.push({ message, fields })
  }
  const logger: Logger = { debug: record, info: record, warn: record, error: record, child: () => logger }
  return { logger, lines, has: (message: string) => lines.filter((l) => l.message === message) }
}

const connectedTo = (peer: WispNetwork, id: string) => peer.connections().some((c) => c.peerId === id)

describe('a relay that restarts', () => {
  const RELAY_SEED = `0x${'5e'.repeat(32)}`
  let verifier: BlsVerifier
  let relay: WispNetwork | undefined
  let peers: WispNetwork[] = []

  const startRelay = (port: number) =>
    createRelay(
      { ...common, seed: RELAY_SEED, listen: [`/ip4/127.0.0.1/tcp/${port}/ws`] },
      { verifier, directory: directoryOf(operators), definitions: definitions() },
    )

  beforeAll(() => {
    verifier = createInlineVerifier()
  })
  afterEach(async () => {
    await Promise.all(peers.map((p) => p.stop()))
    await relay?.stop()
    peers = []
    relay = undefined
  })
  afterAll(async () => {
    await verifier?.close()
  })

  it('is redialled by its peers, which then deliver what was published while it was down', async () => {
    const port = await freePort()
    const relayId = await peerIdFromSeed(RELAY_SEED)
    const relayAddress = `/ip4/127.0.0.1/tcp/${port}/ws/p2p/${relayId}`
    relay = await startRelay(port)
    expect(relay.getMultiaddrs()).toContain(relayAddress)

    // both peers only know the relay from their bootstrap list; nobody dials by hand below
    const logs = { a: recordingLogger(), b: recordingLogger() }
    const peer = (log: ReturnType<typeof recordingLogger>) =>
      createNodePeer(
        { ...common, bootstrap: [relayAddress] },
        { verifier, directory: directoryOf(operators), definitions: definitions(), logger: log.logger },
      )
    const a = await peer(logs.a)
    const b = await peer(logs.b)
    peers = [a, b]
    await Promise.all(peers.map((p) => waitForMesh(relay!, p)))

    const before = await makeTask(op1, { proofOfTask: 'ipfs://before-restart' })
    const beforeAtB = nextMessage(b, 'task', (r) => r.message.proofOfTask === before.proofOfTask)
    expect((await a.publish('task', before)).recipients).toBe(1)
    expect((await beforeAtB).from).toBe(a.peerId)

    await relay.stop()
    relay = undefined
    const stoppedAt = Date.now()
    await waitFor('both peers lost the relay', () => peers.every((p) => p.connections().length === 0), {
      timeoutMs: 5000,
    })

    const held = await makeTask(op2, { proofOfTask: 'ipfs://published-while-the-relay-was-down' })
    const heldAtB = nextMessage(b, 'task', (r) => r.message.proofOfTask === held.proofOfTask, 15_000)
    // nobody to send it to: gossipsub alone would drop it for good
    expect((await a.publish('task', held)).recipients).toBe(0)
    expect(a.topicPeers('task')).toEqual([])

    // down for 2.5 s: longer than libp2p's own single reconnect attempt survives
    await new Promise((resolve) => setTimeout(resolve, 2500 - (Date.now() - stoppedAt)))
    const restartedAt = Date.now()
    relay = await startRelay(port)
    expect(relay.peerId).toBe(relayId)

    await waitFor('both peers reconnected to the relay', () => peers.every((p) => connectedTo(p, relayId)), {
      timeoutMs: 10_000,
    })
    const reconnectedMs = Date.now() - restartedAt
    // the peers dialled the relay (it has no bootstrap list and dials nobody)
    for (const p of peers) {
      expect(p.connections().filter((c) => c.peerId === relayId)).toEqual([
        expect.objectContaining({ direction: 'outbound', limited: false }),
      ])
    }
    expect(logs.a.has('redialled bootstrap peer')).not.toEqual([])
    expect(logs.b.has('redialled bootstrap peer')).not.toEqual([])

    const got = await heldAtB
    const deliveredMs = Date.now() - restartedAt
    expect(got.message).toEqual(held)
    expect(got.from).toBe(a.peerId)
    expect(logs.a.has('published held messages').at(-1)?.fields).toEqual({ topic: a.topics.task, left: 0 })
    // the restarted relay knows both peers' subscriptions again
    expect(relay.topicPeers('task').sort()).toEqual([a.peerId, b.peerId].sort())
    console.info(
      `relay back → peers reconnected in ${reconnectedMs} ms, held task delivered in ${deliveredMs} ms`,
    )
  }, 20_000)
})

describe('the outbox', () => {
  let cluster: Cluster
  let a: WispNetwork | undefined

  beforeAll(async () => {
    cluster = await startCluster({ operators, peers: 1, options: common })
  })
  afterAll(async () => {
    await a?.stop()
    await cluster?.stop()
  })

  it('drops what it held for longer than 120 s and publishes the rest', async () => {
    const [b] = cluster.peers as [WispNetwork]
    // A's clock runs like the real one, plus a skew the test moves forward
    let skewMs = 0
    const log = recordingLogger()
    a = await createNodePeer(common, {
      verifier: cluster.verifier,
      directory: directoryOf(operators),
      definitions: definitions(),
      logger: log.logger,
      now: () => Date.now() + skewMs,
    })
    const atB: string[] = []
    const atRelay: string[] = []
    b.onMessage('task', (r) => atB.push(r.message.proofOfTask))
    cluster.relay.onMessage('task', (r) => atRelay.push(r.message.proofOfTask))

    const stale = await makeTask(op1, { proofOfTask: 'ipfs://held-too-long' })
    const fresh = await makeTask(op2, { proofOfTask: 'ipfs://held-briefly' })
    expect((await a.publish('task', stale)).recipients).toBe(0)
    skewMs += 100_000
    expect((await a.publish('task', fresh)).recipients).toBe(0)
    // `stale` has now been held for 121 s, `fresh` for 21 s
    skewMs += 21_000

    await a.dial(cluster.relayAddress)
    await waitForMesh(cluster.relay, a)
    await waitFor('the held task at B', () => atB.includes(fresh.proofOfTask), { timeoutMs: 10_000 })
    expect(log.has('published held messages').at(-1)?.fields).toEqual({ topic: a.topics.task, left: 0 })
    // `stale` would have been published before `fresh` (oldest first) on the same stream
    expect(atRelay).toEqual([fresh.proofOfTask])
    expect(atB).toEqual([fresh.proofOfTask])
  }, 20_000)
})
