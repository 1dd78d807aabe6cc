// Internal tasks (10001 voting-power sync, 10002 per-definition totals refresh): what differs on
// chain now, as the task data that fixes it, and the check an attester runs on such data. Both
// sides read the same chain state with the same code, so an honest aggregator's task is approved
// and anything else is rejected.
//
// Wisp's contracts: 10001 = `abi.encode(uint256[] operatorIds)` → `OperatorRegistry.syncVotingPower`
// (active operators whose stored voting power differs from what their stake gives now, after a
// multiplier or cap change); 10002 = `abi.encode(uint16[] ids)` → the AttestationCenter recomputes
// those definitions' snapshots (`taskDefinitionVotingPower`).
// Othentic's contracts: 10002 = `abi.encode((address to, bytes data)[])` of OBLS setter calls.
// 10001 is never planned there: its `VotingPowerUpdate` carries stake deltas read from L1
// (EigenLayer / Symbiotic shares up to `toBlockL1`), which a node reading only the L2 contracts
// does not have; for the same reason an attester abstains on one.
//
// Only definitions whose snapshot `submitTask` uses (a restricted attester set or a minimum voting
// power) are refreshed: the others are checked against the network total, so their snapshot is
// never read and refreshing it would spend gas for nothing.
import { INTERNAL_TASKS, operatorRegistryAbi } from '@wisp/contracts'
import {
  type Address,
  decodeAbiParameters,
  decodeFunctionData,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  type Hex,
  parseAbi,
  parseAbiParameters,
  toFunctionSelector,
} from 'viem'
import { getBlockNumber, getCode, getStorageAt, multicall } from 'viem/actions'
import { othenticAttestationCenterAbi, othenticOblsAbi } from '../backends/othentic-abi.js'
import type { ChainBackendKind } from '../backends/types.js'
import { ChainError, toChainError } from '../errors.js'
import { type AnyClient, read } from '../transact.js'
import { toSafeNumber } from './encoding.js'
import { getOperators, getRegistryAddress, getTaskDefinitions } from './read.js'

export type InternalTaskId =
  | typeof INTERNAL_TASKS.VOTING_POWER_SYNC
  | typeof INTERNAL_TASKS.TASK_DEFINITION_TOTALS

export interface InternalTaskParams {
  attestationCenter: Address
  backend: ChainBackendKind
  /** `obls()`: Wisp's OperatorRegistry or Othentic's OBLS; read when absent */
  registry?: Address
  /** read at this block (default: the latest) */
  blockNumber?: bigint
}

/** What an internal task would change, with its data. */
export interface InternalTaskPlan {
  taskDefinitionId: InternalTaskId
  data: Hex
  /** 10001: the operator ids synced; 10002: the definition ids refreshed (ascending) */
  ids: number[]
  /** the block the state was read at */
  blockNumber: bigint
}

export type InternalTaskPlanResult =
  | { status: 'task'; plan: InternalTaskPlan }
  | { status: 'in-sync'; blockNumber: bigint }
  | { status: 'unsupported'; reason: string }

export type InternalTaskVerdict =
  | { kind: 'approve' }
  | { kind: 'reject'; reason: string }
  | { kind: 'abstain'; reason: string }

/** Why 10001 is neither sent nor judged on an Othentic deployment. */
export const OTHENTIC_VOTING_POWER_SYNC_UNSUPPORTED =
  'voting-power sync (10001) on Othentic needs L1 stake data (EigenLayer/Symbiotic shares) that this node does not read'

export function isInternalTaskId(id: number): id is InternalTaskId {
  return id === INTERNAL_TASKS.VOTING_POWER_SYNC || id === INTERNAL_TASKS.TASK_DEFINITION_TOTALS
}

// ------------------------------------------------------------------ Othentic's OBLS setters

/**
 * Othentic's OBLS computes a definition's total itself, from the operators it keeps: one setter
 * for definitions with a restricted set, one for the others (ids 1..numOfTotalOperators).
 */
const othenticTotalsAbi = parseAbi([
  'function setTotalVotingPowerPerTaskDefinition(uint16 taskDefinitionId, uint256 numOfTotalOperators, uint256 minimumVotingPower)',
  'function setTotalVotingPowerPerRestrictedTaskDefinition(uint16 taskDefinitionId, uint256 minimumVotingPower, uint256[] restrictedAttesterIds)',
])
/** Wisp's Othentic-shaped test OBLS takes the total as computed by the caller. */
const explicitTotalsAbi = parseAbi([
  'function setTotalVotingPowerPerTaskDefinition(uint256 taskDefinitionId, uint256 votingPower)',
])
const SELECTORS = {
  othentic: toFunctionSelector(othenticTotalsAbi[0]).slice(2),
  explicit: toFunctionSelector(explicitTotalsAbi[0]).slice(2),
}
/** EIP-1967 implementation slot: Othentic's OBLS sits behind a TransparentUpgradeableProxy. */
const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
const CALLS = parseAbiParameters('(address to, bytes data)[]')

/** Which setter the OBLS has: read from its code (or its implementation's), a PUSH4 of the selector. */
type TotalsSetter = 'othentic' | 'explicit'

async function totalsSetterOf(client: AnyClient, obls: Address): Promise<TotalsSetter | undefined> {
  const has = (code: string | undefined, selector: string) =>
    code?.toLowerCase().includes(`63${selector}`) === true
  let code: string | undefined
  try {
    code = await getCode(client, { address: obls })
    if (!has(code, SELECTORS.othentic) && !has(code, SELECTORS.explicit)) {
      const slot = await getStorageAt(client, { address: obls, slot: IMPLEMENTATION_SLOT })
      const implementation = slot === undefined ? 0n : BigInt(slot)
      if (implementation !== 0n)
        code = await getCode(client, {
          address: getAddress(`0x${implementation.toString(16).padStart(40, '0')}`),
        })
    }
  } catch (err) {
    throw toChainError(err, { address: obls, functionName: 'eth_getCode' })
  }
  if (has(code, SELECTORS.othentic)) return 'othentic'
  if (has(code, SELECTORS.explicit)) return 'explicit'
  return undefined
}

// ------------------------------------------------------------------ state, read at one block

interface OperatorState {
  id: number
  /** stored voting power */
  power: bigint
  /** Wisp: what the stake gives now */
  implied?: bigint
}

interface DefinitionState {
  id: number
  minimumVotingPower: bigint
  restrictedAttesterIds: bigint[]
  /** the snapshot as submitTask reads it */
  stored: bigint
  /** what the snapshot would be if refreshed now */
  eligible: bigint
}

interface ChainState {
  backend: ChainBackendKind
  blockNumber: bigint
  registry: Address
  /** active operators */
  operators: OperatorState[]
  /** definitions whose snapshot submitTask uses (restricted set or minimum) */
  definitions: DefinitionState[]
  /** Othentic */
  networkTotal: bigint
  numOfTotalOperators: bigint
  setter?: TotalsSetter
}

const usesSnapshot = (d: { minimumVotingPower: bigint; restrictedAttesterIds: readonly unknown[] }) =>
  d.restrictedAttesterIds.length > 0 || d.minimumVotingPower > 0n

async function readState(client: AnyClient, params: InternalTaskParams): Promise<ChainState> {
  const blockNumber =
    params.blockNumber ??
    (await getBlockNumber(client, { cacheTime: 0 }).catch((err: unknown) => {
      throw toChainError(err, { functionName: 'eth_blockNumber' })
    }))
  return params.backend === 'wisp'
    ? readWispState(client, params, blockNumber)
    : readOthenticState(client, params, blockNumber)
}

async function readWispState(
  client: AnyClient,
  params: InternalTaskParams,
  blockNumber: bigint,
): Promise<ChainState> {
  const registry = await getRegistryAddress(client, params)
  const center = { attestationCenter: params.attestationCenter, registry, blockNumber }
  const [records, definitions] = await Promise.all([
    getOperators(client, center),
    getTaskDefinitions(client, center),
  ])
  const active = records.filter((o) => o.active)
  const withRules = definitions.filter(usesSnapshot)
  let results: readonly bigint[] = []
  try {
    if (active.length + withRules.length > 0)
      results = (await multicall(client, {
        contracts: [
          ...active.map(
            (o) =>
              ({
                address: registry,
                abi: operatorRegistryAbi,
                functionName: 'computeVotingPower',
                args: [o.address],
              }) as const,
          ),
          ...withRules.map(
            (d) =>
              ({
                address: registry,
                abi: operatorRegistryAbi,
                functionName: 'sumVotingPower',
                args: [d.restrictedAttesterIds.map(BigInt), d.minimumVotingPower],
              }) as const,
          ),
        ],
        allowFailure: false,
        deployless: true,
        batchSize: 1440,
        blockNumber,
      })) as readonly bigint[]
  } catch (err) {
    throw toChainError(err, { address: registry, functionName: 'computeVotingPower' })
  }
  return {
    backend: 'wisp',
    blockNumber,
    registry,
    operators: active.map((o, i) => ({ id: o.id, power: o.votingPower, implied: results[i]! })),
    definitions: withRules.map((d, i) => ({
      id: d.id,
      minimumVotingPower: d.minimumVotingPower,
      restrictedAttesterIds: d.restrictedAttesterIds.map(BigInt),
      stored: d.definitionTotal,
      eligible: results[active.length + i]!,
    })),
    networkTotal: 0n,
    numOfTotalOperators: BigInt(records.length),
  }
}

async function readOthenticState(
  client: AnyClient,
  params: InternalTaskParams,
  blockNumber: bigint,
): Promise<ChainState> {
  const ac = { address: params.attestationCenter, abi: othenticAttestationCenterAbi } as const
  const at = { blockNumber }
  let registry: Address
  let details: readonly { operatorId: bigint }[]
  let count: number
  let totalOperators: bigint
  try {
    ;[registry, details, count, totalOperators] = (await multicall(client, {
      contracts: [
        { ...ac, functionName: 'obls' },
        { ...ac, functionName: 'getActiveOperatorsDetails' },
        { ...ac, functionName: 'numOfTaskDefinitions' },
        { ...ac, functionName: 'numOfTotalOperators' },
      ],
      allowFailure: false,
      deployless: true,
      ...at,
    })) as [Address, readonly { operatorId: bigint }[], number, bigint]
  } catch (err) {
    throw toChainError(err, { address: params.attestationCenter, functionName: 'getActiveOperatorsDetails' })
  }
  registry = getAddress(params.registry ?? registry)
  const obls = { address: registry, abi: othenticOblsAbi } as const
  const ids = Array.from({ length: Number(count) + 1 }, (_, id) => id)
  let results: readonly unknown[]
  try {
    results = await multicall(client, {
      contracts: [
        ...details.flatMap((d) => [
          { ...obls, functionName: 'isActive', args: [d.operatorId] } as const,
          { ...obls, functionName: 'votingPower', args: [d.operatorId] } as const,
        ]),
        ...ids.flatMap((id) => [
          { ...ac, functionName: 'getTaskDefinitionMinimumVotingPower', args: [id] } as const,
          { ...ac, functionName: 'getTaskDefinitionRestrictedAttesters', args: [id] } as const,
          { ...obls, functionName: 'totalVotingPowerPerTaskDefinition', args: [BigInt(id)] } as const,
        ]),
      ],
      allowFailure: false,
      deployless: true,
      batchSize: 1440,
      ...at,
    })
  } catch (err) {
    throw toChainError(err, { address: registry, functionName: 'totalVotingPowerPerTaskDefinition' })
  }
  const networkTotal = await read<bigint>(client, { ...obls, functionName: 'totalVotingPower', ...at })
  const operators: OperatorState[] = []
  details.forEach((d, i) => {
    if (results[i * 2] === true)
      operators.push({ id: toSafeNumber(d.operatorId), power: results[1 + i * 2] as bigint })
  })
  const base = details.length * 2
  const definitions: DefinitionState[] = []
  for (const id of ids) {
    const [minimum, restricted, stored] = results.slice(base + id * 3, base + id * 3 + 3) as [
      bigint,
      readonly bigint[],
      bigint,
    ]
    if (!usesSnapshot({ minimumVotingPower: minimum, restrictedAttesterIds: restricted })) continue
    const allowed = restricted.length > 0 ? new Set(restricted) : undefined
    // what the OBLS sums: active operators (of the restricted set, if any) with at least the minimum
    let eligible = 0n
    for (const o of operators) {
      if (o.power >= minimum && (allowed === undefined || allowed.has(BigInt(o.id)))) eligible += o.power
    }
    definitions.push({
      id,
      minimumVotingPower: minimum,
      restrictedAttesterIds: [...restricted],
      stored,
      eligible,
    })
  }
  const setter = await totalsSetterOf(client, registry)
  return {
    backend: 'othentic',
    blockNumber,
    registry,
    operators,
    definitions,
    networkTotal,
    numOfTotalOperators: totalOperators,
    ...(setter ? { setter } : {}),
  }
}

// ------------------------------------------------------------------ what differs, as task data

/** Wisp: active operators whose stored voting power is not what their stake gives. */
function staleOperators(state: ChainState): number[] {
  return state.operators.filter((o) => o.implied !== undefined && o.implied !== o.power).map((o) => o.id)
}

/**
 * Definitions whose snapshot is not what a refresh would store. On Othentic the OBLS answers the
 * network total for a stored 0, so an eligible total of 0 reads back as the network total.
 */
function staleDefinitions(state: ChainState): DefinitionState[] {
  return state.definitions.filter((d) => {
    const readBack = state.backend === 'othentic' && d.eligible === 0n ? state.networkTotal : d.eligible
    return d.stored !== readBack
  })
}

/** The OBLS call that refreshes one definition, as this deployment's setter takes it. */
function totalsCall(state: ChainState, d: DefinitionState): Hex {
  if (state.setter === 'explicit')
    return encodeFunctionData({
      abi: explicitTotalsAbi,
      functionName: 'setTotalVotingPowerPerTaskDefinition',
      args: [BigInt(d.id), d.eligible],
    })
  return d.restrictedAttesterIds.length > 0
    ? encodeFunctionData({
        abi: othenticTotalsAbi,
        functionName: 'setTotalVotingPowerPerRestrictedTaskDefinition',
        args: [d.id, d.minimumVotingPower, d.restrictedAttesterIds],
      })
    : encodeFunctionData({
        abi: othenticTotalsAbi,
        functionName: 'setTotalVotingPowerPerTaskDefinition',
        args: [d.id, state.numOfTotalOperators, d.minimumVotingPower],
      })
}

function encodeVotingPowerSync(ids: readonly number[]): Hex {
  return encodeAbiParameters(parseAbiParameters('uint256[]'), [ids.map(BigInt)])
}

function encodeDefinitionTotals(state: ChainState, stale: readonly DefinitionState[]): Hex {
  if (state.backend === 'wisp')
    return encodeAbiParameters(parseAbiParameters('uint16[]'), [stale.map((d) => d.id)])
  return encodeAbiParameters(CALLS, [stale.map((d) => ({ to: state.registry, data: totalsCall(state, d) }))])
}

function planFrom(state: ChainState, id: InternalTaskId): InternalTaskPlanResult {
  if (id === INTERNAL_TASKS.VOTING_POWER_SYNC) {
    if (state.backend === 'othentic')
      return { status: 'unsupported', reason: OTHENTIC_VOTING_POWER_SYNC_UNSUPPORTED }
    const ids = staleOperators(state)
    if (ids.length === 0) return { status: 'in-sync', blockNumber: state.blockNumber }
    return {
      status: 'task',
      plan: { taskDefinitionId: id, data: encodeVotingPowerSync(ids), ids, blockNumber: state.blockNumber },
    }
  }
  if (state.backend === 'othentic' && state.setter === undefined)
    return {
      status: 'unsupported',
      reason: `the OBLS at ${state.registry} has no known per-definition totals setter`,
    }
  const stale = staleDefinitions(state)
  if (stale.length === 0) return { status: 'in-sync', blockNumber: state.blockNumber }
  return {
    status: 'task',
    plan: {
      taskDefinitionId: id,
      data: encodeDefinitionTotals(state, stale),
      ids: stale.map((d) => d.id),
      blockNumber: state.blockNumber,
    },
  }
}

/**
 * The internal task that would bring the chain up to date now: `task` with its data when something
 * differs, `in-sync` when nothing does, `unsupported` when this backend cannot say (10001 on
 * Othentic, an OBLS without a known setter).
 */
export async function planInternalTask(
  client: AnyClient,
  params: InternalTaskParams & { taskDefinitionId: number },
): Promise<InternalTaskPlanResult> {
  const id = checkInternalId(params.taskDefinitionId)
  if (id === INTERNAL_TASKS.VOTING_POWER_SYNC && params.backend === 'othentic')
    return { status: 'unsupported', reason: OTHENTIC_VOTING_POWER_SYNC_UNSUPPORTED }
  return planFrom(await readState(client, params), id)
}

// ------------------------------------------------------------------ the attester's check

/**
 * An attester's verdict on an internal task's data, from the chain state it reads itself. Approved
 * when the data is a canonical encoding of a non-empty, ascending, duplicate-free subset of what it
 * finds differing, each entry exactly as it would write it; a subset, not the whole set, because the
 * aggregator read a block or two earlier (a stake that moved since makes the sets differ, and each
 * entry only ever writes what the chain state implies). Rejected otherwise. Abstains where it cannot
 * judge (10001 on Othentic, an OBLS without a known setter).
 */
export async function checkInternalTask(
  client: AnyClient,
  params: InternalTaskParams & { taskDefinitionId: number; data: Hex },
): Promise<InternalTaskVerdict> {
  const id = checkInternalId(params.taskDefinitionId)
  if (id === INTERNAL_TASKS.VOTING_POWER_SYNC && params.backend === 'othentic')
    return { kind: 'abstain', reason: OTHENTIC_VOTING_POWER_SYNC_UNSUPPORTED }
  const state = await readState(client, params)
  return id === INTERNAL_TASKS.VOTING_POWER_SYNC
    ? checkVotingPowerSync(state, params.data)
    : checkDefinitionTotals(state, params.data)
}

const reject = (reason: string): InternalTaskVerdict => ({ kind: 'reject', reason })

/** Ids must be ascending without repeats and the encoding the one we would produce. */
function idsProblem(
  ids: readonly number[],
  data: Hex,
  encode: (ids: readonly number[]) => Hex,
): string | undefined {
  if (ids.length === 0) return 'it changes nothing (no entries)'
  for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) return 'its ids are not strictly ascending'
  if (encode(ids).toLowerCase() !== data.toLowerCase()) return 'its data is not in canonical encoding'
  return undefined
}

function checkVotingPowerSync(state: ChainState, data: Hex): InternalTaskVerdict {
  let ids: number[]
  try {
    const [raw] = decodeAbiParameters(parseAbiParameters('uint256[]'), data)
    const huge = raw.find((v) => v > BigInt(Number.MAX_SAFE_INTEGER))
    if (huge !== undefined) return reject(`voting-power sync: operator ${huge} does not exist`)
    ids = raw.map(Number)
  } catch {
    return reject('voting-power sync data is not abi.encode(uint256[])')
  }
  const problem = idsProblem(ids, data, encodeVotingPowerSync)
  if (problem !== undefined) return reject(`voting-power sync: ${problem}`)
  const stale = new Set(staleOperators(state))
  const extra = ids.find((id) => !stale.has(id))
  if (extra !== undefined)
    return reject(
      `voting-power sync: operator ${extra} is not an active operator whose voting power differs from its stake's`,
    )
  return { kind: 'approve' }
}

function checkDefinitionTotals(state: ChainState, data: Hex): InternalTaskVerdict {
  const stale = new Map(staleDefinitions(state).map((d) => [d.id, d]))
  if (state.backend === 'wisp') {
    let ids: number[]
    try {
      const [raw] = decodeAbiParameters(parseAbiParameters('uint16[]'), data)
      ids = [...raw]
    } catch {
      return reject('definition totals data is not abi.encode(uint16[])')
    }
    const problem = idsProblem(ids, data, (list) =>
      encodeAbiParameters(parseAbiParameters('uint16[]'), [list]),
    )
    if (problem !== undefined) return reject(`definition totals: ${problem}`)
    const extra = ids.find((id) => !stale.has(id))
    if (extra !== undefined)
      return reject(`definition totals: definition ${extra} has no stale snapshot to refresh`)
    return { kind: 'approve' }
  }
  if (state.setter === undefined)
    return {
      kind: 'abstain',
      reason: `the OBLS at ${state.registry} has no known per-definition totals setter`,
    }
  let calls: readonly { to: Address; data: Hex }[]
  try {
    ;[calls] = decodeAbiParameters(CALLS, data)
  } catch {
    return reject('definition totals data is not abi.encode((address,bytes)[])')
  }
  const ids: number[] = []
  for (const [i, call] of calls.entries()) {
    if (getAddress(call.to) !== getAddress(state.registry))
      return reject(`definition totals: call ${i} is not to the OBLS`)
    const id = definitionIdOf(state.setter, call.data)
    if (id === undefined) return reject(`definition totals: call ${i} is not a per-definition totals setter`)
    const d = stale.get(id)
    if (d === undefined) return reject(`definition totals: definition ${id} has no stale snapshot to refresh`)
    if (totalsCall(state, d).toLowerCase() !== call.data.toLowerCase())
      return reject(`definition totals: call ${i} does not set definition ${id} to its eligible voting power`)
    ids.push(id)
  }
  const problem = idsProblem(ids, data, (list) =>
    encodeAbiParameters(CALLS, [
      list.map((id) => ({ to: state.registry, data: totalsCall(state, stale.get(id)!) })),
    ]),
  )
  if (problem !== undefined) return reject(`definition totals: ${problem}`)
  return { kind: 'approve' }
}

function definitionIdOf(setter: TotalsSetter, data: Hex): number | undefined {
  try {
    if (setter === 'explicit') {
      const id = decodeFunctionData({ abi: explicitTotalsAbi, data }).args[0]
      return id > 0xffffn ? undefined : Number(id)
    }
    return decodeFunctionData({ abi: othenticTotalsAbi, data }).args[0]
  } catch {
    return undefined
  }
}

function checkInternalId(id: number): InternalTaskId {
  if (!isInternalTaskId(id))
    throw new ChainError('CHAIN_INVALID_INPUT', `${id} is not an internal task definition (10001 or 10002)`, {
      details: { id },
    })
  return id
}

// ------------------------------------------------------------------ bound to one deployment

/** The engine's internal-task port (structurally @wisp/core's `InternalTasksPort`). */
export interface InternalTasks {
  plan(taskDefinitionId: number): Promise<InternalTaskPlanResult>
  check(taskDefinitionId: number, data: Hex): Promise<InternalTaskVerdict>
}

/** {@link planInternalTask} and {@link checkInternalTask} bound to one AttestationCenter, at the latest block. */
export function createInternalTasks(
  client: AnyClient,
  params: Omit<InternalTaskParams, 'blockNumber'>,
): InternalTasks {
  return {
    plan: (taskDefinitionId) => planInternalTask(client, { ...params, taskDefinitionId }),
    check: (taskDefinitionId, data) => checkInternalTask(client, { ...params, taskDefinitionId, data }),
  }
}
