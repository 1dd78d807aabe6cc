// The JSON-RPC endpoint answers a refused sendTask with its stable code and nothing else happens;
// the refusals themselves are decided by the engine (packages/core/test/hostile.test.ts) and
// exercised against the local network in e2e/test/adversary.test.ts.
import { CoreError } from '@wisp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { type JsonRpcServer, SEND_TASK_ERRORS, startJsonRpcServer } from '../src/index.js'

let server: JsonRpcServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

// proofOfTask, data, taskDefinitionId, performerAddress, signature
const params = ['0xproof', '0x01', 1, `0x${'00'.repeat(19)}01`, `0x${'11'.repeat(64)}1b`]

describe('JSON-RPC sendTask refusals', () => {
  it('each SEND_TASK_* code has its own JSON-RPC error number, with the reason and the details', async () => {
    for (const [code, number] of Object.entries(SEND_TASK_ERRORS)) {
      server = await startJsonRpcServer(
        { port: 0 },
        {
          sendTask: async () => {
            throw new CoreError(code as never, `refused: ${code}`, { details: { taskDefinitionId: 1 } })
          },
          sendCustomMessage: async () => undefined,
        },
      )
      const response = await fetch(server.url, {
        method: 'POST',
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'sendTask', params }),
      })
      expect(await response.json()).toEqual({
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
