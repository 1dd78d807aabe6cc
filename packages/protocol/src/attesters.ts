import { type AttesterRejectionCode, type ContractErrorCode, ProtocolError } from './codes.js'
import {
  effectiveRules,
  evaluateQuorum,
  type QuorumStatus,
  type QuorumTotalInput,
  quorumTotal,
  requiredVotingPower,
  type TaskDefinitionRules,
} from './quorum.js'

/** What the aggregator knows of one operator (from the AttestationCenter/OBLS). */
export interface OperatorState {
  /** 1-based operator index */
  id: number
  votingPower: bigint
  active: boolean
}

export type OperatorLookup = ReadonlyMap<number, OperatorState> | readonly OperatorState[]

export interface AttesterRejection {
  operatorId: number
  /** Position in the input list. */
  position: number
  code: AttesterRejectionCode
  message: string
}

export interface AttesterSetCheck {
  /** Eligible attesters, ids strictly increasing: ready for `attestersIds`. */
  accepted: OperatorState[]
  rejected: AttesterRejection[]
  /** Sum of the accepted attesters' voting power. */
  signedVotingPower: bigint
}

function invalid(message: string, details: Record<string, unknown> = {}): ProtocolError {
  return new ProtocolError('QUORUM_INVALID_INPUT', message, { details })
}

function assertId(id: unknown, where: string): asserts id is number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    throw invalid(`${where}: operator ids are positive integers`, { id: String(id) })
  }
}

function toMap(operators: OperatorLookup): ReadonlyMap<number, OperatorState> {
  if (!Array.isArray(operators)) return operators as ReadonlyMap<number, OperatorState>
  const map = new Map<number, OperatorState>()
  for (const op of operators as readonly OperatorState[]) {
    assertId(op.id, 'operators')
    if (typeof op.votingPower !== 'bigint' || op.votingPower < 0n) {
      throw invalid('operators: votingPower must be a non-negative bigint', { id: op.id })
    }
    if (map.has(op.id)) throw invalid('operators: duplicate id', { id: op.id })
    map.set(op.id, op)
  }
  return map
}

/** An unknown id reads as the contract's empty storage slot: no power, inactive. */
function stateOf(map: ReadonlyMap<number, OperatorState>, id: number): OperatorState {
  return map.get(id) ?? { id, votingPower: 0n, active: false }
}

/** The per-operator checks, in the contract's order: restricted set, minimum power, active. */
function operatorProblem(
  op: OperatorState,
  rules: TaskDefinitionRules,
  restricted: ReadonlySet<number>,
): [AttesterRejectionCode, string] | undefined {
  if (restricted.size > 0 && !restricted.has(op.id)) {
    return [
      'InvalidRestrictedAttester',
      `operator ${op.id} is not in the restricted set of definition ${rules.id}`,
    ]
  }
  if (op.votingPower < rules.minimumVotingPower) {
    return [
      'OperatorDoesNotHaveMinimumVotingPower',
      `operator ${op.id} has ${op.votingPower}, below the minimum ${rules.minimumVotingPower}`,
    ]
  }
  if (!op.active) return ['InactiveOperator', `operator ${op.id} is not active`]
  return undefined
}

export interface CheckAttesterSetInput {
  /** Candidate `attestersIds` in the order they would be submitted. */
  attesterIds: readonly number[]
  operators: OperatorLookup
  taskDefinition?: TaskDefinitionRules
}

/**
 * Checks a proposed `attestersIds` list attester by attester, giving every refused one the
 * contract error it would cause. An id not greater than every id before it is
 * InvalidOperatorIndexes (the contract wants strictly increasing ids); attesters beyond
 * `maximumNumberOfAttesters` (counting accepted ones, in order) are
 * InvalidMaximumNumberOfAttesters. `accepted` is what the contract would take.
 */
export function checkAttesterSet(input: CheckAttesterSetInput): AttesterSetCheck {
  const rules = effectiveRules(input.taskDefinition)
  const map = toMap(input.operators)
  const restricted = new Set(rules.restrictedAttesterIds)
  const accepted: OperatorState[] = []
  const rejected: AttesterRejection[] = []
  let highest = 0
  input.attesterIds.forEach((id, position) => {
    assertId(id, 'attesterIds')
    if (id <= highest) {
      rejected.push({
        operatorId: id,
        position,
        code: 'InvalidOperatorIndexes',
        message: `operator ${id} is not above the previous id ${highest}`,
      })
      return
    }
    highest = id
    const op = stateOf(map, id)
    const problem = operatorProblem(op, rules, restricted)
    if (problem !== undefined) {
      rejected.push({ operatorId: id, position, code: problem[0], message: problem[1] })
      return
    }
    if (rules.maximumNumberOfAttesters > 0 && accepted.length >= rules.maximumNumberOfAttesters) {
      rejected.push({
        operatorId: id,
        position,
        code: 'InvalidMaximumNumberOfAttesters',
        message: `more than ${rules.maximumNumberOfAttesters} attesters`,
      })
      return
    }
    accepted.push(op)
  })
  return { accepted, rejected, signedVotingPower: sumPower(accepted) }
}

function sumPower(ops: readonly OperatorState[]): bigint {
  let sum = 0n
  for (const op of ops) sum += op.votingPower
  return sum
}

export interface SelectAttestersInput {
  /** Operators that sent a valid attestation for one verdict, in any order, duplicates allowed. */
  candidateIds: Iterable<number>
  operators: OperatorLookup
  taskDefinition?: TaskDefinitionRules
}

/**
 * Builds the best submittable set from unordered candidates: duplicates merged, ids sorted,
 * ineligible attesters refused with their contract error, and — when there are more eligible
 * attesters than `maximumNumberOfAttesters` — the ones with the most voting power kept (ties
 * to the lower id), the rest refused with InvalidMaximumNumberOfAttesters.
 */
export function selectAttesters(input: SelectAttestersInput): AttesterSetCheck {
  const rules = effectiveRules(input.taskDefinition)
  const map = toMap(input.operators)
  const restricted = new Set(rules.restrictedAttesterIds)
  const ids = [...new Set(input.candidateIds)]
  for (const id of ids) assertId(id, 'candidateIds')
  ids.sort((a, b) => a - b)

  const eligible: Array<{ op: OperatorState; position: number }> = []
  const rejected: AttesterRejection[] = []
  ids.forEach((id, position) => {
    const op = stateOf(map, id)
    const problem = operatorProblem(op, rules, restricted)
    if (problem === undefined) eligible.push({ op, position })
    else rejected.push({ operatorId: id, position, code: problem[0], message: problem[1] })
  })

  let kept = eligible
  if (rules.maximumNumberOfAttesters > 0 && eligible.length > rules.maximumNumberOfAttesters) {
    const byPower = [...eligible].sort((a, b) =>
      a.op.votingPower === b.op.votingPower
        ? a.op.id - b.op.id
        : a.op.votingPower > b.op.votingPower
          ? -1
          : 1,
    )
    kept = byPower.slice(0, rules.maximumNumberOfAttesters).sort((a, b) => a.op.id - b.op.id)
    for (const dropped of byPower.slice(rules.maximumNumberOfAttesters)) {
      rejected.push({
        operatorId: dropped.op.id,
        position: dropped.position,
        code: 'InvalidMaximumNumberOfAttesters',
        message: `more than ${rules.maximumNumberOfAttesters} attesters; kept those with more voting power`,
      })
    }
    rejected.sort((a, b) => a.position - b.position)
  }
  const accepted = kept.map((e) => e.op)
  return { accepted, rejected, signedVotingPower: sumPower(accepted) }
}

export interface PreflightInput extends QuorumTotalInput {
  attesterIds: readonly number[]
  operators: OperatorLookup
  isApproved: boolean
  /** With both set, an expired definition (`blockExpiry <= blockNumber`) fails as on chain. */
  blockNumber?: bigint
  blockExpiry?: bigint
}

export type PreflightResult =
  | { ok: true; quorum: QuorumStatus }
  | { ok: false; code: ContractErrorCode; message: string; details: Record<string, unknown> }

function refuse(
  code: ContractErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): PreflightResult {
  return { ok: false, code, message, details }
}

/**
 * Predicts the first revert `submitTask` would hit for this attester list, checking in the
 * contract's order: definition expiry, restricted set (InvalidAttesterSet, then
 * InvalidRestrictedAttester), maximum attesters, InvalidRequiredVotingPower, then per id
 * InvalidOperatorIndexes / OperatorDoesNotHaveMinimumVotingPower / InactiveOperator, and
 * finally InsufficientVotingPower. Signatures, the used-taskHash check and performer/aggregator
 * activity are out of scope (they need chain state or crypto).
 */
export function preflightSubmission(input: PreflightInput): PreflightResult {
  const rules = effectiveRules(input.taskDefinition)
  const map = toMap(input.operators)
  const ids = input.attesterIds
  for (const id of ids) assertId(id, 'attesterIds')

  if (rules.id > 0 && input.blockNumber !== undefined && input.blockExpiry !== undefined) {
    if (input.blockExpiry <= input.blockNumber) {
      return refuse(
        'InvalidTaskDefinition',
        `task definition ${rules.id} expired at block ${input.blockExpiry}`,
        {
          taskDefinitionId: rules.id,
        },
      )
    }
  }
  const restricted = rules.restrictedAttesterIds
  if (restricted.length > 0) {
    if (restricted.length < ids.length) {
      return refuse('InvalidAttesterSet', 'more attesters than the restricted set holds')
    }
    const outsider = firstNotInSortedSet(ids, restricted)
    if (outsider !== undefined) {
      return refuse('InvalidRestrictedAttester', `operator ${outsider} is not in the restricted set`, {
        taskDefinitionId: rules.id,
        operatorId: outsider,
      })
    }
  }
  if (rules.maximumNumberOfAttesters > 0 && ids.length > rules.maximumNumberOfAttesters) {
    return refuse('InvalidMaximumNumberOfAttesters', `more than ${rules.maximumNumberOfAttesters} attesters`)
  }
  const total = quorumTotal(input)
  try {
    requiredVotingPower(total, input.isApproved)
  } catch (err) {
    if (err instanceof ProtocolError && err.code === 'InvalidRequiredVotingPower') {
      return refuse('InvalidRequiredVotingPower', err.message, { ...err.details })
    }
    throw err
  }
  let signed = 0n
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!
    if (i > 0 && ids[i - 1]! >= id) {
      return refuse('InvalidOperatorIndexes', 'attester ids are not strictly increasing', { position: i })
    }
    const op = stateOf(map, id)
    if (op.votingPower < rules.minimumVotingPower) {
      return refuse(
        'OperatorDoesNotHaveMinimumVotingPower',
        `operator ${id} is below the minimum voting power`,
        {
          operatorId: id,
        },
      )
    }
    if (!op.active) return refuse('InactiveOperator', `operator ${id} is not active`, { operatorId: id })
    signed += op.votingPower
  }
  const quorum = evaluateQuorum({ ...input, signedVotingPower: signed })
  if (!quorum.reached) {
    return refuse('InsufficientVotingPower', `signed ${signed} of required ${quorum.required}`, {
      signed: signed.toString(),
      required: quorum.required.toString(),
    })
  }
  return { ok: true, quorum }
}

/**
 * The contract's merge walk over two ascending lists: the first element of `ids` that is not
 * in `set`, scanning both once. (On unsorted `ids` it reports what the contract reports.)
 */
function firstNotInSortedSet(ids: readonly number[], set: readonly number[]): number | undefined {
  let i = 0
  let j = 0
  while (i < ids.length && j < set.length) {
    const a = ids[i]!
    const b = set[j]!
    if (a === b) {
      i++
      j++
    } else if (a > b) j++
    else return a
  }
  return i === ids.length ? undefined : ids[i]
}
