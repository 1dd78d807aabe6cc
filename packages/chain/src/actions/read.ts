// Reads: operators (ids, addresses, keys, voting power, active), totals, task definitions, tasks.
import { attestationCenterAbi, INTERNAL_TASKS, operatorRegistryAbi } from '@wisp/contracts'
import type { OperatorRecord } from '@wisp/interface'
import { taskHash as computeTaskHash, type TaskInfo } from '@wisp/protocol'
import { type Address, getAddress, type Hex, isAddress } from 'viem'
import { getBlockNumber, multicall } from 'viem/actions'
import { ChainError, toChainError } from '../errors.js'
import { type AnyClient, read } from '../transact.js'
import { toSafeNumber, wordsToBytes } from './encoding.js'

/** Where the AttestationCenter is; the registry (its `obls()`) is looked up once and cached. */
export interface CenterParams {
  attestationCenter: Address
  /** The OperatorRegistry; read from `obls()` when absent. */
  registry?: Address
  /** Read at this block instead of the latest. */
  blockNumber?: bigint
}

/** One operator as the contracts store it (the shared record of @wisp/interface). */
export type { OperatorRecord } from '@wisp/interface'

/** A task definition as stored, with its voting-power snapshot. Structurally the engine's `TaskDefinitionInfo`. */
export interface TaskDefinitionRecord {
  id: number
  name: string
  /** last block at which tasks are accepted; 0 = never expires */
  blockExpiry: bigint
  baseRewardFeeForAttesters: bigint
  baseRewardFeeForPerformer: bigint
  baseRewardFeeForAggregator: bigint
  disputePeriodBlocks: bigint
  minimumVotingPower: bigint
  /** ascending (the contract treats it as a set and keeps governance's order; sorted here) */
  restrictedAttesterIds: number[]
  /** 0 = no maximum */
  maximumNumberOfAttesters: number
  /** `taskDefinitionVotingPower(id)`: the snapshot used when the definition restricts attesters or sets a minimum */
  definitionTotal: bigint
  /** internal tasks (10001 voting-power sync, 10002 totals refresh) have no stored definition */
  internal: boolean
}

export type TaskStatus = 'none' | 'approved' | 'rejected'

export interface TaskRecord {
  status: TaskStatus
  submittedAtBlock: bigint
  taskNumber: number
}

const registryCache = new WeakMap<object, Map<string, Address>>()

/** The OperatorRegistry (`obls()`) behind an AttestationCenter; cached per client (it is immutable). */
export async function getRegistryAddress(
  client: AnyClient,
  params: { attestationCenter: Address; registry?: Address },
): Promise<Address> {
  if (params.registry) return params.registry
  const key = params.attestationCenter.toLowerCase()
  const cached = registryCache.get(client)?.get(key)
  if (cached) return cached
  const registry = getAddress(
    await read<Address>(client, {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'obls',
    }),
  )
  let map = registryCache.get(client)
  if (!map) {
    map = new Map()
    registryCache.set(client, map)
  }
  map.set(key, registry)
  return registry
}

export interface CenterContracts {
  attestationCenter: Address
  registry: Address
  treasury: Address
  extension: Address
}

/** The contract set behind an AttestationCenter. */
export async function getContracts(client: AnyClient, params: { attestationCenter: Address }) {
  const c = { address: params.attestationCenter, abi: attestationCenterAbi } as const
  try {
    const [registry, treasury, extension] = await multicall(client, {
      contracts: [
        { ...c, functionName: 'obls' },
        { ...c, functionName: 'avsTreasury' },
        { ...c, functionName: 'EXTENSION_IMPLEMENTATION' },
      ],
      allowFailure: false,
      deployless: true,
    })
    return {
      attestationCenter: getAddress(params.attestationCenter),
      registry: getAddress(registry),
      treasury: getAddress(treasury),
      extension: getAddress(extension),
    } satisfies CenterContracts
  } catch (err) {
    throw toChainError(err, { address: params.attestationCenter, functionName: 'obls' })
  }
}

/** Number of operators ever registered (ids 1..n). */
export async function getOperatorCount(client: AnyClient, params: CenterParams): Promise<number> {
  const registry = await getRegistryAddress(client, params)
  const n = await read<bigint>(client, {
    address: registry,
    abi: operatorRegistryAbi,
    functionName: 'numOfTotalOperators',
    ...(params.blockNumber === undefined ? {} : { blockNumber: params.blockNumber }),
  })
  return toSafeNumber(n)
}

type RawOperator = readonly [Address, boolean, boolean, bigint, readonly [bigint, bigint, bigint, bigint]]

function toRecord(id: number, raw: RawOperator): OperatorRecord {
  const [address, active, ejected, votingPower, key] = raw
  return { id, address: getAddress(address), blsPublicKey: wordsToBytes(key), votingPower, active, ejected }
}

/** One operator by id; undefined when no operator has that id. */
export async function getOperator(
  client: AnyClient,
  params: CenterParams & { id: number },
): Promise<OperatorRecord | undefined> {
  if (!Number.isSafeInteger(params.id) || params.id < 1) return undefined
  const registry = await getRegistryAddress(client, params)
  const raw = await read<RawOperator>(client, {
    address: registry,
    abi: operatorRegistryAbi,
    functionName: 'getOperator',
    args: [BigInt(params.id)],
    ...(params.blockNumber === undefined ? {} : { blockNumber: params.blockNumber }),
  })
  if (raw[0] === '0x0000000000000000000000000000000000000000') return undefined
  return toRecord(params.id, raw)
}

/** The operator id of an address; undefined when it never registered. */
export async function getOperatorId(
  client: AnyClient,
  params: CenterParams & { address: Address },
): Promise<number | undefined> {
  if (!isAddress(params.address, { strict: false })) return undefined
  const registry = await getRegistryAddress(client, params)
  const id = await read<bigint>(client, {
    address: registry,
    abi: operatorRegistryAbi,
    functionName: 'operatorsIdsByAddress',
    args: [params.address],
    ...(params.blockNumber === undefined ? {} : { blockNumber: params.blockNumber }),
  })
  return id === 0n ? undefined : toSafeNumber(id)
}

export async function getOperatorByAddress(
  client: AnyClient,
  params: CenterParams & { address: Address },
): Promise<OperatorRecord | undefined> {
  const id = await getOperatorId(client, params)
  return id === undefined ? undefined : getOperator(client, { ...params, id })
}

/**
 * Calldata bytes per deployless multicall (36 per operator → 40 operators per eth_call). A
 * deployless multicall returns its results as the "code" of a contract under construction, so
 * one chunk's results must stay under the 24 KiB code-size limit (EIP-170): ~416 bytes per operator.
 */
export const DEFAULT_OPERATOR_BATCH_BYTES = 1440

/**
 * Every operator ever registered (active or not), read at one block with deployless multicalls
 * (40 operators per eth_call, chunks in parallel), so a large set costs a handful of requests.
 */
export async function getOperators(
  client: AnyClient,
  params: CenterParams & { batchBytes?: number },
): Promise<OperatorRecord[]> {
  const registry = await getRegistryAddress(client, params)
  let blockNumber = params.blockNumber
  if (blockNumber === undefined) {
    try {
      blockNumber = await getBlockNumber(client, { cacheTime: 0 })
    } catch (err) {
      throw toChainError(err, { functionName: 'eth_blockNumber' })
    }
  }
  const count = await getOperatorCount(client, { ...params, registry, blockNumber })
  if (count === 0) return []
  const ids = Array.from({ length: count }, (_, i) => i + 1)
  try {
    const raws = await multicall(client, {
      contracts: ids.map(
        (id) =>
          ({
            address: registry,
            abi: operatorRegistryAbi,
            functionName: 'getOperator',
            args: [BigInt(id)],
          }) as const,
      ),
      allowFailure: false,
      deployless: true,
      batchSize: params.batchBytes ?? DEFAULT_OPERATOR_BATCH_BYTES,
      blockNumber,
    })
    return raws.map((raw, i) => toRecord(ids[i]!, raw as RawOperator))
  } catch (err) {
    throw toChainError(err, { address: registry, functionName: 'getOperator' })
  }
}

/** Sum of the voting power of active operators (`totalVotingPower()`, live). */
export async function getNetworkTotal(client: AnyClient, params: CenterParams): Promise<bigint> {
  return read<bigint>(client, {
    address: params.attestationCenter,
    abi: attestationCenterAbi,
    functionName: 'totalVotingPower',
    ...(params.blockNumber === undefined ? {} : { blockNumber: params.blockNumber }),
  })
}

/** The definition's voting-power snapshot (`taskDefinitionVotingPower(id)`); 0 for an unknown id. */
export async function getTaskDefinitionTotal(
  client: AnyClient,
  params: CenterParams & { id: number },
): Promise<bigint> {
  return read<bigint>(client, {
    address: params.attestationCenter,
    abi: attestationCenterAbi,
    functionName: 'taskDefinitionVotingPower',
    args: [checkDefinitionId(params.id)],
    ...(params.blockNumber === undefined ? {} : { blockNumber: params.blockNumber }),
  })
}

/** Number of created task definitions (ids 1..n; id 0 is the default definition). */
export async function getTaskDefinitionCount(client: AnyClient, params: CenterParams): Promise<number> {
  return Number(
    await read<number>(client, {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'numOfTaskDefinitions',
      ...(params.blockNumber === undefined ? {} : { blockNumber: params.blockNumber }),
    }),
  )
}

export function isInternalTaskDefinition(id: number): boolean {
  return id === INTERNAL_TASKS.VOTING_POWER_SYNC || id === INTERNAL_TASKS.TASK_DEFINITION_TOTALS
}

export function checkDefinitionId(id: number): number {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
    throw new ChainError('CHAIN_INVALID_INPUT', `task definition id must be a uint16, got ${id}`, {
      details: { id },
    })
  }
  return id
}

/**
 * An internal task (10001 voting-power sync, 10002 totals refresh) has no stored definition: the
 * open rules the contract applies to it (no minimum, no restricted set, network total).
 */
export function internalTaskDefinition(id: number): TaskDefinitionRecord {
  return {
    id,
    name:
      id === INTERNAL_TASKS.VOTING_POWER_SYNC ? 'internal:voting-power-sync' : 'internal:definition-totals',
    blockExpiry: 0n,
    baseRewardFeeForAttesters: 0n,
    baseRewardFeeForPerformer: 0n,
    baseRewardFeeForAggregator: 0n,
    disputePeriodBlocks: 0n,
    minimumVotingPower: 0n,
    restrictedAttesterIds: [],
    maximumNumberOfAttesters: 0,
    definitionTotal: 0n,
    internal: true,
  }
}

interface RawDefinition {
  taskDefinitionId: number
  name: string
  blockExpiry: bigint
  baseRewardFeeForAttesters: bigint
  baseRewardFeeForPerformer: bigint
  baseRewardFeeForAggregator: bigint
  disputePeriodBlocks: bigint
  minimumVotingPower: bigint
  restrictedAttesterIds: readonly bigint[]
  maximumNumberOfAttesters: bigint
}

/**
 * A task definition with its snapshot total; undefined when it does not exist. Internal tasks
 * (10001, 10002) have no stored definition: they are returned as the open rules the contract
 * applies to them (no minimum, no restricted set, network total), with `internal: true`.
 */
export async function getTaskDefinition(
  client: AnyClient,
  params: CenterParams & { id: number },
): Promise<TaskDefinitionRecord | undefined> {
  const id = checkDefinitionId(params.id)
  if (isInternalTaskDefinition(id)) return internalTaskDefinition(id)
  // two plain eth_calls, not a deployless multicall: a large restricted set could push the
  // multicall's result past the 24 KiB code-size limit
  const at = params.blockNumber === undefined ? {} : { blockNumber: params.blockNumber }
  const c = { address: params.attestationCenter, abi: attestationCenterAbi, ...at } as const
  const [definition, total] = await Promise.all([
    read<RawDefinition>(client, { ...c, functionName: 'getTaskDefinition', args: [id] }).then(
      (result) => ({ result }),
      (error: ChainError) => ({ error }),
    ),
    read<bigint>(client, { ...c, functionName: 'taskDefinitionVotingPower', args: [id] }).then(
      (result) => ({ result }),
      (error: ChainError) => ({ error }),
    ),
  ])
  if ('error' in definition) {
    if (definition.error.code === 'TaskDefinitionNotFound') return undefined
    throw definition.error
  }
  if ('error' in total) throw total.error
  const raw = definition.result
  return {
    id,
    name: raw.name,
    blockExpiry: raw.blockExpiry,
    baseRewardFeeForAttesters: raw.baseRewardFeeForAttesters,
    baseRewardFeeForPerformer: raw.baseRewardFeeForPerformer,
    baseRewardFeeForAggregator: raw.baseRewardFeeForAggregator,
    disputePeriodBlocks: raw.disputePeriodBlocks,
    minimumVotingPower: raw.minimumVotingPower,
    // a set on chain (membership mapping), stored in the order governance gave: sorted here
    restrictedAttesterIds: raw.restrictedAttesterIds.map((id) => toSafeNumber(id)).sort((a, b) => a - b),
    maximumNumberOfAttesters: toSafeNumber(raw.maximumNumberOfAttesters, true),
    definitionTotal: total.result,
    internal: false,
  }
}

/** Every stored definition, 0 (the default) through `numOfTaskDefinitions()`. */
export async function getTaskDefinitions(
  client: AnyClient,
  params: CenterParams,
): Promise<TaskDefinitionRecord[]> {
  const count = await getTaskDefinitionCount(client, params)
  const all = await Promise.all(
    Array.from({ length: count + 1 }, (_, id) => getTaskDefinition(client, { ...params, id })),
  )
  return all.filter((d): d is TaskDefinitionRecord => d !== undefined)
}

/** The next task number (`taskNumber()`): how many tasks were submitted. */
export async function getTaskNumber(client: AnyClient, params: CenterParams): Promise<number> {
  return Number(
    await read<number>(client, {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'taskNumber',
    }),
  )
}

const TASK_STATUS: readonly TaskStatus[] = ['none', 'approved', 'rejected']

/** Whether a task was submitted, with which verdict, at which block. */
export async function getTaskRecord(
  client: AnyClient,
  params: CenterParams & ({ taskHash: Hex } | { task: TaskInfo }),
): Promise<TaskRecord> {
  const hash = 'taskHash' in params ? params.taskHash : computeTaskHash(params.task)
  const raw = await read<{ status: number; submittedAtBlock: bigint; taskNumber: number }>(client, {
    address: params.attestationCenter,
    abi: attestationCenterAbi,
    functionName: 'getTaskRecord',
    args: [hash],
  })
  return {
    status: TASK_STATUS[raw.status] ?? 'none',
    submittedAtBlock: raw.submittedAtBlock,
    taskNumber: Number(raw.taskNumber),
  }
}

export interface PaymentDetail {
  operator: Address
  lastPaidTaskNumber: bigint
  feeToClaim: bigint
  paymentStatus: 'redeemed' | 'committed'
}

/** Accrued, unpaid rewards of one operator. */
export async function getOperatorPaymentDetail(
  client: AnyClient,
  params: CenterParams & { operatorId: number },
): Promise<PaymentDetail> {
  const raw = await read<{
    operator: Address
    lastPaidTaskNumber: bigint
    feeToClaim: bigint
    paymentStatus: number
  }>(client, {
    address: params.attestationCenter,
    abi: attestationCenterAbi,
    functionName: 'getOperatorPaymentDetail',
    args: [BigInt(params.operatorId)],
  })
  return {
    operator: getAddress(raw.operator),
    lastPaidTaskNumber: raw.lastPaidTaskNumber,
    feeToClaim: raw.feeToClaim,
    paymentStatus: raw.paymentStatus === 0 ? 'redeemed' : 'committed',
  }
}

export interface CenterSettings {
  paused: boolean
  isOpenAggregator: boolean
  challengerRewardFee: bigint
  taskNumber: number
  numOfTaskDefinitions: number
  avsLogic: Address
  feeCalculator: Address
  beforePaymentsLogic: Address
}

/** Switches, hooks and counters of the AttestationCenter, in one request. */
export async function getCenterSettings(client: AnyClient, params: CenterParams): Promise<CenterSettings> {
  const c = { address: params.attestationCenter, abi: attestationCenterAbi } as const
  try {
    const [paused, open, fee, number, defs, avsLogic, feeCalculator, beforePayments] = await multicall(
      client,
      {
        contracts: [
          { ...c, functionName: 'paused' },
          { ...c, functionName: 'isOpenAggregator' },
          { ...c, functionName: 'challengerRewardFee' },
          { ...c, functionName: 'taskNumber' },
          { ...c, functionName: 'numOfTaskDefinitions' },
          { ...c, functionName: 'avsLogic' },
          { ...c, functionName: 'feeCalculator' },
          { ...c, functionName: 'beforePaymentsLogic' },
        ],
        allowFailure: false,
        deployless: true,
      },
    )
    return {
      paused,
      isOpenAggregator: open,
      challengerRewardFee: fee,
      taskNumber: Number(number),
      numOfTaskDefinitions: Number(defs),
      avsLogic,
      feeCalculator,
      beforePaymentsLogic: beforePayments,
    }
  } catch (err) {
    throw toChainError(err, { address: params.attestationCenter, functionName: 'getCenterSettings' })
  }
}
