import { ProtocolError } from './codes.js'
import type { Result } from './errors.js'
import { attempt } from './errors.js'

/**
 * The first internal task id (10001, voting-power sync; 10002 refreshes definition totals). For
 * these ids `submitTask` loads no stored definition: no rules, network total. Ids above 10002
 * do not exist (`TaskDefinitionNotFound`).
 */
export const FIRST_INTERNAL_TASK_DEFINITION_ID = 10001
/** The last internal task id (10002); anything above is `TaskDefinitionNotFound` on chain. */
export const LAST_INTERNAL_TASK_DEFINITION_ID = 10002

/**
 * The parts of an on-chain task definition that decide who may attest and which voting-power
 * total applies (docs/protocol.md §3). Operator ids are the contract's 1-based operator indexes.
 */
export interface TaskDefinitionRules {
  /**
   * uint16. Every id below 10001 has its rules applied, the default definition 0 included
   * (governance may set a minimum or a restricted set on it); internal tasks 10001/10002 have none.
   */
  id: number
  /** In wei of voting power; 0 = none. */
  minimumVotingPower: bigint
  /**
   * Empty = anyone may attest. A set: the contract keeps governance's order and checks
   * membership, so any order works here (`@wisp/chain` returns it sorted).
   */
  restrictedAttesterIds: readonly number[]
  /** 0 = no limit. */
  maximumNumberOfAttesters: number
}

function invalid(message: string, details: Record<string, unknown> = {}): ProtocolError {
  return new ProtocolError('QUORUM_INVALID_INPUT', message, { details })
}

/** Rules of a definition without restrictions (what the contract applies to internal tasks). */
export function openTaskDefinition(id = 0): TaskDefinitionRules {
  return { id, minimumVotingPower: 0n, restrictedAttesterIds: [], maximumNumberOfAttesters: 0 }
}

/**
 * The rules the contract actually applies. `submitTask` loads the stored definition for every id
 * below 10001 — the default definition 0 included — and none for the internal tasks (10001,
 * 10002), which get open rules. `undefined` means "no rules known": open rules of definition 0,
 * which is right only while governance has set none on it.
 */
export function effectiveRules(definition: TaskDefinitionRules | undefined): TaskDefinitionRules {
  if (definition === undefined) return openTaskDefinition(0)
  const id: unknown = definition.id
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffff) {
    throw invalid('taskDefinition.id must be a uint16', { id: String(id) })
  }
  if (definition.id >= FIRST_INTERNAL_TASK_DEFINITION_ID) return openTaskDefinition(definition.id)
  return definition
}

/**
 * True when the contract measures the quorum against the definition's own voting-power total
 * (`taskDefinitionVotingPower(id)`): the definition — any id below 10001, 0 included — has
 * restricted attesters or a minimum voting power.
 */
export function usesDefinitionTotal(definition: TaskDefinitionRules | undefined): boolean {
  const rules = effectiveRules(definition)
  return rules.restrictedAttesterIds.length > 0 || rules.minimumVotingPower > 0n
}

export interface QuorumTotalInput {
  /** The network's total voting power (OBLS `totalVotingPower()`). */
  networkTotal: bigint
  /**
   * The definition's snapshot total (`taskDefinitionVotingPower(id)` storage). Required when
   * {@link usesDefinitionTotal}. Used as is: a snapshot of 0 (nobody was eligible at the last
   * refresh) is a total of 0, which the contract refuses with `InvalidRequiredVotingPower` until
   * `refreshTaskDefinitionVotingPower` (or internal task 10002) updates it. There is no fallback
   * to the network total.
   */
  definitionTotal?: bigint
  taskDefinition?: TaskDefinitionRules
}

function assertPower(name: string, value: unknown): asserts value is bigint {
  if (typeof value !== 'bigint' || value < 0n)
    throw invalid(`${name} must be a non-negative bigint`, { [name]: String(value) })
}

/**
 * The voting-power total the contract measures this task's quorum against: the definition's
 * snapshot when {@link usesDefinitionTotal} (0 stays 0), else the network total.
 */
export function quorumTotal(input: QuorumTotalInput): bigint {
  assertPower('networkTotal', input.networkTotal)
  if (!usesDefinitionTotal(input.taskDefinition)) return input.networkTotal
  if (input.definitionTotal === undefined) {
    throw invalid(
      'definitionTotal is required for a definition with restricted attesters or a minimum voting power',
    )
  }
  assertPower('definitionTotal', input.definitionTotal)
  return input.definitionTotal
}

/**
 * `total*2/3` to approve, `total/3` to reject, floored like Solidity; the signed power must be
 * `>=` it. Only a total of 0 throws `InvalidRequiredVotingPower` (docs/protocol.md §3 step 7: "total == 0
 * reverts"). A non-zero total too small to leave anything after flooring (1 to approve, 1 or 2
 * to reject) gives a required power of 0, which any non-empty attester set meets — even one
 * whose power is 0.
 */
export function requiredVotingPower(total: bigint, isApproved: boolean): bigint {
  assertPower('total', total)
  if (total === 0n) {
    throw new ProtocolError('InvalidRequiredVotingPower', 'the voting-power total is 0', {
      details: { total: total.toString(), isApproved },
    })
  }
  return isApproved ? (total * 2n) / 3n : total / 3n
}

export interface QuorumInput extends QuorumTotalInput {
  isApproved: boolean
  /** Sum of the voting power of the attesters that signed this verdict. */
  signedVotingPower: bigint
}

export interface QuorumStatus {
  isApproved: boolean
  total: bigint
  required: bigint
  signed: bigint
  /**
   * `signed >= required`: the contract would accept the voting power. (With a required power of
   * 0 this holds for any signed power; the contract still wants at least one attester, which
   * `preflightSubmission` checks.)
   */
  reached: boolean
  /** How much more power is needed (0 once reached). */
  missing: bigint
}

/**
 * Whether signed power meets the contract's threshold. Throws InvalidRequiredVotingPower (total
 * 0) / QUORUM_INVALID_INPUT.
 */
export function evaluateQuorum(input: QuorumInput): QuorumStatus {
  assertPower('signedVotingPower', input.signedVotingPower)
  const total = quorumTotal(input)
  const required = requiredVotingPower(total, input.isApproved)
  const signed = input.signedVotingPower
  const reached = signed >= required
  return {
    isApproved: input.isApproved,
    total,
    required,
    signed,
    reached,
    missing: reached ? 0n : required - signed,
  }
}

/** {@link evaluateQuorum} as a result union. Never throws. */
export function safeEvaluateQuorum(input: QuorumInput): Result<QuorumStatus> {
  return attempt(() => evaluateQuorum(input))
}
