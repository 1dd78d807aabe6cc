// createChainPort / createChainDirectory on a real anvil: submitTask end to end (both overloads)
// with aggregates built by @wisp/bls, coded errors for every failure, events.

import type { ChainPort as CoreChainPort, OperatorDirectory, TaskDefinitionDirectory } from '@wisp/interface'
import { WispError } from '@wisp/protocol'
import { waitFor } from '@wisp/test-utils'
import { createPublicClient, createWalletClient, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ChainError, isChainError } from '../src/errors.js'
import {
  createChainBackend,
  createChainCache,
  getNetworkTotal,
  getTaskEvents,
  getTaskNumber,
  getTaskRecord,
  type TaskOutcomeEvent,
  watchTaskEvents,
} from '../src/index.js'
import { createChainDirectory, createChainPort, type WispChainPort } from '../src/port.js'
import {
  chainOf,
  codeOf,
  makeTask,
  performerSignature,
  type Setup,
  setup,
  signVotes,
} from './support/network.js'

const E = 10n ** 18n
let s: Setup
let port: WispChainPort

beforeAll(async () => {
  s = await setup({
    operators: [10n, 20n, 30n, 40n, 50n, 60n].map((p) => ({ votingPower: p * E })),
    taskDefinitions: [{ name: 'open' }],
  })
  // the aggregator is operator 1
  port = await createChainPort(
    { attestationCenter: s.center, pollingIntervalMs: 20 },
    { publicClient: s.publicClient, walletClient: s.ops[0]!.wallet },
  )
})
afterAll(() => s?.stop())
beforeEach(() => s.reset())

/** An approved task signed by every operator, with operator 1's ECDSA performer signature. */
async function submitApproved(through: WispChainPort, task: ReturnType<typeof makeTask>) {
  return through.submitTask({
    task,
    performerSignature: await performerSignature(s.ops[0]!, task, 'ecdsa'),
    isApproved: true,
    ...signVotes(s, task, s.ops, true),
  })
}

/** The transactions waiting in anvil's pool (its pending block). */
async function pool() {
  return (await s.publicClient.getBlock({ blockTag: 'pending', includeTransactions: true })).transactions
}

describe('createChainPort', () => {
  it('satisfies the engine ChainPort and the p2p directories structurally', () => {
    const asCore: CoreChainPort = port
    const directory = createChainDirectory({ attestationCenter: s.center }, { publicClient: s.publicClient })
    const asOperators: OperatorDirectory = directory
    const asDefinitions: TaskDefinitionDirectory = directory
    expect(asCore.chainId).toBe(31337)
    expect(asCore.attestationCenter).toBe(s.center)
    expect(asOperators).toBeDefined()
    expect(asDefinitions).toBeDefined()
    expect(port.registry).toBe(s.net.contracts.registry)
  })

  it('reads operators, totals and definitions', async () => {
    const operators = await port.getOperators()
    expect(operators.map((o) => o.id)).toEqual([1, 2, 3, 4, 5, 6])
    expect(operators.map((o) => o.votingPower)).toEqual([10n, 20n, 30n, 40n, 50n, 60n].map((p) => p * E))
    expect(operators.every((o) => o.active)).toBe(true)
    expect(operators[2]!.blsPublicKey).toEqual(s.ops[2]!.bls.publicKey.toBytes())
    expect(await port.getNetworkTotal()).toBe(210n * E)
    expect(await port.getBlockNumber()).toBeGreaterThan(0n)
    expect(await port.getTaskDefinition(1)).toMatchObject({ id: 1, name: 'open', blockExpiry: 0n })
    expect(await port.getTaskDefinition(2)).toBeUndefined()
    expect(await port.getTaskDefinition(10001)).toMatchObject({
      id: 10001,
      internal: true,
      minimumVotingPower: 0n,
    })
  })

  for (const overload of ['ecdsa', 'bls'] as const) {
    it(`submits an approved task with the ${overload} overload: TaskSubmitted, then already-submitted`, async () => {
      const performer = s.ops[1]!
      const task = makeTask(performer.address, 1)
      const votes = signVotes(s, task, s.ops, true)
      const params = {
        task,
        performerSignature: await performerSignature(performer, task, overload),
        isApproved: true,
        aggregateSignature: votes.aggregateSignature,
        attesterIds: votes.attesterIds,
      }
      const outcome = await port.submitTask(params)
      expect(outcome).toMatchObject({ status: 'included', event: 'TaskSubmitted' })
      if (outcome.status !== 'included') throw new Error('unreachable')
      const tx = await s.publicClient.getTransaction({ hash: outcome.txHash })
      expect(tx.input.slice(0, 10)).toBe(overload === 'ecdsa' ? '0xfff768e3' : '0x8a7ce8a4')
      expect(await getTaskRecord(s.publicClient, { attestationCenter: s.center, task })).toMatchObject({
        status: 'approved',
        submittedAtBlock: outcome.blockNumber,
      })
      // the same task again, whatever the verdict
      expect(await port.submitTask(params)).toEqual({ status: 'already-submitted' })
      const rejectVotes = signVotes(s, task, s.ops, false)
      expect(await port.submitTask({ ...params, isApproved: false, ...rejectVotes })).toEqual({
        status: 'already-submitted',
      })
    })

    it(`submits a rejected task with the ${overload} overload: TaskRejected`, async () => {
      const performer = s.ops[2]!
      const task = makeTask(performer.address, 0)
      // 70 of 210 is exactly a third
      const votes = signVotes(s, task, [s.ops[2]!, s.ops[3]!], false)
      const outcome = await port.submitTask({
        task,
        performerSignature: await performerSignature(performer, task, overload),
        isApproved: false,
        ...votes,
      })
      expect(outcome).toMatchObject({ status: 'included', event: 'TaskRejected' })
    })
  }

  it('a tampered aggregate reverts InvalidOBLSSignature as a coded ChainError', async () => {
    const task = makeTask(s.ops[0]!.address)
    const votes = signVotes(s, task, s.ops, true)
    // one attester signed another task: the aggregate no longer matches the ids' keys
    const other = signVotes(s, makeTask(s.ops[0]!.address), [s.ops[5]!], true)
    const tampered = signVotes(s, task, s.ops.slice(0, 5), true)
    const { aggregateSignatures, Signature } = await import('@wisp/bls')
    const forged = aggregateSignatures([
      Signature.fromEvm(tampered.aggregateSignature),
      Signature.fromEvm(other.aggregateSignature),
    ]).toEvm()
    const error = await port
      .submitTask({
        task,
        performerSignature: await performerSignature(s.ops[0]!, task, 'ecdsa'),
        isApproved: true,
        aggregateSignature: forged,
        attesterIds: votes.attesterIds,
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChainError)
    expect(error).toBeInstanceOf(WispError)
    expect(isChainError(error)).toBe(true)
    const chainError = error as ChainError
    expect(chainError.code).toBe('InvalidOBLSSignature')
    expect(chainError.name).toBe('ChainError')
    expect(chainError.isContractError).toBe(true)
    expect(chainError.details).toMatchObject({
      errorName: 'InvalidOBLSSignature',
      functionName: 'submitTask',
    })
    // nothing was sent: the simulation caught it
    expect(await getTaskNumber(s.publicClient, { attestationCenter: s.center })).toBe(0)
  })

  it('bad performer signatures (ECDSA and BLS) revert InvalidPerformerSignature; not enough power InsufficientVotingPower', async () => {
    const task = makeTask(s.ops[0]!.address)
    const votes = signVotes(s, task, s.ops, true)
    const otherTask = makeTask(s.ops[0]!.address)
    for (const type of ['ecdsa', 'bls'] as const) {
      const wrong = await performerSignature(s.ops[0]!, otherTask, type)
      expect(
        await codeOf(port.submitTask({ task, performerSignature: wrong, isApproved: true, ...votes })),
      ).toBe('InvalidPerformerSignature')
    }
    const few = signVotes(s, task, [s.ops[5]!, s.ops[4]!], true)
    expect(
      await codeOf(
        port.submitTask({
          task,
          performerSignature: await performerSignature(s.ops[0]!, task, 'ecdsa'),
          isApproved: true,
          ...few,
        }),
      ),
    ).toBe('InsufficientVotingPower')
  })

  it('two aggregators racing: one is included, the other reads already-submitted', async () => {
    const other = await createChainPort(
      { attestationCenter: s.center, pollingIntervalMs: 20 },
      { publicClient: s.publicClient, walletClient: s.ops[1]!.wallet },
    )
    const task = makeTask(s.ops[2]!.address)
    const params = {
      task,
      performerSignature: await performerSignature(s.ops[2]!, task, 'ecdsa'),
      isApproved: true,
      ...signVotes(s, task, s.ops, true),
    }
    await s.testClient.setAutomine(false)
    try {
      const a = port.submitTask(params)
      const b = other.submitTask(params)
      // both simulated fine against the same state and sent; mine them into one block
      for (let i = 0; i < 200; i++) {
        const pool = await s.testClient.getTxpoolStatus()
        if (pool.pending >= 2) break
        await new Promise((r) => setTimeout(r, 10))
      }
      await s.testClient.mine({ blocks: 1 })
      const outcomes = await Promise.all([a, b])
      expect(outcomes.map((o) => o.status).sort()).toEqual(['already-submitted', 'included'])
    } finally {
      await s.testClient.setAutomine(true)
    }
  })

  it('serializes writes of one account (no nonce collisions)', async () => {
    const tasks = [0, 1, 2].map(() => makeTask(s.ops[0]!.address))
    const outcomes = await Promise.all(tasks.map((task) => submitApproved(port, task)))
    expect(outcomes.map((o) => o.status)).toEqual(['included', 'included', 'included'])
  })

  it('pipelines a burst: every submission is sent before the first is mined, one block includes them all', async () => {
    await s.testClient.setAutomine(false)
    try {
      const tasks = [0, 1, 2, 3].map(() => makeTask(s.ops[0]!.address))
      const submitting = Promise.all(tasks.map((task) => submitApproved(port, task)))
      // no block is mined until all four wait in the node's pool (sent one after the other)
      await waitFor(
        `all ${tasks.length} submissions in the pool`,
        async () => (await pool()).length === tasks.length,
        {
          timeoutMs: 20_000,
          intervalMs: 50,
        },
      )
      await s.testClient.mine({ blocks: 1 })
      const outcomes = await submitting
      expect(outcomes.map((o) => o.status)).toEqual(tasks.map(() => 'included'))
      const blocks = new Set(outcomes.map((o) => (o.status === 'included' ? o.blockNumber : undefined)))
      expect(blocks.size).toBe(1)
    } finally {
      await s.testClient.setAutomine(true)
    }
  })

  it('sends a submission again when the node loses it (the same signed bytes); CHAIN_TX_DROPPED when its nonce is gone', async () => {
    await s.testClient.setAutomine(false)
    try {
      const task = makeTask(s.ops[0]!.address)
      const submitting = submitApproved(port, task)
      const pendingHashes = async () => (await pool()).map((tx) => tx.hash)
      const waitPending = (what: string, probe: (hashes: readonly Hex[]) => boolean) =>
        waitFor(what, async () => probe(await pendingHashes()), { timeoutMs: 20_000, intervalMs: 50 })
      await waitPending('the submission in the pool', (h) => h.length === 1)
      const [hash] = await pendingHashes()
      // the node loses it (a restart, an eviction): nobody would ever mine it
      await s.testClient.dropTransaction({ hash: hash! })
      expect(await pendingHashes()).toEqual([])
      // the port notices and sends the very same transaction again
      await waitPending('the resent submission', (h) => h.length === 1 && h[0] === hash)
      await s.testClient.mine({ blocks: 1 })
      const outcome = await submitting
      expect(outcome).toMatchObject({ status: 'included', txHash: hash })

      // a lost transaction whose nonce another transaction has used cannot come back
      const lost = makeTask(s.ops[0]!.address)
      const losing = submitApproved(port, lost)
      await waitPending('the second submission', (h) => h.length === 1)
      const [lostHash] = await pendingHashes()
      await s.testClient.dropTransaction({ hash: lostHash! })
      // the same nonce, used by a plain transfer from the same account
      const nonce = await s.publicClient.getTransactionCount({
        address: s.ops[0]!.address,
        blockTag: 'latest',
      })
      await s.ops[0]!.wallet.sendTransaction({ to: s.ops[1]!.address, value: 1n, nonce, chain: null })
      await s.testClient.mine({ blocks: 1 })
      const error = await losing.then(
        () => undefined,
        (err: unknown) => err,
      )
      expect(isChainError(error) && error.code).toBe('CHAIN_TX_DROPPED')
    } finally {
      await s.testClient.setAutomine(true)
    }
  })

  it('replaces a submission priced out of the block (same nonce, higher fees) until it is mined', async () => {
    const bumping = await createChainPort(
      { attestationCenter: s.center, pollingIntervalMs: 20, bumpAfterMs: 500 },
      { publicClient: s.publicClient, walletClient: s.ops[0]!.wallet },
    )
    await s.testClient.setAutomine(false)
    try {
      const task = makeTask(s.ops[0]!.address)
      const submitting = submitApproved(bumping, task)
      const inPool = { timeoutMs: 20_000, intervalMs: 50 }
      await waitFor('the submission in the pool', async () => (await pool()).length > 0, inPool)
      const [first] = await pool()
      // the base fee jumps far above what the submission offers: the next block leaves it out
      const latest = await s.publicClient.getBlock()
      const high = first!.maxFeePerGas! * 50n
      await s.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: high })
      await s.testClient.mine({ blocks: 1 })
      expect((await s.publicClient.getBlock()).transactions).toEqual([])
      expect((await s.publicClient.getBlock()).baseFeePerGas).toBe(high)
      expect(latest.baseFeePerGas).toBeLessThan(high)
      // the port replaces it: same nonce, fees at the new estimate
      await waitFor(
        'the replacement',
        async () => (await pool()).some((tx) => tx.hash !== first!.hash),
        inPool,
      )
      const [replacement] = await pool()
      expect(replacement!.nonce).toBe(first!.nonce)
      expect(replacement!.maxFeePerGas!).toBeGreaterThan(high)
      await s.testClient.mine({ blocks: 1 })
      const outcome = await submitting
      expect(outcome).toMatchObject({ status: 'included', txHash: replacement!.hash })
    } finally {
      await s.testClient.setAutomine(true)
    }
  })

  it('a port without a wallet reads but cannot submit (CHAIN_NO_ACCOUNT)', async () => {
    const readOnly = await createChainPort({ attestationCenter: s.center }, { publicClient: s.publicClient })
    expect((await readOnly.getOperators()).length).toBe(6)
    const task = makeTask(s.ops[0]!.address)
    expect(
      await codeOf(
        readOnly.submitTask({
          task,
          performerSignature: await performerSignature(s.ops[0]!, task, 'ecdsa'),
          isApproved: true,
          ...signVotes(s, task, s.ops, true),
        }),
      ),
    ).toBe('CHAIN_NO_ACCOUNT')
  })

  it('an aggregator that is not an operator is refused (InactiveAggregator); malformed input is CHAIN_INVALID_INPUT', async () => {
    const stranger = createWalletClient({
      account: privateKeyToAccount('0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6'),
      chain: s.chain,
      transport: http(s.anvil.rpcUrl),
    })
    const strangerPort = await createChainPort(
      { attestationCenter: s.center },
      { publicClient: s.publicClient, walletClient: stranger },
    )
    const task = makeTask(s.ops[0]!.address)
    const params = {
      task,
      performerSignature: await performerSignature(s.ops[0]!, task, 'ecdsa'),
      isApproved: true,
      ...signVotes(s, task, s.ops, true),
    }
    expect(await codeOf(strangerPort.submitTask(params))).toBe('InactiveAggregator')
    expect(await codeOf(port.submitTask({ ...params, attesterIds: [1.5] }))).toBe('CHAIN_INVALID_INPUT')
    expect(
      await codeOf(
        port.submitTask({ ...params, performerSignature: { type: 'ecdsa', signature: 'nope' as Hex } }),
      ),
    ).toBe('CHAIN_INVALID_INPUT')
  })
})

describe('a chain cache shared by several ports', () => {
  it('ports read through it with no watch of their own, and closing one leaves it to the others', async () => {
    const backend = await createChainBackend(s.publicClient, { attestationCenter: s.center })
    const cache = createChainCache(s.publicClient, backend, { maxAgeMs: 60_000, watchIntervalMs: 20 })
    try {
      const ports = await Promise.all(
        [1, 2, 3].map(() =>
          createChainPort(
            { attestationCenter: s.center, pollingIntervalMs: 20 },
            { publicClient: s.publicClient, cache },
          ),
        ),
      )
      expect(ports.every((p) => p.cache === cache)).toBe(true)
      expect(ports.map((p) => p.backend)).toEqual(['wisp', 'wisp', 'wisp'])
      const totals = await Promise.all(ports.map((p) => p.getNetworkTotal()))
      expect(totals).toEqual([210n * E, 210n * E, 210n * E])
      // one snapshot load served all three
      expect(cache.loads).toBe(1)
      ports[0]!.close()
      // the watch goes on for the others: a new block's logs still reach them
      const seen: bigint[] = []
      const stop = ports[1]!.cache.onLogs((_logs, range) => seen.push(range.toBlock))
      await s.testClient.mine({ blocks: 1 })
      await waitFor('the shared watch to read the new block', () => seen.length > 0, { timeoutMs: 5000 })
      stop()
    } finally {
      cache.close()
    }
  })

  it('a cache of another contract or backend kind is refused: CHAIN_INVALID_INPUT', async () => {
    const backend = await createChainBackend(s.publicClient, { attestationCenter: s.center })
    const cache = createChainCache(s.publicClient, backend, { maxAgeMs: 60_000, watch: false })
    const other = s.net.contracts.registry
    expect(
      await codeOf(createChainPort({ attestationCenter: other }, { publicClient: s.publicClient, cache })),
    ).toBe('CHAIN_INVALID_INPUT')
    expect(
      await codeOf(
        createChainPort(
          { attestationCenter: s.center, backend: 'othentic' },
          { publicClient: s.publicClient, cache },
        ),
      ),
    ).toBe('CHAIN_INVALID_INPUT')
    // the RPC's chain id is still checked
    expect(
      await codeOf(
        createChainPort({ attestationCenter: s.center, chainId: 1 }, { publicClient: s.publicClient, cache }),
      ),
    ).toBe('CHAIN_WRONG_CHAIN')
  })
})

describe('infrastructure failures are coded', () => {
  it('a wrong chain id: CHAIN_WRONG_CHAIN (expected id, and a wallet on another chain)', async () => {
    const error = await createChainPort(
      { attestationCenter: s.center, chainId: 1 },
      { publicClient: s.publicClient },
    ).catch((e: unknown) => e as ChainError)
    expect(error).toBeInstanceOf(ChainError)
    expect((error as ChainError).code).toBe('CHAIN_WRONG_CHAIN')
    expect((error as ChainError).details).toMatchObject({ expected: 1, actual: 31337 })

    const mainnetClient = createPublicClient({
      chain: chainOf(1, s.anvil.rpcUrl),
      transport: http(s.anvil.rpcUrl),
    })
    expect(
      await codeOf(createChainPort({ attestationCenter: s.center }, { publicClient: mainnetClient })),
    ).toBe('CHAIN_WRONG_CHAIN')
    const wrongWallet = createWalletClient({
      account: privateKeyToAccount(s.ops[0]!.ecdsaKey),
      chain: chainOf(5, s.anvil.rpcUrl),
      transport: http(s.anvil.rpcUrl),
    })
    expect(
      await codeOf(
        createChainPort(
          { attestationCenter: s.center },
          { publicClient: s.publicClient, walletClient: wrongWallet },
        ),
      ),
    ).toBe('CHAIN_WRONG_CHAIN')
  })

  it('an address without code: CHAIN_NOT_A_CONTRACT; a contract that is not a center: CHAIN_NOT_AN_ATTESTATION_CENTER', async () => {
    const eoa = s.ops[0]!.address
    const error = await createChainPort({ attestationCenter: eoa }, { publicClient: s.publicClient }).catch(
      (e: unknown) => e as ChainError,
    )
    expect((error as ChainError).code).toBe('CHAIN_NOT_A_CONTRACT')
    expect((error as ChainError).message).toContain(eoa)
    expect(
      await codeOf(
        createChainPort({ attestationCenter: s.net.contracts.stakeToken }, { publicClient: s.publicClient }),
      ),
    ).toBe('CHAIN_NOT_AN_ATTESTATION_CENTER')
    // the actions alone (no verification): a read from an address without code
    expect(await codeOf(getNetworkTotal(s.publicClient, { attestationCenter: eoa }))).toBe(
      'CHAIN_NOT_A_CONTRACT',
    )
    expect(
      await codeOf(
        createChainPort({ attestationCenter: s.net.contracts.registry }, { publicClient: s.publicClient }),
      ),
    ).toBe('CHAIN_NOT_AN_ATTESTATION_CENTER')
  })

  it('an unreachable RPC: CHAIN_RPC_FAILED, from the port and from a port whose RPC dies', async () => {
    const dead = createPublicClient({
      transport: http('http://127.0.0.1:9', { retryCount: 0, timeout: 2_000 }),
    })
    const error = await createChainPort({ attestationCenter: s.center }, { publicClient: dead }).catch(
      (e: unknown) => e as ChainError,
    )
    expect((error as ChainError).code).toBe('CHAIN_RPC_FAILED')
    const unchecked = await createChainPort(
      { attestationCenter: s.center, verifyContract: false, chainId: 31337 },
      {
        publicClient: createPublicClient({
          transport: http('http://127.0.0.1:9', { retryCount: 0, timeout: 2_000 }),
        }),
      },
    ).catch((e: unknown) => e as ChainError)
    // without verification it still needs the registry: the same code
    expect((unchecked as ChainError).code).toBe('CHAIN_RPC_FAILED')
    expect(await codeOf(port.getOperators())).toBe('resolved')
  })
})

describe('events', () => {
  it('watchTaskEvents sees TaskSubmitted and TaskRejected; getTaskEvents lists them', async () => {
    const from = await s.publicClient.getBlockNumber()
    const seen: TaskOutcomeEvent[] = []
    const errors: Error[] = []
    const unwatch = watchTaskEvents(s.publicClient, {
      attestationCenter: s.center,
      onEvents: (events) => seen.push(...events),
      onError: (e) => errors.push(e),
      pollingIntervalMs: 50,
    })
    try {
      const approved = makeTask(s.ops[0]!.address, 1, '0x01')
      const rejected = makeTask(s.ops[1]!.address, 0, '0x02')
      await submitApproved(port, approved)
      await port.submitTask({
        task: rejected,
        performerSignature: await performerSignature(s.ops[1]!, rejected, 'bls'),
        isApproved: false,
        ...signVotes(s, rejected, s.ops.slice(3), false),
      })
      for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 50))
      expect(errors).toEqual([])
      expect(seen.map((e) => e.event)).toEqual(['TaskSubmitted', 'TaskRejected'])
      expect(seen[0]).toMatchObject({
        isApproved: true,
        // the task performer (not the aggregator, which is operator 1 here too)
        performer: approved.taskPerformer,
        version: 2,
        taskNumber: 0,
        proofOfTask: approved.proofOfTask,
        data: '0x01',
        taskDefinitionId: 1,
        attesterIds: [1, 2, 3, 4, 5, 6],
      })
      expect(seen[1]).toMatchObject({
        isApproved: false,
        taskNumber: 1,
        taskDefinitionId: 0,
        attesterIds: [4, 5, 6],
      })
      const listed = await getTaskEvents(s.publicClient, { attestationCenter: s.center, fromBlock: from })
      expect(listed.map((e) => e.transactionHash)).toEqual(seen.map((e) => e.transactionHash))
      const onlyDefinition1 = await getTaskEvents(s.publicClient, {
        attestationCenter: s.center,
        fromBlock: from,
        taskDefinitionId: 1,
      })
      expect(onlyDefinition1.map((e) => e.event)).toEqual(['TaskSubmitted'])
    } finally {
      unwatch()
    }
  })
})

describe('createChainDirectory', () => {
  it('answers from a cache and reloads (rate-limited) for unknown operators and definitions', async () => {
    let now = 0
    const directory = createChainDirectory(
      { attestationCenter: s.center, maxAgeMs: 10_000, unknownRefreshMs: 1_000 },
      { publicClient: s.publicClient, now: () => now },
    )
    expect(await directory.getOperator(3)).toMatchObject({ id: 3, address: s.ops[2]!.address, active: true })
    expect(await directory.getOperatorByAddress(s.ops[4]!.address.toLowerCase() as Hex)).toMatchObject({
      id: 5,
    })
    expect(await directory.getOperator(0)).toBeUndefined()
    expect(await directory.getOperatorByAddress('0xnot-an-address' as Hex)).toBeUndefined()
    expect(await directory.hasTaskDefinition(0)).toBe(true)
    expect(await directory.hasTaskDefinition(1)).toBe(true)
    expect(await directory.hasTaskDefinition(10002)).toBe(true)
    expect(await directory.hasTaskDefinition(70000)).toBe(false)

    // a new operator registers: unknown until a (rate-limited) reload
    const { registerOperator, createTaskDefinition } = await import('../src/index.js')
    const newcomerKey = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6'
    const newcomer = createWalletClient({
      account: privateKeyToAccount(newcomerKey),
      chain: s.chain,
      transport: http(s.anvil.rpcUrl),
    })
    const { SecretKey } = await import('@wisp/bls')
    const { operatorId } = await registerOperator(newcomer, {
      attestationCenter: s.center,
      blsSecretKey: SecretKey.fromEcdsaPrivateKey(newcomerKey),
    })
    await createTaskDefinition(s.deployer, { attestationCenter: s.center, name: 'late' })
    expect(operatorId).toBe(7)
    now = 2_000 // past unknownRefreshMs: the first unknown lookup reloads
    expect(await directory.getOperator(7)).toMatchObject({ id: 7, votingPower: 0n })
    expect(await directory.hasTaskDefinition(2)).toBe(true)
    // within the rate limit, unknown ids do not reload
    expect(await directory.getOperator(8)).toBeUndefined()
    expect((await directory.getOperators()).length).toBe(7)
  })
})
