// Rewards per role and batch payments; slashing modules with real BLS votes, challenger reward,
// custom slashing and ejection — on a real anvil.
import type { TaskInfo } from '@wisp/protocol'
import { type Abi, type Address, encodeFunctionData, keccak256, parseEther, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Anvil, startAnvil } from '../src/dev/index.js'
import {
  attestationCenterAbi,
  mockBaseFeeCalculatorAbi,
  mockBaseFeeCalculatorBytecode,
  mockPerIdFeeCalculatorAbi,
  mockPerIdFeeCalculatorBytecode,
  operatorRegistryAbi,
  SLASHING_CONDITION,
  testERC20Abi,
} from '../src/index.js'
import {
  createDefinition,
  createFixture,
  deploy,
  govAc,
  makeOperator,
  makeTask,
  type Network,
  type Operator,
  readAc,
  readRegistry,
  registerOperator,
  registerOperators,
  revertOf,
  send,
  signVotes,
  submit,
  submitError,
} from './support/network.js'

let anvil: Anvil
let net: Network
let reset: () => Promise<void>

beforeAll(async () => {
  anvil = await startAnvil()
  const fixture = await createFixture(anvil)
  net = fixture.net
  reset = fixture.reset
})

afterAll(async () => {
  await anvil?.stop()
})

beforeEach(async () => {
  await reset()
  for (const who of [challenger, roleHolder]) await net.client.setBalance({ address: who.address, value: E })
})

const E = parseEther('1')
// accounts that are not operators (funded in beforeEach)
const challenger = privateKeyToAccount(keccak256(stringToHex('wisp-contracts-test-challenger')))
const roleHolder = privateKeyToAccount(keccak256(stringToHex('wisp-contracts-test-role-holder')))

const balanceOf = (token: Address, who: Address) =>
  net.client.readContract({ address: token, abi: testERC20Abi, functionName: 'balanceOf', args: [who] })
const stakeOf = (who: Address) => readRegistry<bigint>(net, 'stakeOf', [who, net.stakeToken])
const feeOf = async (op: Operator) =>
  (await readAc<{ feeToClaim: bigint }>(net, 'getOperatorPaymentDetail', [op.id])).feeToClaim

async function acError(functionName: string, args: readonly unknown[], from: Address) {
  const data = encodeFunctionData({ abi: attestationCenterAbi as Abi, functionName, args })
  return revertOf(net, net.attestationCenter, data, from)
}

async function acSend(functionName: string, args: readonly unknown[], account = challenger) {
  return send(net.client, {
    address: net.attestationCenter,
    abi: attestationCenterAbi as Abi,
    functionName,
    args,
    account,
  })
}

describe('rewards', () => {
  const fees = { attester: parseEther('0.01'), performer: parseEther('0.1'), aggregator: parseEther('0.005') }

  it('accrue per role (the performer only on approval) and a batch payment pays them', async () => {
    const [a, b, c, d] = await registerOperators(net, [E, E, E, E])
    const defId = await createDefinition(net, {
      baseRewardFeeForAttesters: fees.attester,
      baseRewardFeeForPerformer: fees.performer,
      baseRewardFeeForAggregator: fees.aggregator,
    })
    await submit(net, makeTask(a!, defId), { performer: a!, signers: [a!, b!, c!], from: d!.account })
    expect(await feeOf(a!)).toBe(fees.attester + fees.performer)
    expect(await feeOf(b!)).toBe(fees.attester)
    expect(await feeOf(d!)).toBe(fees.aggregator)
    // rejected: attesters and aggregator earn, the performer does not
    await submit(net, makeTask(a!, defId), {
      performer: a!,
      signers: [b!, c!],
      isApproved: false,
      from: d!.account,
    })
    expect(await feeOf(a!)).toBe(fees.attester + fees.performer)
    expect(await feeOf(b!)).toBe(2n * fees.attester)
    expect(await feeOf(c!)).toBe(2n * fees.attester)
    expect(await feeOf(d!)).toBe(2n * fees.aggregator)
    const detail = await readAc<{ operator: Address; paymentStatus: number; lastPaidTaskNumber: bigint }>(
      net,
      'getOperatorPaymentDetail',
      [b!.id],
    )
    expect(detail).toMatchObject({ operator: b!.address, paymentStatus: 1, lastPaidTaskNumber: 0n })

    // a range, by the PAYMENT_REQUESTS role
    expect((await acError('requestBatchPayment', [1n, 2n, 0, '0x'], roleHolder.address))?.errorName).toBe(
      'AccessControlUnauthorizedAccount',
    )
    await govAc(net, 'setPaymentRequestsRole', [roleHolder.address])
    expect((await acError('requestBatchPayment', [3n, 2n, 0, '0x'], roleHolder.address))?.errorName).toBe(
      'InvalidRangeForBatchPaymentRequest',
    )
    const treasuryBefore = await balanceOf(net.rewardToken, net.treasury)
    await acSend('requestBatchPayment', [1n, 2n, 0, '0x'], roleHolder)
    expect(await balanceOf(net.rewardToken, a!.address)).toBe(fees.attester + fees.performer)
    expect(await balanceOf(net.rewardToken, b!.address)).toBe(2n * fees.attester)
    expect(await balanceOf(net.rewardToken, c!.address)).toBe(0n)
    expect(await feeOf(a!)).toBe(0n)
    const paidDetail = await readAc<{ paymentStatus: number; lastPaidTaskNumber: bigint }>(
      net,
      'getOperatorPaymentDetail',
      [a!.id],
    )
    expect(paidDetail).toMatchObject({ paymentStatus: 0, lastPaidTaskNumber: 2n })
    // everyone, by governance
    await govAc(net, 'requestBatchPayment', [0, '0x'])
    expect(await balanceOf(net.rewardToken, c!.address)).toBe(2n * fees.attester)
    expect(await balanceOf(net.rewardToken, d!.address)).toBe(2n * fees.aggregator)
    const total = fees.performer + 5n * fees.attester + 2n * fees.aggregator
    expect(await balanceOf(net.rewardToken, net.treasury)).toBe(treasuryBefore - total)
  })

  it('use the fee calculator hook: base fees or fees per id', async () => {
    const [a, b, c] = await registerOperators(net, [E, E, E])
    const base = await deploy(
      net.client,
      net.governance,
      mockBaseFeeCalculatorAbi as Abi,
      mockBaseFeeCalculatorBytecode,
      [7n, 11n, 13n],
    )
    await govAc(net, 'setFeeCalculator', [base])
    await submit(net, makeTask(a!), { performer: a!, signers: [a!, b!, c!], from: c!.account })
    expect([await feeOf(a!), await feeOf(b!), await feeOf(c!)]).toEqual([7n + 13n, 7n, 7n + 11n])
    const perId = await deploy(
      net.client,
      net.governance,
      mockPerIdFeeCalculatorAbi as Abi,
      mockPerIdFeeCalculatorBytecode,
      [100n],
    )
    await govAc(net, 'setFeeCalculator', [perId])
    await submit(net, makeTask(a!), { performer: a!, signers: [a!, b!, c!], from: c!.account })
    expect([await feeOf(a!), await feeOf(b!), await feeOf(c!)]).toEqual([120n, 207n, 318n])
  })
})

describe('slashing', () => {
  const reward = parseEther('7')

  async function setup(condition: number, eject: boolean) {
    const ops = await registerOperators(net, [100n * E, 100n * E, 100n * E, 100n * E])
    await govAc(net, 'setSlashingConfig', [condition, { enabled: true, stakePercentageBps: 1000, eject }])
    await govAc(net, 'setChallengerRewardFee', [reward])
    return ops
  }

  it('double attestation: two real votes of one operator slash it, eject it and pay the challenger', async () => {
    const [a, b] = await setup(SLASHING_CONDITION.DOUBLE_ATTESTATION, true)
    const task = makeTask(a!)
    // b votes both ways (its own real BLS votes, as gossiped)
    const yes = signVotes(net, task, [b!], true)
    const no = signVotes(net, task, [b!], false)
    const details = {
      operator: b!.address,
      trueBlsSignature: yes.taSignature,
      falseBlsSignature: no.taSignature,
    }
    expect(
      (
        await acError(
          'slashOperatorForDoubleAttestation',
          [{ ...details, falseBlsSignature: yes.taSignature }, task],
          challenger.address,
        )
      )?.errorName,
    ).toBe('InvalidSlashingProof')
    const treasuryStake = await balanceOf(net.stakeToken, net.treasury)
    await acSend('slashOperatorForDoubleAttestation', [details, task])
    expect(await stakeOf(b!.address)).toBe(90n * E)
    expect(await balanceOf(net.stakeToken, net.treasury)).toBe(treasuryStake + 10n * E)
    expect(await balanceOf(net.rewardToken, challenger.address)).toBe(reward)
    expect(await readRegistry<boolean>(net, 'isActiveOperator', [b!.address])).toBe(false)
    expect(await readRegistry<bigint>(net, 'totalVotingPower')).toBe(300n * E)
    expect(await readAc<bigint>(net, 'numOfActiveOperators')).toBe(3n)
    expect(
      (await acError('slashOperatorForDoubleAttestation', [details, task], challenger.address))?.errorName,
    ).toBe('AlreadySlashed')
  })

  it('double attestation is refused while the module is disabled: SlashingNotEnabled', async () => {
    const [a, b] = await registerOperators(net, [E, E])
    const task = makeTask(a!)
    const details = {
      operator: b!.address,
      trueBlsSignature: signVotes(net, task, [b!], true).taSignature,
      falseBlsSignature: signVotes(net, task, [b!], false).taSignature,
    }
    expect(
      (await acError('slashOperatorForDoubleAttestation', [details, task], challenger.address))?.errorName,
    ).toBe('SlashingNotEnabled')
  })

  it('incorrect attestation: a vote against the recorded verdict, within the dispute period', async () => {
    const [a, b, c, d] = await setup(SLASHING_CONDITION.INCORRECT_ATTESTATION, false)
    const defId = await createDefinition(net, { disputePeriodBlocks: 5n })
    const task = makeTask(a!, defId)
    const details = (t: TaskInfo) => {
      const consensus = signVotes(net, t, [a!, b!, c!], true)
      return {
        operator: d!.address,
        isApproved: true,
        incorrectSignature: signVotes(net, t, [d!], false).taSignature,
        taSignature: consensus.taSignature,
        attesterIds: consensus.attestersIds,
      }
    }
    expect(
      (await acError('slashOperatorForIncorrectAttestation', [details(task), task], challenger.address))
        ?.errorName,
    ).toBe('SlashingNotEnabled')
    await govAc(net, 'setIsIncorrectAttestationSlashingEnabled', [defId, true])
    expect(
      (await acError('slashOperatorForIncorrectAttestation', [details(task), task], challenger.address))
        ?.errorName,
    ).toBe('TaskNotSubmitted')
    await submit(net, task, { performer: a!, signers: [a!, b!, c!] })
    expect(
      (
        await acError(
          'slashOperatorForIncorrectAttestation',
          [{ ...details(task), isApproved: false }, task],
          challenger.address,
        )
      )?.errorName,
    ).toBe('InvalidSlashingProof')
    await acSend('slashOperatorForIncorrectAttestation', [details(task), task])
    expect(await stakeOf(d!.address)).toBe(90n * E)
    expect(await readRegistry<bigint>(net, 'votingPower', [d!.address])).toBe(90n * E)
    expect(await readRegistry<boolean>(net, 'isActiveOperator', [d!.address])).toBe(true) // no ejection configured
    expect(await balanceOf(net.rewardToken, challenger.address)).toBe(reward)
    // a later task, challenged after its dispute period
    const late = makeTask(a!, defId)
    await submit(net, late, { performer: a!, signers: [a!, b!, c!] })
    await net.client.mine({ blocks: 6 })
    expect(
      (await acError('slashOperatorForIncorrectAttestation', [details(late), late], challenger.address))
        ?.errorName,
    ).toBe('DisputePeriodOver')
  })

  it('rejected task: the performer of a task consensus rejected', async () => {
    const [a, b, c] = await setup(SLASHING_CONDITION.REJECTED_TASK, false)
    const defId = await createDefinition(net)
    await govAc(net, 'setIsRejectedTaskSlashingEnabled', [defId, true])
    const approved = makeTask(a!, defId)
    await submit(net, approved, { performer: a!, signers: [a!, b!, c!] })
    expect((await acError('slashPerformerForRejectedTask', [approved], challenger.address))?.errorName).toBe(
      'InvalidSlashingProof',
    )
    const rejected = makeTask(a!, defId)
    await submit(net, rejected, { performer: a!, signers: [b!, c!], isApproved: false })
    await acSend('slashPerformerForRejectedTask', [rejected])
    expect(await stakeOf(a!.address)).toBe(90n * E)
    expect(await balanceOf(net.rewardToken, challenger.address)).toBe(reward)
    expect((await acError('slashPerformerForRejectedTask', [rejected], challenger.address))?.errorName).toBe(
      'AlreadySlashed',
    )
  })

  it('custom slashing by the SLASHER role', async () => {
    const [a] = await registerOperators(net, [10n * E, 10n * E])
    const infos = [{ stakingContract: net.stakeToken, sharedSecurityProvider: 2, wadsToSlash: 4n * E }]
    expect((await acError('applyCustomSlashing', [a!.address, infos], roleHolder.address))?.errorName).toBe(
      'AccessControlUnauthorizedAccount',
    )
    await govAc(net, 'setSlasher', [roleHolder.address])
    await acSend('applyCustomSlashing', [a!.address, infos], roleHolder)
    expect(await stakeOf(a!.address)).toBe(6n * E)
    expect(await readAc<bigint>(net, 'votingPower', [a!.address])).toBe(6n * E)
    expect(await readAc<bigint>(net, 'totalVotingPower')).toBe(16n * E)
    expect(await balanceOf(net.stakeToken, net.treasury)).toBe(4n * E)
    await govAc(net, 'revokeSlasher', [roleHolder.address])
    expect((await acError('applyCustomSlashing', [a!.address, infos], roleHolder.address))?.errorName).toBe(
      'AccessControlUnauthorizedAccount',
    )
  })
})

describe('ejection', () => {
  it('deactivates the operator for good', async () => {
    const [a, b, c] = await registerOperators(net, [E, E, E])
    expect((await acError('ejectOperatorFromNetwork', [c!.address], roleHolder.address))?.errorName).toBe(
      'AccessControlUnauthorizedAccount',
    )
    await govAc(net, 'setEjector', [roleHolder.address])
    await acSend('ejectOperatorFromNetwork', [c!.address], roleHolder)
    expect(await readRegistry<boolean>(net, 'isActiveOperator', [c!.address])).toBe(false)
    expect(await readAc<bigint>(net, 'numOfActiveOperators')).toBe(2n)
    expect(await readAc<bigint>(net, 'totalVotingPower')).toBe(2n * E)
    const details = await readAc<{ operator: Address }[]>(net, 'getActiveOperatorsDetails')
    expect(details.map((d) => d.operator)).toEqual([a!.address, b!.address])
    expect(await submitError(net, makeTask(a!), { performer: a!, signers: [a!, b!, c!] })).toEqual({
      errorName: 'InactiveOperator',
      args: [c!.id],
    })
    // cannot come back
    const again = makeOperator(c!.index)
    await expect(registerOperator(net, again)).rejects.toThrow()
    const data = encodeFunctionData({
      abi: operatorRegistryAbi,
      functionName: 'registerAsOperator',
      args: [c!.bls.publicKey.toEvm(), { signature: [1n, 2n] }],
    })
    expect((await revertOf(net, net.registry, data, c!.address))?.errorName).toBe('OperatorIsEjected')
    // the remaining two still reach the threshold of the new total
    await submit(net, makeTask(a!), { performer: a!, signers: [a!, b!] })
  })
})
