// The aggregator's timing and batching (issue 13 points 3 and 4), with real BLS and the model
// chain: votes of several tasks verified in one verifier call and a forged one still isolated and
// blamed; the latency rule submitting once every recent voter is in, or at a bound (in blocks here,
// so the test moves the bound itself instead of timing it); votes gossiped before their task held
// in a bounded buffer and counted when it arrives.
import { type BlsVerifier, createInlineVerifier, type VerifyJob } from '@wisp/bls'
import { MemoryMetrics } from '@wisp/interface'
import {
  DOMAIN_TASKS,
  readWord,
  type TaskInfo,
  taskHash,
  voteHash,
  type WireAttestation,
  type WireTask,
} from '@wisp/protocol'
import { MemoryStore } from '@wisp/storage'
import { bytesToHex, hexToBytes } from 'viem'
import { sign } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import { type AggregatorOptions, createEngine, type Engine } from '../src/index.js'
import { VoteBuffer } from '../src/roles/vote-buffer.js'
import { MemoryGossipBus, ModelChain, makeOperators, type TestOperator } from './support/harness.js'

let engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.map((e) => e.stop()))
  engines = []
})

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5))
  if (!condition()) throw new Error(`timed out waiting for ${what}`)
}

/** The real inline verifier, recording each call's jobs; `hold()` makes the next call wait for `release()`. */
function recordingVerifier() {
  const inner = createInlineVerifier()
  const calls: VerifyJob[][] = []
  let gate: Promise<void> | undefined
  let open: () => void = () => {}
  const verifier: BlsVerifier = {
    verify: (job) => inner.verify(job),
    async verifyMany(jobs) {
      calls.push([...jobs])
      if (gate !== undefined) await gate
      return inner.verifyMany(jobs)
    },
    get pending() {
      return inner.pending
    },
    close: () => inner.close(),
  }
  return {
    verifier,
    calls,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve
      })
    },
    release() {
      gate = undefined
      open()
    },
  }
}

/**
 * 6 operators of 100 each: 400 of 600 reaches the threshold (4 votes). Operator 1 performs and runs
 * the aggregator; operators 2–6 vote. Votes go in through the bus (the gossip path) or directly.
 */
async function setup(aggregator: Partial<AggregatorOptions>) {
  const { operators, records } = makeOperators(6)
  const chain = new ModelChain(records)
  // how often the head was read: lets a test see the aggregator waiting, without timing it
  let blockReads = 0
  const getBlockNumber = chain.getBlockNumber.bind(chain)
  chain.getBlockNumber = () => {
    blockReads++
    return getBlockNumber()
  }
  const bus = new MemoryGossipBus()
  const recorder = recordingVerifier()
  const metrics = new MemoryMetrics()
  const [performer] = operators
  const engine = createEngine(
    { runtime: 'node', operatorAddress: performer!.address, aggregator },
    {
      gossip: bus.join('aggregator', performer!.id),
      chain,
      store: new MemoryStore(),
      verifier: recorder.verifier,
      metrics,
    },
  )
  engines.push(engine)
  await engine.start()
  const peers = new Map(operators.map((o) => [o.id, bus.join(`peer-${o.id}`, o.id)]))

  let n = 0
  /** A task of operator 1 with its real ECDSA signature (the model chain checks it). */
  const newTask = async () => {
    const task: TaskInfo = {
      proofOfTask: `proof-${n++}`,
      data: '0x01',
      taskPerformer: performer!.address,
      taskDefinitionId: 1,
    }
    const signature = await sign({ hash: taskHash(task), privateKey: performer!.ecdsaKey, to: 'hex' })
    const wire: WireTask = {
      proofOfTask: task.proofOfTask,
      data: task.data,
      performer: task.taskPerformer,
      definitionId: 1,
      signature: { type: 'ecdsa', signature },
    }
    return { task, hash: taskHash(task), signature, wire }
  }
  type Task = Awaited<ReturnType<typeof newTask>>
  /** `attester`'s approval; `signedFor` makes it sign another task's vote hash (a forgery) */
  const voteOf = (t: Task, attester: TestOperator, signedFor: TaskInfo = t.task): WireAttestation => {
    const digest = voteHash(signedFor, {
      attestationCenter: chain.attestationCenter,
      chainId: chain.chainId,
      isApproved: true,
    })
    const sig = attester.bls.sign(hexToBytes(DOMAIN_TASKS), hexToBytes(digest)).toBytes()
    return {
      proofOfTask: t.task.proofOfTask,
      data: t.task.data,
      performer: { address: t.task.taskPerformer, signature: { type: 'ecdsa', signature: t.signature } },
      attester: { address: attester.address, signature: { x: readWord(sig, 0), y: readWord(sig, 32) } },
      isApproved: true,
      definitionId: 1,
    }
  }
  /** gossips a vote from its attester's own peer */
  const gossipVote = (t: Task, attester: TestOperator) =>
    peers.get(attester.id)!.publish('attestation', voteOf(t, attester))
  const gossipTask = (t: Task) => peers.get(performer!.id)!.publish('task', t.wire)
  const submitted = (t: Task) => chain.submissions.find((s) => taskHash(s.task) === t.hash)
  const received: Array<{ taskHash: string; operatorId: number }> = []
  engine.events.on('attestation:received', (e) => received.push(e))
  return {
    operators,
    chain,
    engine,
    agg: engine.aggregator!,
    recorder,
    metrics,
    newTask,
    voteOf,
    gossipVote,
    gossipTask,
    submitted,
    received,
    polls: () => blockReads,
  }
}

describe('aggregator: votes of many tasks verified together', () => {
  it('one verifier call for three tasks; a forged vote among them is the only one dropped and blamed', async () => {
    const { operators, agg, engine, recorder, metrics, newTask, voteOf, submitted } = await setup({
      latencyMs: 0,
    })
    const [, a, b, c, d, e] = operators
    const dropped: Array<{ operatorId?: number; reason: string }> = []
    engine.events.on('attestation:dropped', (x) => dropped.push(x))

    // task 0 reaches its threshold first and its verification is held (a busy verifier); tasks
    // 1–3 reach theirs together meanwhile and go to the verifier in one call
    recorder.hold()
    const t0 = await newTask()
    const running = [a, b, c, d].map((op) =>
      agg.handleAttestation({ message: voteOf(t0, op!), operatorId: op!.id }),
    )
    await waitFor(() => recorder.calls.length === 1, 'the first verification')
    const [t1, t2, t3] = [await newTask(), await newTask(), await newTask()]
    for (const t of [t1, t2, t3]) {
      for (const op of [a, b, c, d]) {
        // d's vote on task 2 is its signature of task 1's vote: counted, until verified
        const message = t === t2 && op === d ? voteOf(t2, d!, t1.task) : voteOf(t, op!)
        running.push(agg.handleAttestation({ message, operatorId: op!.id }))
      }
    }
    // all three at their threshold
    await waitFor(
      () => metrics.get('wisp_aggregator_submit_wait_total', { reason: 'threshold' }) === 4,
      'four tasks at their threshold',
    )
    recorder.release()
    await waitFor(() => submitted(t1) !== undefined && submitted(t3) !== undefined, 'tasks 1 and 3')

    // the second call holds the 12 votes of tasks 1–3: three vote hashes in one batch
    const second = recorder.calls[1]!
    expect(second).toHaveLength(12)
    expect(new Set(second.map((j) => bytesToHex(j.digest))).size).toBe(3)
    expect(dropped).toEqual([
      expect.objectContaining({ operatorId: d!.id, reason: 'invalid attester signature' }),
    ])
    expect(submitted(t2)).toBeUndefined() // 300 of 600 left: below the threshold

    // e votes on task 2: only its vote is verified (the others were already), and the task lands
    running.push(agg.handleAttestation({ message: voteOf(t2, e!), operatorId: e!.id }))
    await waitFor(() => submitted(t2) !== undefined, 'task 2')
    expect(recorder.calls.at(-1)).toHaveLength(1)
    expect(submitted(t2)!.attesterIds).toEqual([a!.id, b!.id, c!.id, e!.id])
    expect(submitted(t1)!.attesterIds).toEqual([a!.id, b!.id, c!.id, d!.id])
    await Promise.all(running)
  })
})

describe('aggregator: the latency rule', () => {
  it('waits for every recent voter: submits as soon as they are in, and at the bound (in blocks) when one is silent', async () => {
    const { operators, chain, metrics, newTask, gossipVote, gossipTask, submitted, polls } = await setup({
      latencyBlocks: 1,
      blockPollMs: 5,
    })
    const [, a, b, c, d, e] = operators
    const waits = (reason: string) => metrics.get('wisp_aggregator_submit_wait_total', { reason })

    // no history yet: every active operator is expected, and operator 1 (the performer) never votes
    const first = await newTask()
    await gossipTask(first)
    for (const op of [a, b, c, d, e]) await gossipVote(first, op!)
    const since = polls()
    await waitFor(() => polls() >= since + 3, 'the aggregator to read the head a few times')
    expect(submitted(first)).toBeUndefined()
    chain.block++
    await waitFor(() => submitted(first) !== undefined, 'the first task at its bound')
    expect(submitted(first)!.attesterIds).toEqual([2, 3, 4, 5, 6])
    expect(waits('bound')).toBe(1)

    // 2–6 are the recent voters now: the task goes as soon as the fifth is in (the head only
    // moves when a submission is mined: not the bound)
    const second = await newTask()
    await gossipTask(second)
    for (const op of [a, b, c, d]) await gossipVote(second, op!)
    const before = polls()
    await waitFor(() => polls() >= before + 3, 'the aggregator to wait on the head')
    expect(submitted(second)).toBeUndefined()
    await gossipVote(second, e!)
    await waitFor(() => submitted(second) !== undefined, 'the second task once every recent voter is in')
    expect(submitted(second)!.attesterIds).toEqual([2, 3, 4, 5, 6])
    expect(waits('all-voted')).toBe(1)

    // 6 goes silent: the third task waits for it until the head moves on, then goes without it
    const third = await newTask()
    await gossipTask(third)
    for (const op of [a, b, c, d]) await gossipVote(third, op!)
    const waiting = polls()
    await waitFor(() => polls() >= waiting + 3, 'the aggregator to wait for operator 6')
    expect(submitted(third)).toBeUndefined()
    chain.block++
    await waitFor(() => submitted(third) !== undefined, 'the third task at its bound')
    expect(submitted(third)!.attesterIds).toEqual([2, 3, 4, 5])
    expect(waits('bound')).toBe(2)
  })

  it('a vote that comes after its task was submitted keeps its operator among the recent voters', async () => {
    const { operators, chain, agg, metrics, newTask, voteOf, submitted, polls } = await setup({
      latencyBlocks: 1,
      blockPollMs: 5,
    })
    const [, a, b, c, d, e] = operators
    const vote = (t: Awaited<ReturnType<typeof newTask>>, op: TestOperator) =>
      agg.handleAttestation({ message: voteOf(t, op), operatorId: op.id })
    // two tasks go at their bound without operator 6, whose vote comes after each submission
    for (let i = 0; i < 2; i++) {
      const t = await newTask()
      const running = [a, b, c, d].map((op) => vote(t, op!))
      const since = polls()
      await waitFor(() => polls() >= since + 3, 'the aggregator to wait on the head')
      chain.block++
      await Promise.all(running)
      expect(submitted(t)!.attesterIds).toEqual([2, 3, 4, 5])
      await vote(t, e!)
    }
    expect(metrics.get('wisp_aggregator_submit_wait_total', { reason: 'bound' })).toBe(2)
    // the next task waits for 6 again, and goes as soon as it is in (the head never moves)
    const t = await newTask()
    const running = [a, b, c, d].map((op) => vote(t, op!))
    const since = polls()
    await waitFor(() => polls() >= since + 3, 'the aggregator to wait for operator 6')
    expect(submitted(t)).toBeUndefined()
    await vote(t, e!)
    await Promise.all(running)
    expect(submitted(t)!.attesterIds).toEqual([2, 3, 4, 5, 6])
    expect(metrics.get('wisp_aggregator_submit_wait_total', { reason: 'all-voted' })).toBe(1)
  })

  it('delayMs > 0 keeps the fixed window: all votes in still wait for it', async () => {
    const { operators, agg, metrics, newTask, voteOf, submitted } = await setup({ delayMs: 30 })
    const t = await newTask()
    await Promise.all(
      operators.slice(1).map((op) => agg.handleAttestation({ message: voteOf(t, op), operatorId: op.id })),
    )
    expect(submitted(t)).toBeDefined()
    expect(metrics.get('wisp_aggregator_submit_wait_total', { reason: 'delay' })).toBe(1)
    expect(metrics.get('wisp_aggregator_submit_wait_total', { reason: 'all-voted' })).toBe(0)
  })

  it('rejects negative or fractional latency options (ENGINE_INVALID_OPTIONS)', async () => {
    for (const options of [
      { latencyMs: -1 },
      { latencyBlocks: 1.5 },
      { recentTasks: 0 },
      { earlyVotesTotal: 0 },
    ]) {
      await expect(setup(options)).rejects.toMatchObject({ code: 'ENGINE_INVALID_OPTIONS' })
    }
  })
})

describe('aggregator: votes before their task', () => {
  it('are held until the task’s gossip arrives, then counted and submitted', async () => {
    const { operators, agg, metrics, newTask, gossipVote, gossipTask, submitted, received } = await setup({
      latencyMs: 0,
      earlyVoteWaitMs: 600_000,
    })
    const t = await newTask()
    for (const op of operators.slice(1, 5)) await gossipVote(t, op)
    await waitFor(() => agg.earlyVotes === 4, 'four held votes')
    expect(agg.pendingTasks).toBe(0)
    expect(received).toEqual([])

    await gossipTask(t)
    await waitFor(() => submitted(t) !== undefined, 'the task with its early votes')
    expect(submitted(t)!.attesterIds).toEqual([2, 3, 4, 5])
    expect(agg.earlyVotes).toBe(0)
    expect(metrics.get('wisp_aggregator_early_votes_total', { result: 'buffered' })).toBe(4)
    expect(metrics.get('wisp_aggregator_early_votes_total', { result: 'task-arrived' })).toBe(4)
    // votes after the task are counted at once
    await gossipVote(t, operators[5]!)
    expect(agg.earlyVotes).toBe(0)
  })

  it('a task whose gossip never comes is aggregated from its votes when the grace ends', async () => {
    const { operators, metrics, newTask, gossipVote, submitted } = await setup({
      latencyMs: 0,
      earlyVoteWaitMs: 20,
    })
    const t = await newTask()
    for (const op of operators.slice(1, 5)) await gossipVote(t, op)
    await waitFor(() => submitted(t) !== undefined, 'the task after the grace')
    expect(metrics.get('wisp_aggregator_early_votes_total', { result: 'grace-ended' })).toBe(4)
  })

  it('the buffer is bounded per task and in total: the oldest votes go first', async () => {
    const { operators, agg, metrics, newTask, gossipVote, gossipTask, received } = await setup({
      latencyMs: 0,
      earlyVoteWaitMs: 600_000,
      earlyVotesPerTask: 2,
      earlyVotesTotal: 3,
    })
    const [, a, b, c, d, e] = operators
    const x = await newTask()
    const y = await newTask()
    for (const op of [a, b, c]) await gossipVote(x, op!) // a evicted: 2 per task
    await waitFor(() => agg.earlyVotes === 2, 'two held for x')
    for (const op of [d, e]) await gossipVote(y, op!) // b evicted: 3 in total
    await waitFor(
      () => metrics.get('wisp_aggregator_early_votes_total', { result: 'buffered' }) === 5,
      'five',
    )
    expect(agg.earlyVotes).toBe(3)
    expect(metrics.get('wisp_aggregator_early_votes_total', { result: 'evicted' })).toBe(2)

    await gossipTask(x)
    await waitFor(() => received.length === 1, "x's surviving vote")
    expect(received[0]).toMatchObject({ taskHash: x.hash, operatorId: c!.id })
    expect(agg.earlyVotes).toBe(2)
  })

  it('VoteBuffer: a repeated vote is held once; take() hands votes back in arrival order', () => {
    const buffer = new VoteBuffer<string>({ maxPerTask: 3, maxTotal: 4 })
    expect(buffer.add('t', 'k1', 'v1', 0)).toEqual({ added: true, evicted: 0 })
    expect(buffer.add('t', 'k1', 'again', 1)).toEqual({ added: false, evicted: 0 })
    buffer.add('t', 'k2', 'v2', 2)
    buffer.add('u', 'k3', 'v3', 3)
    buffer.add('u', 'k4', 'v4', 4)
    expect(buffer.add('u', 'k5', 'v5', 5)).toEqual({ added: true, evicted: 1 })
    expect(buffer.since('t')).toBe(0)
    expect(buffer.take('t')).toEqual(['v2'])
    expect(buffer.take('u')).toEqual(['v3', 'v4', 'v5'])
    expect(buffer.size).toBe(0)
    expect(buffer.tasks).toBe(0)
  })
})
