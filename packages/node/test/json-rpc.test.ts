// The JSON-RPC endpoint over real HTTP: sendTask refusals keep their stable codes, an Ethereum
// client's chain-id questions are answered, and the body and in-flight limits refuse with codes.
// The refusals themselves are decided by the engine (packages/core/test/hostile.test.ts) and
// exercised against the local network in e2e/test/adversary.test.ts.
import { Agent, request } from 'node:http'
import { CoreError } from '@wisp/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type JsonRpcHandlers,
  type JsonRpcServer,
  MAX_JSON_RPC_BODY_BYTES,
  SEND_TASK_ERRORS,
  startJsonRpcServer,
} from '../src/index.js'
import { JSON_RPC_LIMIT_ERRORS } from '../src/json-rpc.js'

let server: JsonRpcServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

// proofOfTask, data, taskDefinitionId, performerAddress, signature
const params = ['0xproof', '0x01', 1, `0x${'00'.repeat(19)}01`, `0x${'11'.repeat(64)}1b`]
const taskHash = `0x${'ab'.repeat(32)}` as const
const accept: JsonRpcHandlers = {
  sendTask: async () => ({ taskHash }),
  sendCustomMessage: async () => undefined,
}
const ANVIL = 31337

async function post(body: unknown, url = server?.url) {
  const response = await fetch(url as string, { method: 'POST', body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as { result?: unknown; error?: unknown } }
}

describe('JSON-RPC sendTask refusals', () => {
  it('each SEND_TASK_* code has its own JSON-RPC error number, with the reason and the details', async () => {
    for (const [code, number] of Object.entries(SEND_TASK_ERRORS)) {
      server = await startJsonRpcServer(
        { port: 0, chainId: ANVIL },
        {
          sendTask: async () => {
            throw new CoreError(code as never, `refused: ${code}`, { details: { taskDefinitionId: 1 } })
          },
          sendCustomMessage: async () => undefined,
        },
      )
      expect((await post({ jsonrpc: '2.0', id: 7, method: 'sendTask', params })).body).toEqual({
        jsonrpc: '2.0',
        id: 7,
        error: { code: number, message: `refused: ${code}`, data: { code, taskDefinitionId: 1 } },
      })
      await server.close()
      server = undefined
    }
    expect(new Set(Object.values(SEND_TASK_ERRORS)).size).toBe(4)
  })
})

describe('JSON-RPC for Ethereum clients', () => {
  it('answers eth_chainId as a 0x quantity and net_version as a decimal string, alone and in a batch', async () => {
    server = await startJsonRpcServer({ port: 0, chainId: ANVIL }, accept)
    expect(await post({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] })).toEqual({
      status: 200,
      body: { jsonrpc: '2.0', id: 1, result: '0x7a69' },
    })
    expect((await post({ jsonrpc: '2.0', id: 'v', method: 'net_version' })).body).toEqual({
      jsonrpc: '2.0',
      id: 'v',
      result: '31337',
    })
    const batch = await post([
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
      { jsonrpc: '2.0', id: 2, method: 'sendTask', params },
    ])
    expect(batch.body).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x7a69' },
      { jsonrpc: '2.0', id: 2, result: taskHash },
    ])
    await server.close()
    server = await startJsonRpcServer({ port: 0, chainId: 17000 }, accept)
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' })).body.result).toBe('0x4268')
  })

  it('refuses any other eth_/net_/web3_ method with -32601 naming it, and says this is no Ethereum RPC', async () => {
    server = await startJsonRpcServer({ port: 0, chainId: ANVIL }, accept)
    for (const method of ['eth_getBalance', 'net_peerCount', 'web3_clientVersion']) {
      const { status, body } = await post({ jsonrpc: '2.0', id: 3, method, params: [] })
      expect(status).toBe(200)
      expect(body.error).toEqual({
        code: -32601,
        message: `method ${method} not found: this is an AVS node, not an Ethereum RPC (it answers eth_chainId and net_version only)`,
        data: { code: 'RPC_METHOD_NOT_FOUND', method },
      })
    }
    // other unknown methods keep the plain answer
    expect((await post({ jsonrpc: '2.0', id: 4, method: 'nope' })).body.error).toEqual({
      code: -32601,
      message: 'method nope not found',
      data: { code: 'RPC_METHOD_NOT_FOUND', method: 'nope' },
    })
  })

  it('an ethers-style exchange: eth_chainId, then sendTask on the same kept-alive connection', async () => {
    server = await startJsonRpcServer({ port: 0, chainId: ANVIL }, accept)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const { port } = new URL(server.url)
    const call = (body: unknown) =>
      new Promise<{ json: unknown; localPort: number | undefined; reused: boolean }>((resolve, reject) => {
        const req = request(
          { agent, port, host: '127.0.0.1', method: 'POST', headers: { 'content-type': 'application/json' } },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () =>
              resolve({
                json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
                localPort: req.socket?.localPort,
                reused: req.reusedSocket,
              }),
            )
          },
        )
        req.on('error', reject)
        req.end(JSON.stringify(body))
      })
    try {
      const first = await call({ jsonrpc: '2.0', id: 0, method: 'eth_chainId', params: [] })
      expect(first.json).toEqual({ jsonrpc: '2.0', id: 0, result: '0x7a69' })
      const second = await call({ jsonrpc: '2.0', id: 1, method: 'sendTask', params })
      expect(second.json).toEqual({ jsonrpc: '2.0', id: 1, result: taskHash })
      expect(second.reused).toBe(true)
      expect(second.localPort).toBe(first.localPort)
    } finally {
      agent.destroy()
    }
  })

  it('binds 0.0.0.0 when asked, reachable on 127.0.0.1', async () => {
    server = await startJsonRpcServer({ port: 0, host: '0.0.0.0', chainId: ANVIL }, accept)
    const { hostname, port } = new URL(server.url)
    expect(hostname).toBe('0.0.0.0')
    const { body } = await post({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }, `http://127.0.0.1:${port}`)
    expect(body.result).toBe('0x7a69')
  })
})

describe('JSON-RPC limits', () => {
  const tooLarge = (maxBodyBytes: number) => ({
    jsonrpc: '2.0',
    id: null,
    error: {
      code: JSON_RPC_LIMIT_ERRORS.RPC_BODY_TOO_LARGE,
      message: `body larger than ${maxBodyBytes} bytes`,
      data: { code: 'RPC_BODY_TOO_LARGE', maxBodyBytes },
    },
  })

  it('a body over the default limit gets HTTP 413 with a coded JSON-RPC error, and the server keeps serving', async () => {
    server = await startJsonRpcServer({ port: 0, chainId: ANVIL }, accept)
    const big = { jsonrpc: '2.0', id: 1, method: 'sendTask', params: ['x'.repeat(MAX_JSON_RPC_BODY_BYTES)] }
    expect(await post(big)).toEqual({ status: 413, body: tooLarge(MAX_JSON_RPC_BODY_BYTES) })
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'sendTask', params })).body.result).toBe(taskHash)
  })

  it('maxBodyBytes is configurable and also holds for a chunked body without content-length', async () => {
    server = await startJsonRpcServer({ port: 0, chainId: ANVIL, maxBodyBytes: 512 }, accept)
    const body = { jsonrpc: '2.0', id: 1, method: 'sendTask', params: [...params, 'y'.repeat(600)] }
    expect(await post(body)).toEqual({ status: 413, body: tooLarge(512) })
    const { port } = new URL(server.url)
    const chunked = await new Promise<{ status: number | undefined; json: unknown }>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST' }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode, json: JSON.parse(Buffer.concat(chunks).toString()) }),
        )
      })
      req.on('error', reject)
      expect(req.getHeader('content-length')).toBeUndefined()
      req.write(JSON.stringify(body).slice(0, 300))
      req.end(JSON.stringify(body).slice(300))
    })
    expect(chunked).toEqual({ status: 413, json: tooLarge(512) })
    // a body under the limit is served
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'sendTask', params })).body.result).toBe(taskHash)
  })

  it('refuses calls beyond maxInFlight with -32005 and RPC_LIMIT_EXCEEDED, and accepts again once one settles', async () => {
    const open: Array<() => void> = []
    let started = 0
    server = await startJsonRpcServer(
      { port: 0, chainId: ANVIL, maxInFlight: 2 },
      {
        sendTask: () =>
          new Promise((resolve) => {
            started++
            open.push(() => resolve({ taskHash }))
          }),
        sendCustomMessage: async () => undefined,
      },
    )
    const held = [1, 2].map((id) => post({ jsonrpc: '2.0', id, method: 'sendTask', params }))
    await expect.poll(() => started).toBe(2)
    const refused = await post({ jsonrpc: '2.0', id: 3, method: 'sendTask', params })
    expect(refused).toEqual({
      status: 200,
      body: {
        jsonrpc: '2.0',
        id: 3,
        error: {
          code: -32005,
          message: 'limit exceeded: 2 calls already in flight, retry later',
          data: { code: 'RPC_LIMIT_EXCEEDED', maxInFlight: 2 },
        },
      },
    })
    // the chain id is no handler call: still answered at the limit
    expect((await post({ jsonrpc: '2.0', id: 4, method: 'eth_chainId' })).body.result).toBe('0x7a69')
    expect(started).toBe(2)
    open.shift()?.()
    expect((await held[0])?.body).toEqual({ jsonrpc: '2.0', id: 1, result: taskHash })
    const again = post({ jsonrpc: '2.0', id: 5, method: 'sendTask', params })
    await expect.poll(() => started).toBe(3)
    for (const release of open.splice(0)) release()
    expect((await again).body).toEqual({ jsonrpc: '2.0', id: 5, result: taskHash })
    expect((await held[1])?.body).toEqual({ jsonrpc: '2.0', id: 2, result: taskHash })
  })

  it('refuses a bad limit or chain id with NODE_BAD_FLAGS before listening', async () => {
    await expect(
      startJsonRpcServer({ port: 0, chainId: ANVIL, maxInFlight: 0 }, accept),
    ).rejects.toMatchObject({
      code: 'NODE_BAD_FLAGS',
      message: 'JSON-RPC maxInFlight must be an integer from 1 to 9007199254740991, got 0',
    })
    await expect(
      startJsonRpcServer({ port: 0, chainId: ANVIL, maxBodyBytes: MAX_JSON_RPC_BODY_BYTES + 1 }, accept),
    ).rejects.toMatchObject({ code: 'NODE_BAD_FLAGS' })
    await expect(startJsonRpcServer({ port: 0, chainId: 1.5 }, accept)).rejects.toMatchObject({
      code: 'NODE_BAD_FLAGS',
    })
  })

  it("sendCustomMessage off (Othentic's default): -32601 RPC_CUSTOM_MESSAGES_OFF naming the flag; sendTask still served", async () => {
    let sent = 0
    server = await startJsonRpcServer(
      { port: 0, chainId: ANVIL, customMessages: false },
      { ...accept, sendCustomMessage: async () => void sent++ },
    )
    const off = await post({ jsonrpc: '2.0', id: 1, method: 'sendCustomMessage', params: ['0x01'] })
    expect(off.body.error).toMatchObject({
      code: -32601,
      message: expect.stringContaining('--json-rpc.custom-message-enabled'),
      data: { code: 'RPC_CUSTOM_MESSAGES_OFF' },
    })
    expect(sent).toBe(0)
    const task = await post({ jsonrpc: '2.0', id: 2, method: 'sendTask', params })
    expect(task.body).toEqual({ jsonrpc: '2.0', id: 2, result: taskHash })
  })
})
