import {
  type Check,
  checkAddress,
  checkBoolean,
  checkBoundedString,
  checkBytes32,
  checkHexBytes,
  checkOperatorId,
  checkUint16,
  MAX_UINT32,
} from '../check.js'
import { ProtocolError } from '../codes.js'
import {
  checkG1Point,
  checkPerformerSignature,
  formatFieldElement,
  formatPerformerSignature,
} from '../signatures.js'
import type { WireLimits } from './limits.js'
import type * as pb from './messages.gen.js'
import type { WireKind, WireMessageMap } from './types.js'

/** The protons-generated shape of each kind. */
export interface ProtoMessageMap {
  task: pb.Task
  attestation: pb.Attestation
  taskSubmitted: pb.TaskSubmitted
  customMessage: pb.CustomMessage
  authRequest: pb.AuthRequest
  authResponse: pb.AuthResponse
}

function need<T>(kind: WireKind, field: string, check: Check<T>): T {
  if (check.ok) return check.value
  throw new ProtocolError('WIRE_INVALID_FIELD', `invalid ${kind}.${field}: ${check.reason}`, {
    details: { kind, field, reason: check.reason },
  })
}

function present<T>(kind: WireKind, field: string, value: T | undefined): T {
  if (value !== undefined && value !== null) return value
  throw new ProtocolError('WIRE_INVALID_FIELD', `invalid ${kind}.${field}: missing`, {
    details: { kind, field, reason: 'missing' },
  })
}

function challenge(kind: WireKind, field: string, value: unknown, limits: WireLimits): Uint8Array {
  if (!(value instanceof Uint8Array)) return need(kind, field, { ok: false, reason: 'not bytes' })
  if (value.length < limits.minAuthChallengeBytes || value.length > limits.maxAuthChallengeBytes) {
    need(kind, field, {
      ok: false,
      reason: `must be ${limits.minAuthChallengeBytes}–${limits.maxAuthChallengeBytes} bytes`,
    })
  }
  // A plain copy: decoded bytes are a view of the input (in Node often a pooled buffer whose slice() is a view too).
  return new Uint8Array(value)
}

type FromProto = { [K in WireKind]: (m: ProtoMessageMap[K], limits: WireLimits) => WireMessageMap[K] }

/** Semantic validation of a decoded message, producing the canonical domain form. */
export const fromProto: FromProto = {
  task: (m, limits) => ({
    proofOfTask: need('task', 'proofOfTask', checkBoundedString(m.proofOfTask, limits.maxProofOfTaskLength)),
    data: need('task', 'data', checkHexBytes(m.data, limits.maxTaskDataBytes)),
    performer: need('task', 'performer', checkAddress(m.performer)),
    definitionId: need('task', 'definitionId', checkUint16(m.definitionId)),
    signature: need('task', 'signature', checkPerformerSignature(m.signature)),
  }),
  attestation: (m, limits) => {
    const performer = present('attestation', 'performer', m.performer)
    const attester = present('attestation', 'attester', m.attester)
    return {
      proofOfTask: need(
        'attestation',
        'proofOfTask',
        checkBoundedString(m.proofOfTask, limits.maxProofOfTaskLength),
      ),
      data: need('attestation', 'data', checkHexBytes(m.data, limits.maxTaskDataBytes)),
      performer: {
        address: need('attestation', 'performer.address', checkAddress(performer.address)),
        signature: need('attestation', 'performer.signature', checkPerformerSignature(performer.signature)),
      },
      attester: {
        address: need('attestation', 'attester.address', checkAddress(attester.address)),
        signature: need(
          'attestation',
          'attester.signature',
          checkG1Point(present('attestation', 'attester.signature', attester.signature)),
        ),
      },
      isApproved: need('attestation', 'isApproved', checkBoolean(m.isApproved)),
      definitionId: need('attestation', 'definitionId', checkUint16(m.definitionId)),
    }
  },
  taskSubmitted: (m, limits) => {
    const ids = m.operatorIds
    if (!Array.isArray(ids)) need('taskSubmitted', 'operatorIds', { ok: false, reason: 'not a list' })
    if (ids.length > limits.maxOperatorIds) {
      need('taskSubmitted', 'operatorIds', { ok: false, reason: `more than ${limits.maxOperatorIds} ids` })
    }
    return {
      taskId: need('taskSubmitted', 'taskId', checkBoundedString(m.taskId, limits.maxTaskIdLength)),
      txHash: need('taskSubmitted', 'txHash', checkBytes32(m.txHash)),
      performerAddress: need('taskSubmitted', 'performerAddress', checkAddress(m.performerAddress)),
      operatorIds: ids.map((id, i) =>
        need('taskSubmitted', `operatorIds[${i}]`, checkOperatorId(id, MAX_UINT32)),
      ),
      definitionId: need('taskSubmitted', 'definitionId', checkUint16(m.definitionId)),
      isApproved: need('taskSubmitted', 'isApproved', checkBoolean(m.isApproved)),
    }
  },
  customMessage: (m, limits) => ({
    data: need('customMessage', 'data', checkHexBytes(m.data, limits.maxCustomMessageDataBytes)),
  }),
  authRequest: (m, limits) => ({ challenge: challenge('authRequest', 'challenge', m.challenge, limits) }),
  authResponse: (m, limits) => ({
    address: need('authResponse', 'address', checkAddress(m.address)),
    operatorId: need('authResponse', 'operatorId', checkOperatorId(m.operatorId, MAX_UINT32)),
    challenge: challenge('authResponse', 'challenge', m.challenge, limits),
    signature: need(
      'authResponse',
      'signature',
      checkG1Point(present('authResponse', 'signature', m.signature)),
    ),
  }),
}

// Encoding formats only well-typed values; anything else is passed through unchanged so that
// validation (fromProto) reports it as an invalid field instead of a TypeError escaping.
function coordinate(value: unknown): unknown {
  return typeof value === 'bigint' && value >= 0n ? formatFieldElement(value) : value
}

function g1(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  const { x, y } = value as { x?: unknown; y?: unknown }
  return { x: coordinate(x), y: coordinate(y) }
}

function performerSignature(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  const sig = value as { type?: unknown; signature?: unknown }
  if (sig.type === 'ecdsa') return sig.signature
  if (sig.type === 'bls') {
    const point = g1(sig.signature)
    const check = checkG1Point(point)
    return check.ok ? formatPerformerSignature({ type: 'bls', signature: check.value }) : point
  }
  return value
}

type ToProto = { [K in WireKind]: (v: WireMessageMap[K]) => ProtoMessageMap[K] }

/**
 * The protons shape of a domain value. The result is not yet validated and may carry wrongly
 * typed values from untyped callers; the codec validates it with {@link fromProto}.
 */
export const toProto: ToProto = {
  task: (v) => ({
    signature: performerSignature(v.signature) as string,
    performer: v.performer,
    proofOfTask: v.proofOfTask,
    data: v.data,
    definitionId: v.definitionId,
  }),
  attestation: (v) => ({
    proofOfTask: v.proofOfTask,
    data: v.data,
    performer:
      v.performer === undefined || v.performer === null
        ? undefined
        : { address: v.performer.address, signature: performerSignature(v.performer.signature) as string },
    attester:
      v.attester === undefined || v.attester === null
        ? undefined
        : { address: v.attester.address, signature: g1(v.attester.signature) as pb.G1Signature },
    isApproved: v.isApproved,
    definitionId: v.definitionId,
  }),
  taskSubmitted: (v) => ({
    taskId: v.taskId,
    txHash: v.txHash,
    performerAddress: v.performerAddress,
    operatorIds: v.operatorIds,
    definitionId: v.definitionId,
    isApproved: v.isApproved,
  }),
  customMessage: (v) => ({ data: v.data }),
  authRequest: (v) => ({ challenge: v.challenge as Uint8Array<ArrayBuffer> }),
  authResponse: (v) => ({
    address: v.address,
    operatorId: v.operatorId,
    challenge: v.challenge as Uint8Array<ArrayBuffer>,
    signature: g1(v.signature) as pb.G1Signature,
  }),
}
