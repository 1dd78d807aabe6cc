// createChainTransport: several RPC URLs behind viem's fallback. Two local HTTP proxies in front
// of a real anvil: one rate-limits (429) or stalls, the other forwards; requests must get through.
import { type Anvil, startAnvil } from '@wisp/contracts/dev'
import { createPublicClient } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChainError, createChainPort, createChainTransport } from '../src/index.js'
import { codeOf } from './support/network.js'
import { type RpcProxy, type RpcProxyMode, startRpcProxy } from './support/rpc-proxy.js'

let anvil: Anvil
const proxies: RpcProxy[] = []

/** A proxy that forwards JSON-RPC to anvil, answers 429, or never answers; counts requests. */
async function proxy(mode: RpcProxyMode): Promise<RpcProxy> {
  const started = await startRpcProxy(anvil.rpcUrl, mode)
  proxies.push(started)
  return started
}

beforeAll(async () => {
  anvil = await startAnvil()
})

afterAll(async () => {
  for (const p of proxies) p.close()
  await anvil?.stop()
})

describe('createChainTransport', () => {
  it('a 429 on the first URL goes to the next', async () => {
    const limited = await proxy('429')
    const good = await proxy('forward')
    const client = createPublicClient({
      transport: createChainTransport([limited.url, good.url], { retryCount: 1, timeoutMs: 2_000 }),
    })
    expect(await client.getChainId()).toBe(anvil.chainId)
    expect(limited.hits()).toBeGreaterThan(0)
    expect(good.hits()).toBeGreaterThan(0)
  })

  it('a timeout on the first URL goes to the next', async () => {
    const stalled = await proxy('stall')
    const good = await proxy('forward')
    const client = createPublicClient({
      transport: createChainTransport([stalled.url, good.url], { retryCount: 0, timeoutMs: 300 }),
    })
    const started = Date.now()
    expect(typeof (await client.getBlockNumber())).toBe('bigint')
    expect(stalled.hits()).toBe(1)
    expect(good.hits()).toBe(1)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('every URL failing is CHAIN_RPC_FAILED from the port; one URL is a plain http transport', async () => {
    const a = await proxy('429')
    const b = await proxy('429')
    const transport = createChainTransport([a.url, b.url], { retryCount: 0, timeoutMs: 1_000 })
    expect(
      await codeOf(
        createChainPort(
          { attestationCenter: '0x0000000000000000000000000000000000000001' },
          { publicClient: createPublicClient({ transport }) },
        ),
      ),
    ).toBe('CHAIN_RPC_FAILED')
    const single = createChainTransport([anvil.rpcUrl])({})
    expect(single.config.type).toBe('http')
    expect(createChainTransport([a.url, anvil.rpcUrl])({}).config.type).toBe('fallback')
  })

  it('bad input is CHAIN_INVALID_INPUT naming what was wrong', () => {
    const codeOfSync = (f: () => unknown) => {
      try {
        f()
        return 'returned'
      } catch (err) {
        return `${(err as ChainError).code}: ${(err as ChainError).message}`
      }
    }
    expect(codeOfSync(() => createChainTransport([]))).toMatch(/^CHAIN_INVALID_INPUT: rpcUrls/)
    expect(codeOfSync(() => createChainTransport([anvil.rpcUrl, 'ftp://x']))).toMatch(
      /^CHAIN_INVALID_INPUT: rpcUrls\[1\]/,
    )
    expect(codeOfSync(() => createChainTransport([anvil.rpcUrl], { retryCount: -1 }))).toMatch(
      /^CHAIN_INVALID_INPUT: retryCount/,
    )
    expect(codeOfSync(() => createChainTransport([anvil.rpcUrl], { timeoutMs: 0 }))).toMatch(
      /^CHAIN_INVALID_INPUT: timeoutMs/,
    )
  })
})
