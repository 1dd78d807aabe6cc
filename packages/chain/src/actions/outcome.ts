// Is an announced outcome real? A gossiped TaskSubmitted names a task (by hash) and the
// transaction that put its outcome on chain; anyone can make one up. The transaction's receipt is
// the authority: it must be mined, succeeded, and carry the task's TaskSubmitted or TaskRejected
// from our AttestationCenter. The event names the task by its fields, not its hash, so the hash is
// recomputed with the announced performer, and the event's performer must be that performer.
// A v1 event (older Othentic deployments) carries no attester list: the ids are then read from the
// transaction's own `submitTask` calldata, which is what the contract checked the aggregate
// against; when the transaction did not call submitTask directly (a relayer contract, a multisig),
// they cannot be told and the answer is "unknown" (neither trusted nor punished).
import type { AnnouncedOutcome, OutcomeCheck } from '@wisp/interface'
import { taskHash as computeTaskHash, submitTaskBlsAbi, submitTaskEcdsaAbi } from '@wisp/protocol'
import { type Address, decodeFunctionData, type Hex, isAddressEqual, type Log } from 'viem'
import { getTransaction, getTransactionReceipt } from 'viem/actions'
import type { AnyClient } from '../transact.js'
import { toSafeNumber } from './encoding.js'
import { parseTaskEvents } from './events.js'

export interface CheckTaskOutcomeParams extends AnnouncedOutcome {
  attestationCenter: Address
  /**
   * How long to wait for a receipt that is not there yet: the announcer got its receipt from its
   * own RPC, ours may be a block or two behind.
   */
  windowMs: number
  pollingIntervalMs: number
}

const HASH = /^0x[0-9a-fA-F]{64}$/
const ADDRESS = /^0x[0-9a-fA-F]{40}$/

/** What the chain says about `txHash` carrying the outcome of task `taskHash`. Never throws. */
export async function checkTaskOutcome(
  client: AnyClient,
  params: CheckTaskOutcomeParams,
): Promise<OutcomeCheck> {
  if (!HASH.test(params.txHash) || !HASH.test(params.taskHash) || !ADDRESS.test(params.performer))
    return { status: 'refuted', reason: 'not_found' }
  // a window or interval that is not a number must not loop forever or spin
  const windowMs = Number.isFinite(params.windowMs) && params.windowMs > 0 ? params.windowMs : 0
  const intervalMs = Number.isFinite(params.pollingIntervalMs)
    ? Math.max(10, params.pollingIntervalMs)
    : 1_000
  const deadline = Date.now() + windowMs
  for (;;) {
    let receipt: Awaited<ReturnType<typeof getTransactionReceipt>> | undefined
    try {
      receipt = await getTransactionReceipt(client, { hash: params.txHash })
    } catch (err) {
      // viem throws TransactionReceiptNotFoundError for "not mined (yet)"; anything else is our RPC
      if ((err as { name?: string }).name !== 'TransactionReceiptNotFoundError') return { status: 'unknown' }
    }
    if (receipt !== undefined && receipt !== null) return judge(client, receipt, params)
    if (Date.now() >= deadline) return notMined(client, params.txHash)
    // the last wait ends at the deadline: the window is not overshot by an interval
    const waitMs = Math.max(0, Math.min(intervalMs, deadline - Date.now()))
    await new Promise<void>((resolve) => setTimeout(() => resolve(), waitMs))
  }
}

async function judge(
  client: AnyClient,
  receipt: { status: 'success' | 'reverted'; logs: readonly unknown[]; blockNumber: bigint },
  params: CheckTaskOutcomeParams,
): Promise<OutcomeCheck> {
  if (receipt.status !== 'success') return { status: 'refuted', reason: 'reverted' }
  const wanted = params.taskHash.toLowerCase()
  for (const event of parseTaskEvents(receipt.logs as Log[], params.attestationCenter)) {
    if (!isAddressEqual(event.performer, params.performer)) continue
    const hash = computeTaskHash({
      proofOfTask: event.proofOfTask,
      data: event.data,
      taskPerformer: params.performer,
      taskDefinitionId: event.taskDefinitionId,
    })
    if (hash.toLowerCase() === wanted) {
      if (event.version === 1) {
        const attesterIds = await attesterIdsOfCall(client, params)
        if (attesterIds === undefined) return { status: 'unknown' }
        return {
          status: 'confirmed',
          isApproved: event.isApproved,
          attesterIds,
          blockNumber: receipt.blockNumber,
        }
      }
      return {
        status: 'confirmed',
        isApproved: event.isApproved,
        attesterIds: event.attesterIds,
        blockNumber: receipt.blockNumber,
      }
    }
  }
  return { status: 'refuted', reason: 'no_matching_event' }
}

/**
 * The attester ids a transaction sent to `submitTask` (either overload), when it called the
 * AttestationCenter directly; undefined when that cannot be told (indirect call, RPC failure).
 */
async function attesterIdsOfCall(
  client: AnyClient,
  params: { txHash: Hex; attestationCenter: Address },
): Promise<number[] | undefined> {
  try {
    const tx = await getTransaction(client, { hash: params.txHash })
    if (tx.to == null || !isAddressEqual(tx.to, params.attestationCenter)) return undefined
    const { args } = decodeFunctionData({ abi: [submitTaskEcdsaAbi, submitTaskBlsAbi], data: tx.input })
    return (args[1] as { attestersIds: readonly bigint[] }).attestersIds.map((id) => toSafeNumber(id))
  } catch {
    return undefined
  }
}

/** No receipt within the window: still pending in the mempool is "cannot tell yet", unknown is made up. */
async function notMined(client: AnyClient, txHash: Hex): Promise<OutcomeCheck> {
  try {
    await getTransaction(client, { hash: txHash })
    return { status: 'unknown' }
  } catch (err) {
    return (err as { name?: string }).name === 'TransactionNotFoundError'
      ? { status: 'refuted', reason: 'not_found' }
      : { status: 'unknown' }
  }
}

/** Answers kept: one per announcement of the last hour or so at a task a second. */
const CACHE_ENTRIES = 4096

/**
 * {@link checkTaskOutcome} with memory: many validators and the aggregator ask about the same
 * announcement, so answers read from a receipt (confirmed, reverted, no_matching_event) are kept
 * (bounded, oldest dropped first) and concurrent questions share one call. "unknown" is not kept,
 * and neither is "not_found": it only says that no receipt appeared within the window, and an RPC
 * lagging longer than that must not pin an honest announcement as made up for good.
 */
export function createOutcomeChecker(
  client: AnyClient,
  options: { attestationCenter: Address; windowMs: number; pollingIntervalMs: number },
): (outcome: AnnouncedOutcome) => Promise<OutcomeCheck> {
  const answers = new Map<string, OutcomeCheck>()
  const asking = new Map<string, Promise<OutcomeCheck>>()
  return (outcome) => {
    const key = `${outcome.taskHash}|${outcome.txHash}|${outcome.performer}`.toLowerCase()
    const known = answers.get(key)
    if (known !== undefined) return Promise.resolve(known)
    let pending = asking.get(key)
    if (pending === undefined) {
      // only the three announced fields: an announcement object with more cannot change the
      // contract or the window
      const params = {
        ...options,
        taskHash: outcome.taskHash,
        txHash: outcome.txHash,
        performer: outcome.performer,
      }
      pending = checkTaskOutcome(client, params)
        .catch((): OutcomeCheck => ({ status: 'unknown' }))
        .then((answer) => {
          asking.delete(key)
          if (
            answer.status === 'confirmed' ||
            (answer.status === 'refuted' && answer.reason !== 'not_found')
          ) {
            answers.set(key, answer)
            if (answers.size > CACHE_ENTRIES) answers.delete(answers.keys().next().value as string)
          }
          return answer
        })
      asking.set(key, pending)
    }
    return pending
  }
}
