// The node's JSON-RPC endpoint, compatible with Othentic's: `sendTask` (5–7 params, ECDSA or BLS
// performer signature) and `sendCustomMessage`, plus `eth_chainId` / `net_version` because ethers'
// JsonRpcProvider (every Othentic execution service) asks the chain id first and retries it every
// second until answered. Bad requests get JSON-RPC errors, never a crash.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  isNotification,
  isProtocolError,
  JSON_RPC_ERROR_CODES,
  type JsonRpcRequest,
  jsonRpcError,
  jsonRpcErrorFrom,
  jsonRpcResult,
  methodNotFound,
  parseJsonRpcPayload,
  parseSendCustomMessageParams,
  parseSendTaskParams,
  RPC_METHODS,
  type SendTaskRequest,
  WispError,
} from '@wisp/protocol'
import { NodeError } from './errors.js'

type Hex = `0x${string}`

export interface JsonRpcHandlers {
  sendTask(request: SendTaskRequest): Promise<{ taskHash: Hex }>
  sendCustomMessage(data: Hex): Promise<void>
}

export interface JsonRpcServerOptions {
  port: number
  /** Interface to bind; `0.0.0.0` (or `::`) for callers in other containers. Default `127.0.0.1`. */
  host?: string
  /** The network's chain id, answered to `eth_chainId` (0x-hex) and `net_version` (decimal). */
  chainId: number
  /** Larger bodies get HTTP 413 (`RPC_BODY_TOO_LARGE`). 1 … MAX_JSON_RPC_BODY_BYTES, the default. */
  maxBodyBytes?: number
  /** sendTask/sendCustomMessage calls in flight at once; more get -32005 (`RPC_LIMIT_EXCEEDED`). */
  maxInFlight?: number
  /** Answer `sendCustomMessage` (default true); off, it is -32601 `RPC_CUSTOM_MESSAGES_OFF`. */
  customMessages?: boolean
}

export interface JsonRpcServer {
  readonly url: string
  close(): Promise<void>
}

/** Bodies above this are refused before parsing: a sendTask is a few KiB at most. */
export const MAX_JSON_RPC_BODY_BYTES = 1024 * 1024
/** Default cap on handler calls in flight: each one holds gossip and engine work until it settles. */
export const DEFAULT_JSON_RPC_MAX_IN_FLIGHT = 64

/** Error numbers of the endpoint's own limits; `error.data.code` carries the string code. */
export const JSON_RPC_LIMIT_ERRORS = Object.freeze({
  /** the body is larger than `maxBodyBytes` (HTTP 413) */
  RPC_BODY_TOO_LARGE: JSON_RPC_ERROR_CODES.INVALID_REQUEST,
  /** `maxInFlight` calls are already running (EIP-1474's "limit exceeded"); retry later */
  RPC_LIMIT_EXCEEDED: -32005,
})

/** What an Ethereum client may ask; only the chain id is answered, the rest is not ours. */
const ETHEREUM_NAMESPACE = /^(eth|net|web3)_/

export async function startJsonRpcServer(
  options: JsonRpcServerOptions,
  handlers: JsonRpcHandlers,
): Promise<JsonRpcServer> {
  const maxBodyBytes = limit(
    options.maxBodyBytes,
    MAX_JSON_RPC_BODY_BYTES,
    'maxBodyBytes',
    MAX_JSON_RPC_BODY_BYTES,
  )
  const maxInFlight = limit(options.maxInFlight, DEFAULT_JSON_RPC_MAX_IN_FLIGHT, 'maxInFlight')
  const chainId = limit(options.chainId, undefined, 'chainId')
  const customMessages = options.customMessages ?? true
  const context: CallContext = { handlers, chainId, maxInFlight, customMessages, inFlight: 0 }
  const tooLarge = jsonRpcError(
    null,
    JSON_RPC_LIMIT_ERRORS.RPC_BODY_TOO_LARGE,
    `body larger than ${maxBodyBytes} bytes`,
    {
      code: 'RPC_BODY_TOO_LARGE',
      maxBodyBytes,
    },
  )
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(body === undefined ? '' : JSON.stringify(body, bigints))
    // the rest of an oversize body is not read: the connection closes after the 413
    const refuseLarge = () => {
      reply(413, tooLarge, { connection: 'close' })
      req.removeAllListeners('data')
      req.resume()
    }
    if (req.method !== 'POST') return reply(405, jsonRpcError(null, -32600, 'use POST'))
    if (Number(req.headers['content-length']) > maxBodyBytes) return refuseLarge()
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBodyBytes) refuseLarge()
      else chunks.push(chunk)
    })
    req.on('end', () => {
      if (res.headersSent) return
      void handle(Buffer.concat(chunks).toString('utf8'), context).then((answer) => reply(200, answer))
    })
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A positive integer option (≤ max when given), or its default. */
function limit(
  value: number | undefined,
  fallback: number | undefined,
  name: string,
  max = Number.MAX_SAFE_INTEGER,
) {
  const n = value ?? fallback
  if (n === undefined || !Number.isSafeInteger(n) || n < 1 || n > max)
    throw new NodeError(
      'NODE_BAD_FLAGS',
      `JSON-RPC ${name} must be an integer from 1 to ${max}, got ${value}`,
    )
  return n
}

interface CallContext {
  readonly handlers: JsonRpcHandlers
  readonly chainId: number
  readonly maxInFlight: number
  readonly customMessages: boolean
  inFlight: number
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

async function handle(body: string, context: CallContext): Promise<unknown> {
  const payload = parseJsonRpcPayload(body)
  const items = payload.batch ? payload.items : [payload.item]
  const answers = await Promise.all(
    items.map(async (item) => {
      if (!item.ok) return jsonRpcErrorFrom(item.id, item.error)
      const answer = await call(item.request, context)
      return isNotification(item.request) ? undefined : answer
    }),
  )
  const replies = answers.filter((a) => a !== undefined)
  return payload.batch ? replies : replies[0]
}

async function call(request: JsonRpcRequest, context: CallContext): Promise<unknown> {
  const id = request.id ?? null
  const { method } = request
  // answered exactly as an Ethereum node does: a 0x quantity, and the decimal string
  if (method === 'eth_chainId') return jsonRpcResult(id, `0x${context.chainId.toString(16)}`)
  if (method === 'net_version') return jsonRpcResult(id, String(context.chainId))
  if (method !== RPC_METHODS.sendTask && method !== RPC_METHODS.sendCustomMessage) {
    if (!ETHEREUM_NAMESPACE.test(method)) return jsonRpcErrorFrom(id, methodNotFound(method))
    const shown = method.slice(0, 64)
    return jsonRpcError(
      id,
      JSON_RPC_ERROR_CODES.METHOD_NOT_FOUND,
      `method ${shown} not found: this is an AVS node, not an Ethereum RPC (it answers eth_chainId and net_version only)`,
      { code: 'RPC_METHOD_NOT_FOUND', method: shown },
    )
  }
  if (method === RPC_METHODS.sendCustomMessage && !context.customMessages) {
    return jsonRpcError(
      id,
      JSON_RPC_ERROR_CODES.METHOD_NOT_FOUND,
      'sendCustomMessage is off on this node (start it with --json-rpc.custom-message-enabled)',
      { code: 'RPC_CUSTOM_MESSAGES_OFF', method },
    )
  }
  if (context.inFlight >= context.maxInFlight) {
    return jsonRpcError(
      id,
      JSON_RPC_LIMIT_ERRORS.RPC_LIMIT_EXCEEDED,
      `limit exceeded: ${context.maxInFlight} calls already in flight, retry later`,
      { code: 'RPC_LIMIT_EXCEEDED', maxInFlight: context.maxInFlight },
    )
  }
  context.inFlight++
  try {
    if (method === RPC_METHODS.sendTask) {
      const { taskHash } = await context.handlers.sendTask(parseSendTaskParams(request.params))
      return jsonRpcResult(id, taskHash)
    }
    await context.handlers.sendCustomMessage(parseSendCustomMessageParams(request.params).data)
    return jsonRpcResult(id, true)
  } catch (err) {
    if (err instanceof WispError && err.code in SEND_TASK_ERRORS) {
      const code = SEND_TASK_ERRORS[err.code as keyof typeof SEND_TASK_ERRORS]
      return jsonRpcError(id, code, err.message, { code: err.code, ...err.details })
    }
    // a coded failure of ours past parsing (no peers, wrong chain…) is a server error with its code
    if (err instanceof WispError && !isProtocolError(err))
      return jsonRpcError(id, SERVER_ERROR, err.message, { code: err.code })
    return jsonRpcErrorFrom(id, err)
  } finally {
    context.inFlight--
  }
}

/** JSON-RPC's "server error" range (-32000 to -32099) for failures that are not the caller's. */
const SERVER_ERROR = -32000

/**
 * sendTask refusals: the task is one no honest attester would vote on, so nothing was gossiped.
 * Stable numbers (and `error.data.code`) a performer service can branch on.
 */
export const SEND_TASK_ERRORS = Object.freeze({
  SEND_TASK_BAD_SIGNATURE: -32010,
  SEND_TASK_UNKNOWN_DEFINITION: -32011,
  SEND_TASK_INACTIVE_PERFORMER: -32012,
  SEND_TASK_NOT_ELECTED: -32013,
})
