import { describe, expect, it } from 'vitest'
import {
  isNotification,
  JSON_RPC_ERROR_CODES,
  jsonRpcError,
  jsonRpcErrorFrom,
  jsonRpcResult,
  MAX_JSON_RPC_BATCH,
  methodNotFound,
  ProtocolError,
  parseJsonRpcPayload,
  parseJsonRpcRequest,
  parseSendTaskParams,
} from '../src/index.js'
import { expectCode, thrown } from './helpers.js'

const single = (body: string) => {
  const p = parseJsonRpcPayload(body)
  if (p.batch) throw new Error('unexpected batch')
  return p.item
}

describe('parseJsonRpcPayload', () => {
  it('parses a request with array or object params, or none', () => {
    expect(single('{"jsonrpc":"2.0","method":"sendTask","params":[1],"id":1}')).toEqual({
      ok: true,
      request: { jsonrpc: '2.0', method: 'sendTask', params: [1], id: 1 },
    })
    expect(single('{"jsonrpc":"2.0","method":"m","params":{"a":1},"id":"x"}')).toMatchObject({ ok: true })
    expect(single('{"jsonrpc":"2.0","method":"m","id":null}')).toMatchObject({
      ok: true,
      request: { id: null },
    })
  })

  it('a request without id is a notification', () => {
    const item = single('{"jsonrpc":"2.0","method":"m"}')
    expect(item.ok && isNotification(item.request)).toBe(true)
    const withId = single('{"jsonrpc":"2.0","method":"m","id":0}')
    expect(withId.ok && isNotification(withId.request)).toBe(false)
  })

  it('invalid JSON is RPC_PARSE_ERROR with id null', () => {
    expect(single('{"jsonrpc":')).toMatchObject({ ok: false, id: null, error: { code: 'RPC_PARSE_ERROR' } })
  })

  it('invalid requests are RPC_INVALID_REQUEST, keeping a usable id', () => {
    const cases: Array<[string, unknown]> = [
      ['{"method":"m","id":3}', 3],
      ['{"jsonrpc":"1.0","method":"m","id":"a"}', 'a'],
      ['{"jsonrpc":"2.0","method":5,"id":3}', 3],
      ['{"jsonrpc":"2.0","method":"","id":3}', 3],
      ['{"jsonrpc":"2.0","method":"m","params":"x","id":3}', 3],
      ['{"jsonrpc":"2.0","method":"m","params":null,"id":3}', 3],
      ['{"jsonrpc":"2.0","method":"m","id":{}}', null],
      ['"hello"', null],
      ['42', null],
      ['null', null],
    ]
    for (const [body, id] of cases) {
      expect(single(body)).toMatchObject({ ok: false, id, error: { code: 'RPC_INVALID_REQUEST' } })
    }
  })

  it('batches: each entry parsed on its own; empty or oversized batches refused', () => {
    const p = parseJsonRpcPayload('[{"jsonrpc":"2.0","method":"a","id":1},{"bad":true},1]')
    expect(p.batch).toBe(true)
    if (p.batch) expect(p.items.map((i) => i.ok)).toEqual([true, false, false])
    expect(single('[]')).toMatchObject({ ok: false, error: { code: 'RPC_INVALID_REQUEST' } })
    const many = JSON.stringify(
      Array.from({ length: MAX_JSON_RPC_BATCH + 1 }, (_, i) => ({ jsonrpc: '2.0', method: 'a', id: i })),
    )
    expect(single(many)).toMatchObject({ ok: false, error: { code: 'RPC_INVALID_REQUEST' } })
  })

  it('oversized or non-string bodies are refused without parsing', () => {
    expect(single(' '.repeat(1024 * 1024 + 1))).toMatchObject({
      ok: false,
      error: { code: 'RPC_INVALID_REQUEST' },
    })
    expect(single(undefined as unknown as string)).toMatchObject({
      ok: false,
      error: { code: 'RPC_INVALID_REQUEST' },
    })
  })

  it('parseJsonRpcRequest throws coded errors', () => {
    expectCode(() => parseJsonRpcRequest([]), 'RPC_INVALID_REQUEST')
  })
})

describe('responses', () => {
  it('results and errors follow JSON-RPC 2.0', () => {
    expect(jsonRpcResult(1, true)).toEqual({ jsonrpc: '2.0', id: 1, result: true })
    expect(jsonRpcError(null, -32000, 'x')).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: 'x' },
    })
    expect(jsonRpcError(2, -32000, 'x', { a: 1 })).toMatchObject({ error: { data: { a: 1 } } })
  })

  it('maps RPC codes to the standard numbers and keeps their details', () => {
    const parse = single('{').ok === false ? (single('{') as { error: ProtocolError }).error : undefined
    expect(jsonRpcErrorFrom(null, parse)).toMatchObject({ error: { code: JSON_RPC_ERROR_CODES.PARSE_ERROR } })
    expect(jsonRpcErrorFrom(1, methodNotFound('nope'))).toMatchObject({
      id: 1,
      error: {
        code: -32601,
        message: 'method nope not found',
        data: { code: 'RPC_METHOD_NOT_FOUND', method: 'nope' },
      },
    })
    const params = thrown(() => parseSendTaskParams([]))
    expect(jsonRpcErrorFrom(7, params)).toMatchObject({
      error: { code: -32602, data: { code: 'RPC_INVALID_PARAMS' } },
    })
    const invalid = thrown(() => parseJsonRpcRequest(1))
    expect(jsonRpcErrorFrom(7, invalid)).toMatchObject({ error: { code: -32600 } })
  })

  it('hides everything else behind a bare internal error', () => {
    expect(jsonRpcErrorFrom(1, new Error('db password is hunter2'))).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32603, message: 'Internal error' },
    })
    expect(jsonRpcErrorFrom(1, new ProtocolError('WIRE_MALFORMED', 'x'))).toMatchObject({
      error: { code: -32603 },
    })
  })

  it('method names are echoed only in short', () => {
    expect(methodNotFound('m'.repeat(1000)).message.length).toBeLessThan(100)
  })
})
