// A plan as a list of steps (deploy X, grant role Y, create definition Z …), each with a stable id
// the deployment record keys on. Steps are data plus an encoder: a call's arguments may name a
// contract an earlier step creates, whose address is known once that step is signed (CREATE
// address from the deployer's nonce), before it is mined — so steps can be sent back to back.
import {
  attestationCenterAbi,
  attestationCenterBytecode,
  avsTreasuryAbi,
  avsTreasuryBytecode,
  operatorRegistryAbi,
  operatorRegistryBytecode,
  ROLES,
  SLASHING_CONDITION,
  testERC20Abi,
  testERC20Bytecode,
} from '@wisp/contracts'
import { type Abi, type Address, encodeDeployData, encodeFunctionData, type Hex, maxUint256 } from 'viem'
import { DeployError } from './errors.js'
import type { AddressOrDeployer, DeploymentPlan, SlashingConditionName } from './plan.js'

export const CONTRACT_NAMES = [
  'stakeToken',
  'rewardToken',
  'operatorRegistry',
  'avsTreasury',
  'attestationCenter',
] as const
export type ContractName = (typeof CONTRACT_NAMES)[number]

export interface StepContext {
  deployer: Address
  /** known (plan) or predicted (signed) addresses */
  addresses: Partial<Record<ContractName, Address>>
  /** task definition ids by name: predicted in order, confirmed from the receipt's event */
  definitionIds: Record<string, number>
}

export interface Step {
  id: string
  label: string
  /** a deployment: the contract it creates */
  creates?: ContractName
  /** createNewTaskDefinition: the definition whose id the receipt's TaskDefinitionCreated gives */
  definesTask?: string
  /**
   * The gas limit of a call, fixed: it is signed before the steps it depends on are mined, so it
   * cannot be estimated then (unused gas is not charged). Deployments are estimated instead.
   */
  gasLimit?: bigint
  encode(ctx: StepContext): { to?: Address; data: Hex }
}

// Generous limits of calls signed before their state exists (measured on anvil: about half).
const GAS = { role: 120_000n, small: 200_000n, definition: 1_500_000n } as const

const SLASHING_IDS: Record<SlashingConditionName, number> = {
  doubleAttestation: SLASHING_CONDITION.DOUBLE_ATTESTATION,
  incorrectAttestation: SLASHING_CONDITION.INCORRECT_ATTESTATION,
  rejectedTask: SLASHING_CONDITION.REJECTED_TASK,
}

function need(ctx: StepContext, name: ContractName): Address {
  const address = ctx.addresses[name]
  if (address === undefined) {
    throw new DeployError('DEPLOY_STEP_FAILED', `the address of ${name} is not known yet`, {
      details: { contract: name },
    })
  }
  return address
}

function call(
  id: string,
  label: string,
  target: ContractName,
  abi: Abi,
  functionName: string,
  args: (ctx: StepContext) => readonly unknown[],
  gasLimit: bigint,
  extra: Partial<Step> = {},
): Step {
  return {
    id,
    label,
    gasLimit,
    ...extra,
    encode: (ctx) => ({
      to: need(ctx, target),
      data: encodeFunctionData({ abi, functionName, args: args(ctx) } as Parameters<
        typeof encodeFunctionData
      >[0]),
    }),
  }
}

function deploy(name: ContractName, label: string, data: (ctx: StepContext) => Hex): Step {
  return { id: `deploy:${name}`, label, creates: name, encode: (ctx) => ({ data: data(ctx) }) }
}

const short = (a: string) => (a === 'deployer' ? 'deployer' : `${a.slice(0, 8)}…${a.slice(-4)}`)

/** The steps of a plan, in the order they are sent. */
export function planSteps(plan: DeploymentPlan): Step[] {
  const who = (ctx: StepContext, a: AddressOrDeployer): Address => (a === 'deployer' ? ctx.deployer : a)
  const steps: Step[] = []
  const center = attestationCenterAbi as Abi
  for (const name of ['stakeToken', 'rewardToken'] as const) {
    const token = plan[name]
    if (!('deploy' in token)) continue
    steps.push(
      deploy(name, `deploy ${name} ${token.deploy.symbol} (TestERC20)`, () =>
        encodeDeployData({
          abi: testERC20Abi,
          bytecode: testERC20Bytecode,
          args: [token.deploy.name, token.deploy.symbol],
        }),
      ),
    )
  }
  steps.push(
    deploy('operatorRegistry', 'deploy OperatorRegistry', (ctx) =>
      encodeDeployData({
        abi: operatorRegistryAbi,
        bytecode: operatorRegistryBytecode,
        args: [ctx.deployer],
      }),
    ),
    deploy('avsTreasury', 'deploy AvsTreasury', (ctx) =>
      encodeDeployData({
        abi: avsTreasuryAbi,
        bytecode: avsTreasuryBytecode,
        args: [ctx.deployer, need(ctx, 'rewardToken')],
      }),
    ),
    deploy('attestationCenter', 'deploy AttestationCenter', (ctx) =>
      encodeDeployData({
        abi: attestationCenterAbi,
        bytecode: attestationCenterBytecode,
        args: [ctx.deployer, need(ctx, 'operatorRegistry'), need(ctx, 'avsTreasury')],
      }),
    ),
    call(
      'registry:grant-attestation-center',
      'registry: grant ATTESTATION_CENTER to the AttestationCenter',
      'operatorRegistry',
      operatorRegistryAbi as Abi,
      'grantRole',
      (ctx) => [ROLES.ATTESTATION_CENTER, need(ctx, 'attestationCenter')],
      GAS.role,
    ),
    call(
      'treasury:grant-attestation-center',
      'treasury: grant ATTESTATION_CENTER to the AttestationCenter',
      'avsTreasury',
      avsTreasuryAbi as Abi,
      'grantRole',
      (ctx) => [ROLES.ATTESTATION_CENTER, need(ctx, 'attestationCenter')],
      GAS.role,
    ),
    call(
      'registry:add-staking-contract',
      `registry: stake token with multiplier ${plan.staking.multiplier}`,
      'operatorRegistry',
      operatorRegistryAbi as Abi,
      'addStakingContract',
      (ctx) => [need(ctx, 'stakeToken'), plan.staking.multiplier],
      GAS.small,
    ),
  )
  if (plan.staking.maxEffectiveBalance > 0n) {
    steps.push(
      call(
        'registry:max-effective-balance',
        `registry: max effective balance ${plan.staking.maxEffectiveBalance}`,
        'operatorRegistry',
        operatorRegistryAbi as Abi,
        'setMaxEffectiveBalance',
        () => [plan.staking.maxEffectiveBalance],
        GAS.small,
      ),
    )
  }
  if (plan.staking.withdrawalDelayBlocks !== undefined) {
    steps.push(
      call(
        'registry:withdrawal-delay',
        `registry: withdrawal delay ${plan.staking.withdrawalDelayBlocks} blocks`,
        'operatorRegistry',
        operatorRegistryAbi as Abi,
        'setWithdrawalDelayBlocks',
        () => [plan.staking.withdrawalDelayBlocks],
        GAS.small,
      ),
    )
  }
  if (plan.treasuryFunding > 0n) {
    const minted = 'deploy' in plan.rewardToken
    steps.push(
      call(
        'treasury:fund',
        `reward token: ${minted ? 'mint' : 'transfer'} ${plan.treasuryFunding} to the treasury`,
        'rewardToken',
        testERC20Abi as Abi,
        minted ? 'mint' : 'transfer',
        (ctx) => [need(ctx, 'avsTreasury'), plan.treasuryFunding],
        GAS.small,
      ),
    )
  }
  for (const name of ['stakeToken', 'rewardToken'] as const) {
    const token = plan[name]
    if (!('deploy' in token)) continue
    token.deploy.mint.forEach((m, i) => {
      steps.push(
        call(
          `${name}:mint:${i}`,
          `${name}: mint ${m.amount} to ${short(m.to)}`,
          name,
          testERC20Abi as Abi,
          'mint',
          (ctx) => [who(ctx, m.to), m.amount],
          GAS.small,
        ),
      )
    })
  }
  const roleSteps: Array<[string, string, AddressOrDeployer[]]> = [
    ['ejector', 'setEjector', plan.roles.ejectors],
    ['slasher', 'setSlasher', plan.roles.slashers],
    ['payment-requests', 'setPaymentRequestsRole', plan.roles.paymentRequests],
    [
      'obls-shares-syncer',
      'setOblsSharesSyncer',
      plan.roles.oblsSharesSyncer ? [plan.roles.oblsSharesSyncer] : [],
    ],
  ]
  for (const [role, functionName, holders] of roleSteps) {
    for (const holder of holders) {
      steps.push(
        call(
          `center:${role}:${holder}`,
          `center: ${role} role to ${short(holder)}`,
          'attestationCenter',
          center,
          functionName,
          (ctx) => [who(ctx, holder)],
          GAS.role,
        ),
      )
    }
  }
  if (plan.openAggregator) {
    steps.push(
      call(
        'center:open-aggregator',
        'center: open aggregation',
        'attestationCenter',
        center,
        'setIsOpenAggregator',
        () => [true],
        GAS.small,
      ),
    )
  }
  if (plan.challengerRewardFee > 0n) {
    steps.push(
      call(
        'center:challenger-reward',
        `center: challenger reward ${plan.challengerRewardFee}`,
        'attestationCenter',
        center,
        'setChallengerRewardFee',
        () => [plan.challengerRewardFee],
        GAS.small,
      ),
    )
  }
  for (const [name, config] of Object.entries(plan.slashing) as Array<
    [SlashingConditionName, NonNullable<DeploymentPlan['slashing'][SlashingConditionName]>]
  >) {
    steps.push(
      call(
        `center:slashing:${name}`,
        `center: slashing ${name} ${config.enabled ? `${config.stakePercentageBps} bps${config.eject ? ', eject' : ''}` : 'off'}`,
        'attestationCenter',
        center,
        'setSlashingConfig',
        () => [SLASHING_IDS[name], config],
        GAS.small,
      ),
    )
  }
  for (const d of plan.taskDefinitions) {
    const id = (ctx: StepContext) => {
      const value = ctx.definitionIds[d.name]
      if (value === undefined) {
        throw new DeployError(
          'DEPLOY_STEP_FAILED',
          `the id of task definition "${d.name}" is not known yet`,
          {
            details: { definition: d.name },
          },
        )
      }
      return value
    }
    steps.push(
      call(
        `definition:${d.name}:create`,
        `center: task definition "${d.name}"`,
        'attestationCenter',
        center,
        'createNewTaskDefinition',
        () => [
          d.name,
          {
            blockExpiry: d.blockExpiry === 0n ? maxUint256 : d.blockExpiry,
            baseRewardFeeForAttesters: d.rewards.attesters,
            baseRewardFeeForPerformer: d.rewards.performer,
            baseRewardFeeForAggregator: d.rewards.aggregator,
            disputePeriodBlocks: d.disputePeriodBlocks,
            minimumVotingPower: d.minimumVotingPower,
            restrictedOperatorIndexes: d.restrictedAttesterIds.map(BigInt),
          },
        ],
        GAS.definition + 60_000n * BigInt(d.restrictedAttesterIds.length),
        { definesTask: d.name },
      ),
    )
    if (d.maximumNumberOfAttesters > 0) {
      steps.push(
        call(
          `definition:${d.name}:maximum-attesters`,
          `center: "${d.name}" at most ${d.maximumNumberOfAttesters} attesters`,
          'attestationCenter',
          center,
          'setTaskDefinitionMaximumNumberOfAttesters',
          (ctx) => [id(ctx), BigInt(d.maximumNumberOfAttesters)],
          GAS.small,
        ),
      )
    }
    for (const [flag, functionName, on] of [
      ['rejected-task-slashing', 'setIsRejectedTaskSlashingEnabled', d.rejectedTaskSlashing],
      [
        'incorrect-attestation-slashing',
        'setIsIncorrectAttestationSlashingEnabled',
        d.incorrectAttestationSlashing,
      ],
    ] as const) {
      if (!on) continue
      steps.push(
        call(
          `definition:${d.name}:${flag}`,
          `center: "${d.name}" ${flag.replace(/-/g, ' ')} on`,
          'attestationCenter',
          center,
          functionName,
          (ctx) => [id(ctx), true],
          GAS.small,
        ),
      )
    }
  }
  // Governance last: once the deployer renounces it can no longer run the steps above.
  if (plan.governance !== 'deployer') {
    const governance = plan.governance
    const governed: Array<[ContractName, Abi]> = [
      ['operatorRegistry', operatorRegistryAbi as Abi],
      ['avsTreasury', avsTreasuryAbi as Abi],
      ['attestationCenter', center],
    ]
    for (const [name, abi] of governed) {
      steps.push(
        call(
          `governance:${name}:grant`,
          `${name}: governance to ${short(governance)}`,
          name,
          abi,
          'grantRole',
          () => [ROLES.AVS_GOVERNANCE_MULTISIG, governance],
          GAS.role,
        ),
      )
    }
    for (const [name, abi] of governed) {
      steps.push(
        call(
          `governance:${name}:renounce`,
          `${name}: the deployer renounces governance`,
          name,
          abi,
          'renounceRole',
          () => [ROLES.AVS_GOVERNANCE_MULTISIG],
          GAS.role,
        ),
      )
    }
  }
  return steps
}
