import { isProtocolError, ProtocolError, type WireErrorCode } from '../codes.js'
import type { ErrorInfo, Result } from '../errors.js'
import { fromProto, type ProtoMessageMap, toProto } from './convert.js'
import { DEFAULT_WIRE_LIMITS, type WireLimits } from './limits.js'
import * as pb from './messages.gen.js'
import { scanMessage, withoutRanges } from './scan.js'
import { WIRE_SCHEMAS } from './schema.js'
import { WIRE_KINDS, type WireKind, type WireMessageMap } from './types.js'

interface ProtoCodec<T> {
  encode(value: T): Uint8Array
  decode(bytes: Uint8Array): T
}

const PROTO: { [K in WireKind]: ProtoCodec<ProtoMessageMap[K]> } = {
  task: pb.Task,
  attestation: pb.Attestation,
  taskSubmitted: pb.TaskSubmitted,
  customMessage: pb.CustomMessage,
  authRequest: pb.AuthRequest,
  authResponse: pb.AuthResponse,
}

const KIND_SET: ReadonlySet<string> = new Set(WIRE_KINDS)

/** A failed decode as plain data whose code is always one of the wire codes. */
export type WireErrorInfo = ErrorInfo & { code: WireErrorCode }

function assertKind(kind: unknown): asserts kind is WireKind {
  if (typeof kind !== 'string' || !KIND_SET.has(kind)) {
    throw new ProtocolError('WIRE_UNKNOWN_KIND', `unknown wire message kind ${String(kind)}`, {
      details: { kind: String(kind) },
    })
  }
}

function oversized(kind: WireKind, size: number, limit: number): ProtocolError {
  return new ProtocolError('WIRE_OVERSIZED', `${kind} message of ${size} bytes exceeds ${limit}`, {
    details: { kind, size, limit },
  })
}

/** Anything that is not already a wire error becomes WIRE_MALFORMED, keeping the original as cause. */
function asWireError(kind: string, err: unknown): ProtocolError {
  if (isProtocolError(err) && err.code.startsWith('WIRE_')) return err
  return new ProtocolError('WIRE_MALFORMED', `malformed ${kind} message`, {
    details: { kind, reason: err instanceof Error ? err.message : String(err) },
    cause: err,
  })
}

function decodeUnchecked<K extends WireKind>(
  kind: K,
  bytes: Uint8Array,
  limits: WireLimits,
): WireMessageMap[K] {
  const limit = limits.maxMessageBytes[kind]
  if (bytes.length > limit) throw oversized(kind, bytes.length, limit)
  const scan = scanMessage(kind, WIRE_SCHEMAS[kind], bytes)
  const proto = PROTO[kind].decode(withoutRanges(bytes, scan.packedRanges))
  // protons cannot read packed repeated fields; the scan collected them in wire order.
  Object.assign(proto, scan.repeated)
  return fromProto[kind](proto, limits)
}

/**
 * Decodes and validates one message. Throws only a {@link ProtocolError} with a WIRE_* code:
 * WIRE_OVERSIZED (before parsing), WIRE_MALFORMED (bad protobuf: truncation, wrong wire types,
 * duplicate fields), WIRE_INVALID_FIELD (well-formed but a field breaks the rules) or
 * WIRE_UNKNOWN_KIND. Unknown field numbers are skipped for forward compatibility.
 */
export function decodeMessage<K extends WireKind>(
  kind: K,
  bytes: Uint8Array,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): WireMessageMap[K] {
  assertKind(kind)
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError('WIRE_MALFORMED', `${kind} input is not a Uint8Array`, {
      details: { kind, reason: 'not a Uint8Array' },
    })
  }
  try {
    return decodeUnchecked(kind, bytes, limits)
  } catch (err) {
    throw asWireError(kind, err)
  }
}

/** {@link decodeMessage} as a result union, for gossip validators and worker boundaries. Never throws. */
export function safeDecodeMessage<K extends WireKind>(
  kind: K,
  bytes: Uint8Array,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): Result<WireMessageMap[K], WireErrorInfo> {
  try {
    return { ok: true, value: decodeMessage(kind, bytes, limits) }
  } catch (err) {
    const wireErr = asWireError(String(kind), err)
    return {
      ok: false,
      error: {
        name: wireErr.name,
        code: wireErr.code as WireErrorCode,
        message: wireErr.message,
        details: { ...wireErr.details },
      },
    }
  }
}

/**
 * Validates and encodes one message in canonical form (checksummed addresses, lower-case hex,
 * ECDSA v = 27/28, 64-digit BLS coordinates). Refuses what {@link decodeMessage} would refuse,
 * so we never gossip a message honest peers reject. Throws only WIRE_* ProtocolErrors.
 */
export function encodeMessage<K extends WireKind>(
  kind: K,
  value: WireMessageMap[K],
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): Uint8Array {
  assertKind(kind)
  if (typeof value !== 'object' || value === null) {
    throw new ProtocolError('WIRE_INVALID_FIELD', `${kind} value is not an object`, {
      details: { kind, field: '', reason: 'not an object' },
    })
  }
  try {
    const canonical = fromProto[kind](toProto[kind](value), limits)
    const bytes = PROTO[kind].encode(toProto[kind](canonical))
    const limit = limits.maxMessageBytes[kind]
    if (bytes.length > limit) throw oversized(kind, bytes.length, limit)
    return bytes
  } catch (err) {
    throw asWireError(kind, err)
  }
}

// Per-kind shorthands, so call sites read `encodeTask(task)`.
type Enc<K extends WireKind> = (value: WireMessageMap[K], limits?: WireLimits) => Uint8Array
type Dec<K extends WireKind> = (bytes: Uint8Array, limits?: WireLimits) => WireMessageMap[K]

export const encodeTask: Enc<'task'> = (v, l) => encodeMessage('task', v, l)
export const decodeTask: Dec<'task'> = (b, l) => decodeMessage('task', b, l)
export const encodeAttestation: Enc<'attestation'> = (v, l) => encodeMessage('attestation', v, l)
export const decodeAttestation: Dec<'attestation'> = (b, l) => decodeMessage('attestation', b, l)
export const encodeTaskSubmitted: Enc<'taskSubmitted'> = (v, l) => encodeMessage('taskSubmitted', v, l)
export const decodeTaskSubmitted: Dec<'taskSubmitted'> = (b, l) => decodeMessage('taskSubmitted', b, l)
export const encodeCustomMessage: Enc<'customMessage'> = (v, l) => encodeMessage('customMessage', v, l)
export const decodeCustomMessage: Dec<'customMessage'> = (b, l) => decodeMessage('customMessage', b, l)
export const encodeAuthRequest: Enc<'authRequest'> = (v, l) => encodeMessage('authRequest', v, l)
export const decodeAuthRequest: Dec<'authRequest'> = (b, l) => decodeMessage('authRequest', b, l)
export const encodeAuthResponse: Enc<'authResponse'> = (v, l) => encodeMessage('authResponse', v, l)
export const decodeAuthResponse: Dec<'authResponse'> = (b, l) => decodeMessage('authResponse', b, l)
