// Hostile peers, over real libp2p on loopback (a relay and Node peers in this process): rate limits
// that blame the author and not the relay, TaskSubmitted claims checked on chain, equivocations
// (accepted once, author penalized, graylisted, disconnected and banned), redelivery of re-published
// votes, and forged votes that cost the relay nothing downstream.
//
// Test double: the TaskSubmitted chain check uses a fake TaskOutcomeChecker (a table of
// transaction hashes → answers) because this package has no chain; the real one (`@wisp/chain`,
// reading receipts from anvil) is tested there.
import type { AnnouncedOutcome, OutcomeCheck, TaskOutcomeChecker } from '@wisp/interface'
import { encodeMessage, type GossipTopicKind, type WireTaskSubmitted } from '@wisp/protocol'
import { keccak256, stringToHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryMetrics, type MemoryMetrics, type WispNetwork } from '../src/index.js'
import { type Cluster, startCluster } from './support/cluster.js'
import {
  DEPLOYMENT,
  directoryOf,
  makeAttestation,
  makeOperators,
  makeTask,
  makeTaskSubmitted,
  OTHER_DEPLOYMENT,
} from './support/fixtures.js'
import { seriesValue } from './support/metrics.js'
import { nextMessage, waitFor } from './support/wait.js'

const operators = makeOperators(4)
const [op1, op2, op3] = operators as [(typeof operators)[0], (typeof operators)[0], (typeof operators)[0]]
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Publishes bytes as `peer` itself, bypassing our encoder and our own rate limits. */
async function sendRaw(peer: WispNetwork, kind: GossipTopicKind, bytes: Uint8Array): Promise<void> {
  await peer.libp2p.services.pubsub.publish(peer.topics[kind], bytes)
}

function relayCount(cluster: Cluster, labels: Record<string, string>): Promise<number> {
  return seriesValue(cluster.relayMetrics.registry, 'wisp_p2p_messages_total', labels)
}

async function waitForRelayCount(cluster: Cluster, labels: Record<string, string>, count: number) {
  await waitFor(`${JSON.stringify(labels)} = ${count} at the relay`, async () =>
    (await relayCount(cluster, labels)) === count ? true : undefined,
  )
}

function received(peer: WispNetwork, kind: GossipTopicKind, from: string): { count: number } {
  const counter = { count: 0 }
  peer.onMessage(kind, (r) => {
    if (r.from === from) counter.count++
  })
  return counter
}

describe('per-author rate limits and forged votes at a relay with a directory', () => {
  let cluster: Cluster
  let flooder: WispNetwork
  let b: WispNetwork
  const bMetrics = createMemoryMetrics()

  beforeAll(async () => {
    cluster = await startCluster({
      operators,
      peers: 0,
      options: { topicNamespace: 'wisp-rate', rateLimits: { task: { messages: 3, intervalMs: 600_000 } } },
    })
    flooder = await cluster.addPeer()
    // B allows the flooder even less: what the relay forwards within its limit is over B's
    b = await cluster.addPeer(
      { metrics: bMetrics },
      { rateLimits: { task: { messages: 2, intervalMs: 600_000 } } },
    )
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  it('rejects a direct flooder and only ignores what a relay forwards for it', async () => {
    const atB = received(b, 'task', flooder.peerId)
    for (let i = 0; i < 5; i++) {
      await sendRaw(
        flooder,
        'task',
        encodeMessage('task', await makeTask(op1, { proofOfTask: `flood-${i}` })),
      )
    }
    await waitForRelayCount(cluster, { topic: 'task', outcome: 'accept', reason: 'valid' }, 3)
    await waitForRelayCount(cluster, { topic: 'task', outcome: 'reject', reason: 'rate_limited' }, 2)
    await waitFor('B judged the 3 forwarded tasks', () =>
      bMetrics.count('task', 'accept') + bMetrics.count('task', 'ignore') === 3 ? true : undefined,
    )
    expect(bMetrics.count('task', 'accept')).toBe(2)
    expect(bMetrics.count('task', 'ignore', 'rate_limited')).toBe(1)
    expect(bMetrics.count('task', 'reject')).toBe(0)
    expect(atB.count).toBe(2)
    await waitFor('the flooder scored down at the relay', () => cluster.relay.score(flooder.peerId) < 0)
    expect(b.score(cluster.relay.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('stops a forged vote at the first hop: the next node never sees it and keeps the relay ≥ 0', async () => {
    const task = await makeTask(op1, { proofOfTask: 'forged-at-directory-relay' })
    const forged = makeAttestation(task, op2, { signWith: op3.blsKey })
    await sendRaw(flooder, 'attestation', encodeMessage('attestation', forged))
    await waitForRelayCount(
      cluster,
      { topic: 'attestation', outcome: 'reject', reason: 'bad_attester_signature' },
      1,
    )
    // a heartbeat later (scores are refreshed on it) the relay is still in good standing at B
    await sleep(1200)
    expect(bMetrics.count('attestation', 'reject')).toBe(0)
    expect(bMetrics.count('attestation', 'ignore')).toBe(0)
    expect(b.score(cluster.relay.peerId)).toBeGreaterThanOrEqual(0)
  })
})

describe('a relay without a directory (structural mode) forwards a forged vote', () => {
  let cluster: Cluster
  let mallory: WispNetwork
  let b: WispNetwork
  const bMetrics = createMemoryMetrics()

  beforeAll(async () => {
    cluster = await startCluster({
      operators,
      peers: 0,
      options: { topicNamespace: 'wisp-structural' },
      relayComponents: { directory: undefined, definitions: undefined },
    })
    mallory = await cluster.addPeer({ directory: undefined, definitions: undefined })
    b = await cluster.addPeer({ metrics: bMetrics })
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  it('the node behind it ignores the vote, charges its author and keeps the relay ≥ 0', async () => {
    const task = await makeTask(op1, { proofOfTask: 'forged-at-structural-relay' })
    for (const signer of [op3, op1]) {
      const forged = makeAttestation(task, op2, { signWith: signer.blsKey })
      await sendRaw(mallory, 'attestation', encodeMessage('attestation', forged))
    }
    await waitForRelayCount(cluster, { topic: 'attestation', outcome: 'accept', reason: 'valid' }, 2)
    await waitFor('B judged both', () =>
      bMetrics.count('attestation', 'ignore', 'bad_attester_signature') === 2 ? true : undefined,
    )
    expect(bMetrics.count('attestation', 'reject')).toBe(0)
    expect(b.penalty(mallory.peerId)).toBeGreaterThan(90) // 2 × 50, decaying
    expect(bMetrics.penalties.get('bad_attester_signature')).toBe(100)
    await sleep(1200)
    expect(b.score(cluster.relay.peerId)).toBeGreaterThanOrEqual(0)
  })
})

describe('TaskSubmitted claims are checked on chain', () => {
  let cluster: Cluster
  let aggregator: WispNetwork
  let b: WispNetwork
  const calls: AnnouncedOutcome[] = []
  const answers = new Map<string, OutcomeCheck>()
  const outcomes: TaskOutcomeChecker = {
    async checkTaskOutcome(claim) {
      calls.push(claim)
      return answers.get(claim.txHash) ?? { status: 'refuted', reason: 'not_found' }
    },
  }

  beforeAll(async () => {
    cluster = await startCluster({
      operators,
      peers: 0,
      options: { topicNamespace: 'wisp-outcomes' },
      relayComponents: { outcomes },
    })
    aggregator = await cluster.addPeer()
    b = await cluster.addPeer()
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  const tx = (name: string) => keccak256(stringToHex(name))
  const claim = async (proofOfTask: string, fields: Partial<WireTaskSubmitted>) => ({
    ...makeTaskSubmitted(await makeTask(op1, { proofOfTask }), [1, 2, 3]),
    ...fields,
  })

  it('a confirmed claim is accepted and forwarded; a made-up transaction is rejected', async () => {
    const good = await claim('submitted-ok', { txHash: tx('ok'), operatorIds: [3, 1, 2] })
    answers.set(good.txHash, {
      status: 'confirmed',
      isApproved: true,
      attesterIds: [1, 2, 3],
      blockNumber: 5n,
    })
    const atB = nextMessage(b, 'taskSubmitted', (r) => r.message.txHash === good.txHash)
    await sendRaw(aggregator, 'taskSubmitted', encodeMessage('taskSubmitted', good))
    expect((await atB).message).toEqual(good)

    const forged = await claim('submitted-ok', { txHash: tx('made-up') })
    await sendRaw(aggregator, 'taskSubmitted', encodeMessage('taskSubmitted', forged))
    await waitForRelayCount(
      cluster,
      { topic: 'taskSubmitted', outcome: 'reject', reason: 'false_outcome' },
      1,
    )
    expect(calls.map((c) => c.txHash)).toEqual([good.txHash, forged.txHash])
    expect(calls[0]).toEqual({ taskHash: good.taskId, txHash: good.txHash, performer: op1.info.address })
  })

  it('a claim that contradicts the chain is rejected without a second RPC call', async () => {
    const good = await claim('submitted-ok', { txHash: tx('ok') })
    const wrongVerdict = { ...good, isApproved: false }
    const wrongAttesters = { ...good, operatorIds: [1, 2] }
    await sendRaw(aggregator, 'taskSubmitted', encodeMessage('taskSubmitted', wrongVerdict))
    await sendRaw(aggregator, 'taskSubmitted', encodeMessage('taskSubmitted', wrongAttesters))
    await waitForRelayCount(
      cluster,
      { topic: 'taskSubmitted', outcome: 'reject', reason: 'false_outcome' },
      3,
    )
    expect(calls).toHaveLength(2)
    expect(
      await seriesValue(cluster.relayMetrics.registry, 'wisp_p2p_outcome_checks_total', { result: 'cached' }),
    ).toBe(2)
  })

  it('a claim the chain cannot judge yet is ignored; a taskId that is not a hash is rejected', async () => {
    const pending = await claim('submitted-pending', { txHash: tx('pending') })
    answers.set(pending.txHash, { status: 'unknown' })
    await sendRaw(aggregator, 'taskSubmitted', encodeMessage('taskSubmitted', pending))
    await waitForRelayCount(cluster, { topic: 'taskSubmitted', outcome: 'ignore', reason: 'unverified' }, 1)
    const notAHash = await claim('submitted-id', { taskId: '7' })
    await sendRaw(aggregator, 'taskSubmitted', encodeMessage('taskSubmitted', notAHash))
    await waitForRelayCount(
      cluster,
      { topic: 'taskSubmitted', outcome: 'reject', reason: 'invalid_field' },
      1,
    )
    expect(calls).toHaveLength(3)
  })
})

describe('equivocation, graylist and ban', () => {
  let cluster: Cluster
  let equivocator: WispNetwork
  let f: WispNetwork
  let b: WispNetwork
  const bMetrics: MemoryMetrics = createMemoryMetrics()

  beforeAll(async () => {
    cluster = await startCluster({
      operators,
      peers: 0,
      // two AttestationCenters, so one operator can sign two different votes with one verdict
      options: { topicNamespace: 'wisp-equivocation', deployments: [DEPLOYMENT, OTHER_DEPLOYMENT] },
    })
    equivocator = await cluster.addPeer()
    f = await cluster.addPeer()
    b = await cluster.addPeer({ metrics: bMetrics, directory: directoryOf(operators) })
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  it('the contradicting vote travels once, its author is graylisted, hung up and banned', async () => {
    const task = await makeTask(op1, { proofOfTask: 'equivocated' })
    const atB = received(b, 'attestation', equivocator.peerId)
    await sendRaw(equivocator, 'attestation', encodeMessage('attestation', makeAttestation(task, op2)))
    await waitFor('the first vote at B', () => atB.count === 1)
    await sendRaw(
      equivocator,
      'attestation',
      encodeMessage('attestation', makeAttestation(task, op2, { isApproved: false })),
    )
    // the double-attestation proof reached B (accepted at the relay, forwarded)
    await waitFor('the contradicting vote at B', () => atB.count === 2)
    expect(await seriesValue(cluster.relayMetrics.registry, 'wisp_p2p_equivocations_total', {})).toBe(1)
    expect(bMetrics.equivocations).toBe(1)
    expect(cluster.relay.penalty(equivocator.peerId)).toBeGreaterThan(900)
    expect(b.penalty(equivocator.peerId)).toBeGreaterThan(900)

    await waitFor('the equivocator banned and disconnected', () =>
      cluster.relay.banned().includes(equivocator.peerId) &&
      !cluster.relay.connections().some((c) => c.peerId === equivocator.peerId)
        ? true
        : undefined,
    )
    expect(
      await seriesValue(cluster.relayMetrics.registry, 'wisp_p2p_disconnects_total', {
        reason: 'graylisted',
      }),
    ).toBe(1)
    expect(await seriesValue(cluster.relayMetrics.registry, 'wisp_p2p_banned_peers', {})).toBe(1)
    // nobody scored the relay down for any of it
    expect(b.score(cluster.relay.peerId)).toBeGreaterThanOrEqual(0)
    expect(f.score(cluster.relay.peerId)).toBeGreaterThanOrEqual(0)

    // a third vote of that operator on that task (new bytes: signed for the other chain) → reject
    const third = makeAttestation(task, op2, { deployment: OTHER_DEPLOYMENT })
    await sendRaw(f, 'attestation', encodeMessage('attestation', third))
    await waitForRelayCount(cluster, { topic: 'attestation', outcome: 'reject', reason: 'equivocation' }, 1)
    expect(bMetrics.count('attestation', 'accept')).toBe(2)
  })

  it('a banned peer cannot reconnect during its backoff', async () => {
    await equivocator.dial(cluster.relayAddress).catch(() => undefined)
    await sleep(500)
    expect(cluster.relay.connections().some((c) => c.peerId === equivocator.peerId)).toBe(false)
    expect(equivocator.connections().some((c) => c.peerId === cluster.relay.peerId)).toBe(false)
    expect(cluster.relay.banned()).toContain(equivocator.peerId)
  })
})

describe('redelivery of re-published votes', () => {
  let cluster: Cluster
  let attester: WispNetwork
  let b: WispNetwork

  beforeAll(async () => {
    cluster = await startCluster({ operators, peers: 2, options: { topicNamespace: 'wisp-redelivery' } })
    ;[attester, b] = cluster.peers as [WispNetwork, WispNetwork]
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  it('a copy within 2 s is a duplicate; one published later reaches the peer behind the relay', async () => {
    const vote = makeAttestation(await makeTask(op1, { proofOfTask: 'republished' }), op2)
    const atB = received(b, 'attestation', attester.peerId)
    await attester.publish('attestation', vote)
    await waitFor('the vote at B', () => atB.count === 1)
    await attester.publish('attestation', vote)
    await waitForRelayCount(cluster, { topic: 'attestation', outcome: 'ignore', reason: 'duplicate' }, 1)
    await sleep(2100)
    await attester.publish('attestation', vote)
    await waitFor('the re-published vote at B', () => atB.count === 2)
    expect(await relayCount(cluster, { topic: 'attestation', outcome: 'accept', reason: 'valid' })).toBe(2)
  })
})
