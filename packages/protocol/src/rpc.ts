import type { Hex } from 'viem'
import { type Check, checkAddress, checkBoundedString, checkHexBytes, checkUint16 } from './check.js'
import { ProtocolError } from './codes.js'
import type { TaskInfo } from './hashes.js'
import { checkPerformerSignature, formatPerformerSignature, type PerformerSignature } from './signatures.js'
import { DEFAULT_WIRE_LIMITS, type WireLimits } from './wire/limits.js'

/** The JSON-RPC methods an Othentic-compatible node serves (docs/protocol.md §4). */
export const RPC_METHODS = { sendTask: 'sendTask', sendCustomMessage: 'sendCustomMessage' } as const

/** sendTask takes 5 params (ECDSA), or 6–7 with signatureType and targetChainId. */
export const SEND_TASK_MIN_PARAMS = 5
export const SEND_TASK_MAX_PARAMS = 7

export interface SendTaskRequest {
  task: TaskInfo
  signature: PerformerSignature
  /** The chain whose AttestationCenter should get the task, when the network spans several. */
  targetChainId?: number
}

const PARAM_NAMES = [
  'proofOfTask',
  'data',
  'taskDefinitionId',
  'performerAddress',
  'signature',
  'signatureType',
  'targetChainId',
] as const

function need<T>(index: number, check: Check<T>): T {
  if (check.ok) return check.value
  const param = PARAM_NAMES[index] ?? `#${index}`
  throw new ProtocolError('RPC_INVALID_PARAMS', `invalid param ${index} (${param}): ${check.reason}`, {
    details: { param, index, reason: check.reason },
  })
}

function params(value: unknown, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) {
    throw new ProtocolError('RPC_INVALID_PARAMS', 'params must be an array', {
      details: { reason: 'not an array' },
    })
  }
  if (value.length < min || value.length > max) {
    const expected = min === max ? `${min}` : `${min}–${max}`
    throw new ProtocolError('RPC_INVALID_PARAMS', `expected ${expected} params, got ${value.length}`, {
      details: { reason: 'wrong number of params', count: value.length },
    })
  }
  return value
}

/** Case-insensitive "ecdsa" | "bls"; null or absent means ECDSA (the 5-param form). */
function checkSignatureType(value: unknown): Check<'ecdsa' | 'bls'> {
  if (value === undefined || value === null) return { ok: true, value: 'ecdsa' }
  if (typeof value !== 'string') return { ok: false, reason: 'not a string' }
  const type = value.toLowerCase()
  if (type === 'ecdsa' || type === 'bls') return { ok: true, value: type }
  return { ok: false, reason: 'must be "ecdsa" or "bls"' }
}

function checkChainId(value: unknown): Check<number | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    return { ok: false, reason: 'not a positive integer' }
  }
  return { ok: true, value }
}

/**
 * `sendTask` params: `[proofOfTask, data, taskDefinitionId, performerAddress, signature,
 * signatureType?, targetChainId?]`. `data` is 0x-hex; the id a JSON number (uint16). The
 * signature is 65-byte ECDSA over the raw taskHash (v 0/1 normalised to 27/28) unless
 * signatureType is "bls", when it is the JSON string `{"x":"0x…","y":"0x…"}` (coordinates
 * range-checked against the BN254 field; curve membership is the BLS package's job).
 * Signature validity against the performer is not checked here. Limits are the wire limits, so
 * an accepted task can always be gossiped. Throws RPC_INVALID_PARAMS.
 */
export function parseSendTaskParams(
  value: unknown,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): SendTaskRequest {
  const p = params(value, SEND_TASK_MIN_PARAMS, SEND_TASK_MAX_PARAMS)
  const task: TaskInfo = {
    proofOfTask: need(0, checkBoundedString(p[0], limits.maxProofOfTaskLength)),
    data: need(1, checkHexBytes(p[1], limits.maxTaskDataBytes)),
    taskDefinitionId: need(2, checkUint16(p[2])),
    taskPerformer: need(3, checkAddress(p[3])),
  }
  const signatureType = need(5, checkSignatureType(p[5]))
  const signature = need(4, checkPerformerSignature(p[4], signatureType))
  const targetChainId = need(6, checkChainId(p[6]))
  return targetChainId === undefined ? { task, signature } : { task, signature, targetChainId }
}

/** The params array a performer sends; the inverse of {@link parseSendTaskParams}. */
export function buildSendTaskParams(request: SendTaskRequest): unknown[] {
  const { task, signature, targetChainId } = request
  const out: unknown[] = [
    task.proofOfTask,
    task.data,
    task.taskDefinitionId,
    task.taskPerformer,
    formatPerformerSignature(signature),
  ]
  // The 5-param form is what Othentic's docs show for ECDSA; add fields only when needed.
  if (signature.type === 'bls' || targetChainId !== undefined) out.push(signature.type)
  if (targetChainId !== undefined) out.push(targetChainId)
  return out
}

/** `sendCustomMessage` params: `[hexBytes]`. Throws RPC_INVALID_PARAMS. */
export function parseSendCustomMessageParams(
  value: unknown,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): { data: Hex } {
  const p = params(value, 1, 1)
  const data = checkHexBytes(p[0], limits.maxCustomMessageDataBytes)
  if (!data.ok) {
    throw new ProtocolError('RPC_INVALID_PARAMS', `invalid param 0 (data): ${data.reason}`, {
      details: { param: 'data', index: 0, reason: data.reason },
    })
  }
  return { data: data.value }
}

export function buildSendCustomMessageParams(data: Hex): unknown[] {
  return [data]
}
