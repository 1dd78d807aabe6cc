// What one misbehaving operator or peer can do to the engine, on the model chain (the same rules
// as the contract; the real contract is exercised end to end in e2e/test/adversary.test.ts):
// double votes count for nothing and get proven on chain, a gossiped outcome that the chain does
// not confirm ends nothing, sendTask refuses what attesters would refuse, votes published while
// the aggregator was away reach it later, and stop() lets a submission in flight finish.
import {
  DOMAIN_TASKS,
  readWord,
  type TaskInfo,
  taskHash,
  voteHash,
  type WireAttestation,
} from '@wisp/protocol'
import { MemoryStore } from '@wisp/storage'
import { hexToBytes } from 'viem'
import { sign } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import type { Engine } from '../src/index.js'
import {
  MemoryGossipBus,
  ModelChain,
  makeOperators,
  startNode,
  type TestOperator,
} from './support/harness.js'

let engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.map((e) => e.stop()))
  engines = []
})

const task: TaskInfo = {
  proofOfTask: 'proof-1',
  data: '0x01',
  taskPerformer: '0x0000000000000000000000000000000000000000',
  taskDefinitionId: 1,
}

/** A correctly signed vote of `attester`, carrying the performer's signature (made up unless given). */
function vote(
  chain: ModelChain,
  attester: TestOperator,
  t: TaskInfo,
  isApproved: boolean,
  performerSignature: `0x${string}` = `0x${'11'.repeat(65)}`,
): WireAttestation {
  const digest = voteHash(t, {
    attestationCenter: chain.attestationCenter,
    chainId: chain.chainId,
    isApproved,
  })
  const sig = attester.bls.sign(hexToBytes(DOMAIN_TASKS), hexToBytes(digest)).toBytes()
  return {
    proofOfTask: t.proofOfTask,
    data: t.data,
    performer: { address: t.taskPerformer, signature: { type: 'ecdsa', signature: performerSignature } },
    attester: { address: attester.address, signature: { x: readWord(sig, 0), y: readWord(sig, 32) } },
    isApproved,
    definitionId: t.taskDefinitionId,
  }
}

async function aggregatorNetwork(count = 5) {
  const { operators, records } = makeOperators(count)
  const performerTask = { ...task, taskPerformer: operators[0]!.address }
  const chain = new ModelChain(records)
  const bus = new MemoryGossipBus()
  const aggregator = startNode(bus, chain, {
    operator: operators[0]!,
    options: { aggregator: {} },
    plugins: [],
  })
  engines.push(aggregator)
  const performerSignature = await signTask(operators[0]!, performerTask)
  /** a vote on this network's task, with the performer's real signature (the chain checks it) */
  const voteOf = (attester: TestOperator, isApproved: boolean) =>
    vote(chain, attester, performerTask, isApproved, performerSignature)
  return { operators, chain, bus, aggregator, task: performerTask, voteOf }
}

async function signTask(by: TestOperator, t: TaskInfo): Promise<`0x${string}`> {
  return sign({ hash: taskHash(t), privateKey: by.ecdsaKey, to: 'hex' })
}

describe('one verdict per operator per task', () => {
  it('an operator that votes both verdicts counts in neither, and the watchtower proves it on chain', async () => {
    const { operators, chain, aggregator, task: t, voteOf } = await aggregatorNetwork(6)
    await aggregator.start()
    const agg = aggregator.aggregator!
    const [a, b, c, e, d] = operators.slice(1) as [
      TestOperator,
      TestOperator,
      TestOperator,
      TestOperator,
      TestOperator,
    ]
    const proved = aggregator.events.once('slashing:proved')
    // d votes approve, then reject: both go to the aggregator and the watchtower, as gossip delivers them
    for (const message of [voteOf(d, true), voteOf(d, false)]) {
      await agg.handleAttestation({ message, operatorId: d.id })
      await aggregator.watchtower!.handleAttestation({ message })
    }
    // 100 each of 600: the threshold is 400; three honest approvals and d's are not enough
    for (const op of [a, b]) await agg.handleAttestation({ message: voteOf(op, true), operatorId: op.id })
    expect(chain.submissions).toHaveLength(0)
    await agg.handleAttestation({ message: voteOf(d, true), operatorId: d.id })
    expect(chain.submissions).toHaveLength(0)
    await agg.handleAttestation({ message: voteOf(c, true), operatorId: c.id })
    expect(chain.submissions).toHaveLength(0)
    await agg.handleAttestation({ message: voteOf(e, true), operatorId: e.id })
    await waitUntil(() => chain.submissions.length === 1)
    expect(chain.submissions[0]!.attesterIds).toEqual([a.id, b.id, c.id, e.id])

    const event = await proved
    expect(event).toMatchObject({ kind: 'double-attestation', taskHash: taskHash(t), operatorId: d.id })
    expect(chain.slashings).toHaveLength(1)
    expect(chain.slashings[0]!.operator).toBe(d.address)
    expect(chain.operators.find((o) => o.id === d.id)!.votingPower).toBe(90n)
  })

  it('a forged second vote is not a proof: nothing is filed and the genuine vote still counts', async () => {
    const { operators, chain, aggregator, voteOf } = await aggregatorNetwork(5)
    await aggregator.start()
    const d = operators[4]!
    const genuine = voteOf(d, true)
    const forged = {
      ...voteOf(operators[3]!, false),
      attester: { ...genuine.attester, signature: { x: 1n, y: 2n } },
    }
    await aggregator.watchtower!.handleAttestation({ message: genuine })
    await aggregator.watchtower!.handleAttestation({ message: forged })
    expect(chain.slashings).toHaveLength(0)
  })
})

describe('incorrect attestation', () => {
  async function dissent(enabled: boolean) {
    const { operators, chain, aggregator, voteOf } = await aggregatorNetwork(6)
    if (enabled) chain.incorrectSlashing.add(1)
    await aggregator.start()
    const [a, b, c, e, dissenter] = operators.slice(1) as [
      TestOperator,
      TestOperator,
      TestOperator,
      TestOperator,
      TestOperator,
    ]
    const proved = aggregator.events.once('slashing:proved')
    for (const message of [voteOf(dissenter, false)]) {
      await aggregator.watchtower!.handleAttestation({ message })
      await aggregator.aggregator!.handleAttestation({ message, operatorId: dissenter.id })
    }
    for (const op of [a, b, c, e]) {
      const message = voteOf(op, true)
      await aggregator.watchtower!.handleAttestation({ message })
      await aggregator.aggregator!.handleAttestation({ message, operatorId: op.id })
    }
    await waitUntil(() => chain.submissions.length === 1)
    return { chain, aggregator, dissenter, proved }
  }

  it('where the definition enables it, a vote against the recorded verdict is proven after our submission', async () => {
    const { chain, dissenter, proved } = await dissent(true)
    expect(await proved).toMatchObject({ kind: 'incorrect-attestation', operatorId: dissenter.id })
    expect(chain.incorrectSlashings.map((p) => p.operator)).toEqual([dissenter.address])
    expect(chain.operators.find((o) => o.id === dissenter.id)!.votingPower).toBe(90n)
  })

  it('where it does not, the contract refuses (in simulation) and nothing is slashed', async () => {
    const { chain, aggregator } = await dissent(false)
    await waitUntil(() => chain.incorrectAttempts === 1)
    await aggregator.stop()
    expect(chain.incorrectSlashings).toHaveLength(0)
  })
})

describe('outcomes come from the chain', () => {
  it('a TaskSubmitted the chain does not confirm leaves the task pending; it is submitted when the quorum comes', async () => {
    const { operators, chain, aggregator, task: t, voteOf } = await aggregatorNetwork(5)
    await aggregator.start()
    const agg = aggregator.aggregator!
    await agg.handleAttestation({ message: voteOf(operators[1]!, true), operatorId: operators[1]!.id })
    expect(agg.pendingTasks).toBe(1)
    // a live task's hash with a made-up transaction, and a real transaction of another task
    const other = chain.landedElsewhere({ ...t, proofOfTask: 'other' }, true, [2])
    for (const txHash of [`0x${'ab'.repeat(32)}` as const, other]) {
      await agg.handleTaskSubmitted({
        taskId: taskHash(t),
        txHash,
        performerAddress: t.taskPerformer,
        operatorIds: [1],
        definitionId: 1,
        isApproved: true,
      })
    }
    expect(agg.pendingTasks).toBe(1)
    for (const op of operators.slice(2, 5))
      await agg.handleAttestation({ message: voteOf(op, true), operatorId: op.id })
    await waitUntil(() => chain.submissions.some((s) => taskHash(s.task) === taskHash(t)))
  })
})

describe('sendTask verifies before it publishes', () => {
  async function sender() {
    const { operators, records } = makeOperators(3)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    const node = startNode(bus, chain, { operator: operators[1]!, options: {}, plugins: [] })
    engines.push(node)
    await node.start()
    const performer = operators[0]!
    const signed = async (t: TaskInfo, by: TestOperator) => ({
      task: t,
      signature: { type: 'ecdsa' as const, signature: await signTask(by, t) },
    })
    return { operators, chain, bus, node, performer, signed }
  }

  it('refuses each bad request with its code and gossips nothing', async () => {
    const { operators, chain, bus, node, performer, signed } = await sender()
    const t = { ...task, taskPerformer: performer.address }
    const cases: Array<[string, Parameters<Engine['sendTask']>[0]]> = [
      ['SEND_TASK_BAD_SIGNATURE', await signed(t, operators[2]!)],
      [
        'SEND_TASK_BAD_SIGNATURE',
        { task: t, signature: { type: 'ecdsa', signature: `0x${'5a'.repeat(65)}` } },
      ],
      ['SEND_TASK_BAD_SIGNATURE', { task: t, signature: { type: 'bls', signature: { x: 1n, y: 2n } } }],
      ['SEND_TASK_BAD_SIGNATURE', { task: t, signature: { type: 'bls', signature: { x: 1n, y: 3n } } }],
      ['SEND_TASK_UNKNOWN_DEFINITION', await signed({ ...t, taskDefinitionId: 7 }, performer)],
      [
        'SEND_TASK_INACTIVE_PERFORMER',
        await signed({ ...t, taskPerformer: '0x00000000000000000000000000000000000000aa' }, performer),
      ],
    ]
    for (const [code, request] of cases) await expect(node.sendTask(request)).rejects.toMatchObject({ code })
    chain.operators[0]!.active = false
    await node.operators.refresh()
    await expect(node.sendTask(await signed(t, performer))).rejects.toMatchObject({
      code: 'SEND_TASK_INACTIVE_PERFORMER',
    })
    expect(bus.published.filter((p) => p.kind === 'task')).toHaveLength(0)

    chain.operators[0]!.active = true
    await node.operators.refresh()
    await expect(node.sendTask(await signed(t, performer))).resolves.toMatchObject({ taskHash: taskHash(t) })
    expect(bus.published.filter((p) => p.kind === 'task')).toHaveLength(1)
  })

  it('refuses a performer that was not elected where the network elects', async () => {
    const { operators, records } = makeOperators(3)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    const node = startNode(bus, chain, {
      operator: operators[1]!,
      options: { electionWindowBlocks: 1n, roundRobin: { interval: 1n }, performerIds: [1] },
      plugins: [],
    })
    engines.push(node)
    await node.start()
    const outsider = operators[2]!
    const t = { ...task, taskPerformer: outsider.address }
    const signature = await signTask(outsider, t)
    await expect(node.sendTask({ task: t, signature: { type: 'ecdsa', signature } })).rejects.toMatchObject({
      code: 'SEND_TASK_NOT_ELECTED',
    })
  })
})

describe('nothing lost across restarts', () => {
  it('votes published while the aggregator was away reach it from the attesters’ next round', async () => {
    const { operators, records } = makeOperators(4)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    const republish = { firstAfterMs: 100, tickMs: 20 }
    const performer = startNode(bus, chain, {
      operator: operators[0]!,
      options: { performer: { taskDefinitionIds: [1], ignoreElection: true }, republish },
      plugins: [
        {
          plugin: (await import('@wisp/plugin-hash-chain')).createHashChainPlugin({ taskDefinitionIds: [1] }),
          config: { iterations: 10 },
        },
      ],
    })
    const hashChain = (await import('@wisp/plugin-hash-chain')).createHashChainPlugin({
      taskDefinitionIds: [1],
    })
    const attesters = operators.slice(1).map((operator) =>
      startNode(bus, chain, {
        operator,
        options: { attester: { electionWindowBlocks: 0n }, republish },
        plugins: [{ plugin: hashChain, config: { iterations: 10 } }],
      }),
    )
    engines.push(performer, ...attesters)
    await Promise.all(engines.map((e) => e.start()))
    const voted = Promise.all(attesters.map((a) => a.events.once('vote:published')))
    const [published] = await performer.performer!.tick('test')
    await voted
    expect(attesters.every((a) => a.republisher!.tracks(published!.taskHash))).toBe(true)

    // the aggregator comes up only now, on a fresh store: it saw none of the original votes
    const store = new MemoryStore()
    const aggregator = startNode(bus, chain, {
      operator: operators[0]!,
      options: { aggregator: {} },
      plugins: [],
      store,
    })
    engines.push(aggregator)
    const sent = aggregator.events.once('submission:sent')
    await aggregator.start()
    expect(await sent).toMatchObject({ taskHash: published!.taskHash })
    expect(chain.submissions).toHaveLength(1)
    // the outcome announcement, confirmed on chain, settles what the attesters kept
    await waitUntil(() => attesters.every((a) => !a.republisher!.tracks(published!.taskHash)))
  })

  it('a task sent through an aggregator reaches attesters that missed it, once they vote on a later one', async () => {
    const { operators, records } = makeOperators(4)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    // the aggregator alone takes the performer's JSON-RPC sendTask: nobody else holds the task
    const aggregator = startNode(bus, chain, {
      operator: operators[0]!,
      options: { aggregator: {}, missedTasks: { afterMs: 100, quietMs: 50, tickMs: 20 } },
      plugins: [],
    })
    engines.push(aggregator)
    await aggregator.start()
    const send = async (proofOfTask: string) => {
      const t = { ...task, proofOfTask, taskPerformer: operators[0]!.address }
      const signature = await signTask(operators[0]!, t)
      return aggregator.sendTask({ task: t, signature: { type: 'ecdsa', signature } })
    }
    const missed = await send('sent-while-the-attesters-were-away')

    // the attesters come up only now (a relay failover, a reload): the original reached none
    const hashChain = (await import('@wisp/plugin-hash-chain')).createHashChainPlugin({
      taskDefinitionIds: [1],
    })
    const attesters = operators.slice(1).map((operator) =>
      startNode(bus, chain, {
        operator,
        options: { attester: { electionWindowBlocks: 0n } },
        plugins: [{ plugin: hashChain, config: { iterations: 10 } }],
      }),
    )
    engines.push(...attesters)
    await Promise.all(attesters.map((a) => a.start()))
    const submitted: string[] = []
    aggregator.events.on('submission:sent', (e) => submitted.push(e.taskHash))
    await new Promise((r) => setTimeout(r, 300))
    // no evidence yet that anyone missed it (nobody voted on anything): no copy, no submission
    expect(submitted).toEqual([])
    // they vote on the next task, so the aggregator learns they missed the first and copies it
    const next = await send('sent-after-they-came-back')
    await waitUntil(() => submitted.includes(missed.taskHash))
    expect(submitted).toEqual([next.taskHash, missed.taskHash])
  })

  it('stop() waits for a submission in flight before the store may close', async () => {
    const { operators, chain, aggregator, task: t, voteOf } = await aggregatorNetwork(4)
    await aggregator.start()
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const submit = chain.submitTask.bind(chain)
    chain.submitTask = async (params) => {
      await gate
      return submit(params)
    }
    const quorum = aggregator.events.once('quorum:reached')
    // not awaited: the vote that completes the quorum resolves only when its submission does
    for (const op of operators.slice(1))
      void aggregator.aggregator!.handleAttestation({ message: voteOf(op, true), operatorId: op.id })
    await quorum
    let stopped = false
    const stopping = aggregator.stop().then(() => {
      stopped = true
    })
    await new Promise((r) => setTimeout(r, 50))
    expect(stopped).toBe(false)
    release()
    await stopping
    expect(chain.submissions).toHaveLength(1)
    expect(await aggregator.history.getOutcome(taskHash(t))).toMatchObject({ status: 'submitted' })
    engines = engines.filter((e) => e !== aggregator)
  })
})

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
