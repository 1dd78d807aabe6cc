// The node's JSON-RPC endpoint, compatible with Othentic's: `sendTask` (5–7 params, ECDSA or BLS
// performer signature) and `sendCustomMessage`. Bad requests get JSON-RPC errors, never a crash.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  isNotification,
  isProtocolError,
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

type Hex = `0x${string}`

export interface JsonRpcHandlers {
  sendTask(request: SendTaskRequest): Promise<{ taskHash: Hex }>
  sendCustomMessage(data: Hex): Promise<void>
}

export interface JsonRpcServer {
  readonly url: string
  close(): Promise<void>
}

/** Bodies above this are refused before parsing: a sendTask is a few KiB at most. */
export const MAX_JSON_RPC_BODY_BYTES = 1024 * 1024

export async function startJsonRpcServer(
  options: { port: number; host?: string },
  handlers: JsonRpcHandlers,
): Promise<JsonRpcServer> {
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(body === undefined ? '' : JSON.stringify(body, bigints))
    if (req.method !== 'POST') return reply(405, jsonRpcError(null, -32600, 'use POST'))
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_JSON_RPC_BODY_BYTES) {
        reply(413, jsonRpcError(null, -32600, `body larger than ${MAX_JSON_RPC_BODY_BYTES} bytes`))
        req.destroy()
      } else chunks.push(chunk)
    })
    req.on('end', () => {
      if (res.headersSent) return
      void handle(Buffer.concat(chunks).toString('utf8'), handlers).then((answer) => reply(200, answer))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

async function handle(body: string, handlers: JsonRpcHandlers): Promise<unknown> {
  const payload = parseJsonRpcPayload(body)
  const items = payload.batch ? payload.items : [payload.item]
  const answers = await Promise.all(
    items.map(async (item) => {
      if (!item.ok) return jsonRpcErrorFrom(item.id, item.error)
      const answer = await call(item.request, handlers)
      return isNotification(item.request) ? undefined : answer
    }),
  )
  const replies = answers.filter((a) => a !== undefined)
  return payload.batch ? replies : replies[0]
}

async function call(request: JsonRpcRequest, handlers: JsonRpcHandlers): Promise<unknown> {
  const id = request.id ?? null
  try {
    switch (request.method) {
      case RPC_METHODS.sendTask: {
        const { taskHash } = await handlers.sendTask(parseSendTaskParams(request.params))
        return jsonRpcResult(id, taskHash)
      }
      case RPC_METHODS.sendCustomMessage: {
        await handlers.sendCustomMessage(parseSendCustomMessageParams(request.params).data)
        return jsonRpcResult(id, true)
      }
      default:
        throw methodNotFound(request.method)
    }
  } catch (err) {
    if (err instanceof WispError && err.code in SEND_TASK_ERRORS) {
      const code = SEND_TASK_ERRORS[err.code as keyof typeof SEND_TASK_ERRORS]
      return jsonRpcError(id, code, err.message, { code: err.code, ...err.details })
    }
    // a coded failure of ours past parsing (no peers, wrong chain…) is a server error with its code
    if (err instanceof WispError && !isProtocolError(err))
      return jsonRpcError(id, SERVER_ERROR, err.message, { code: err.code })
    return jsonRpcErrorFrom(id, err)
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
