// The aggregator under a task definition's `maximumNumberOfAttesters`, on anvil with the real
// contracts and the real chain port (issue 14 point 3). Five attesters of unequal power vote on
// tasks of two definitions: at most 3 attesters — the task lands with exactly the 3 with the most
// power, read back from the TaskSubmitted event; at most 2 — the top two miss the threshold the
// five together would meet, so nothing is sent and the reason is logged and counted once.
// The block gas limit is lowered to 440 000 after the deployment: with the aggregator's worst-case
// model (300 000 + 40 000 per attester) three attesters fit one submission, so a definition with no
// maximum also lands with the three of most power, and the real transaction fits the block.
import { createInlineVerifier, SecretKey } from '@wisp/bls'
import { createChainPort, parseTaskEvents, type WispChainPort } from '@wisp/chain'
import {
  ANVIL_DEV_KEYS,
  type Anvil,
  deployLocalNetwork,
  type LocalNetwork,
  startAnvil,
} from '@wisp/contracts/dev'
import { MemoryMetrics } from '@wisp/interface'
import {
  DOMAIN_TASKS,
  readWord,
  type TaskInfo,
  taskHash,
  voteHash,
  type WireAttestation,
} from '@wisp/protocol'
import { MemoryStore } from '@wisp/storage'
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  hexToBytes,
  http,
  type PublicClient,
} from 'viem'
import { privateKeyToAccount, sign } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine, type EngineEvents, type Logger } from '../src/index.js'
import { GAS_BELOW_THRESHOLD, MAXIMUM_BELOW_THRESHOLD } from '../src/roles/vote-selection.js'

// ids 1..5; network total 125, so approving takes 125*2/3 = 83 (the contract's floor)
const POWERS = [10n, 40n, 20n, 30n, 25n]
const TOP_THREE = [2, 4, 5] // 40 + 30 + 25 = 95: the five together are 125, ids 1..3 only 70
// the top two, 40 + 30 = 70, stay below 83 although the five together reach it

const BLOCK_GAS_LIMIT = 440_000n

let anvil: Anvil | undefined
let net: LocalNetwork
let port: WispChainPort
let publicClient: PublicClient
let engine: Engine
const metrics = new MemoryMetrics()
const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = []
const reached: EngineEvents['quorum:reached'][] = []
const sent: EngineEvents['submission:sent'][] = []
const failed: EngineEvents['submission:failed'][] = []

const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, fields) => void warnings.push({ message, ...(fields ? { fields } : {}) }),
  error: () => undefined,
  child: () => logger,
}

beforeAll(async () => {
  anvil = await startAnvil()
  net = await deployLocalNetwork({
    rpcUrl: anvil.rpcUrl,
    operators: POWERS.map((votingPower) => ({ votingPower })),
    taskDefinitions: [
      { name: 'three at most', maximumNumberOfAttesters: 3 },
      { name: 'two at most', maximumNumberOfAttesters: 2 },
      { name: 'no maximum', maximumNumberOfAttesters: 0 },
    ],
    // the aggregator is no operator, so the latency rule's "every active operator voted" ends its
    // wait — no timer decides what the submission holds
    openAggregator: true,
  })
  const chain = defineChain({
    id: net.chainId,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  })
  const transport = http(anvil.rpcUrl, { retryCount: 0 })
  publicClient = createPublicClient({ chain, transport, pollingInterval: 50 })
  port = await createChainPort(
    { attestationCenter: net.contracts.attestationCenter, pollingIntervalMs: 50, outcomeWindowMs: 1_000 },
    {
      publicClient,
      walletClient: createWalletClient({ account: privateKeyToAccount(ANVIL_DEV_KEYS[1]), chain, transport }),
    },
  )
  // a gossip port nobody else is on: votes are handed to the aggregator as gossip would
  const gossip = { publish: async () => ({ recipients: 0 }), onMessage: () => () => undefined }
  engine = createEngine(
    {
      runtime: 'node',
      operatorAddress: privateKeyToAccount(ANVIL_DEV_KEYS[1]).address,
      // a generous bound: the wait ends when all five have voted, long before it
      aggregator: { latencyMs: 20_000, earlyVoteWaitMs: 0 },
      watchtower: false,
    },
    { gossip, chain: port, store: new MemoryStore(), verifier: createInlineVerifier(), metrics, logger },
  )
  engine.events.on('quorum:reached', (e) => reached.push(e))
  engine.events.on('submission:sent', (e) => sent.push(e))
  engine.events.on('submission:failed', (e) => failed.push(e))
  await engine.start()
  // after the port's reads at start: anvil's calls get the block's gas at most
  const testClient = createTestClient({ chain, mode: 'anvil', transport })
  await testClient.setBlockGasLimit({ gasLimit: BLOCK_GAS_LIMIT })
  await testClient.mine({ blocks: 1 })
}, 120_000)

afterAll(async () => {
  await engine?.stop()
  port?.close()
  await anvil?.stop()
})

let counter = 0
/** A task of operator 1 (the performer), signed over its taskHash. */
async function newTask(definitionId: number) {
  const performer = net.operators[0]!
  const task: TaskInfo = {
    proofOfTask: `maximum-${counter++}`,
    data: '0x01',
    taskPerformer: performer.address,
    taskDefinitionId: definitionId,
  }
  const signature = await sign({ hash: taskHash(task), privateKey: performer.ecdsaKey, to: 'hex' })
  return { task, signature }
}

/** Every operator's approval of the task, in id order. */
function votesOn({ task, signature }: { task: TaskInfo; signature: Hex }) {
  const digest = voteHash(task, {
    attestationCenter: port.attestationCenter,
    chainId: port.chainId,
    isApproved: true,
  })
  return net.operators.map((op) => {
    const vote = SecretKey.fromBytes(hexToBytes(op.blsSecretKey))
      .sign(hexToBytes(DOMAIN_TASKS), hexToBytes(digest))
      .toBytes()
    const message: WireAttestation = {
      proofOfTask: task.proofOfTask,
      data: task.data,
      performer: { address: task.taskPerformer, signature: { type: 'ecdsa', signature } },
      attester: { address: op.address, signature: { x: readWord(vote, 0), y: readWord(vote, 32) } },
      isApproved: true,
      definitionId: task.taskDefinitionId,
    }
    return { message, operatorId: op.id }
  })
}

/** Hands every vote to the aggregator at once and waits until each has been dealt with. */
async function deliver(votes: ReturnType<typeof votesOn>): Promise<void> {
  await Promise.all(votes.map((vote) => engine.aggregator!.handleAttestation(vote)))
}

describe('maximumNumberOfAttesters on anvil', () => {
  it('lands the task with exactly the attesters of most voting power', { timeout: 60_000 }, async () => {
    expect(net.operators.map((o) => o.votingPower)).toEqual(POWERS)
    const definitionId = net.taskDefinitions[0]!.id
    expect((await port.getTaskDefinition(definitionId))?.maximumNumberOfAttesters).toBe(3)
    const t = await newTask(definitionId)
    await deliver(votesOn(t))

    expect(failed).toEqual([])
    const landedBy = sent.find((e) => e.taskHash === taskHash(t.task))
    expect(landedBy?.attesterIds).toEqual(TOP_THREE)
    // the wait ended with all five in: the selection had every vote to choose from
    expect(metrics.get('wisp_aggregator_submit_wait_total', { reason: 'all-voted' })).toBe(1)
    const receipt = await publicClient.getTransactionReceipt({ hash: landedBy!.txHash })
    const [landed] = parseTaskEvents(receipt.logs, port.attestationCenter)
    expect(landed).toMatchObject({
      event: 'TaskSubmitted',
      proofOfTask: t.task.proofOfTask,
      taskDefinitionId: definitionId,
      attesterIds: TOP_THREE,
    })
  })

  it('sends nothing when the top `maximum` miss the threshold, and says why', {
    timeout: 60_000,
  }, async () => {
    const definitionId = net.taskDefinitions[1]!.id
    expect((await port.getTaskDefinition(definitionId))?.maximumNumberOfAttesters).toBe(2)
    const t = await newTask(definitionId)
    const hash = taskHash(t.task)
    const head = await port.getBlockNumber()
    await deliver(votesOn(t))

    expect(reached.some((e) => e.taskHash === hash)).toBe(false)
    expect(sent.some((e) => e.taskHash === hash)).toBe(false)
    expect(engine.aggregator!.pendingTasks).toBe(1)
    expect(await port.getBlockNumber()).toBe(head) // not a transaction
    // reported once for the task, not once per vote
    const reports = warnings.filter((w) => w.fields?.code === MAXIMUM_BELOW_THRESHOLD)
    expect(reports).toHaveLength(1)
    expect(reports[0]!.fields).toMatchObject({ taskHash: hash, maximum: 2, selected: [2, 4] })
    expect(
      metrics.get('wisp_aggregator_maximum_below_threshold_total', {
        verdict: 'approve',
        bound: 'definition',
      }),
    ).toBe(1)
  })

  it('keeps a submission within the block gas limit: the attesters of most power that fit', {
    timeout: 60_000,
  }, async () => {
    expect(await port.getBlockGasLimit()).toBe(BLOCK_GAS_LIMIT)
    const definitionId = net.taskDefinitions[2]!.id
    expect((await port.getTaskDefinition(definitionId))?.maximumNumberOfAttesters).toBe(0)
    const t = await newTask(definitionId)
    await deliver(votesOn(t))

    expect(failed).toEqual([])
    const landedBy = sent.find((e) => e.taskHash === taskHash(t.task))
    expect(landedBy?.attesterIds).toEqual(TOP_THREE)
    const receipt = await publicClient.getTransactionReceipt({ hash: landedBy!.txHash })
    expect(receipt.status).toBe('success')
    expect(receipt.gasUsed).toBeLessThanOrEqual(BLOCK_GAS_LIMIT)
    // the gas bound let the top three through: nothing to report
    expect(warnings.filter((w) => w.fields?.code === GAS_BELOW_THRESHOLD)).toEqual([])
  })
})
