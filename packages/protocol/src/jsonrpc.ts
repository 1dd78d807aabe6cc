import { isProtocolError, ProtocolError, type RpcErrorCode } from './codes.js'

/** JSON-RPC 2.0 error codes (https://www.jsonrpc.org/specification#error_object). */
export const JSON_RPC_ERROR_CODES = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
} as const

const CODE_OF: Readonly<Record<RpcErrorCode, number>> = {
  RPC_PARSE_ERROR: JSON_RPC_ERROR_CODES.PARSE_ERROR,
  RPC_INVALID_REQUEST: JSON_RPC_ERROR_CODES.INVALID_REQUEST,
  RPC_METHOD_NOT_FOUND: JSON_RPC_ERROR_CODES.METHOD_NOT_FOUND,
  RPC_INVALID_PARAMS: JSON_RPC_ERROR_CODES.INVALID_PARAMS,
}

/**
 * A sendTask body is < 50 KB even with maximal data and proof (see wire/limits.ts); a batch of
 * them stays well under this. The HTTP server should also cap bytes before reading the body.
 */
export const MAX_JSON_RPC_BODY_LENGTH = 1024 * 1024
/** More than this many calls in one batch is abuse, not a performer. */
export const MAX_JSON_RPC_BATCH = 32

export type JsonRpcId = string | number | null

export interface JsonRpcRequest {
  jsonrpc: '2.0'
  method: string
  params?: unknown[] | Record<string, unknown>
  /** Absent for a notification, which gets no response. */
  id?: JsonRpcId
}

export interface JsonRpcErrorObject {
  code: number
  message: string
  data?: unknown
}

export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcErrorObject }

/** One call of a payload: a valid request, or the error to answer it with. */
export type JsonRpcItem =
  | { ok: true; request: JsonRpcRequest }
  | { ok: false; id: JsonRpcId; error: ProtocolError }

export type JsonRpcPayload = { batch: false; item: JsonRpcItem } | { batch: true; items: JsonRpcItem[] }

function rpcError(code: RpcErrorCode, message: string, details: Record<string, unknown> = {}): ProtocolError {
  return new ProtocolError(code, message, { details })
}

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
}

/** The id to answer with: the request's own when it is usable, else null (as the spec says). */
function idOf(value: unknown): JsonRpcId {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const id = (value as { id?: unknown }).id
  return isId(id) ? id : null
}

/** Validates one request object (not a batch). Throws RPC_INVALID_REQUEST. */
export function parseJsonRpcRequest(value: unknown): JsonRpcRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw rpcError('RPC_INVALID_REQUEST', 'request is not an object')
  }
  const obj = value as Record<string, unknown>
  if (obj.jsonrpc !== '2.0') throw rpcError('RPC_INVALID_REQUEST', 'jsonrpc must be "2.0"')
  if (typeof obj.method !== 'string' || obj.method.length === 0) {
    throw rpcError('RPC_INVALID_REQUEST', 'method must be a non-empty string')
  }
  const { params } = obj
  if (params !== undefined && (typeof params !== 'object' || params === null)) {
    throw rpcError('RPC_INVALID_REQUEST', 'params must be an array or an object')
  }
  if ('id' in obj && !isId(obj.id))
    throw rpcError('RPC_INVALID_REQUEST', 'id must be a string, number or null')
  const request: JsonRpcRequest = { jsonrpc: '2.0', method: obj.method }
  if (params !== undefined) request.params = params as unknown[] | Record<string, unknown>
  if ('id' in obj) request.id = obj.id as JsonRpcId
  return request
}

function item(value: unknown): JsonRpcItem {
  try {
    return { ok: true, request: parseJsonRpcRequest(value) }
  } catch (err) {
    const error = err instanceof ProtocolError ? err : rpcError('RPC_INVALID_REQUEST', 'invalid request')
    return { ok: false, id: idOf(value), error }
  }
}

/**
 * Parses an HTTP body into requests. Never throws: unparseable JSON, an empty or oversized batch
 * and invalid requests become items carrying the error to answer with.
 */
export function parseJsonRpcPayload(body: string): JsonRpcPayload {
  if (typeof body !== 'string' || body.length > MAX_JSON_RPC_BODY_LENGTH) {
    return {
      batch: false,
      item: { ok: false, id: null, error: rpcError('RPC_INVALID_REQUEST', 'body too large') },
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (err) {
    const error = new ProtocolError('RPC_PARSE_ERROR', 'body is not valid JSON', { cause: err })
    return { batch: false, item: { ok: false, id: null, error } }
  }
  if (!Array.isArray(parsed)) return { batch: false, item: item(parsed) }
  if (parsed.length === 0 || parsed.length > MAX_JSON_RPC_BATCH) {
    const error = rpcError('RPC_INVALID_REQUEST', `batch must hold 1–${MAX_JSON_RPC_BATCH} requests`)
    return { batch: false, item: { ok: false, id: null, error } }
  }
  return { batch: true, items: parsed.map(item) }
}

export function isNotification(request: JsonRpcRequest): boolean {
  return !('id' in request)
}

export function jsonRpcResult(id: JsonRpcId, result: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id, result }
}

export function jsonRpcError(id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } }
}

/**
 * The error response for anything thrown while handling a call. RPC_* errors keep their message
 * and details (they describe the caller's input); anything else is a bare internal error so
 * no internals leak to clients.
 */
export function jsonRpcErrorFrom(id: JsonRpcId, err: unknown): JsonRpcResponse {
  if (isProtocolError(err) && err.code in CODE_OF) {
    const code = CODE_OF[err.code as RpcErrorCode]
    const data = Object.keys(err.details).length > 0 ? { code: err.code, ...err.details } : { code: err.code }
    return jsonRpcError(id, code, err.message, data)
  }
  return jsonRpcError(id, JSON_RPC_ERROR_CODES.INTERNAL_ERROR, 'Internal error')
}

/** The error to throw for an unknown method. */
export function methodNotFound(method: string): ProtocolError {
  // Echo at most a short prefix of a client-chosen string.
  const shown = method.slice(0, 64)
  return rpcError('RPC_METHOD_NOT_FOUND', `method ${shown} not found`, { method: shown })
}
