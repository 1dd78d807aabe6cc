import { WispError } from './errors.js'

/** Gossip/auth message decoding and encoding (src/wire). */
export const WIRE_ERROR_CODES = [
  'WIRE_OVERSIZED',
  'WIRE_MALFORMED',
  'WIRE_INVALID_FIELD',
  'WIRE_UNKNOWN_KIND',
] as const
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number]

/** JSON-RPC envelope and method params; each maps to a JSON-RPC 2.0 error code. */
export const RPC_ERROR_CODES = [
  'RPC_PARSE_ERROR',
  'RPC_INVALID_REQUEST',
  'RPC_METHOD_NOT_FOUND',
  'RPC_INVALID_PARAMS',
] as const
export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number]

/**
 * AttestationCenter/OBLS revert names (docs/protocol.md §3). Quorum math and attester checks use
 * them as codes, so an off-chain refusal reads the same as the on-chain revert it predicts.
 */
export const CONTRACT_ERROR_CODES = [
  'MessageAlreadySigned',
  'InvalidPerformerSignature',
  'InactiveTaskPerformer',
  'InactiveAggregator',
  'InvalidTaskDefinition',
  'TaskDefinitionNotFound',
  'InvalidRestrictedAttester',
  'InvalidAttesterSet',
  'InvalidMaximumNumberOfAttesters',
  'InvalidOperatorIndexes',
  'OperatorDoesNotHaveMinimumVotingPower',
  'InactiveOperator',
  'InsufficientVotingPower',
  'InvalidRequiredVotingPower',
  'InvalidOBLSSignature',
] as const
export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[number]

/** Why one attester cannot be part of a submission (a subset of the contract errors). */
export const ATTESTER_REJECTION_CODES = [
  'InvalidOperatorIndexes',
  'InvalidRestrictedAttester',
  'OperatorDoesNotHaveMinimumVotingPower',
  'InactiveOperator',
  'InvalidMaximumNumberOfAttesters',
] as const satisfies readonly ContractErrorCode[]
export type AttesterRejectionCode = (typeof ATTESTER_REJECTION_CODES)[number]

/** Programming errors in inputs to the pure rule functions (negative power, bad ids…). */
export const INPUT_ERROR_CODES = ['INVALID_VALUE', 'QUORUM_INVALID_INPUT', 'LEADER_INVALID_INPUT'] as const
export type InputErrorCode = (typeof INPUT_ERROR_CODES)[number]

export const LEADER_ERROR_CODES = ['LEADER_NO_ACTIVE_OPERATORS'] as const
export type LeaderErrorCode = (typeof LEADER_ERROR_CODES)[number]

export const TOPIC_ERROR_CODES = ['TOPIC_INVALID_NAMESPACE'] as const
export type TopicErrorCode = (typeof TOPIC_ERROR_CODES)[number]

export const VALIDATION_SERVICE_ERROR_CODES = ['VALIDATION_REQUEST_INVALID'] as const
export type ValidationServiceErrorCode = (typeof VALIDATION_SERVICE_ERROR_CODES)[number]

/**
 * Why a validation-service call produced no vote. Not errors of this package (nothing throws
 * them) but outcomes callers switch on: a broken service must never turn into a reject vote.
 */
export const NO_VOTE_REASONS = [
  'SERVICE_ERROR',
  'HTTP_STATUS',
  'MALFORMED_ANSWER',
  'TIMEOUT',
  'UNREACHABLE',
] as const
export type NoVoteReason = (typeof NO_VOTE_REASONS)[number]

export const PROTOCOL_ERROR_CODES = [
  ...WIRE_ERROR_CODES,
  ...RPC_ERROR_CODES,
  ...CONTRACT_ERROR_CODES,
  ...INPUT_ERROR_CODES,
  ...LEADER_ERROR_CODES,
  ...TOPIC_ERROR_CODES,
  ...VALIDATION_SERVICE_ERROR_CODES,
] as const
/** Every code a function of this package can throw. */
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number]

const CODE_SET: ReadonlySet<string> = new Set(PROTOCOL_ERROR_CODES)

export function isProtocolErrorCode(code: unknown): code is ProtocolErrorCode {
  return typeof code === 'string' && CODE_SET.has(code)
}

/** The error every function of this package throws; `name` is stable for the package. */
export class ProtocolError<Code extends ProtocolErrorCode = ProtocolErrorCode> extends WispError<Code> {
  constructor(
    code: Code,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'ProtocolError' })
  }
}

export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof WispError && err.name === 'ProtocolError' && isProtocolErrorCode(err.code)
}
