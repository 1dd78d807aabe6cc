import type { Address, Hex } from 'viem'
import { type Check, checkAddress, checkBoundedString, checkHexBytes, checkUint16 } from './check.js'
import { type NoVoteReason, ProtocolError } from './codes.js'
import type { TaskInfo } from './hashes.js'
import { DEFAULT_WIRE_LIMITS, type WireLimits } from './wire/limits.js'

/** HTTP paths of an AVS's services (docs/protocol.md §4; port 4002 in Othentic's examples). */
export const VALIDATION_SERVICE_PATHS = {
  validate: '/task/validate',
  customMessage: '/p2p/message',
  execute: '/task/execute',
} as const

/** Body of `POST /task/validate` as a Wisp or Othentic attester sends it. */
export interface ValidationRequest {
  proofOfTask: string
  data: Hex
  taskDefinitionId: number
  performer: Address
}

/** A received request. `performer` is optional: older Othentic nodes do not send it. */
export interface ParsedValidationRequest {
  proofOfTask: string
  data: Hex
  taskDefinitionId: number
  performer?: Address
}

export function buildValidationRequest(task: TaskInfo): ValidationRequest {
  return {
    proofOfTask: task.proofOfTask,
    data: task.data,
    taskDefinitionId: task.taskDefinitionId,
    performer: task.taskPerformer,
  }
}

function need<T>(field: string, check: Check<T>): T {
  if (check.ok) return check.value
  throw new ProtocolError('VALIDATION_REQUEST_INVALID', `invalid ${field}: ${check.reason}`, {
    details: { field, reason: check.reason },
  })
}

const DECIMAL_ID_RE = /^[0-9]{1,5}$/

/** A number, or a decimal string as Othentic's docs show it (`"taskDefinitionID": "<id>"`). */
function checkDefinitionId(value: unknown): Check<number> {
  if (typeof value === 'string' && DECIMAL_ID_RE.test(value)) return checkUint16(Number(value))
  return checkUint16(value)
}

/**
 * For validation services written with this package: parses a `/task/validate` body,
 * accepting `taskDefinitionID` as well as `taskDefinitionId` (**decision**, docs/protocol.md §4).
 * Throws VALIDATION_REQUEST_INVALID.
 */
export function parseValidationRequest(
  body: unknown,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): ParsedValidationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProtocolError('VALIDATION_REQUEST_INVALID', 'body is not an object', { details: { field: '' } })
  }
  const b = body as Record<string, unknown>
  const rawId = b.taskDefinitionId !== undefined ? b.taskDefinitionId : b.taskDefinitionID
  const request: ParsedValidationRequest = {
    proofOfTask: need('proofOfTask', checkBoundedString(b.proofOfTask, limits.maxProofOfTaskLength)),
    data: need('data', checkHexBytes(b.data, limits.maxTaskDataBytes)),
    taskDefinitionId: need('taskDefinitionId', checkDefinitionId(rawId)),
  }
  if (b.performer !== undefined && b.performer !== null)
    request.performer = need('performer', checkAddress(b.performer))
  return request
}

/**
 * What an attester does with a validation-service answer. A service error, a timeout or an
 * answer we cannot read is `no-vote`, never `reject`: a broken service must not get anyone slashed.
 */
export type ValidationOutcome =
  | { verdict: 'approve' }
  | { verdict: 'reject'; message?: string }
  | { verdict: 'no-vote'; reason: NoVoteReason; message: string }

export function noVote(reason: NoVoteReason, message: string): ValidationOutcome {
  return { verdict: 'no-vote', reason, message }
}

/** Service messages end up in logs; keep a bounded prefix. */
const MAX_SERVICE_MESSAGE_LENGTH = 512

function messageOf(body: Record<string, unknown>): string | undefined {
  return typeof body.message === 'string' ? body.message.slice(0, MAX_SERVICE_MESSAGE_LENGTH) : undefined
}

/** `data: true|false`, or the alternate `data: {result: bool}` (**decision**, docs/protocol.md §4). */
function verdictOf(data: unknown): boolean | undefined {
  if (typeof data === 'boolean') return data
  if (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { result?: unknown }).result === 'boolean'
  ) {
    return (data as { result: boolean }).result
  }
  return undefined
}

/**
 * Reads a `/task/validate` answer: `200 {"data": bool, "error": false, "message": null}` or
 * `{"data": {"result": bool}}`. `body` is the parsed JSON or the raw text. Any 2xx counts as
 * success; 5xx or `"error": true` is SERVICE_ERROR, other statuses HTTP_STATUS, anything
 * unreadable MALFORMED_ANSWER. Never throws.
 */
export function parseValidationAnswer(answer: { status: number; body: unknown }): ValidationOutcome {
  let body = answer.body
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body)
    } catch {
      body = undefined
    }
  }
  const obj =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {}
  const message = messageOf(obj)
  const { status } = answer
  if (!Number.isInteger(status) || status < 200 || status > 299) {
    const reason: NoVoteReason = status >= 500 && status <= 599 ? 'SERVICE_ERROR' : 'HTTP_STATUS'
    return noVote(reason, message ?? `validation service answered HTTP ${String(status)}`)
  }
  if (obj.error === true) return noVote('SERVICE_ERROR', message ?? 'validation service reported an error')
  const verdict = verdictOf(obj.data)
  if (verdict === undefined) return noVote('MALFORMED_ANSWER', 'answer has no boolean data or data.result')
  if (verdict) return { verdict: 'approve' }
  return message === undefined ? { verdict: 'reject' } : { verdict: 'reject', message }
}

/** For service implementers: the 200 body of a verdict. */
export function buildValidationAnswer(approve: boolean): { data: boolean; error: false; message: null } {
  return { data: approve, error: false, message: null }
}

/** For service implementers: the 500 body of a failure (attesters treat it as no vote). */
export function buildValidationError(message: string): {
  data: Record<string, never>
  error: true
  message: string
} {
  return { data: {}, error: true, message }
}

/** Body of `POST /p2p/message`, how a node forwards a received custom message to its service. */
export function buildCustomMessageForward(data: Hex): { data: Hex } {
  return { data }
}
