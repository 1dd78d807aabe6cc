// TaskSubmitted / TaskRejected: parse them from receipts, query them, watch them. Both shapes:
// v2 `(address indexed operator, uint32 taskNumber, string proofOfTask, bytes data, uint16 indexed
// taskDefinitionId, uint256[] attestersIds)` and the v1 shape older Othentic deployments still emit
// (nothing indexed, no attestersIds: another topic0). In both, `operator` is the task performer.
import { taskRejectedEventAbi, taskSubmittedEventAbi } from '@wisp/protocol'
import { type Address, decodeEventLog, getAddress, type Hex, isAddressEqual, type Log } from 'viem'
import { getLogs, watchContractEvent } from 'viem/actions'
import { taskRejectedV1EventAbi, taskSubmittedV1EventAbi } from '../backends/othentic-abi.js'
import { toChainError } from '../errors.js'
import type { AnyClient } from '../transact.js'
import { toSafeNumber } from './encoding.js'

/** Both event versions; viem tells them apart by topic0. */
export const taskEventsAbi = [
  taskSubmittedEventAbi,
  taskRejectedEventAbi,
  taskSubmittedV1EventAbi,
  taskRejectedV1EventAbi,
] as const

export interface TaskOutcomeEvent {
  event: 'TaskSubmitted' | 'TaskRejected'
  isApproved: boolean
  /**
   * The event's `operator`: the **task performer** (`taskInfo.taskPerformer`), on Othentic and on
   * Wisp's own AttestationCenter alike — not the aggregator that sent the transaction.
   */
  performer: Address
  taskNumber: number
  proofOfTask: string
  data: Hex
  taskDefinitionId: number
  /** the attesters whose aggregate was accepted; always empty for a v1 event (it has no list) */
  attesterIds: number[]
  /** 2: the current shape; 1: the older shape without `attestersIds` */
  version: 1 | 2
  blockNumber: bigint
  transactionHash: Hex
  logIndex: number
}

function toOutcome(log: Log): TaskOutcomeEvent | undefined {
  try {
    const decoded = decodeEventLog({ abi: taskEventsAbi, data: log.data, topics: log.topics, strict: true })
    const a = decoded.args
    const v2 = 'attestersIds' in a
    return {
      event: decoded.eventName,
      isApproved: decoded.eventName === 'TaskSubmitted',
      performer: getAddress(a.operator),
      taskNumber: Number(a.taskNumber),
      proofOfTask: a.proofOfTask,
      data: a.data,
      taskDefinitionId: Number(a.taskDefinitionId),
      attesterIds: v2 ? a.attestersIds.map((id) => toSafeNumber(id)) : [],
      version: v2 ? 2 : 1,
      blockNumber: log.blockNumber ?? 0n,
      transactionHash: log.transactionHash ?? '0x',
      logIndex: log.logIndex ?? 0,
    }
  } catch {
    return undefined
  }
}

/** The task outcome events among `logs` (e.g. a receipt's), emitted by `attestationCenter`. */
export function parseTaskEvents(logs: readonly Log[], attestationCenter: Address): TaskOutcomeEvent[] {
  const out: TaskOutcomeEvent[] = []
  for (const log of logs) {
    if (!isAddressEqual(log.address, attestationCenter)) continue
    const parsed = toOutcome(log)
    if (parsed) out.push(parsed)
  }
  return out
}

function filterEvents(events: TaskOutcomeEvent[], filter: TaskEventFilter): TaskOutcomeEvent[] {
  return events.filter(
    (e) =>
      (filter.taskDefinitionId === undefined || e.taskDefinitionId === filter.taskDefinitionId) &&
      (filter.performer === undefined || isAddressEqual(e.performer, filter.performer)),
  )
}

export interface TaskEventFilter {
  attestationCenter: Address
  /** only this definition */
  taskDefinitionId?: number
  /** only tasks of this performer (the events' `operator`) */
  performer?: Address
}

/**
 * TaskSubmitted / TaskRejected events (v1 and v2) in a block range, in chain order. The filters
 * apply after decoding: v1 events index nothing.
 */
export async function getTaskEvents(
  client: AnyClient,
  params: TaskEventFilter & { fromBlock?: bigint; toBlock?: bigint },
): Promise<TaskOutcomeEvent[]> {
  try {
    const logs = await getLogs(client, {
      address: params.attestationCenter,
      events: taskEventsAbi,
      fromBlock: params.fromBlock ?? 0n,
      toBlock: params.toBlock ?? 'latest',
    })
    return filterEvents(parseTaskEvents(logs as Log[], params.attestationCenter), params).sort((a, b) =>
      a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
    )
  } catch (err) {
    throw toChainError(err, { address: params.attestationCenter, functionName: 'eth_getLogs' })
  }
}

export interface WatchTaskEventsParams extends TaskEventFilter {
  onEvents: (events: TaskOutcomeEvent[]) => void
  /** RPC failures while watching, as ChainError (watching continues) */
  onError?: (error: Error) => void
  /** also deliver events from this block on (polling transports) */
  fromBlock?: bigint
  /** polling interval for HTTP transports; defaults to the client's */
  pollingIntervalMs?: number
}

/** Calls `onEvents` for every new TaskSubmitted / TaskRejected (v1 and v2). Returns the function that stops watching. */
export function watchTaskEvents(client: AnyClient, params: WatchTaskEventsParams): () => void {
  return watchContractEvent(client, {
    address: params.attestationCenter,
    abi: taskEventsAbi,
    strict: true,
    ...(params.fromBlock === undefined ? {} : { fromBlock: params.fromBlock }),
    ...(params.pollingIntervalMs === undefined ? {} : { pollingInterval: params.pollingIntervalMs }),
    onLogs: (logs) => {
      const events = filterEvents(parseTaskEvents(logs as unknown as Log[], params.attestationCenter), params)
      if (events.length > 0) params.onEvents(events)
    },
    onError: (error) => params.onError?.(toChainError(error, { address: params.attestationCenter })),
  } as Parameters<typeof watchContractEvent>[1])
}
