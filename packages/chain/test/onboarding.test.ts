// Onboarding plans on a real anvil: register (approve + deposit + register), deregister and
// update-bls-key as data first (nothing sent while planning: the nonce says so), then executed
// step by step; the checks that must stop a plan before it spends gas; and the Othentic-shaped
// contracts for standing and key updates. Standing is read through the package's ChainBackend:
// 'auto' detects it, a backend that does not fit the contract is refused.
import { SecretKey, signProofOfPossession } from '@wisp/bls'
import { operatorRegistryAbi, othenticShapedAttestationCenterAbi, testERC20Abi } from '@wisp/contracts'
import { deployOthenticShapedNetwork } from '@wisp/contracts/dev'
import { type Address, encodeFunctionData, type Hex, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  DEPOSIT_GAS_LIMIT,
  ejectOperatorFromNetwork,
  executeOnboardingPlan,
  getOperatorStanding,
  type OnboardingStep,
  planBlsKeyUpdate,
  planOperatorDeregistration,
  planOperatorRegistration,
  proofOfPossessionContext,
  writeAndWait,
} from '../src/index.js'
import { codeOf, type Setup, setup } from './support/network.js'

const E = 10n ** 18n
let s: Setup
/** the second operator of the deployment: funded with ETH, nothing staked, not registered */
let newcomer: Setup['ops'][number]

beforeAll(async () => {
  s = await setup({
    operators: [{ votingPower: 10n * E }, { register: false, stake: 0n }],
    deployerStake: 1000n * E,
  })
  newcomer = s.ops[1]!
})
afterAll(() => s?.stop())
beforeEach(() => s.reset())

const nonceOf = (address: Address) => s.publicClient.getTransactionCount({ address })

/** Stake tokens from the deployer (who holds the deployment's spare stake) by a plain transfer. */
async function giveStakeTokens(to: Address, amount: bigint) {
  await writeAndWait(s.deployer, {
    address: s.net.contracts.stakeToken,
    abi: testERC20Abi,
    functionName: 'transfer',
    args: [to, amount],
  })
}

describe('register', () => {
  it('plans approve, deposit and register without sending, then executes them in order', async () => {
    await giveStakeTokens(newcomer.address, 50n * E)
    const before = await nonceOf(newcomer.address)
    const plan = await planOperatorRegistration(s.publicClient, {
      attestationCenter: s.center,
      account: newcomer.address,
      stake: 20n * E,
      blsSecretKey: newcomer.bls,
    })
    expect(plan.steps.map((x) => x.kind)).toEqual(['approve', 'deposit', 'register'])
    expect(plan.steps[0]).toMatchObject({ target: s.net.contracts.stakeToken, gasSource: 'estimate' })
    // the deposit needs the approval's state: a fixed bound, not an estimate
    expect(plan.steps[1]).toMatchObject({
      target: s.net.contracts.registry,
      gas: DEPOSIT_GAS_LIMIT,
      gasSource: 'limit',
    })
    // the calldata is the key and the proof of possession the plan carries
    expect(plan.steps[2]!.data).toBe(
      encodeFunctionData({
        abi: operatorRegistryAbi,
        functionName: 'registerAsOperator',
        args: [plan.blsKey!.publicKey, { signature: plan.blsKey!.proofOfPossession }],
      }),
    )
    expect(plan.blsKey!.publicKey).toEqual(newcomer.bls.publicKey.toEvm())
    expect(plan.totalGas).toBe(plan.steps.reduce((sum, x) => sum + x.gas, 0n))
    expect(plan.maxCost).toBe(plan.totalGas * plan.feePerGas)
    expect(plan.stake).toMatchObject({ amount: 20n * E, balance: 50n * E, allowance: 0n, staked: 0n })
    expect(await nonceOf(newcomer.address)).toBe(before)

    const seen: string[] = []
    const result = await executeOnboardingPlan(newcomer.wallet, plan, {
      pollingIntervalMs: 20,
      onStep: (step: OnboardingStep, state) => seen.push(`${step.kind}:${state}`),
    })
    expect(seen).toEqual([
      'approve:sending',
      'approve:done',
      'deposit:sending',
      'deposit:done',
      'register:sending',
      'register:done',
    ])
    expect(result.transactions).toHaveLength(3)
    expect(result.operatorId).toBe(2)
    const standing = await getOperatorStanding(s.publicClient, {
      attestationCenter: s.center,
      account: newcomer.address,
    })
    expect(standing).toMatchObject({
      operatorId: 2,
      active: true,
      votingPower: 20n * E,
      totalVotingPower: 30n * E,
    })
    expect(standing.blsPublicKey).toEqual(newcomer.bls.publicKey.toEvm())

    // registered: nothing left to do, and nothing is sent
    const again = await planOperatorRegistration(s.publicClient, {
      attestationCenter: s.center,
      account: newcomer.address,
      stake: 1n,
      blsSecretKey: newcomer.bls,
    })
    expect(again.steps).toEqual([])
    expect(again.nothingToDo).toMatch(/already registered and active as operator 2/)
  })

  it('skips the approval the allowance already covers; a key and proof made elsewhere are accepted', async () => {
    await giveStakeTokens(newcomer.address, 5n * E)
    await writeAndWait(newcomer.wallet, {
      address: s.net.contracts.stakeToken,
      abi: testERC20Abi,
      functionName: 'approve',
      args: [s.net.contracts.registry, 5n * E],
    })
    const context = await proofOfPossessionContext(s.publicClient, {
      attestationCenter: s.center,
      account: newcomer.address,
      action: 'register',
    })
    expect(context).toEqual({
      operator: newcomer.address,
      contract: s.net.contracts.registry,
      chainId: s.net.chainId,
    })
    const plan = await planOperatorRegistration(s.publicClient, {
      attestationCenter: s.center,
      account: newcomer.address,
      stake: 5n * E,
      blsPublicKey: newcomer.bls.publicKey.toEvm(),
      proofOfPossession: signProofOfPossession(newcomer.bls, context).toEvm(),
    })
    expect(plan.steps.map((x) => [x.kind, x.gasSource])).toEqual([
      ['deposit', 'estimate'],
      ['register', 'estimate'],
    ])
    const result = await executeOnboardingPlan(newcomer.wallet, plan, { pollingIntervalMs: 20 })
    expect(result.operatorId).toBe(2)
  })

  it('stops before sending anything: too few tokens, no ETH, no stake, a bad proof, ejected', async () => {
    const before = await nonceOf(newcomer.address)
    const plan = (stake: bigint, extra: Record<string, unknown> = {}) =>
      planOperatorRegistration(s.publicClient, {
        attestationCenter: s.center,
        account: newcomer.address,
        stake,
        blsSecretKey: newcomer.bls,
        ...extra,
      })
    await giveStakeTokens(newcomer.address, 1n * E)
    const tooMuch = await plan(2n * E).catch((e) => e)
    expect(tooMuch.code).toBe('CHAIN_INSUFFICIENT_FUNDS')
    expect(tooMuch.message).toMatch(/^stake: .* holds 1000000000000000000 of the stake token/)
    expect(tooMuch.details.asset).toBe(s.net.contracts.stakeToken)

    const none = await plan(0n).catch((e) => e)
    expect(none.code).toBe('CHAIN_INVALID_INPUT')
    expect(none.message).toMatch(/^stake: nothing is staked/)

    // a proof of possession made for another account: the register estimate reverts with the contract's error
    const other = s.ops[0]!
    const badProof = await codeOf(
      planOperatorRegistration(s.publicClient, {
        attestationCenter: s.center,
        account: newcomer.address,
        stake: 1n * E,
        blsPublicKey: newcomer.bls.publicKey.toEvm(),
        proofOfPossession: signProofOfPossession(newcomer.bls, {
          operator: other.address,
          contract: s.net.contracts.registry,
          chainId: s.net.chainId,
        }).toEvm(),
      }),
    )
    expect(badProof).toBe('InvalidBLSAuthSignature')
    expect(await nonceOf(newcomer.address)).toBe(before)

    // a fresh key holding tokens but no ETH
    const broke = privateKeyToAccount(generatePrivateKey())
    await giveStakeTokens(broke.address, 1n * E)
    const noEth = await planOperatorRegistration(s.publicClient, {
      attestationCenter: s.center,
      account: broke.address,
      stake: 1n * E,
      blsSecretKey: SecretKey.random(),
    }).catch((e) => e)
    expect(noEth.code).toBe('CHAIN_INSUFFICIENT_FUNDS')
    expect(noEth.details.asset).toBe('ETH')
    expect(await nonceOf(broke.address)).toBe(0)

    // an ejected operator cannot register again
    const first = s.ops[0]!
    await ejectOperatorFromNetwork(s.deployer, { attestationCenter: s.center, operator: first.address })
    expect(
      await codeOf(
        planOperatorRegistration(s.publicClient, {
          attestationCenter: s.center,
          account: first.address,
          stake: 0n,
          blsSecretKey: first.bls,
        }),
      ),
    ).toBe('OperatorIsEjected')
    // read through the detected backend: ejected, inactive, its key still readable
    const ejected = await getOperatorStanding(s.publicClient, {
      attestationCenter: s.center,
      account: first.address,
      backend: 'auto',
    })
    expect(ejected).toMatchObject({
      backend: 'wisp',
      registry: s.net.contracts.registry,
      operatorId: 1,
      active: false,
      ejected: true,
    })
    expect(ejected.blsPublicKey).toEqual(first.bls.publicKey.toEvm())
    // a registry given is used as is: the same answer
    expect(
      await getOperatorStanding(s.publicClient, {
        attestationCenter: s.center,
        account: first.address,
        registry: s.net.contracts.registry,
      }),
    ).toEqual(ejected)
  })

  it('names the field: an address with no code, a contract that is not an AttestationCenter, a bad address', async () => {
    const params = { account: newcomer.address, stake: 1n, blsSecretKey: newcomer.bls }
    const eoa = await planOperatorRegistration(s.publicClient, {
      ...params,
      attestationCenter: newcomer.address,
    }).catch((e) => e)
    expect(eoa.code).toBe('CHAIN_NOT_A_CONTRACT')
    expect(eoa.message).toMatch(/^attestationCenter: no contract at/)
    const token = await planOperatorRegistration(s.publicClient, {
      ...params,
      attestationCenter: s.net.contracts.stakeToken,
    }).catch((e) => e)
    expect(token.code).toBe('CHAIN_NOT_AN_ATTESTATION_CENTER')
    const typo = await planOperatorRegistration(s.publicClient, {
      ...params,
      attestationCenter: '0x1234' as Address,
    }).catch((e) => e)
    expect(typo.code).toBe('CHAIN_INVALID_INPUT')
    expect(typo.message).toMatch(/^attestationCenter: /)
  })

  it('refuses a wallet that is not the plan account, and sends nothing', async () => {
    await giveStakeTokens(newcomer.address, 1n * E)
    const plan = await planOperatorRegistration(s.publicClient, {
      attestationCenter: s.center,
      account: newcomer.address,
      stake: 1n * E,
      blsSecretKey: newcomer.bls,
    })
    expect(await codeOf(executeOnboardingPlan(s.ops[0]!.wallet, plan))).toBe('CHAIN_NO_ACCOUNT')
    expect(await nonceOf(newcomer.address)).toBe(0)
  })
})

describe('update-bls-key and deregister', () => {
  it('replaces the key, then unregisters; the same key and an inactive operator leave nothing to do', async () => {
    const op = s.ops[0]!
    const next = SecretKey.random()
    const plan = await planBlsKeyUpdate(s.publicClient, {
      attestationCenter: s.center,
      account: op.address,
      blsSecretKey: next,
    })
    expect(plan.steps.map((x) => [x.kind, x.target])).toEqual([['update-bls-key', s.center]])
    await executeOnboardingPlan(op.wallet, plan, { pollingIntervalMs: 20 })
    const standing = await getOperatorStanding(s.publicClient, {
      attestationCenter: s.center,
      account: op.address,
    })
    expect(standing.blsPublicKey).toEqual(next.publicKey.toEvm())
    const same = await planBlsKeyUpdate(s.publicClient, {
      attestationCenter: s.center,
      account: op.address,
      blsSecretKey: next,
    })
    expect(same.steps).toEqual([])
    expect(same.nothingToDo).toMatch(/already has this BLS key/)

    const leave = await planOperatorDeregistration(s.publicClient, {
      attestationCenter: s.center,
      account: op.address,
    })
    expect(leave.steps.map((x) => x.kind)).toEqual(['unregister'])
    await executeOnboardingPlan(op.wallet, leave, { pollingIntervalMs: 20 })
    const after = await getOperatorStanding(s.publicClient, {
      attestationCenter: s.center,
      account: op.address,
    })
    expect(after).toMatchObject({ operatorId: 1, active: false, totalVotingPower: 0n })
    const again = await planOperatorDeregistration(s.publicClient, {
      attestationCenter: s.center,
      account: op.address,
    })
    expect(again.nothingToDo).toMatch(/already inactive/)
  })

  it('OperatorNotRegistered for an address that never registered', async () => {
    const params = { attestationCenter: s.center, account: newcomer.address }
    expect(await codeOf(planOperatorDeregistration(s.publicClient, params))).toBe('OperatorNotRegistered')
    expect(await codeOf(planBlsKeyUpdate(s.publicClient, { ...params, blsSecretKey: newcomer.bls }))).toBe(
      'OperatorNotRegistered',
    )
    const standing = await getOperatorStanding(s.publicClient, params)
    expect(standing).toMatchObject({ operatorId: undefined, active: false, votingPower: 0n })
  })
})

describe('Othentic-shaped contracts', () => {
  it('reads standing through the OBLS and updates the key at the AttestationCenter', async () => {
    const keys = [generatePrivateKey(), generatePrivateKey()] as Hex[]
    const net = await deployOthenticShapedNetwork({
      rpcUrl: s.anvil.rpcUrl,
      operators: keys.map((ecdsaKey, i) => ({ ecdsaKey, votingPower: BigInt(i + 1) * E })),
      eventVersion: 2,
      operatorEth: parseEther('1'),
    })
    const op = net.operators[1]!
    const center = { attestationCenter: net.contracts.attestationCenter, backend: 'othentic' as const }
    const standing = await getOperatorStanding(s.publicClient, { ...center, account: op.address })
    expect(standing).toMatchObject({
      registry: net.contracts.obls,
      operatorId: 2,
      active: true,
      votingPower: 2n * E,
      totalVotingPower: 3n * E,
    })
    expect(standing.blsPublicKey).toEqual(SecretKey.fromBytes(op.blsSecretKey).publicKey.toEvm())
    // OperatorNotRegistered from operatorsIdsByAddress reads as "not registered"
    const stranger = await getOperatorStanding(s.publicClient, { ...center, account: newcomer.address })
    expect(stranger.operatorId).toBeUndefined()

    const next = SecretKey.random()
    const plan = await planBlsKeyUpdate(s.publicClient, {
      ...center,
      account: op.address,
      blsSecretKey: next,
    })
    expect(plan.steps.map((x) => x.functionName)).toEqual(['updateBlsKey'])
    const wallet = s.walletOf(op.ecdsaKey)
    await executeOnboardingPlan(wallet, plan, { pollingIntervalMs: 20 })
    const updated = await getOperatorStanding(s.publicClient, { ...center, account: op.address })
    expect(updated.blsPublicKey).toEqual(next.publicKey.toEvm())
  })

  it("'auto' finds the Othentic backend, 'wisp' does not fit it; an unregistered operator has no standing", async () => {
    const net = await deployOthenticShapedNetwork({
      rpcUrl: s.anvil.rpcUrl,
      operators: [
        { ecdsaKey: generatePrivateKey(), votingPower: 2n * E },
        { ecdsaKey: generatePrivateKey(), votingPower: 3n * E },
      ],
      eventVersion: 1,
      operatorEth: parseEther('1'),
    })
    const op = net.operators[0]!
    const attestationCenter = net.contracts.attestationCenter
    const auto = await getOperatorStanding(s.publicClient, {
      attestationCenter,
      account: op.address,
      backend: 'auto',
    })
    expect(auto).toMatchObject({
      backend: 'othentic',
      registry: net.contracts.obls,
      operatorId: 1,
      active: true,
      ejected: false,
      votingPower: 2n * E,
      totalVotingPower: 5n * E,
    })
    const given = await getOperatorStanding(s.publicClient, {
      attestationCenter,
      account: op.address,
      backend: 'othentic',
      registry: net.contracts.obls,
    })
    expect(given).toEqual(auto)
    // the default backend is Wisp's: its registry checks fail on an OBLS, before any plan is made
    expect(
      await codeOf(getOperatorStanding(s.publicClient, { attestationCenter, account: op.address })),
    ).toBe('CHAIN_NOT_AN_ATTESTATION_CENTER')
    expect(
      await codeOf(planOperatorDeregistration(s.publicClient, { attestationCenter, account: op.address })),
    ).toBe('CHAIN_NOT_AN_ATTESTATION_CENTER')

    // unregistered from L1: the id is gone (OperatorNotRegistered reads as not registered)
    await writeAndWait(s.deployer, {
      address: attestationCenter,
      abi: othenticShapedAttestationCenterAbi,
      functionName: 'unRegisterOperatorFromNetwork',
      args: [op.address],
    })
    const center = { attestationCenter, account: op.address, backend: 'othentic' as const }
    expect(await getOperatorStanding(s.publicClient, center)).toMatchObject({
      operatorId: undefined,
      active: false,
      votingPower: 0n,
      totalVotingPower: 3n * E,
      blsPublicKey: undefined,
    })
    expect(
      await codeOf(planBlsKeyUpdate(s.publicClient, { ...center, blsSecretKey: SecretKey.random() })),
    ).toBe('OperatorNotRegistered')
  })
})
