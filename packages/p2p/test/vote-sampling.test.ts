// voteChecks `sample`: nodes that do not aggregate BLS-check a random share of votes, the
// aggregator (`all`) checks every one. Counted BLS jobs show the work per node; over real libp2p
// on loopback a forged vote travels through sampling nodes, is rejected at the aggregator, and its
// author loses its score there until it is graylisted, hung up and banned — while the relay that
// forwarded it keeps its standing.
import { type BlsVerifier, createInlineVerifier, type VerifyJob } from '@wisp/bls'
import { encodeMessage, type GossipTopicKind, gossipTopics, taskHash } from '@wisp/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createMemoryMetrics,
  createPeerDefences,
  type MemoryMetrics,
  type PartialNetworkOptions,
  resolveNetworkOptions,
  type WispNetwork,
} from '../src/index.js'
import type { ValidationContext } from '../src/validation/context.js'
import { OutcomeCache } from '../src/validation/outcomes.js'
import { RateLimiter } from '../src/validation/rate-limit.js'
import { SeenCache } from '../src/validation/seen.js'
import { validateGossip } from '../src/validation/validate.js'
import { VoteBook } from '../src/validation/votes.js'
import { type Cluster, startCluster, waitForMesh } from './support/cluster.js'
import {
  DEPLOYMENT,
  definitions,
  directoryOf,
  makeAttestation,
  makeBlsTask,
  makeOperators,
  makeTask,
  taskInfoOf,
} from './support/fixtures.js'
import { waitFor } from './support/wait.js'

const operators = makeOperators(17, 'wisp-vote-sampling')
const performer = operators[0]!
const attesters = operators.slice(1)
const topics = gossipTopics('wisp-test')

/** An inline verifier that counts the jobs it is given (the BLS work of one node). */
function countingVerifier(): BlsVerifier & { jobs: number } {
  const inner = createInlineVerifier()
  const counter = {
    jobs: 0,
    verify: (job: VerifyJob) => {
      counter.jobs++
      return inner.verify(job)
    },
    verifyMany: (jobs: VerifyJob[]) => {
      counter.jobs += jobs.length
      return inner.verifyMany(jobs)
    },
    close: () => inner.close(),
  }
  return counter as BlsVerifier & { jobs: number }
}

function context(partial: PartialNetworkOptions, verifier: BlsVerifier): ValidationContext {
  const options = resolveNetworkOptions({ deployments: [DEPLOYMENT], ...partial })
  let t = 0
  const now = () => t++
  return {
    options,
    directory: directoryOf(operators),
    definitions: definitions(),
    verifier,
    gate: undefined,
    outcomes: undefined,
    seen: new SeenCache(options.dedupe, now),
    customRate: new RateLimiter(options.customMessages.perPeer, now),
    rates: {
      task: new RateLimiter(options.rateLimits.task, now),
      attestation: new RateLimiter(options.rateLimits.attestation, now),
      taskSubmitted: new RateLimiter(options.rateLimits.taskSubmitted, now),
    },
    penalties: createPeerDefences(options, now).penalties,
    votes: new VoteBook({ maxEntries: options.dedupe.maxVotes }),
    outcomeCache: new OutcomeCache(options.outcomeChecks),
    metrics: createMemoryMetrics(),
  }
}

/** A vote as a node behind a relay gets it: authored by `author`, forwarded by the relay. */
const relayed = (data: Uint8Array, author = 'attester-peer') => ({
  topic: topics.attestation,
  data,
  author,
  from: 'relay-peer',
})

async function judge(ctx: ValidationContext, data: Uint8Array, author?: string) {
  return (await validateGossip('attestation', relayed(data, author), ctx)).verdict
}

describe('BLS jobs per task at one node', () => {
  it('all: one vote job per vote; sample at rate 0: none, every genuine vote still accepted', async () => {
    const task = await makeTask(performer, { proofOfTask: 'count-16' })
    const votes = attesters.map((a) => encodeMessage('attestation', makeAttestation(task, a)))
    const full = countingVerifier()
    const sampled = countingVerifier()
    const fullCtx = context({}, full)
    const sampleCtx = context({ voteChecks: { mode: 'sample', sampleRate: 0 } }, sampled)
    for (const vote of votes) {
      expect((await judge(fullCtx, vote)).outcome).toBe('accept')
      expect((await judge(sampleCtx, vote)).outcome).toBe('accept')
    }
    expect(full.jobs).toBe(16)
    expect(sampled.jobs).toBe(0)
    // unchecked votes are never recorded as their operators' verdicts
    expect(sampleCtx.votes.size).toBe(0)
    expect(fullCtx.votes.size).toBe(16)
  })

  it('a BLS performer signature is verified once per task, not once per vote', async () => {
    const task = makeBlsTask(performer, { proofOfTask: 'bls-performer' })
    const verifier = countingVerifier()
    const ctx = context({ voteChecks: { mode: 'sample', sampleRate: 0 } }, verifier)
    for (const a of attesters) {
      expect((await judge(ctx, encodeMessage('attestation', makeAttestation(task, a)))).outcome).toBe(
        'accept',
      )
    }
    expect(verifier.jobs).toBe(1)
    // a forged performer signature on another task is still caught (its first vote verifies it)
    const genuine = makeBlsTask(performer, { proofOfTask: 'bls-performer-2' })
    const forgedTask = { ...genuine, signature: makeBlsTask(attesters[0]!, { proofOfTask: 'x' }).signature }
    const first = await judge(ctx, encodeMessage('attestation', makeAttestation(forgedTask, attesters[0]!)))
    expect(first).toEqual({ outcome: 'ignore', reason: 'bad_performer_signature' })
    // and remembered: the next vote on that task costs no BLS work and gets the same answer
    const before = verifier.jobs
    const second = await judge(ctx, encodeMessage('attestation', makeAttestation(forgedTask, attesters[1]!)))
    expect(second).toEqual({ outcome: 'ignore', reason: 'bad_performer_signature' })
    expect(verifier.jobs).toBe(before)
  })

  it('at a sample rate of 1/4 about a quarter of 400 votes are checked, and forged ones among them caught', async () => {
    const verifier = countingVerifier()
    const ctx = context({ voteChecks: { mode: 'sample', sampleRate: 0.25 } }, verifier)
    let caught = 0
    for (let i = 0; i < 25; i++) {
      const task = await makeTask(performer, { proofOfTask: `rate-${i}` })
      for (const [j, a] of attesters.entries()) {
        // every fourth vote is forged (signed with another operator's key)
        const forged = j % 4 === 0
        const att = makeAttestation(task, a, forged ? { signWith: performer.blsKey } : {})
        const verdict = await judge(ctx, encodeMessage('attestation', att))
        if (verdict.outcome !== 'accept') {
          expect(forged).toBe(true)
          expect(verdict).toEqual({ outcome: 'ignore', reason: 'bad_attester_signature' })
          caught++
        }
      }
    }
    // 400 votes at p = 1/4: 100 expected; outside 50…150 has probability < 1e-9
    expect(verifier.jobs).toBeGreaterThan(50)
    expect(verifier.jobs).toBeLessThan(150)
    // 100 forged votes at p = 1/4: 25 expected, outside 5…50 has probability < 1e-6
    expect(caught).toBeGreaterThan(5)
    expect(caught).toBeLessThan(50)
    // each caught forgery charged its author (forwarded: the relay is not blamed)
    expect(ctx.penalties.get('attester-peer')).toBeGreaterThan(0)
  })

  it('a vote that contradicts a verified vote of its operator is always checked (evidence)', async () => {
    const verifier = countingVerifier()
    const ctx = context({ voteChecks: { mode: 'sample', sampleRate: 1 } }, verifier)
    const task = await makeTask(performer, { proofOfTask: 'evidence' })
    const [a] = attesters as [(typeof attesters)[0]]
    expect((await judge(ctx, encodeMessage('attestation', makeAttestation(task, a)))).outcome).toBe('accept')
    ctx.options.voteChecks.sampleRate = 0
    // a forged reject vote in a's name cannot make a an equivocator: it is checked and refused
    const forged = makeAttestation(task, a, { isApproved: false, signWith: performer.blsKey })
    expect(await judge(ctx, encodeMessage('attestation', forged))).toEqual({
      outcome: 'ignore',
      reason: 'bad_attester_signature',
    })
    expect(ctx.votes.isEvidence(taskHash(taskInfoOf(task)), a.info.address, false)).toBe(true)
    // the genuine contradicting vote is checked too, and is the equivocation it is
    const genuine = makeAttestation(task, a, { isApproved: false })
    expect((await judge(ctx, encodeMessage('attestation', genuine))).outcome).toBe('accept')
    expect((ctx.metrics as MemoryMetrics).equivocations).toBe(1)
    expect(verifier.jobs).toBe(3)
  })

  it('refuses a sample rate outside 0…1 or an unknown mode with P2P_INVALID_OPTIONS', () => {
    for (const voteChecks of [{ sampleRate: 2 }, { sampleRate: Number.NaN }, { mode: 'some' as 'all' }]) {
      expect(() => resolveNetworkOptions({ voteChecks })).toThrowError(
        expect.objectContaining({ code: 'P2P_INVALID_OPTIONS' }),
      )
    }
  })
})

/** Publishes bytes as `peer` itself, bypassing our encoder and our own rate limits. */
async function sendRaw(peer: WispNetwork, kind: GossipTopicKind, bytes: Uint8Array): Promise<void> {
  await peer.libp2p.services.pubsub.publish(peer.topics[kind], bytes)
}

describe('a forged vote through sampling nodes, over libp2p', () => {
  let cluster: Cluster
  let forger: WispNetwork
  let aggregator: WispNetwork
  const lightMetrics: MemoryMetrics = createMemoryMetrics()
  const aggregatorMetrics: MemoryMetrics = createMemoryMetrics()
  const lightVerifier = countingVerifier()
  const relayVerifier = countingVerifier()
  const aggregatorVerifier = countingVerifier()
  const sample: PartialNetworkOptions = { voteChecks: { mode: 'sample', sampleRate: 0 } }

  beforeAll(async () => {
    cluster = await startCluster({
      operators,
      peers: 0,
      options: { topicNamespace: 'wisp-sampling' },
      // the relay samples too (rate 0: it forwards every vote unchecked)
      relayOptions: sample,
      relayComponents: { verifier: relayVerifier },
    })
    forger = await cluster.addPeer({}, {
      ...sample,
      listen: ['/ip4/127.0.0.1/tcp/0/ws'],
    } as PartialNetworkOptions)
    await cluster.addPeer({ metrics: lightMetrics, verifier: lightVerifier }, sample)
    // the aggregator checks every vote, knowing its peers sample
    aggregator = await cluster.addPeer(
      { metrics: aggregatorMetrics, verifier: aggregatorVerifier },
      { voteChecks: { mode: 'all', peersSample: true } },
    )
    // the forger also reaches the aggregator itself, as any peer may
    await aggregator.dial(forger.getMultiaddrs()[0]!)
    await waitForMesh(forger, aggregator)
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  it('genuine votes: the sampling relay and attester verify none, the aggregator all of them', async () => {
    const task = await makeTask(performer, { proofOfTask: 'genuine-through-sampling' })
    const atAggregator = new Set<string>()
    const off = aggregator.onMessage('attestation', (r) => {
      if (r.message.proofOfTask === task.proofOfTask) atAggregator.add(r.message.attester.address)
    })
    const sender = await cluster.addPeer({}, sample)
    for (const a of attesters)
      await sendRaw(sender, 'attestation', encodeMessage('attestation', makeAttestation(task, a)))
    await waitFor('16 votes at the aggregator', () => atAggregator.size === 16)
    off()
    expect(relayVerifier.jobs).toBe(0)
    expect(lightVerifier.jobs).toBe(0)
    expect(aggregatorVerifier.jobs).toBe(16)
  })

  it('forged votes pass the sampling nodes, are rejected at the aggregator, and cost the forger its score and connection', async () => {
    const task = await makeTask(performer, { proofOfTask: 'forged-through-sampling' })
    const delivered: string[] = []
    const off = aggregator.onMessage('attestation', (r) => {
      if (r.message.proofOfTask === task.proofOfTask) delivered.push(r.message.attester.address)
    })
    const lightAccepted = lightMetrics.count('attestation', 'accept')
    // one forged vote in each attester's name (signed with the performer's key), from the forger
    for (const a of attesters.slice(0, 12)) {
      const forged = makeAttestation(task, a, { signWith: performer.blsKey })
      await sendRaw(forger, 'attestation', encodeMessage('attestation', forged))
    }
    // the sampling attester accepted (and would forward) them unchecked
    await waitFor('the forged votes at the sampling attester', () =>
      lightMetrics.count('attestation', 'accept') - lightAccepted === 12 ? true : undefined,
    )
    // the aggregator refused every one, whichever copy came first (the forger's or the relay's):
    // an ignore that charges the author (P5), never a reject, which would charge the relay too
    await waitFor('the aggregator refused all 12', () =>
      aggregatorMetrics.count('attestation', 'ignore', 'bad_attester_signature') >= 12 ? true : undefined,
    )
    await waitFor('the forger graylisted, hung up and banned at the aggregator', () =>
      aggregator.banned().includes(forger.peerId) &&
      !aggregator.connections().some((c) => c.peerId === forger.peerId)
        ? true
        : undefined,
    )
    expect(aggregator.penalty(forger.peerId)).toBeGreaterThan(400)
    expect(delivered).toEqual([])
    off()
    // the honest sampling relay that forwarded them is not blamed
    expect(aggregatorMetrics.count('attestation', 'reject')).toBe(0)
    expect(aggregator.score(cluster.relay.peerId)).toBeGreaterThanOrEqual(0)
    expect(aggregator.banned()).not.toContain(cluster.relay.peerId)
  })
})
