// Abuse across federated relays, over real libp2p on loopback (two relays that are each other's
// gossipsub direct peers, Node peers on each). A relay judges every message it forwards with its
// own validators, charges the author (the message's signed `from`) and not the relay that
// forwarded it, and bounds what any one link — a relay link included — may push (rateLimits.perLink),
// so a flood on relay A costs A's abusive peers and nobody on relay B.
import { type BlsVerifier, createInlineVerifier } from '@wisp/bls'
import { encodeMessage, type GossipTopicKind } from '@wisp/protocol'
import { toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { relayAnnouncementTopic } from '../src/node/federation.js'
import {
  createBlsAuthSigner,
  createNodePeer,
  createPrometheusMetrics,
  createRelay,
  type NetworkComponents,
  type PartialNetworkOptions,
  type PartialNodePeerOptions,
  type PrometheusMetrics,
  type WispNetwork,
} from '../src/node/index.js'
import type { WispRelay } from '../src/node/relay.js'
import { waitForFederated, waitForMesh } from './support/cluster.js'
import {
  DEPLOYMENT,
  definitions,
  directoryOf,
  makeAttestation,
  makeOperators,
  makeTask,
  type TestOperator,
} from './support/fixtures.js'
import { seriesValue } from './support/metrics.js'
import { nextMessage, waitFor } from './support/wait.js'

const LOCAL_WS = ['/ip4/127.0.0.1/tcp/0/ws']
const operators = makeOperators(3, 'wisp-federation-abuse')
const [performer, attester, other] = operators as [TestOperator, TestOperator, TestOperator]
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Publishes bytes as `peer` itself, bypassing our encoder and our own rate limits. */
async function sendRaw(peer: WispNetwork, kind: GossipTopicKind, bytes: Uint8Array): Promise<void> {
  await peer.libp2p.services.pubsub.publish(peer.topics[kind], bytes).catch(() => undefined)
}

/** Counts messages of `kind` a peer is handed, per author. */
function tally(peer: WispNetwork, kind: GossipTopicKind): Map<string, number> {
  const counts = new Map<string, number>()
  peer.onMessage(kind, (r) => counts.set(r.from, (counts.get(r.from) ?? 0) + 1))
  return counts
}

interface Pair {
  verifier: BlsVerifier
  a: WispRelay
  b: WispRelay
  metricsA: PrometheusMetrics
  metricsB: PrometheusMetrics
  peers: WispNetwork[]
  components(extra?: NetworkComponents): NetworkComponents
  peerOn(
    relay: WispRelay,
    components?: NetworkComponents,
    options?: PartialNetworkOptions,
  ): Promise<WispNetwork>
  stop(): Promise<void>
}

/** Relays A and B federated (B configured with A), with the same options as their peers. */
async function startPair(common: PartialNodePeerOptions): Promise<Pair> {
  const verifier = createInlineVerifier()
  const components = (extra: NetworkComponents = {}): NetworkComponents => ({
    verifier,
    directory: directoryOf(operators),
    definitions: definitions(),
    ...extra,
  })
  const metricsA = createPrometheusMetrics()
  const metricsB = createPrometheusMetrics()
  const a = await createRelay({ ...common, listen: LOCAL_WS }, components({ metrics: metricsA }))
  const b = await createRelay(
    { ...common, listen: LOCAL_WS, peers: [a.getMultiaddrs()[0]!] },
    components({ metrics: metricsB }),
  )
  await waitForFederated(a, b)
  const peers: WispNetwork[] = []
  return {
    verifier,
    a,
    b,
    metricsA,
    metricsB,
    peers,
    components,
    async peerOn(relay, extra = {}, options = {}) {
      const peer = await createNodePeer(
        { ...common, ...options, bootstrap: [relay.getMultiaddrs()[0]!] },
        components(extra),
      )
      peers.push(peer)
      await waitForMesh(relay, peer)
      return peer
    },
    async stop() {
      await Promise.all(peers.map((p) => p.stop()))
      await Promise.all([a.stop(), b.stop()])
      await verifier.close()
    },
  }
}

const messages = (metrics: PrometheusMetrics, labels: Record<string, string>) =>
  seriesValue(metrics.registry, 'wisp_p2p_messages_total', labels)

describe('a flood on relay A', () => {
  const NS = 'wisp-abuse-flood'
  // small budgets so a few hundred messages are a flood; honest traffic here is a few messages
  const PER_LINK = { messages: 40, intervalMs: 4000 }
  const CUSTOM_PER_AUTHOR = 5
  let pair: Pair
  let flooder: WispNetwork
  let honestA: WispNetwork
  let honestB: WispNetwork
  const extra: WispRelay[] = []
  const common: PartialNodePeerOptions = {
    deployments: [DEPLOYMENT],
    topicNamespace: NS,
    customMessages: { perPeer: { messages: CUSTOM_PER_AUTHOR, intervalMs: 60_000 } },
    rateLimits: { perLink: PER_LINK },
    // every peer here dials from 127.0.0.1, and the peers banned below keep redialling A: at
    // libp2p's 5 inbound connections per second per host a new peer waited seconds to get in
    inboundConnectionThreshold: 100,
  }

  beforeAll(async () => {
    pair = await startPair(common)
    flooder = await pair.peerOn(pair.a)
    honestA = await pair.peerOn(pair.a)
    honestB = await pair.peerOn(pair.b)
  }, 60_000)
  afterAll(async () => {
    await Promise.all(extra.map((r) => r.stop()))
    await pair?.stop()
  })

  it('custom messages: A forwards the author’s quota at most, cuts the flooder off, and B and its peers carry on', async () => {
    const atB = tally(honestB, 'customMessage')
    for (let i = 0; i < 600; i++) {
      await sendRaw(flooder, 'customMessage', encodeMessage('customMessage', { data: toHex(`flood-${i}`) }))
    }
    // A: over the link budget the flooder's own messages are rejected (P4 on it) → graylisted → banned
    await waitFor('flooder banned at A', () => pair.a.banned().includes(flooder.peerId), {
      timeoutMs: 20_000,
    })
    expect(
      await messages(pair.metricsA, {
        topic: 'customMessage',
        outcome: 'reject',
        reason: 'link_rate_limited',
      }),
    ).toBeGreaterThan(0)
    await waitFor(
      'flooder hung up at A',
      () => !pair.a.connections().some((c) => c.peerId === flooder.peerId),
    )

    // B never saw more than the author's quota; the link to A is not blamed
    const honest = nextMessage(honestB, 'task', (r) => r.message.proofOfTask === 'after-flood')
    await honestA.publish('task', await makeTask(performer, { proofOfTask: 'after-flood' }))
    expect((await honest).from).toBe(honestA.peerId)
    expect(atB.get(flooder.peerId) ?? 0).toBeLessThanOrEqual(CUSTOM_PER_AUTHOR)
    expect(pair.b.banned()).toEqual([])
    expect(pair.b.score(pair.a.peerId)).toBeGreaterThanOrEqual(0)
    expect(pair.b.federation.connected()).toEqual([pair.a.peerId])

    // B answers its peers promptly (a ping round trip), generous bound
    const started = Date.now()
    await honestB.libp2p.services.ping.ping(pair.b.libp2p.peerId)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('forged votes: rejected at A, the author banned there, none reach B', async () => {
    const voter = await pair.peerOn(pair.a)
    const bVotes = tally(pair.b, 'attestation')
    for (let i = 0; i < 30; i++) {
      const task = await makeTask(performer, { proofOfTask: `forged-flood-${i}` })
      // the attester's vote signed with another operator's key
      const forged = makeAttestation(task, attester, { signWith: other.blsKey })
      await sendRaw(voter, 'attestation', encodeMessage('attestation', forged))
    }
    await waitFor('forger banned at A', () => pair.a.banned().includes(voter.peerId), { timeoutMs: 20_000 })
    expect(await messages(pair.metricsA, { topic: 'attestation', outcome: 'accept', reason: 'valid' })).toBe(
      0,
    )
    expect(bVotes.get(voter.peerId) ?? 0).toBe(0)
    expect(await messages(pair.metricsB, { topic: 'attestation' })).toBe(0)
  })

  it('relay announcements: a rogue relay flooding the relays’ topic through A is cut off there and never floods B', async () => {
    // a leaf peer's gossipsub does not even carry this topic; a relay's does
    const rogue = await createRelay({ ...common, listen: LOCAL_WS, peers: [pair.a.getMultiaddrs()[0]!] })
    extra.push(rogue)
    await waitForFederated(pair.a, rogue)
    const topic = relayAnnouncementTopic(NS)
    let atB = 0
    pair.b.libp2p.services.pubsub.addEventListener('message', (evt) => {
      const msg = evt.detail
      if (msg.topic === topic && msg.type === 'signed' && msg.from.toString() === rogue.peerId) atB++
    })
    const body = new TextEncoder().encode(JSON.stringify({ addrs: rogue.getMultiaddrs() }))
    for (let i = 0; i < 300; i++) {
      await rogue.libp2p.services.pubsub.publish(topic, body).catch(() => undefined)
    }
    // a direct peer is never graylisted by gossipsub: our sweep hangs it up and bans it
    await waitFor('rogue relay banned at A', () => pair.a.banned().includes(rogue.peerId), {
      timeoutMs: 20_000,
    })
    await sleep(500)
    // its own budget per announceEveryMs crosses at most
    expect(atB).toBeLessThanOrEqual(4)
    expect(pair.b.banned()).toEqual([])
    expect(pair.b.federation.connected()).toContain(pair.a.peerId)
  })

  it('many authors on A within their own quotas: B bounds the relay link, not A, and recovers', async () => {
    const sybils: WispNetwork[] = []
    for (let j = 0; j < 10; j++) sybils.push(await pair.peerOn(pair.a))
    await sleep(PER_LINK.intervalMs) // B's budget for the A link is full again
    const atB = tally(honestB, 'customMessage')
    // each author stays within its link budget at A (12 < 40); A forwards each one's quota (5):
    // 50 new messages in a burst on the A → B link, over B's budget for it (40)
    await Promise.all(
      sybils.map(async (s, j) => {
        for (let i = 0; i < 12; i++)
          await sendRaw(
            s,
            'customMessage',
            encodeMessage('customMessage', { data: toHex(`sybil-${j}-${i}`) }),
          )
      }),
    )
    await waitFor('B bounded the A link', async () =>
      (await messages(pair.metricsB, {
        topic: 'customMessage',
        outcome: 'ignore',
        reason: 'link_rate_limited',
      })) > 0
        ? true
        : undefined,
    )
    await sleep(500)
    const fromSybils = sybils.reduce((n, s) => n + (atB.get(s.peerId) ?? 0), 0)
    // the budget plus what refilled during the burst (10/s)
    expect(fromSybils).toBeLessThan(sybils.length * CUSTOM_PER_AUTHOR)
    expect(fromSybils).toBeLessThanOrEqual(PER_LINK.messages + 20)
    // the relay that forwarded in good faith is not punished, and no sybil was banned at A
    expect(pair.b.banned()).toEqual([])
    expect(pair.b.penalty(pair.a.peerId)).toBe(0)
    expect(pair.b.score(pair.a.peerId)).toBeGreaterThanOrEqual(0)
    expect(pair.b.federation.connected()).toContain(pair.a.peerId)
    const honest = nextMessage(honestB, 'task', (r) => r.message.proofOfTask === 'after-sybils', 20_000)
    // a message B ignored over the budget is not redelivered: publish again until it crosses
    let n = 0
    await waitFor(
      'honest task crosses once the budget refills',
      async () => {
        await honestA
          .publish(
            'task',
            await makeTask(performer, { proofOfTask: 'after-sybils', data: toHex(`try-${n++}`) }),
          )
          .catch(() => undefined)
        return Promise.race([honest.then(() => true), sleep(1000).then(() => false)])
      },
      { timeoutMs: 20_000 },
    )
  })
})

describe('per-author rate limits across both relays', () => {
  const NS = 'wisp-abuse-twins'
  const QUOTA = 4
  let pair: Pair
  let observerB: WispNetwork
  let observerA: WispNetwork

  beforeAll(async () => {
    pair = await startPair({
      deployments: [DEPLOYMENT],
      topicNamespace: NS,
      customMessages: { perPeer: { messages: QUOTA, intervalMs: 600_000 } },
    })
    observerA = await pair.peerOn(pair.a)
    observerB = await pair.peerOn(pair.b)
  }, 60_000)
  afterAll(async () => {
    await pair?.stop()
  })

  it('one author on both relays (same key, distinct messages to each) gets its quota once per relay, not per path', async () => {
    const seed = toHex(new Uint8Array(32).fill(7))
    const twinA = await pair.peerOn(pair.a, {}, { seed })
    const twinB = await pair.peerOn(pair.b, {}, { seed })
    expect(twinA.peerId).toBe(twinB.peerId)
    const atA = tally(observerA, 'customMessage')
    const atB = tally(observerB, 'customMessage')
    for (let i = 0; i < 3 * QUOTA; i++) {
      await sendRaw(twinA, 'customMessage', encodeMessage('customMessage', { data: toHex(`via-a-${i}`) }))
      await sendRaw(twinB, 'customMessage', encodeMessage('customMessage', { data: toHex(`via-b-${i}`) }))
    }
    await waitFor('both relays judged all of them', async () => {
      const judged = async (m: PrometheusMetrics) =>
        (await messages(m, { topic: 'customMessage', outcome: 'accept' })) +
        (await messages(m, { topic: 'customMessage', outcome: 'ignore', reason: 'rate_limited' }))
      return (await judged(pair.metricsA)) >= 3 * QUOTA && (await judged(pair.metricsB)) >= 3 * QUOTA
        ? true
        : undefined
    })
    await sleep(500)
    expect(atA.get(twinA.peerId) ?? 0).toBeLessThanOrEqual(QUOTA)
    expect(atB.get(twinB.peerId) ?? 0).toBeLessThanOrEqual(QUOTA)
    expect(await messages(pair.metricsB, { topic: 'customMessage', outcome: 'accept' })).toBeLessThanOrEqual(
      QUOTA,
    )
  })
})

describe('with auth on', () => {
  const NS = 'wisp-abuse-auth'
  let pair: Pair
  let operatorOnA: WispNetwork
  let strangerOnA: WispNetwork
  let peerOnB: WispNetwork

  beforeAll(async () => {
    pair = await startPair({
      deployments: [DEPLOYMENT],
      topicNamespace: NS,
      auth: { enabled: true, timeoutMs: 5000 },
    })
    const signer = createBlsAuthSigner(
      { operatorId: attester.info.id, address: attester.info.address },
      attester.blsKey,
    )
    operatorOnA = await pair.peerOn(pair.a, { signer })
    strangerOnA = await pair.peerOn(pair.a)
    peerOnB = await pair.peerOn(pair.b)
    await waitFor('A settled both peers', () =>
      [operatorOnA, strangerOnA].every((p) => pair.a.authOf(p.peerId)?.state !== 'pending'),
    )
  }, 60_000)
  afterAll(async () => {
    await pair?.stop()
  })

  it('a genuine vote published by a peer that is not its operator never crosses; the operator’s own does', async () => {
    const seenOnB = tally(peerOnB, 'attestation')
    const seenByRelayB = tally(pair.b, 'attestation')
    const task = await makeTask(performer, { proofOfTask: 'auth-cross' })
    // the vote is genuine (the attester's BLS key), its publisher is not the attester's operator
    await sendRaw(strangerOnA, 'attestation', encodeMessage('attestation', makeAttestation(task, attester)))
    await waitFor('A refused it', async () =>
      (await messages(pair.metricsA, {
        topic: 'attestation',
        outcome: 'reject',
        reason: 'unauthenticated',
      })) === 1
        ? true
        : undefined,
    )
    // positive control: the operator's own copy of a vote crosses to B's peer
    const task2 = await makeTask(performer, { proofOfTask: 'auth-cross-2' })
    const got = nextMessage(peerOnB, 'attestation', (r) => r.message.proofOfTask === 'auth-cross-2')
    await operatorOnA.publish('attestation', makeAttestation(task2, attester))
    expect((await got).from).toBe(operatorOnA.peerId)
    expect(seenOnB.get(strangerOnA.peerId) ?? 0).toBe(0)
    expect(seenByRelayB.get(strangerOnA.peerId) ?? 0).toBe(0)
    expect(await messages(pair.metricsB, { topic: 'attestation', outcome: 'accept' })).toBe(1)
  })
})
