// submitTask: the overload follows the performer signature (ECDSA 0xfff768e3, BLS 0x8a7ce8a4).
import {
  type PerformerSignature,
  SUBMIT_TASK_BLS_SELECTOR,
  SUBMIT_TASK_ECDSA_SELECTOR,
  submitTaskBlsAbi,
  submitTaskEcdsaAbi,
  type TaskInfo,
} from '@wisp/protocol'
import type { Address, Hex } from 'viem'
import { call } from 'viem/actions'
import { ChainError, toChainError } from '../errors.js'
import { type AnyClient, encodeCall, sendWrite, type WriteOptions, type WriteResult } from '../transact.js'
import { type G1Like, g1Words, operatorIdWords } from './encoding.js'
import { parseTaskEvents, type TaskOutcomeEvent } from './events.js'

export interface SubmitTaskParams {
  task: TaskInfo
  performerSignature: PerformerSignature
  isApproved: boolean
  /** the attesters' aggregate BLS signature */
  aggregateSignature: G1Like
  /** strictly increasing 1-based operator ids (sent as given: the contract checks the order) */
  attesterIds: readonly number[]
}

export type SubmitTaskOverload = 'ecdsa' | 'bls'

export interface EncodedSubmitTask {
  overload: SubmitTaskOverload
  selector: Hex
  data: Hex
}

const ECDSA_RE = /^0x[0-9a-fA-F]*$/

/** The calldata of `submitTask`, with the overload chosen by the performer signature's type. */
export function encodeSubmitTask(attestationCenter: Address, params: SubmitTaskParams): EncodedSubmitTask {
  const { task, performerSignature: tp } = params
  const details = {
    isApproved: params.isApproved,
    taSignature: g1Words(params.aggregateSignature, 'aggregate signature'),
    attestersIds: operatorIdWords(params.attesterIds),
  }
  if (typeof params.isApproved !== 'boolean') {
    throw new ChainError('CHAIN_INVALID_INPUT', 'isApproved must be a boolean')
  }
  const taskInfo = {
    proofOfTask: task.proofOfTask,
    data: task.data,
    taskPerformer: task.taskPerformer,
    taskDefinitionId: task.taskDefinitionId,
  }
  if (tp?.type === 'ecdsa') {
    if (typeof tp.signature !== 'string' || !ECDSA_RE.test(tp.signature)) {
      throw new ChainError('CHAIN_INVALID_INPUT', 'ECDSA performer signature must be 0x-hex')
    }
    const data = encodeCall({
      address: attestationCenter,
      abi: [submitTaskEcdsaAbi],
      functionName: 'submitTask',
      args: [taskInfo, { ...details, tpSignature: tp.signature }],
    })
    return { overload: 'ecdsa', selector: SUBMIT_TASK_ECDSA_SELECTOR, data }
  }
  if (tp?.type === 'bls') {
    const data = encodeCall({
      address: attestationCenter,
      abi: [submitTaskBlsAbi],
      functionName: 'submitTask',
      args: [taskInfo, { ...details, tpSignature: g1Words(tp.signature, 'BLS performer signature') }],
    })
    return { overload: 'bls', selector: SUBMIT_TASK_BLS_SELECTOR, data }
  }
  throw new ChainError('CHAIN_INVALID_INPUT', 'performerSignature.type must be "ecdsa" or "bls"')
}

/** Dry-runs `submitTask` from `account`; throws the decoded ChainError when it would revert. */
export async function simulateSubmitTask(
  client: AnyClient,
  params: SubmitTaskParams & { attestationCenter: Address; account?: WriteOptions['account'] },
): Promise<void> {
  const { data } = encodeSubmitTask(params.attestationCenter, params)
  const account = params.account ?? client.account
  try {
    await call(client, { ...(account ? { account } : {}), to: params.attestationCenter, data })
  } catch (err) {
    throw toChainError(err, { address: params.attestationCenter, functionName: 'submitTask' })
  }
}

export interface SubmitTaskResult extends WriteResult {
  overload: SubmitTaskOverload
  /** the TaskSubmitted / TaskRejected event of this transaction */
  event: TaskOutcomeEvent
}

/** A submitTask transaction the node accepted; `confirmed()` waits for its block and its event. */
export interface SentSubmitTask {
  txHash: Hex
  overload: SubmitTaskOverload
  confirmed(): Promise<SubmitTaskResult>
}

/**
 * Simulates and sends `submitTask` without waiting for the block (see {@link sendWrite}). A
 * simulated revert throws a ChainError named after the contract error.
 */
export async function sendSubmitTask(
  client: AnyClient,
  params: SubmitTaskParams & { attestationCenter: Address } & WriteOptions,
): Promise<SentSubmitTask> {
  const encoded = encodeSubmitTask(params.attestationCenter, params)
  const sent = await sendWrite(
    client,
    { address: params.attestationCenter, functionName: 'submitTask', data: encoded.data },
    params,
  )
  return {
    txHash: sent.txHash,
    overload: encoded.overload,
    async confirmed() {
      const result = await sent.confirmed()
      // v1 and v2 shapes both parse; the event of this task (a hook could emit others)
      const events = parseTaskEvents(result.receipt.logs, params.attestationCenter)
      const event =
        events.find(
          (e) =>
            e.proofOfTask === params.task.proofOfTask &&
            e.taskDefinitionId === params.task.taskDefinitionId &&
            e.performer.toLowerCase() === params.task.taskPerformer.toLowerCase(),
        ) ?? events[0]
      if (!event) {
        throw new ChainError(
          'CHAIN_UNEXPECTED',
          'submitTask succeeded without a TaskSubmitted/TaskRejected event',
          { details: { txHash: result.txHash } },
        )
      }
      return { ...result, overload: encoded.overload, event }
    },
  }
}

/**
 * Simulates, sends and waits for `submitTask`. A revert (simulated or mined) throws a ChainError
 * whose code is the contract error's name, e.g. `MessageAlreadySigned`, `InvalidOBLSSignature`.
 */
export async function submitTask(
  client: AnyClient,
  params: SubmitTaskParams & { attestationCenter: Address } & WriteOptions,
): Promise<SubmitTaskResult> {
  return (await sendSubmitTask(client, params)).confirmed()
}
