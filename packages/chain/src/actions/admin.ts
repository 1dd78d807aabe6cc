// Governance: task definitions, roles, switches, hooks, slashing configuration.
import { attestationCenterAbi, ROLES, SLASHING_CONDITION } from '@wisp/contracts'
import { type Address, decodeEventLog, isAddressEqual, maxUint256 } from 'viem'
import { ChainError } from '../errors.js'
import { type AnyClient, type WriteOptions, type WriteResult, writeAndWait } from '../transact.js'
import { operatorIdWords } from './encoding.js'

type Center = { attestationCenter: Address } & WriteOptions

function centerWrite(client: AnyClient, params: Center, functionName: string, args: readonly unknown[]) {
  return writeAndWait(
    client,
    { address: params.attestationCenter, abi: attestationCenterAbi, functionName, args },
    params,
  )
}

export interface TaskDefinitionParams {
  name: string
  /** last block at which tasks are accepted; undefined / 0 / max uint256 = never expires */
  blockExpiry?: bigint
  baseRewardFeeForAttesters?: bigint
  baseRewardFeeForPerformer?: bigint
  baseRewardFeeForAggregator?: bigint
  disputePeriodBlocks?: bigint
  minimumVotingPower?: bigint
  /** operator ids allowed to attest (empty = anyone) */
  restrictedAttesterIds?: readonly number[]
  /** set with a second transaction when non-zero (not part of the creation struct) */
  maximumNumberOfAttesters?: number
}

export interface CreateTaskDefinitionResult extends WriteResult {
  id: number
}

/**
 * `createNewTaskDefinition` (governance). The definition's voting-power snapshot is computed now:
 * create definitions with restricted attesters or a minimum after the operators registered, or
 * refresh them later.
 */
export async function createTaskDefinition(
  client: AnyClient,
  params: Center & TaskDefinitionParams,
): Promise<CreateTaskDefinitionResult> {
  const result = await centerWrite(client, params, 'createNewTaskDefinition', [
    params.name,
    {
      blockExpiry:
        params.blockExpiry === undefined || params.blockExpiry === 0n ? maxUint256 : params.blockExpiry,
      baseRewardFeeForAttesters: params.baseRewardFeeForAttesters ?? 0n,
      baseRewardFeeForPerformer: params.baseRewardFeeForPerformer ?? 0n,
      baseRewardFeeForAggregator: params.baseRewardFeeForAggregator ?? 0n,
      disputePeriodBlocks: params.disputePeriodBlocks ?? 0n,
      minimumVotingPower: params.minimumVotingPower ?? 0n,
      restrictedOperatorIndexes: operatorIdWords(
        params.restrictedAttesterIds ?? [],
        'restricted attester ids',
      ),
    },
  ])
  let id: number | undefined
  for (const log of result.receipt.logs) {
    if (!isAddressEqual(log.address, params.attestationCenter)) continue
    try {
      const event = decodeEventLog({ abi: attestationCenterAbi, data: log.data, topics: log.topics })
      if (event.eventName === 'TaskDefinitionCreated') id = Number(event.args.taskDefinitionId)
    } catch {
      // another event
    }
  }
  if (id === undefined) {
    throw new ChainError(
      'CHAIN_UNEXPECTED',
      'createNewTaskDefinition succeeded without TaskDefinitionCreated',
      {
        details: { txHash: result.txHash },
      },
    )
  }
  if (params.maximumNumberOfAttesters) {
    await setTaskDefinitionMaximumNumberOfAttesters(client, {
      ...params,
      id,
      maximum: params.maximumNumberOfAttesters,
    })
  }
  return { ...result, id }
}

export function setTaskDefinitionMinimumVotingPower(
  client: AnyClient,
  params: Center & { id: number; minimumVotingPower: bigint },
): Promise<WriteResult> {
  return centerWrite(client, params, 'setTaskDefinitionMinVotingPower', [
    params.id,
    params.minimumVotingPower,
  ])
}

export function setTaskDefinitionRestrictedAttesters(
  client: AnyClient,
  params: Center & { id: number; attesterIds: readonly number[] },
): Promise<WriteResult> {
  return centerWrite(client, params, 'setTaskDefinitionRestrictedOperators', [
    params.id,
    operatorIdWords(params.attesterIds, 'restricted attester ids'),
  ])
}

/** 0 = no maximum. */
export function setTaskDefinitionMaximumNumberOfAttesters(
  client: AnyClient,
  params: Center & { id: number; maximum: number },
): Promise<WriteResult> {
  return centerWrite(client, params, 'setTaskDefinitionMaximumNumberOfAttesters', [
    params.id,
    BigInt(params.maximum),
  ])
}

/** 0 or max uint256 = never expires. */
export function setTaskDefinitionBlockExpiry(
  client: AnyClient,
  params: Center & { id: number; blockExpiry: bigint },
): Promise<WriteResult> {
  return centerWrite(client, params, 'setTaskDefinitionBlockExpiry', [params.id, params.blockExpiry])
}

export type CenterRole =
  | 'AVS_GOVERNANCE_MULTISIG'
  | 'EJECTOR'
  | 'SLASHER'
  | 'PAYMENT_REQUESTS'
  | 'OBLS_SHARES_SYNCER'

/** Grants a role of the AttestationCenter to `address` (governance only). */
export function grantRole(
  client: AnyClient,
  params: Center & { role: CenterRole; address: Address },
): Promise<WriteResult> {
  return centerWrite(client, params, 'grantRole', [ROLES[params.role], params.address])
}

/** Revokes a role of the AttestationCenter from `address` (governance only). */
export function revokeRole(
  client: AnyClient,
  params: Center & { role: CenterRole; address: Address },
): Promise<WriteResult> {
  return centerWrite(client, params, 'revokeRole', [ROLES[params.role], params.address])
}

/** Pauses or resumes task submission. */
export function setPaused(client: AnyClient, params: Center & { paused: boolean }): Promise<WriteResult> {
  return centerWrite(client, params, 'setPaused', [params.paused])
}

/** When on, any address may submit tasks; otherwise only active operators. */
export function setOpenAggregator(
  client: AnyClient,
  params: Center & { enabled: boolean },
): Promise<WriteResult> {
  return centerWrite(client, params, 'setIsOpenAggregator', [params.enabled])
}

/** Hooks: the zero address removes one. */
export function setHook(
  client: AnyClient,
  params: Center & { hook: 'avsLogic' | 'feeCalculator' | 'beforePaymentsLogic'; address: Address },
): Promise<WriteResult> {
  const fn = {
    avsLogic: 'setAvsLogic',
    feeCalculator: 'setFeeCalculator',
    beforePaymentsLogic: 'setBeforePaymentsLogic',
  }[params.hook]
  return centerWrite(client, params, fn, [params.address])
}

export type SlashingConditionName = 'doubleAttestation' | 'incorrectAttestation' | 'rejectedTask'

export const SLASHING_CONDITION_IDS: Record<SlashingConditionName, number> = {
  doubleAttestation: SLASHING_CONDITION.DOUBLE_ATTESTATION,
  incorrectAttestation: SLASHING_CONDITION.INCORRECT_ATTESTATION,
  rejectedTask: SLASHING_CONDITION.REJECTED_TASK,
}

export interface SlashingConfig {
  enabled: boolean
  /** share of every stake position slashed, 10 000 = 100 % */
  stakePercentageBps: number
  /** eject the operator for good */
  eject: boolean
}

/** Configures one slashing module. */
export function setSlashingConfig(
  client: AnyClient,
  params: Center & { condition: SlashingConditionName } & SlashingConfig,
): Promise<WriteResult> {
  return centerWrite(client, params, 'setSlashingConfig', [
    SLASHING_CONDITION_IDS[params.condition],
    { enabled: params.enabled, stakePercentageBps: params.stakePercentageBps, eject: params.eject },
  ])
}

/** The per-definition switches of incorrect-attestation and rejected-task slashing. */
export function setDefinitionSlashingEnabled(
  client: AnyClient,
  params: Center & { id: number; condition: 'incorrectAttestation' | 'rejectedTask'; enabled: boolean },
): Promise<WriteResult> {
  const fn =
    params.condition === 'incorrectAttestation'
      ? 'setIsIncorrectAttestationSlashingEnabled'
      : 'setIsRejectedTaskSlashingEnabled'
  return centerWrite(client, params, fn, [params.id, params.enabled])
}

/** Paid from the treasury to whoever proves a slashable offence. */
export function setChallengerRewardFee(
  client: AnyClient,
  params: Center & { fee: bigint },
): Promise<WriteResult> {
  return centerWrite(client, params, 'setChallengerRewardFee', [params.fee])
}
