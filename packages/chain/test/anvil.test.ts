// The anvil launcher: free port, chain id, dev accounts, interval mining, stop.
import { createPublicClient, createWalletClient, http } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { anvilBinaryPath, startAnvil } from '../src/anvil.js'
import { ANVIL_DEV_KEYS, deployLocalNetwork } from '../src/deploy.js'
import { createChainPort } from '../src/port.js'

const MNEMONIC = 'test test test test test test test test test test test junk'

describe('startAnvil', () => {
  it('starts on a free port with the chosen chain id, with the well-known dev accounts, and stops', async () => {
    const [a, b] = await Promise.all([startAnvil({ chainId: 4242 }), startAnvil()])
    try {
      expect(a.port).not.toBe(b.port)
      expect(a.rpcUrl).toBe(`http://127.0.0.1:${a.port}`)
      const client = createPublicClient({ transport: http(a.rpcUrl) })
      expect(await client.getChainId()).toBe(4242)
      const accounts = await createWalletClient({ transport: http(a.rpcUrl) }).getAddresses()
      expect(accounts.length).toBe(10)
      ANVIL_DEV_KEYS.forEach((_, i) => {
        expect(mnemonicToAccount(MNEMONIC, { addressIndex: i }).address.toLowerCase()).toBe(
          accounts[i]!.toLowerCase(),
        )
      })
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
    await a.stop() // idempotent
    const after = createPublicClient({ transport: http(a.rpcUrl, { retryCount: 0 }) })
    await expect(after.getChainId()).rejects.toThrow()
  })

  it('reports a missing binary as CHAIN_ANVIL_FAILED', async () => {
    expect(anvilBinaryPath()).toMatch(/anvil$/)
    await expect(startAnvil({ binaryPath: '/nonexistent/anvil' })).rejects.toMatchObject({
      code: 'CHAIN_ANVIL_FAILED',
    })
    await expect(startAnvil({ args: ['--no-such-flag'] })).rejects.toMatchObject({
      code: 'CHAIN_ANVIL_FAILED',
    })
  })

  it('with a block time (no automine), deployLocalNetwork still completes and the port submits', async () => {
    const anvil = await startAnvil({ blockTime: 1 })
    try {
      const net = await deployLocalNetwork({
        rpcUrl: anvil.rpcUrl,
        operators: [{ votingPower: 5n }, { votingPower: 7n }],
        taskDefinitions: [{ name: 'restricted', restrictedAttesterIds: [1, 2] }],
      })
      expect(net.operators.map((o) => o.registered)).toEqual([true, true])
      expect(new Set(net.operators.map((o) => o.id))).toEqual(new Set([1, 2]))
      const client = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 100 })
      const port = await createChainPort(
        { attestationCenter: net.contracts.attestationCenter },
        { publicClient: client },
      )
      expect(await port.getNetworkTotal()).toBe(12n)
      expect((await port.getTaskDefinition(1))?.definitionTotal).toBe(12n)
      const start = await client.getBlockNumber()
      await new Promise((r) => setTimeout(r, 1_200))
      expect(await client.getBlockNumber()).toBeGreaterThan(start)
    } finally {
      await anvil.stop()
    }
  })
})
