// Announced outcomes against a real anvil: checkTaskOutcome (through the port and the directory)
// believes only a receipt that carries the task's event, and proveDoubleAttestation slashes an
// operator that signed both verdicts, paying the challenger, in turn with the port's submissions.
import { writeWord } from '@wisp/protocol'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  getOperator,
  setChallengerRewardFee,
  setDefinitionSlashingEnabled,
  setSlashingConfig,
} from '../src/index.js'
import { createChainDirectory, createChainPort, type WispChainPort } from '../src/port.js'
import { makeTask, performerSignature, type Setup, setup, signVotes } from './support/network.js'

const E = 10n ** 18n
let s: Setup
let port: WispChainPort

beforeAll(async () => {
  s = await setup({
    operators: [10n, 20n, 30n, 40n].map((p) => ({ votingPower: p * E })),
    taskDefinitions: [{ name: 'open' }],
  })
  port = await createChainPort(
    { attestationCenter: s.center, pollingIntervalMs: 20, outcomeWindowMs: 300 },
    { publicClient: s.publicClient, walletClient: s.ops[0]!.wallet },
  )
})
afterAll(() => s?.stop())
beforeEach(() => s.reset())

function bytes64([x, y]: readonly [bigint, bigint]): Uint8Array {
  const out = new Uint8Array(64)
  writeWord(out, 0, x)
  writeWord(out, 32, y)
  return out
}

async function land(isApproved: boolean) {
  const performer = s.ops[1]!
  const task = makeTask(performer.address, 1)
  const outcome = await port.submitTask({
    task,
    performerSignature: await performerSignature(performer, task, 'ecdsa'),
    isApproved,
    ...signVotes(s, task, isApproved ? s.ops : [s.ops[2]!, s.ops[3]!], isApproved),
  })
  if (outcome.status !== 'included') throw new Error('not included')
  return { task, performer, txHash: outcome.txHash, blockNumber: outcome.blockNumber }
}

describe('checkTaskOutcome', () => {
  it('confirms a real TaskSubmitted and TaskRejected, with the verdict, attesters and block', async () => {
    const { taskHash } = await import('@wisp/protocol')
    for (const isApproved of [true, false]) {
      const { task, performer, txHash, blockNumber } = await land(isApproved)
      const announced = { taskHash: taskHash(task), txHash, performer: performer.address }
      expect(await port.checkTaskOutcome(announced)).toEqual({
        status: 'confirmed',
        isApproved,
        attesterIds: isApproved ? [1, 2, 3, 4] : [3, 4],
        blockNumber,
      })
      const directory = createChainDirectory(
        { attestationCenter: s.center, outcomeWindowMs: 300, outcomePollingIntervalMs: 20 },
        { publicClient: s.publicClient },
      )
      expect(await directory.checkTaskOutcome(announced)).toMatchObject({ status: 'confirmed', isApproved })
    }
  })

  it('refutes a made-up transaction, another task’s transaction, a wrong performer; garbage without a call', async () => {
    const { taskHash } = await import('@wisp/protocol')
    const { task, performer, txHash } = await land(true)
    const hash = taskHash(task)
    const started = Date.now()
    expect(
      await port.checkTaskOutcome({
        taskHash: hash,
        txHash: `0x${'ab'.repeat(32)}`,
        performer: performer.address,
      }),
    ).toEqual({ status: 'refuted', reason: 'not_found' })
    // it waited for the receipt for the window first
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    const other = await land(true)
    expect(
      await port.checkTaskOutcome({ taskHash: hash, txHash: other.txHash, performer: performer.address }),
    ).toEqual({ status: 'refuted', reason: 'no_matching_event' })
    expect(await port.checkTaskOutcome({ taskHash: hash, txHash, performer: s.ops[2]!.address })).toEqual({
      status: 'refuted',
      reason: 'no_matching_event',
    })
    // a transfer is a mined transaction without any task event
    const transfer = await s.ops[0]!.wallet.sendTransaction({ to: s.ops[3]!.address, value: 1n })
    await s.publicClient.waitForTransactionReceipt({ hash: transfer })
    expect(
      await port.checkTaskOutcome({ taskHash: hash, txHash: transfer, performer: performer.address }),
    ).toEqual({
      status: 'refuted',
      reason: 'no_matching_event',
    })
    expect(
      await port.checkTaskOutcome({
        taskHash: hash,
        txHash: '0x1234' as `0x${string}`,
        performer: performer.address,
      }),
    ).toEqual({ status: 'refuted', reason: 'not_found' })
  })

  it('an unreachable RPC is unknown, never refuted', async () => {
    const { createPublicClient, http } = await import('viem')
    const dead = createChainDirectory(
      { attestationCenter: s.center, outcomeWindowMs: 100, outcomePollingIntervalMs: 20 },
      { publicClient: createPublicClient({ transport: http('http://127.0.0.1:9', { retryCount: 0 }) }) },
    )
    expect(
      await dead.checkTaskOutcome({
        taskHash: `0x${'11'.repeat(32)}`,
        txHash: `0x${'22'.repeat(32)}`,
        performer: s.ops[1]!.address,
      }),
    ).toEqual({ status: 'unknown' })
  })
})

describe('checkTaskOutcome: the window, the cache, garbage', () => {
  /** A public client over anvil that counts the JSON-RPC methods it is asked. */
  async function countingClient() {
    const { createPublicClient, custom } = await import('viem')
    const calls: string[] = []
    const client = createPublicClient({
      transport: custom({
        async request({ method, params }: { method: string; params?: unknown }) {
          calls.push(method)
          return s.publicClient.request({ method, params } as never)
        },
      }),
    })
    return { client, calls }
  }

  it('a receipt that appears within the window confirms; a transaction still pending at its end is unknown', async () => {
    const { taskHash } = await import('@wisp/protocol')
    const { checkTaskOutcome, sendSubmitTask } = await import('../src/index.js')
    const performer = s.ops[1]!
    const task = makeTask(performer.address, 1)
    await s.testClient.setAutomine(false)
    try {
      const sent = await sendSubmitTask(s.ops[0]!.wallet, {
        attestationCenter: s.center,
        task,
        performerSignature: await performerSignature(performer, task, 'ecdsa'),
        isApproved: true,
        ...signVotes(s, task, s.ops, true),
      })
      const announced = { taskHash: taskHash(task), txHash: sent.txHash, performer: performer.address }
      const base = { attestationCenter: s.center, pollingIntervalMs: 20 }
      // known to the node, not mined: neither trusted nor refuted
      expect(await checkTaskOutcome(s.publicClient, { ...base, ...announced, windowMs: 100 })).toEqual({
        status: 'unknown',
      })
      // our RPC "lags": the block comes 300 ms into a 5 s window
      const checking = checkTaskOutcome(s.publicClient, { ...base, ...announced, windowMs: 5_000 })
      await new Promise((r) => setTimeout(r, 300))
      await s.testClient.mine({ blocks: 1 })
      expect(await checking).toMatchObject({
        status: 'confirmed',
        isApproved: true,
        attesterIds: [1, 2, 3, 4],
      })
    } finally {
      await s.testClient.setAutomine(true)
    }
  })

  it('malformed input is refuted without an RPC call; receipt answers are cached, not_found is asked again', async () => {
    const { taskHash } = await import('@wisp/protocol')
    const { createOutcomeChecker } = await import('../src/index.js')
    const { client, calls } = await countingClient()
    const check = createOutcomeChecker(client, {
      attestationCenter: s.center,
      windowMs: 0,
      pollingIntervalMs: 20,
    })
    const performer = s.ops[1]!.address
    const good = `0x${'11'.repeat(32)}` as const
    for (const garbage of [
      { taskHash: good, txHash: '0x1234', performer },
      { taskHash: '0xzz', txHash: good, performer },
      { taskHash: good, txHash: good, performer: '0x12' },
      { taskHash: good, txHash: 42, performer },
    ]) {
      expect(await check(garbage as never)).toEqual({ status: 'refuted', reason: 'not_found' })
    }
    expect(calls).toEqual([])

    const { task, txHash } = await land(false)
    const real = { taskHash: taskHash(task), txHash, performer }
    const confirmed = await check(real)
    expect(confirmed).toMatchObject({ status: 'confirmed', isApproved: false })
    const asked = calls.length
    expect(asked).toBeGreaterThan(0)
    // many validators ask about one announcement: once to the chain
    expect(
      await Promise.all([
        check(real),
        check({ ...real, txHash: txHash.toUpperCase().replace('0X', '0x') as `0x${string}` }),
      ]),
    ).toEqual([confirmed, confirmed])
    expect(calls.length).toBe(asked)
    // a wrong performer is another question (and a definite no, also kept)
    expect(await check({ ...real, performer: s.ops[2]!.address })).toEqual({
      status: 'refuted',
      reason: 'no_matching_event',
    })
    const afterRefuted = calls.length
    await check({ ...real, performer: s.ops[2]!.address })
    expect(calls.length).toBe(afterRefuted)
    // "no receipt within the window" is not kept: a lagging RPC may still show it
    const madeUp = { ...real, txHash: `0x${'ab'.repeat(32)}` as const }
    expect(await check(madeUp)).toEqual({ status: 'refuted', reason: 'not_found' })
    const afterNotFound = calls.length
    expect(await check(madeUp)).toEqual({ status: 'refuted', reason: 'not_found' })
    expect(calls.length).toBeGreaterThan(afterNotFound)
  })

  it('a window or interval that is not a number neither hangs nor spins', async () => {
    const { checkTaskOutcome } = await import('../src/index.js')
    const { client, calls } = await countingClient()
    const madeUp = {
      taskHash: `0x${'11'.repeat(32)}`,
      txHash: `0x${'ab'.repeat(32)}`,
      performer: s.ops[1]!.address,
    } as const
    expect(
      await checkTaskOutcome(client, {
        attestationCenter: s.center,
        ...madeUp,
        windowMs: Number.NaN,
        pollingIntervalMs: Number.NaN,
      }),
    ).toEqual({ status: 'refuted', reason: 'not_found' })
    // one receipt read and the transaction lookup
    expect(calls).toEqual(['eth_getTransactionReceipt', 'eth_getTransactionByHash'])
  })
})

describe('proveDoubleAttestation', () => {
  it('slashes an operator that signed both verdicts and pays the challenger; a port without an account cannot', async () => {
    await setSlashingConfig(s.deployer, {
      attestationCenter: s.center,
      condition: 'doubleAttestation',
      enabled: true,
      stakePercentageBps: 5_000,
      eject: false,
    })
    await setChallengerRewardFee(s.deployer, { attestationCenter: s.center, fee: 3n * E })
    const offender = s.ops[2]!
    const task = makeTask(s.ops[1]!.address, 1)
    const proof = {
      task,
      operator: offender.address,
      approveSignature: bytes64(signVotes(s, task, [offender], true).signatures[0]!),
      rejectSignature: bytes64(signVotes(s, task, [offender], false).signatures[0]!),
    }
    // a submission and the proof from one account at once: no nonce collision
    const [landed, slashed] = await Promise.all([land(true), port.proveDoubleAttestation!(proof)])
    expect(landed.txHash).toMatch(/^0x/)
    expect(slashed).toMatchObject({ slashedStake: 15n * E, challengerReward: 3n * E, ejected: false })
    expect(await getOperator(s.publicClient, { attestationCenter: s.center, id: offender.id })).toMatchObject(
      {
        votingPower: 15n * E,
      },
    )

    // a malformed proof is a coded error at once, nothing sent, the queue not held
    const nonce = await s.publicClient.getTransactionCount({ address: s.ops[0]!.address })
    await expect(
      port.proveDoubleAttestation!({ ...proof, approveSignature: proof.approveSignature.subarray(0, 63) }),
    ).rejects.toMatchObject({ code: 'CHAIN_INVALID_INPUT' })
    await expect(
      port.proveDoubleAttestation!({ ...proof, rejectSignature: 'x' as unknown as Uint8Array }),
    ).rejects.toMatchObject({ code: 'CHAIN_INVALID_INPUT' })
    expect(await s.publicClient.getTransactionCount({ address: s.ops[0]!.address })).toBe(nonce)

    const readOnly = await createChainPort({ attestationCenter: s.center }, { publicClient: s.publicClient })
    await expect(readOnly.proveDoubleAttestation!(proof)).rejects.toMatchObject({ code: 'CHAIN_NO_ACCOUNT' })
  })
})

describe('proveIncorrectAttestation', () => {
  it('slashes a vote against the recorded verdict where the definition enables it; refused in simulation otherwise', async () => {
    const dissenter = s.ops[0]!
    const landed = await land(true)
    const consensus = signVotes(s, landed.task, s.ops, true)
    const proof = {
      task: landed.task,
      operator: dissenter.address,
      isApproved: true,
      incorrectSignature: bytes64(signVotes(s, landed.task, [dissenter], false).signatures[0]!),
      aggregateSignature: bytes64(consensus.aggregateSignature),
      attesterIds: consensus.attesterIds,
    }
    const before = await s.publicClient.getTransactionCount({ address: s.ops[0]!.address })
    await expect(port.proveIncorrectAttestation!(proof)).rejects.toMatchObject({ code: 'SlashingNotEnabled' })
    // refused in simulation: nothing was sent
    expect(await s.publicClient.getTransactionCount({ address: s.ops[0]!.address })).toBe(before)
    await setSlashingConfig(s.deployer, {
      attestationCenter: s.center,
      condition: 'incorrectAttestation',
      enabled: true,
      stakePercentageBps: 1_000,
      eject: false,
    })
    await setDefinitionSlashingEnabled(s.deployer, {
      attestationCenter: s.center,
      id: 1,
      condition: 'incorrectAttestation',
      enabled: true,
    })
    expect(await port.proveIncorrectAttestation!(proof)).toMatchObject({
      slashedStake: 1n * E,
      ejected: false,
    })
  })
})
