import { ProtocolError } from './codes.js'
import type { Result } from './errors.js'
import { attempt } from './errors.js'

/**
 * The parts of an on-chain task definition that decide who may attest and which voting-power
 * total applies (PROTOCOL.md §3). Operator ids are the contract's 1-based operator indexes.
 */
export interface TaskDefinitionRules {
  /** uint16; id 0 is the default definition, which the contract never loads (no rules). */
  id: number
  /** In wei of voting power; 0 = none. */
  minimumVotingPower: bigint
  /** Empty = anyone may attest. The contract stores it strictly increasing. */
  restrictedAttesterIds: readonly number[]
  /** 0 = no limit. */
  maximumNumberOfAttesters: number
}

/** Rules of a definition without restrictions (what the contract applies for id 0). */
export function openTaskDefinition(id = 0): TaskDefinitionRules {
  return { id, minimumVotingPower: 0n, restrictedAttesterIds: [], maximumNumberOfAttesters: 0 }
}

/**
 * The rules the contract actually applies: for id 0 it never reads the stored definition, so
 * whatever was passed, none of its restrictions apply.
 */
export function effectiveRules(definition: TaskDefinitionRules | undefined): TaskDefinitionRules {
  if (definition === undefined || definition.id === 0) return openTaskDefinition(0)
  return definition
}

/**
 * True when the contract measures the quorum against the definition's own voting-power total:
 * a non-default definition with restricted attesters or a minimum voting power.
 */
export function usesDefinitionTotal(definition: TaskDefinitionRules | undefined): boolean {
  const rules = effectiveRules(definition)
  return rules.id > 0 && (rules.restrictedAttesterIds.length > 0 || rules.minimumVotingPower > 0n)
}

export interface QuorumTotalInput {
  /** The network's total voting power (OBLS `totalVotingPower()`). */
  networkTotal: bigint
  /**
   * The definition's snapshot total (OBLS `totalVotingPowerPerTaskDefinition(id)` storage).
   * Required when {@link usesDefinitionTotal}; 0 means "never computed" and, as on chain,
   * falls back to the network total.
   */
  definitionTotal?: bigint
  taskDefinition?: TaskDefinitionRules
}

function invalid(message: string, details: Record<string, unknown> = {}): ProtocolError {
  return new ProtocolError('QUORUM_INVALID_INPUT', message, { details })
}

function assertPower(name: string, value: unknown): asserts value is bigint {
  if (typeof value !== 'bigint' || value < 0n)
    throw invalid(`${name} must be a non-negative bigint`, { [name]: String(value) })
}

/** The voting-power total the contract measures this task's quorum against. */
export function quorumTotal(input: QuorumTotalInput): bigint {
  assertPower('networkTotal', input.networkTotal)
  if (!usesDefinitionTotal(input.taskDefinition)) return input.networkTotal
  if (input.definitionTotal === undefined) {
    throw invalid(
      'definitionTotal is required for a definition with restricted attesters or a minimum voting power',
    )
  }
  assertPower('definitionTotal', input.definitionTotal)
  return input.definitionTotal === 0n ? input.networkTotal : input.definitionTotal
}

/**
 * `total*2/3` to approve, `total*1/3` to reject, floored like Solidity. A required power of 0
 * (total 0, or too small to leave anything after flooring: total 1 for approve, < 3 for reject)
 * throws `InvalidRequiredVotingPower`, as OBLS.verifySignature reverts on it.
 */
export function requiredVotingPower(total: bigint, isApproved: boolean): bigint {
  assertPower('total', total)
  const required = isApproved ? (total * 2n) / 3n : (total * 1n) / 3n
  if (required === 0n) {
    throw new ProtocolError('InvalidRequiredVotingPower', `required voting power is 0 (total ${total})`, {
      details: { total: total.toString(), isApproved },
    })
  }
  return required
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
  /** `signed >= required`: the contract would accept the voting power. */
  reached: boolean
  /** How much more power is needed (0 once reached). */
  missing: bigint
}

/** Whether signed power meets the contract's threshold. Throws InvalidRequiredVotingPower / QUORUM_INVALID_INPUT. */
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
