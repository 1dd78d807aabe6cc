// The local faucet against the test network's anvil, through a recording JSON-RPC proxy: it tops an
// address up with ETH and stake tokens by plain transactions (no anvil_*, hardhat_* or evm_* method
// reaches the node), sends nothing when the address already holds enough, and a funder that holds
// no stake tokens and cannot mint them is FAUCET_EMPTY before any token moves.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { operatorRegistryAbi, testERC20Abi } from '@wisp/contracts'
import { ANVIL_DEV_KEYS } from '@wisp/contracts/dev'
import { type Address, createPublicClient, http } from 'viem'
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createLocalFaucet, FaucetFailure } from '../src/server/index.ts'

const net = inject('wisp')
const chain = createPublicClient({ transport: http(net.rpcUrl) })
const methods: string[] = []
let proxy: Server
let proxyUrl: string
let stakeToken: Address

beforeAll(async () => {
  // forwards every JSON-RPC call to anvil and records its method
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const parsed = JSON.parse(body) as { method: string } | Array<{ method: string }>
      for (const call of Array.isArray(parsed) ? parsed : [parsed]) methods.push(call.method)
      void fetch(net.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': 'application/json' })
          res.end(await r.text())
        })
        .catch((err: Error) => {
          res.writeHead(502)
          res.end(err.message)
        })
    })
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  const [contracts] = (await chain.readContract({
    address: net.registry,
    abi: operatorRegistryAbi,
    functionName: 'getStakingContracts',
  })) as readonly [readonly Address[], readonly bigint[]]
  stakeToken = contracts[0]!
})

afterAll(async () => {
  proxy?.closeAllConnections()
  await new Promise<void>((resolve) => proxy?.close(() => resolve()))
})

const tokens = (who: Address) =>
  chain.readContract({ address: stakeToken, abi: testERC20Abi, functionName: 'balanceOf', args: [who] })

describe('the local faucet', () => {
  it('tops an address up with plain transactions, and only once', async () => {
    const faucet = createLocalFaucet({
      rpcUrl: proxyUrl,
      stakeToken,
      funderKey: ANVIL_DEV_KEYS[0],
      eth: 2n * 10n ** 18n,
      stake: 3n * 10n ** 18n,
    })
    const address = privateKeyToAddress(generatePrivateKey())
    methods.length = 0
    const first = await faucet({ address })
    expect(first).toMatchObject({
      ethBalance: String(2n * 10n ** 18n),
      stakeTokenBalance: String(3n * 10n ** 18n),
    })
    expect(first.txHashes.length).toBeGreaterThanOrEqual(2)
    expect(await chain.getBalance({ address })).toBe(2n * 10n ** 18n)
    expect(await tokens(address)).toBe(3n * 10n ** 18n)
    expect(methods).toContain('eth_sendRawTransaction')
    expect(methods.filter((m) => /^(anvil|hardhat|evm)_/.test(m))).toEqual([])
    // already funded: nothing sent
    methods.length = 0
    const again = await faucet({ address: address.toLowerCase() as Address })
    expect(again.txHashes).toEqual([])
    expect(methods).not.toContain('eth_sendRawTransaction')
  })

  it('says FAUCET_EMPTY when its funder holds no stake tokens and cannot mint them', async () => {
    const funderKey = ANVIL_DEV_KEYS[7]
    expect(await tokens(privateKeyToAddress(funderKey))).toBe(0n)
    const faucet = createLocalFaucet({ rpcUrl: proxyUrl, stakeToken, funderKey })
    const address = privateKeyToAddress(generatePrivateKey())
    const error = await faucet({ address }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FaucetFailure)
    expect(error).toMatchObject({ code: 'FAUCET_EMPTY', status: 503 })
    expect(await tokens(address)).toBe(0n)
  })
})
