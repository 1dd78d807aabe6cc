// The local network's chain set-up takes the path of a real network: every request it makes goes
// through a logging proxy in front of anvil, and none is an anvil_*/evm_*/hardhat_* method or an
// unsigned eth_sendTransaction (what impersonation needs); the contracts come from @wisp/deploy,
// the operators register themselves, and the network file it leads to is one every runtime reads.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createChainPort } from '@wisp/chain'
import { ANVIL_DEV_KEYS, type Anvil, startAnvil, WAD } from '@wisp/contracts/dev'
import { Deployment, networkFileOf, parseDeploymentPlan } from '@wisp/deploy'
import { parseNetworkFile } from '@wisp/operator'
import { createPublicClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { deployDevnetChain, devnetOperatorKey } from '../src/chain.js'
import { DEVNET_SLASHING } from '../src/devnet.js'

let anvil: Anvil
let proxy: Server
let proxyUrl: string
const methods: string[] = []
const dataDir = mkdtempSync(join(tmpdir(), 'wisp-devnet-chain-'))

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 })
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      const parsed = JSON.parse(body) as { method: string } | Array<{ method: string }>
      for (const call of Array.isArray(parsed) ? parsed : [parsed]) methods.push(call.method)
      fetch(anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (r) =>
          res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()),
        )
        .catch(() => res.destroy())
    })
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`
})

afterAll(async () => {
  proxy?.closeAllConnections()
  proxy?.close()
  await anvil?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

it('deploys with @wisp/deploy and registers every operator with plain, signed transactions only', async () => {
  const chain = await deployDevnetChain({
    rpcUrl: proxyUrl,
    dataDir,
    powers: [10, 40, 30],
    taskDefinitions: [
      {
        name: 'hash-chain',
        plugin: { package: '@wisp/plugin-hash-chain' },
        config: { iterations: 100 },
        rewards: { attesters: WAD / 100n, performer: WAD / 50n, aggregator: WAD / 200n },
      },
    ],
    slashing: DEVNET_SLASHING,
    faucetUrl: 'api/faucet',
    operatorEth: WAD,
    pollingIntervalMs: 100,
  })
  // the real path: nothing only a dev chain answers, nothing sent unsigned
  expect(methods.filter((m) => /^(anvil|evm|hardhat)_/.test(m) || m === 'eth_sendTransaction')).toEqual([])
  expect(methods).toContain('eth_sendRawTransaction')

  const { network } = chain
  expect(network.operators.map((o) => [o.id, o.votingPower, o.registered])).toEqual([
    [1, 10n * WAD, true],
    [2, 40n * WAD, true],
    [3, 30n * WAD, true],
  ])
  expect(network.operators[0]!.address).toBe(privateKeyToAccount(devnetOperatorKey(0)).address)
  expect(network.taskDefinitions).toEqual([{ id: 1, name: 'hash-chain' }])

  // the network file, as `wisp deploy` writes it, is one every runtime parses and @wisp/chain reads
  const file = networkFileOf(chain.plan, chain.deployment, { rpcUrls: [anvil.rpcUrl] })
  expect(parseNetworkFile(JSON.parse(JSON.stringify(file)))).toEqual(file)
  expect(file).toMatchObject({ kind: 'local', backend: 'wisp', faucet: { url: 'api/faucet' } })
  const port = await createChainPort(
    { attestationCenter: file.contracts.attestationCenter, chainId: file.chainId },
    { publicClient: createPublicClient({ transport: http(anvil.rpcUrl) }) },
  )
  expect((await port.getOperators()).map((o) => o.id)).toEqual([1, 2, 3])

  // the plan it wrote is a `wisp deploy --plan` file; with its record there is nothing left to do
  const plan = parseDeploymentPlan(JSON.parse(readFileSync(join(dataDir, 'deployment-plan.json'), 'utf8')))
  const again = await Deployment.open({
    plan,
    rpcUrls: [anvil.rpcUrl],
    // anvil's first dev account deployed it
    account: privateKeyToAccount(ANVIL_DEV_KEYS[0]),
    recordPath: join(dataDir, 'deployment.record.json'),
  })
  expect(again.preview().steps.every((s) => s.status === 'done')).toBe(true)
})
