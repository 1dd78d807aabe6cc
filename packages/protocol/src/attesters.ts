import { type AttesterRejectionCode, type ContractErrorCode, ProtocolError } from './codes.js'
import {
  effectiveRules,
  evaluateQuorum,
  FIRST_INTERNAL_TASK_DEFINITION_ID,
  LAST_INTERNAL_TASK_DEFINITION_ID,
  type QuorumStatus,
  type QuorumTotalInput,
  quorumTotal,
  type TaskDefinitionRules,
} from './quorum.js'
import { MAX_UINT256 } from './words.js'

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

/** Ids in the operator lookup: the registry numbers operators from 1. */
function assertId(id: unknown, where: string): asserts id is number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    throw invalid(`${where}: operator ids are positive integers`, { id: String(id) })
  }
}

/**
 * Ids in a proposed `attestersIds` list: any uint256 reaches the contract, so 0 is accepted
 * here and refused as the contract refuses it (its `previous` id starts at 0, so 0 is never
 * strictly increasing: InvalidOperatorIndexes, unless a restricted set refuses it first).
 */
function assertAttesterId(id: unknown, where: string): asserts id is number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    throw invalid(`${where}: operator ids are non-negative integers`, { id: String(id) })
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

function outOfOrderMessage(id: number, previous: number): string {
  return id === 0
    ? 'operator id 0 is never valid (ids are strictly increasing from 1)'
    : `operator ${id} is not above the previous id ${previous}`
}

/**
 * One attester's problem, in the contract's precedence: the restricted set (checked for the
 * whole list before anything else), then — in `aggregateAttesters`, per id — strictly
 * increasing ids (`outOfOrder`), active, minimum voting power.
 */
function attesterProblem(
  op: OperatorState,
  rules: TaskDefinitionRules,
  restricted: ReadonlySet<number>,
  outOfOrder: boolean,
  previous: number,
): [AttesterRejectionCode, string] | undefined {
  if (restricted.size > 0 && !restricted.has(op.id)) {
    return [
      'InvalidRestrictedAttester',
      `operator ${op.id} is not in the restricted set of definition ${rules.id}`,
    ]
  }
  if (outOfOrder) return ['InvalidOperatorIndexes', outOfOrderMessage(op.id, previous)]
  if (!op.active) return ['InactiveOperator', `operator ${op.id} is not active`]
  if (op.votingPower < rules.minimumVotingPower) {
    return [
      'OperatorDoesNotHaveMinimumVotingPower',
      `operator ${op.id} has ${op.votingPower}, below the minimum ${rules.minimumVotingPower}`,
    ]
  }
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
 * contract error it would cause, in the contract's precedence: not in the restricted set
 * (InvalidRestrictedAttester), not greater than every id before it — id 0 included
 * (InvalidOperatorIndexes), inactive or unknown (InactiveOperator), under the minimum
 * (OperatorDoesNotHaveMinimumVotingPower); attesters beyond `maximumNumberOfAttesters` (counting
 * accepted ones, in order) are InvalidMaximumNumberOfAttesters. `accepted` is what the contract
 * would take (strictly increasing, eligible); the quorum and a non-empty list are
 * {@link preflightSubmission}'s business.
 */
export function checkAttesterSet(input: CheckAttesterSetInput): AttesterSetCheck {
  const rules = effectiveRules(input.taskDefinition)
  const map = toMap(input.operators)
  const restricted = new Set(rules.restrictedAttesterIds)
  const accepted: OperatorState[] = []
  const rejected: AttesterRejection[] = []
  // the contract's `previous` starts at 0
  let highest = 0
  input.attesterIds.forEach((id, position) => {
    assertAttesterId(id, 'attesterIds')
    const previous = highest
    const outOfOrder = id <= previous
    if (!outOfOrder) highest = id
    const op = stateOf(map, id)
    const problem = attesterProblem(op, rules, restricted, outOfOrder, previous)
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
 * ineligible attesters refused with their contract error (as {@link checkAttesterSet}; id 0 is
 * InvalidOperatorIndexes), and — when there are more eligible attesters than
 * `maximumNumberOfAttesters` — the ones with the most voting power kept (ties to the lower id),
 * the rest refused with InvalidMaximumNumberOfAttesters. `position` is the index in the sorted,
 * de-duplicated list.
 */
export function selectAttesters(input: SelectAttestersInput): AttesterSetCheck {
  const rules = effectiveRules(input.taskDefinition)
  const map = toMap(input.operators)
  const restricted = new Set(rules.restrictedAttesterIds)
  const ids = [...new Set(input.candidateIds)]
  for (const id of ids) assertAttesterId(id, 'candidateIds')
  ids.sort((a, b) => a - b)

  const eligible: Array<{ op: OperatorState; position: number }> = []
  const rejected: AttesterRejection[] = []
  ids.forEach((id, position) => {
    const op = stateOf(map, id)
    // sorted and de-duplicated: only id 0 can be out of order
    const problem = attesterProblem(op, rules, restricted, id === 0, 0)
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
  /** The `attestersIds` exactly as they would be submitted (order and duplicates kept). */
  attesterIds: readonly number[]
  operators: OperatorLookup
  isApproved: boolean
  /**
   * The latest mined block (`eth_blockNumber`). A submission sent now is mined in
   * `blockNumber + 1` or later, and the contract refuses it when that block is past
   * `blockExpiry`: with both set, `0 < blockExpiry <= blockNumber` is InvalidTaskDefinition.
   */
  blockNumber?: bigint
  /**
   * The definition's stored `blockExpiry`: the last block that accepts its tasks. 0 — and
   * `type(uint256).max`, which the contract stores as 0 — never expires.
   */
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

function assertBlock(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'bigint' || value < 0n)) {
    throw invalid(`${name} must be a non-negative bigint`, { [name]: String(value) })
  }
}

/** The contract's `expiry != 0 && block.number > expiry`, for a block mined after `blockNumber`. */
function isExpired(blockExpiry: bigint, blockNumber: bigint): boolean {
  return blockExpiry !== 0n && blockExpiry !== MAX_UINT256 && blockNumber + 1n > blockExpiry
}

/**
 * Predicts the first revert `submitTask` would hit for this attester list, checking in the
 * contract's exact order (`_checkTaskDefinition`, then `_verifyAttestation` with the registry's
 * `aggregateAttesters`):
 *
 * 1. TaskDefinitionNotFound for a definition id above 10002;
 * 2. InvalidTaskDefinition when expired (any id below 10001, 0 included; see `blockExpiry`);
 * 3. with a restricted set, the first id in list order outside it: InvalidRestrictedAttester
 *    (membership only: duplicates and order do not matter here);
 * 4. more ids than `maximumNumberOfAttesters` (duplicates counted): InvalidMaximumNumberOfAttesters;
 * 5. an empty list: InvalidAttesterSet;
 * 6. per id, in list order: not above the previous id (0 included) InvalidOperatorIndexes, then
 *    InactiveOperator (unknown ids too), then OperatorDoesNotHaveMinimumVotingPower;
 * 7. a total of 0 (see {@link quorumTotal}): InvalidRequiredVotingPower;
 * 8. signed power below `total*2/3` (approve) or `total/3` (reject): InsufficientVotingPower.
 *
 * Internal tasks (10001, 10002) get no definition checks and the network total. Before these,
 * the contract checks the pause switch, the hook, the used taskHash and the performer
 * signature; after, the aggregate BLS signature and the performer's and aggregator's activity:
 * all out of scope (they need chain state or crypto). A definition id below 10001 that does not
 * exist is TaskDefinitionNotFound on chain, but only the caller can know that (pass no
 * `taskDefinition` only for a definition 0 without rules). Bad inputs throw QUORUM_INVALID_INPUT.
 */
export function preflightSubmission(input: PreflightInput): PreflightResult {
  const rules = effectiveRules(input.taskDefinition)
  const map = toMap(input.operators)
  const ids = input.attesterIds
  if (!Array.isArray(ids)) throw invalid('attesterIds must be an array')
  for (const id of ids) assertAttesterId(id, 'attesterIds')
  assertBlock('blockNumber', input.blockNumber)
  assertBlock('blockExpiry', input.blockExpiry)
  // validates the totals up front; a total of 0 is refused only after the attester checks
  const total = quorumTotal(input)

  if (rules.id > LAST_INTERNAL_TASK_DEFINITION_ID) {
    return refuse('TaskDefinitionNotFound', `task definition ${rules.id} does not exist`, {
      taskDefinitionId: rules.id,
    })
  }
  const internal = rules.id >= FIRST_INTERNAL_TASK_DEFINITION_ID
  if (
    !internal &&
    input.blockNumber !== undefined &&
    input.blockExpiry !== undefined &&
    isExpired(input.blockExpiry, input.blockNumber)
  ) {
    return refuse(
      'InvalidTaskDefinition',
      `task definition ${rules.id} expired at block ${input.blockExpiry}`,
      {
        taskDefinitionId: rules.id,
        blockExpiry: input.blockExpiry.toString(),
      },
    )
  }
  if (rules.restrictedAttesterIds.length > 0) {
    const restricted = new Set(rules.restrictedAttesterIds)
    const position = ids.findIndex((id) => !restricted.has(id))
    if (position >= 0) {
      const outsider = ids[position]!
      return refuse('InvalidRestrictedAttester', `operator ${outsider} is not in the restricted set`, {
        taskDefinitionId: rules.id,
        operatorId: outsider,
        position,
      })
    }
  }
  if (rules.maximumNumberOfAttesters > 0 && ids.length > rules.maximumNumberOfAttesters) {
    return refuse(
      'InvalidMaximumNumberOfAttesters',
      `${ids.length} attesters, more than the maximum ${rules.maximumNumberOfAttesters}`,
      { count: ids.length, maximum: rules.maximumNumberOfAttesters },
    )
  }
  if (ids.length === 0) return refuse('InvalidAttesterSet', 'no attesters')

  let previous = 0
  let signed = 0n
  for (let position = 0; position < ids.length; position++) {
    const id = ids[position]!
    if (id <= previous) {
      return refuse('InvalidOperatorIndexes', outOfOrderMessage(id, previous), { operatorId: id, position })
    }
    previous = id
    const op = stateOf(map, id)
    if (!op.active) {
      return refuse('InactiveOperator', `operator ${id} is not active`, { operatorId: id, position })
    }
    if (op.votingPower < rules.minimumVotingPower) {
      return refuse(
        'OperatorDoesNotHaveMinimumVotingPower',
        `operator ${id} has ${op.votingPower}, below the minimum ${rules.minimumVotingPower}`,
        { operatorId: id, position },
      )
    }
    signed += op.votingPower
  }
  if (total === 0n) {
    return refuse('InvalidRequiredVotingPower', 'the voting-power total is 0', {
      total: '0',
      isApproved: input.isApproved,
    })
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
