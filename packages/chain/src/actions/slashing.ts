// Slashing, ejection and reward payments.
import { attestationCenterAbi } from '@wisp/contracts'
import type { TaskInfo } from '@wisp/protocol'
import { type Address, decodeEventLog, getAddress, type Hex, isAddressEqual, type Log } from 'viem'
import { type AnyClient, type WriteOptions, type WriteResult, writeAndWait } from '../transact.js'
import { type G1Like, g1Words, operatorIdWords } from './encoding.js'

type Center = { attestationCenter: Address } & WriteOptions

function taskTuple(task: TaskInfo) {
  return {
    proofOfTask: task.proofOfTask,
    data: task.data,
    taskPerformer: task.taskPerformer,
    taskDefinitionId: task.taskDefinitionId,
  }
}

export interface SlashResult extends WriteResult {
  /** from OperatorSlashed */
  slashedStake: bigint
  ejected: boolean
  /** from ChallengerRewarded (0 when no reward is configured) */
  challengerReward: bigint
}

function centerEvents(logs: readonly Log[], center: Address) {
  const out: Array<{ eventName: string; args: Record<string, unknown> }> = []
  for (const log of logs) {
    if (!isAddressEqual(log.address, center)) continue
    try {
      const event = decodeEventLog({ abi: attestationCenterAbi, data: log.data, topics: log.topics })
      out.push({ eventName: event.eventName, args: (event.args ?? {}) as Record<string, unknown> })
    } catch {
      // not an AttestationCenter event
    }
  }
  return out
}

function slashOutcome(result: WriteResult, center: Address): SlashResult {
  let slashedStake = 0n
  let ejected = false
  let challengerReward = 0n
  for (const e of centerEvents(result.receipt.logs, center)) {
    if (e.eventName === 'OperatorSlashed') {
      slashedStake += e.args.slashedStake as bigint
      ejected ||= e.args.ejected as boolean
    }
    if (e.eventName === 'ChallengerRewarded') challengerReward += e.args.amount as bigint
  }
  return { ...result, slashedStake, ejected, challengerReward }
}

/**
 * Proves that `operator` signed both verdicts of `task` (its BLS votes for approve and reject).
 * Anyone may call it; the sender is the challenger and gets the challenger reward.
 */
export async function slashOperatorForDoubleAttestation(
  client: AnyClient,
  params: Center & { task: TaskInfo; operator: Address; approveSignature: G1Like; rejectSignature: G1Like },
): Promise<SlashResult> {
  const result = await writeAndWait(
    client,
    {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'slashOperatorForDoubleAttestation',
      args: [
        {
          operator: params.operator,
          trueBlsSignature: g1Words(params.approveSignature, 'approve signature'),
          falseBlsSignature: g1Words(params.rejectSignature, 'reject signature'),
        },
        taskTuple(params.task),
      ],
    },
    params,
  )
  return slashOutcome(result, params.attestationCenter)
}

/**
 * Proves that `operator` voted against the verdict recorded for a submitted task: its vote for
 * the other verdict, plus the consensus aggregate (`aggregateSignature` by `attesterIds`).
 */
export async function slashOperatorForIncorrectAttestation(
  client: AnyClient,
  params: Center & {
    task: TaskInfo
    operator: Address
    /** the recorded (consensus) verdict */
    isApproved: boolean
    /** the operator's vote for the other verdict */
    incorrectSignature: G1Like
    aggregateSignature: G1Like
    attesterIds: readonly number[]
  },
): Promise<SlashResult> {
  const result = await writeAndWait(
    client,
    {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'slashOperatorForIncorrectAttestation',
      args: [
        {
          operator: params.operator,
          isApproved: params.isApproved,
          incorrectSignature: g1Words(params.incorrectSignature, 'incorrect signature'),
          taSignature: g1Words(params.aggregateSignature, 'aggregate signature'),
          attesterIds: operatorIdWords(params.attesterIds),
        },
        taskTuple(params.task),
      ],
    },
    params,
  )
  return slashOutcome(result, params.attestationCenter)
}

/** Slashes the performer of a task that consensus rejected. */
export async function slashPerformerForRejectedTask(
  client: AnyClient,
  params: Center & { task: TaskInfo },
): Promise<SlashResult> {
  const result = await writeAndWait(
    client,
    {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'slashPerformerForRejectedTask',
      args: [taskTuple(params.task)],
    },
    params,
  )
  return slashOutcome(result, params.attestationCenter)
}

export interface CustomSlash {
  stakingContract: Address
  /** token amount (wei) to slash from this staking contract */
  amount: bigint
  /** informational in the one-chain deployment; default LOCAL */
  provider?: 'eigenLayer' | 'symbiotic' | 'local'
}

/** Slashes stake directly (role SLASHER); slashed tokens go to the AVS treasury. */
export async function applyCustomSlashing(
  client: AnyClient,
  params: Center & { operator: Address; slashes: readonly CustomSlash[] },
): Promise<WriteResult & { slashed: Array<{ stakingContract: Address; amount: bigint }> }> {
  const provider = { eigenLayer: 0, symbiotic: 1, local: 2 } as const
  const result = await writeAndWait(
    client,
    {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'applyCustomSlashing',
      args: [
        params.operator,
        params.slashes.map((s) => ({
          stakingContract: s.stakingContract,
          sharedSecurityProvider: provider[s.provider ?? 'local'],
          wadsToSlash: s.amount,
        })),
      ],
    },
    params,
  )
  const slashed = centerEvents(result.receipt.logs, params.attestationCenter)
    .filter((e) => e.eventName === 'CustomSlashingApplied')
    .map((e) => ({
      stakingContract: getAddress(e.args.stakingContract as Address),
      amount: e.args.slashedStake as bigint,
    }))
  return { ...result, slashed }
}

/** Deactivates an operator for good (role EJECTOR). */
export function ejectOperatorFromNetwork(
  client: AnyClient,
  params: Center & { operator: Address },
): Promise<WriteResult> {
  return writeAndWait(
    client,
    {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'ejectOperatorFromNetwork',
      args: [params.operator],
    },
    params,
  )
}

export interface BatchPaymentResult extends WriteResult {
  payments: Array<{ operatorId: number; operator: Address; amount: bigint }>
  totalPaid: bigint
}

/**
 * Pays accrued rewards from the AVS treasury (governance or PAYMENT_REQUESTS): every operator, or
 * the ids `range.from`..`range.to` inclusive.
 */
export async function requestBatchPayment(
  client: AnyClient,
  params: Center & { range?: { from: number; to: number }; distributionData?: Hex },
): Promise<BatchPaymentResult> {
  const data = params.distributionData ?? '0x'
  const result = await writeAndWait(
    client,
    {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'requestBatchPayment',
      args: params.range ? [BigInt(params.range.from), BigInt(params.range.to), 0, data] : [0, data],
    },
    params,
  )
  const payments: BatchPaymentResult['payments'] = []
  let totalPaid = 0n
  for (const e of centerEvents(result.receipt.logs, params.attestationCenter)) {
    if (e.eventName === 'PaymentRequested') {
      payments.push({
        operatorId: Number(e.args.operatorId as bigint),
        operator: getAddress(e.args.operator as Address),
        amount: e.args.amount as bigint,
      })
    }
    if (e.eventName === 'PaymentsRequested') totalPaid = e.args.totalPaid as bigint
  }
  return { ...result, payments, totalPaid }
}
