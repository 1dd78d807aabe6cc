// Write actions on a real anvil: registration and key updates with proofs of possession, ejection,
// every slashing path with real BLS votes, rewards and batch payments, governance setters.
import { SecretKey, signProofOfPossession } from '@wisp/bls'
import { testERC20Abi } from '@wisp/contracts'
import type { TaskInfo } from '@wisp/protocol'
import { type Address, maxUint256 } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  applyCustomSlashing,
  approveToken,
  createTaskDefinition,
  depositStake,
  ejectOperatorFromNetwork,
  getCenterSettings,
  getNetworkTotal,
  getOperator,
  getOperatorPaymentDetail,
  getTaskDefinition,
  getTaskDefinitionTotal,
  grantRole,
  refreshTaskDefinitionVotingPower,
  registerOperator,
  requestBatchPayment,
  revokeRole,
  setChallengerRewardFee,
  setDefinitionSlashingEnabled,
  setHook,
  setOpenAggregator,
  setPaused,
  setSlashingConfig,
  setTaskDefinitionBlockExpiry,
  setTaskDefinitionMaximumNumberOfAttesters,
  setTaskDefinitionMinimumVotingPower,
  setTaskDefinitionRestrictedAttesters,
  slashOperatorForDoubleAttestation,
  slashOperatorForIncorrectAttestation,
  slashPerformerForRejectedTask,
  submitTask,
  syncVotingPower,
  unregisterOperator,
  updateBlsKey,
  writeAndWait,
} from '../src/index.js'
import { codeOf, makeTask, performerSignature, type Setup, setup, signVotes } from './support/network.js'

const E = 10n ** 18n
let s: Setup
let center: { attestationCenter: Address }

beforeAll(async () => {
  s = await setup({
    operators: [10n, 20n, 30n, 40n].map((p) => ({ votingPower: p * E })),
    taskDefinitions: [
      {
        name: 'paid',
        baseRewardFeeForAttesters: 1n * E,
        baseRewardFeeForPerformer: 5n * E,
        baseRewardFeeForAggregator: 2n * E,
        disputePeriodBlocks: 100n,
      },
    ],
  })
  center = { attestationCenter: s.center }
})
afterAll(() => s?.stop())
beforeEach(() => s.reset())

type Op = Setup['ops'][number]

/** submitTask from `aggregator` with real votes of `signers`. */
async function submit(
  task: TaskInfo,
  signers: readonly Op[],
  isApproved: boolean,
  aggregator: Op = s.ops[0]!,
  performer: Op = s.ops.find((o) => o.address === task.taskPerformer)!,
) {
  return submitTask(aggregator.wallet, {
    ...center,
    task,
    performerSignature: await performerSignature(performer, task, 'ecdsa'),
    isApproved,
    ...signVotes(s, task, signers, isApproved),
    pollingIntervalMs: 20,
  })
}

const balanceOf = (token: Address, owner: Address) =>
  s.publicClient.readContract({ address: token, abi: testERC20Abi, functionName: 'balanceOf', args: [owner] })

describe('operators', () => {
  it('stakes and registers a new operator with a proof of possession; refuses a second registration and a bad proof', async () => {
    const key = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba' as const // anvil dev #5
    const wallet = s.walletOf(key)
    const bls = SecretKey.fromEcdsaPrivateKey(key)
    const { stakeToken, registry } = s.net.contracts
    await writeAndWait(s.deployer, {
      address: stakeToken,
      abi: testERC20Abi,
      functionName: 'mint',
      args: [wallet.account.address, 50n * E],
    })
    await approveToken(wallet, { token: stakeToken, spender: registry, amount: maxUint256 })
    await depositStake(wallet, { ...center, stakingContract: stakeToken, amount: 50n * E })
    const { operatorId } = await registerOperator(wallet, { ...center, blsSecretKey: bls })
    expect(operatorId).toBe(5)
    const record = await getOperator(s.publicClient, { ...center, id: 5 })
    expect(record).toMatchObject({ address: wallet.account.address, votingPower: 50n * E, active: true })
    expect(record!.blsPublicKey).toEqual(bls.publicKey.toBytes())
    expect(await getNetworkTotal(s.publicClient, center)).toBe(150n * E)

    expect(await codeOf(registerOperator(wallet, { ...center, blsSecretKey: bls }))).toBe(
      'OperatorAlreadyRegistered',
    )
    // a proof of possession bound to the wrong contract
    const other = s.walletOf('0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e')
    const otherKey = SecretKey.fromBytes(`0x${'00'.repeat(31)}09`)
    const wrongProof = signProofOfPossession(otherKey, {
      operator: other.account.address,
      contract: s.center,
      chainId: s.net.chainId,
    })
    expect(
      await codeOf(
        registerOperator(other, {
          ...center,
          blsPublicKey: otherKey.publicKey.toBytes(),
          proofOfPossession: wrongProof.toEvm(),
        }),
      ),
    ).toBe('InvalidBLSAuthSignature')
  })

  it('updateBlsKey: votes with the new key count, the old key no longer does', async () => {
    const op = s.ops[3]!
    const fresh = SecretKey.fromBytes(`0x${'00'.repeat(31)}07`)
    // proof bound to the registry instead of the AttestationCenter is refused
    const wrong = signProofOfPossession(fresh, {
      operator: op.address,
      contract: s.net.contracts.registry,
      chainId: s.net.chainId,
    })
    expect(
      await codeOf(
        updateBlsKey(op.wallet, {
          ...center,
          blsPublicKey: fresh.publicKey.toEvm(),
          proofOfPossession: wrong.toEvm(),
        }),
      ),
    ).toBe('InvalidBLSAuthSignature')
    await updateBlsKey(op.wallet, { ...center, blsSecretKey: fresh })
    expect((await getOperator(s.publicClient, { ...center, id: 4 }))!.blsPublicKey).toEqual(
      fresh.publicKey.toBytes(),
    )

    const task = makeTask(s.ops[0]!.address)
    expect(await codeOf(submit(task, s.ops, true))).toBe('InvalidOBLSSignature')
    const updated = s.ops.map((o) => (o.id === 4 ? { ...o, bls: fresh } : o))
    const result = await submit(task, updated, true)
    expect(result.event).toMatchObject({ event: 'TaskSubmitted', attesterIds: [1, 2, 3, 4] })
  })

  it('unregistering deactivates: the network total drops and its votes revert InactiveOperator(id)', async () => {
    await unregisterOperator(s.ops[3]!.wallet, center)
    expect(await getOperator(s.publicClient, { ...center, id: 4 })).toMatchObject({
      active: false,
      ejected: false,
    })
    expect(await getNetworkTotal(s.publicClient, center)).toBe(60n * E)
    const error = await submit(makeTask(s.ops[0]!.address), s.ops, true).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'InactiveOperator', details: { args: [4n] } })
  })

  it('ejection (EJECTOR only) deactivates for good', async () => {
    const refused = await ejectOperatorFromNetwork(s.ops[0]!.wallet, {
      ...center,
      operator: s.ops[2]!.address,
    }).catch((e: unknown) => e)
    expect(refused).toMatchObject({
      code: 'AccessControlUnauthorizedAccount',
      details: { errorName: 'AccessControlUnauthorizedAccount' },
    })
    await ejectOperatorFromNetwork(s.deployer, { ...center, operator: s.ops[2]!.address })
    expect(await getOperator(s.publicClient, { ...center, id: 3 })).toMatchObject({
      active: false,
      ejected: true,
    })
    expect(await codeOf(registerOperator(s.ops[2]!.wallet, { ...center, blsSecretKey: s.ops[2]!.bls }))).toBe(
      'OperatorIsEjected',
    )
    expect(await codeOf(submit(makeTask(s.ops[0]!.address), s.ops, true))).toBe('InactiveOperator')
  })
})

describe('mined reverts', () => {
  it('a transaction that reverts on chain is explained by replaying it (name and txHash), or CHAIN_TX_FAILED', async () => {
    const refused = await ejectOperatorFromNetwork(s.ops[0]!.wallet, {
      ...center,
      operator: s.ops[2]!.address,
      skipSimulation: true,
      gas: 200_000n,
    }).catch((e: unknown) => e as { code: string; details: Record<string, unknown> })
    expect(refused).toMatchObject({
      code: 'AccessControlUnauthorizedAccount',
      details: {
        txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        functionName: 'ejectOperatorFromNetwork',
      },
    })
    // out of gas: the replay (with enough gas) succeeds, so there is no contract reason to give
    const starved = await setPaused(s.deployer, {
      ...center,
      paused: true,
      skipSimulation: true,
      gas: 22_000n,
    }).catch((e: unknown) => e as { code: string; details: Record<string, unknown> })
    expect(starved).toMatchObject({ code: 'CHAIN_TX_FAILED', details: { gasUsed: 22_000n } })
  })
})

describe('slashing', () => {
  it('double attestation from two real votes: slashed end to end, the challenger is paid, only once', async () => {
    const offender = s.ops[1]!
    const challenger = s.ops[0]!
    const task = makeTask(s.ops[2]!.address)
    const approve = signVotes(s, task, [offender], true).signatures[0]!
    const reject = signVotes(s, task, [offender], false).signatures[0]!
    const proof = {
      ...center,
      task,
      operator: offender.address,
      approveSignature: approve,
      rejectSignature: reject,
    }

    expect(await codeOf(slashOperatorForDoubleAttestation(challenger.wallet, proof))).toBe(
      'SlashingNotEnabled',
    )
    await setSlashingConfig(s.deployer, {
      ...center,
      condition: 'doubleAttestation',
      enabled: true,
      stakePercentageBps: 5_000,
      eject: true,
    })
    await setChallengerRewardFee(s.deployer, { ...center, fee: 7n * E })
    expect(
      await codeOf(
        slashOperatorForDoubleAttestation(challenger.wallet, { ...proof, rejectSignature: approve }),
      ),
    ).toBe('InvalidSlashingProof')

    const before = await balanceOf(s.net.contracts.rewardToken, challenger.address)
    const result = await slashOperatorForDoubleAttestation(challenger.wallet, proof)
    expect(result).toMatchObject({ slashedStake: 10n * E, ejected: true, challengerReward: 7n * E })
    expect((await balanceOf(s.net.contracts.rewardToken, challenger.address)) - before).toBe(7n * E)
    expect(await getOperator(s.publicClient, { ...center, id: 2 })).toMatchObject({
      votingPower: 10n * E,
      active: false,
      ejected: true,
    })
    expect(await balanceOf(s.net.contracts.stakeToken, s.net.contracts.treasury)).toBe(10n * E)
    expect(await codeOf(slashOperatorForDoubleAttestation(challenger.wallet, proof))).toBe('AlreadySlashed')
  })

  it('incorrect attestation: a vote against the recorded verdict is slashed', async () => {
    const task = makeTask(s.ops[1]!.address, 1)
    const consensus = [s.ops[1]!, s.ops[2]!, s.ops[3]!]
    const { aggregateSignature, attesterIds } = signVotes(s, task, consensus, true)
    const incorrect = signVotes(s, task, [s.ops[0]!], false).signatures[0]!
    const proof = {
      ...center,
      task,
      operator: s.ops[0]!.address,
      isApproved: true,
      incorrectSignature: incorrect,
      aggregateSignature,
      attesterIds,
    }
    await setSlashingConfig(s.deployer, {
      ...center,
      condition: 'incorrectAttestation',
      enabled: true,
      stakePercentageBps: 1_000,
      eject: false,
    })
    expect(await codeOf(slashOperatorForIncorrectAttestation(s.ops[3]!.wallet, proof))).toBe(
      'SlashingNotEnabled',
    )
    await setDefinitionSlashingEnabled(s.deployer, {
      ...center,
      id: 1,
      condition: 'incorrectAttestation',
      enabled: true,
    })
    expect(await codeOf(slashOperatorForIncorrectAttestation(s.ops[3]!.wallet, proof))).toBe(
      'TaskNotSubmitted',
    )
    await submit(task, consensus, true)
    const result = await slashOperatorForIncorrectAttestation(s.ops[3]!.wallet, proof)
    expect(result).toMatchObject({ slashedStake: 1n * E, ejected: false, challengerReward: 0n })
    expect((await getOperator(s.publicClient, { ...center, id: 1 }))!.votingPower).toBe(9n * E)
  })

  it('rejected task: the performer is slashed; an approved task is not a proof', async () => {
    await setSlashingConfig(s.deployer, {
      ...center,
      condition: 'rejectedTask',
      enabled: true,
      stakePercentageBps: 10_000,
      eject: false,
    })
    await setDefinitionSlashingEnabled(s.deployer, {
      ...center,
      id: 1,
      condition: 'rejectedTask',
      enabled: true,
    })
    const rejected = makeTask(s.ops[1]!.address, 1)
    expect(await codeOf(slashPerformerForRejectedTask(s.deployer, { ...center, task: rejected }))).toBe(
      'TaskNotSubmitted',
    )
    await submit(rejected, [s.ops[3]!], false)
    const result = await slashPerformerForRejectedTask(s.deployer, { ...center, task: rejected })
    expect(result.slashedStake).toBe(20n * E)
    expect((await getOperator(s.publicClient, { ...center, id: 2 }))!.votingPower).toBe(0n)

    const approved = makeTask(s.ops[2]!.address, 1)
    await submit(approved, s.ops, true)
    expect(await codeOf(slashPerformerForRejectedTask(s.deployer, { ...center, task: approved }))).toBe(
      'InvalidSlashingProof',
    )
  })

  it('custom slashing by the SLASHER role', async () => {
    const slash = {
      ...center,
      operator: s.ops[2]!.address,
      slashes: [{ stakingContract: s.net.contracts.stakeToken, amount: 5n * E }],
    }
    expect(await codeOf(applyCustomSlashing(s.ops[0]!.wallet, slash))).toBe(
      'AccessControlUnauthorizedAccount',
    )
    const result = await applyCustomSlashing(s.deployer, slash)
    expect(result.slashed).toEqual([{ stakingContract: s.net.contracts.stakeToken, amount: 5n * E }])
    expect((await getOperator(s.publicClient, { ...center, id: 3 }))!.votingPower).toBe(25n * E)
    expect(await codeOf(applyCustomSlashing(s.deployer, { ...slash, operator: s.net.deployer }))).toBe(
      'OperatorNotRegistered',
    )
  })
})

describe('rewards', () => {
  it('accrue per role and a batch payment (range, then all) pays them', async () => {
    const task = makeTask(s.ops[1]!.address, 1)
    // aggregator op 1, performer op 2, attesters 2, 3, 4
    await submit(task, [s.ops[1]!, s.ops[2]!, s.ops[3]!], true)
    const due = async (id: number) =>
      (await getOperatorPaymentDetail(s.publicClient, { ...center, operatorId: id })).feeToClaim
    expect([await due(1), await due(2), await due(3), await due(4)]).toEqual([2n * E, 6n * E, 1n * E, 1n * E])
    expect(await getOperatorPaymentDetail(s.publicClient, { ...center, operatorId: 2 })).toMatchObject({
      operator: s.ops[1]!.address,
      paymentStatus: 'committed',
    })

    expect(await codeOf(requestBatchPayment(s.ops[0]!.wallet, center))).toBe(
      'AccessControlUnauthorizedAccount',
    )
    expect(await codeOf(requestBatchPayment(s.deployer, { ...center, range: { from: 3, to: 9 } }))).toBe(
      'InvalidRangeForBatchPaymentRequest',
    )
    const reward = s.net.contracts.rewardToken
    const first = await requestBatchPayment(s.deployer, { ...center, range: { from: 1, to: 2 } })
    expect(first.payments).toEqual([
      { operatorId: 1, operator: s.ops[0]!.address, amount: 2n * E },
      { operatorId: 2, operator: s.ops[1]!.address, amount: 6n * E },
    ])
    expect(first.totalPaid).toBe(8n * E)
    const rest = await requestBatchPayment(s.deployer, center)
    expect(rest.payments.map((p) => p.operatorId)).toEqual([3, 4])
    expect(await balanceOf(reward, s.ops[1]!.address)).toBe(6n * E)
    expect(await balanceOf(reward, s.ops[3]!.address)).toBe(1n * E)
    expect(await getOperatorPaymentDetail(s.publicClient, { ...center, operatorId: 2 })).toMatchObject({
      feeToClaim: 0n,
      paymentStatus: 'redeemed',
      lastPaidTaskNumber: 1n,
    })
  })
})

describe('governance', () => {
  it('task definition setters, totals refresh and voting-power sync', async () => {
    const { id } = await createTaskDefinition(s.deployer, {
      ...center,
      name: 'made here',
      minimumVotingPower: 20n * E,
      maximumNumberOfAttesters: 2,
    })
    expect(id).toBe(2)
    expect(await getTaskDefinition(s.publicClient, { ...center, id })).toMatchObject({
      name: 'made here',
      maximumNumberOfAttesters: 2,
      definitionTotal: 90n * E,
    })
    await setTaskDefinitionMinimumVotingPower(s.deployer, { ...center, id, minimumVotingPower: 30n * E })
    await setTaskDefinitionMaximumNumberOfAttesters(s.deployer, { ...center, id, maximum: 0 })
    await setTaskDefinitionRestrictedAttesters(s.deployer, { ...center, id, attesterIds: [1, 3, 4] })
    await setTaskDefinitionBlockExpiry(s.deployer, { ...center, id, blockExpiry: 123_456n })
    expect(await getTaskDefinition(s.publicClient, { ...center, id })).toMatchObject({
      minimumVotingPower: 30n * E,
      restrictedAttesterIds: [1, 3, 4],
      maximumNumberOfAttesters: 0,
      blockExpiry: 123_456n,
      definitionTotal: 70n * E,
    })
    // the snapshot only moves on refresh; stake changes move stored power only on sync
    await writeAndWait(s.deployer, {
      address: s.net.contracts.stakeToken,
      abi: testERC20Abi,
      functionName: 'mint',
      args: [s.net.deployer, 25n * E],
    })
    await depositStake(s.deployer, {
      ...center,
      stakingContract: s.net.contracts.stakeToken,
      amount: 25n * E,
      operator: s.ops[0]!.address,
    })
    expect(await getTaskDefinitionTotal(s.publicClient, { ...center, id })).toBe(70n * E)
    await refreshTaskDefinitionVotingPower(s.ops[2]!.wallet, { ...center, id })
    expect(await getTaskDefinitionTotal(s.publicClient, { ...center, id })).toBe(105n * E)
    await syncVotingPower(s.ops[2]!.wallet, { ...center, operatorIds: [1, 2] })
    expect(await codeOf(syncVotingPower(s.ops[2]!.wallet, { ...center, operatorIds: [9] }))).toBe(
      'InvalidOperatorIndexes',
    )
    expect(
      await codeOf(
        setTaskDefinitionMinimumVotingPower(s.ops[0]!.wallet, { ...center, id, minimumVotingPower: 0n }),
      ),
    ).toBe('AccessControlUnauthorizedAccount')
  })

  it('pause, open aggregation, roles and hooks', async () => {
    await setPaused(s.deployer, { ...center, paused: true })
    expect(await codeOf(submit(makeTask(s.ops[0]!.address), s.ops, true))).toBe('TaskSubmissionPaused')
    await setPaused(s.deployer, { ...center, paused: false })

    const stranger = s.walletOf('0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6')
    const asStranger = { ...s.ops[0]!, wallet: stranger }
    expect(await codeOf(submit(makeTask(s.ops[0]!.address), s.ops, true, asStranger, s.ops[0]!))).toBe(
      'InactiveAggregator',
    )
    await setOpenAggregator(s.deployer, { ...center, enabled: true })
    const result = await submit(makeTask(s.ops[0]!.address), s.ops, true, asStranger, s.ops[0]!)
    // the event names the task performer, not the aggregator that sent it
    expect(result.event.performer).toBe(s.ops[0]!.address)

    await grantRole(s.deployer, { ...center, role: 'EJECTOR', address: stranger.account.address })
    await ejectOperatorFromNetwork(stranger, { ...center, operator: s.ops[3]!.address })
    await revokeRole(s.deployer, { ...center, role: 'EJECTOR', address: stranger.account.address })
    expect(await codeOf(ejectOperatorFromNetwork(stranger, { ...center, operator: s.ops[2]!.address }))).toBe(
      'AccessControlUnauthorizedAccount',
    )
    await setHook(s.deployer, { ...center, hook: 'feeCalculator', address: s.net.contracts.rewardToken })
    expect((await getCenterSettings(s.publicClient, center)).feeCalculator).toBe(s.net.contracts.rewardToken)
    await setHook(s.deployer, {
      ...center,
      hook: 'feeCalculator',
      address: '0x0000000000000000000000000000000000000000',
    })
  })
})
