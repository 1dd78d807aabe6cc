// TaskSubmitted / TaskRejected: parse them from receipts, query them, watch them.
import { taskRejectedEventAbi, taskSubmittedEventAbi } from '@wisp/protocol'
import { type Address, decodeEventLog, getAddress, type Hex, isAddressEqual, type Log } from 'viem'
import { getLogs, watchContractEvent } from 'viem/actions'
import { toChainError } from '../errors.js'
import type { AnyClient } from '../transact.js'
import { toSafeNumber } from './encoding.js'

export const taskEventsAbi = [taskSubmittedEventAbi, taskRejectedEventAbi] as const

export interface TaskOutcomeEvent {
  event: 'TaskSubmitted' | 'TaskRejected'
  isApproved: boolean
  /** the indexed `operator`: msg.sender of submitTask, i.e. the aggregator */
  operator: Address
  taskNumber: number
  proofOfTask: string
  data: Hex
  taskDefinitionId: number
  attesterIds: number[]
  blockNumber: bigint
  transactionHash: Hex
  logIndex: number
}

function toOutcome(log: Log): TaskOutcomeEvent | undefined {
  try {
    const decoded = decodeEventLog({ abi: taskEventsAbi, data: log.data, topics: log.topics, strict: true })
    const a = decoded.args
    return {
      event: decoded.eventName,
      isApproved: decoded.eventName === 'TaskSubmitted',
      operator: getAddress(a.operator),
      taskNumber: Number(a.taskNumber),
      proofOfTask: a.proofOfTask,
      data: a.data,
      taskDefinitionId: Number(a.taskDefinitionId),
      attesterIds: a.attestersIds.map((id) => toSafeNumber(id)),
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
      (filter.operator === undefined || isAddressEqual(e.operator, filter.operator)),
  )
}

export interface TaskEventFilter {
  attestationCenter: Address
  /** only this definition (an indexed topic) */
  taskDefinitionId?: number
  /** only this aggregator (an indexed topic) */
  operator?: Address
}

/** TaskSubmitted / TaskRejected events in a block range, in chain order. */
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

/** Calls `onEvents` for every new TaskSubmitted / TaskRejected. Returns the function that stops watching. */
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
