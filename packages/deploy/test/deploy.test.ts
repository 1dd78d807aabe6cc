// @wisp/deploy against anvil used as a plain JSON-RPC (no anvil_* calls): a full deployment read
// back through @wisp/chain, the dry run, an interrupted deployment resumed, and every bad input.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createChainPort } from '@wisp/chain'
import { ANVIL_DEV_KEYS, type Anvil, startAnvil } from '@wisp/contracts/dev'
import { parseNetworkFile } from '@wisp/operator'
import { createPublicClient, type Hex, http } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { getTransactionCount } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DeployError,
  Deployment,
  deploy,
  networkFileOf,
  parseDeploymentPlan,
  parseDeploymentPlanText,
  readRecord,
} from '../src/index.js'
import { startRpcProxy } from './support/proxy.js'

let anvil: Anvil
let dir: string

beforeAll(async () => {
  anvil = await startAnvil({})
  dir = await mkdtemp(join(tmpdir(), 'wisp-deploy-'))
})
afterAll(async () => {
  await anvil?.stop()
  await rm(dir, { recursive: true, force: true })
})

const planInput = (extra: Record<string, unknown> = {}) => ({
  version: 1,
  network: { name: 'test network', kind: 'testnet' },
  treasuryFunding: '1000e18',
  stakeToken: { deploy: { mint: [{ to: 'deployer', amount: '100e18' }] } },
  roles: { ejectors: ['deployer'], slashers: ['deployer'] },
  openAggregator: true,
  slashing: { doubleAttestation: { stakePercentageBps: 1000 } },
  taskDefinitions: [
    {
      name: 'hash-chain',
      plugin: { package: '@wisp/plugin-hash-chain' },
      config: { iterations: 100 },
      rewards: { attesters: '1e16', performer: '2e16', aggregator: '5e15' },
      maximumNumberOfAttesters: 8,
    },
  ],
  ...extra,
})

let n = 0
const record = () => join(dir, `record-${n++}.json`)
const account = (i: number) => privateKeyToAccount(ANVIL_DEV_KEYS[i] as Hex)
const nonceOf = (address: Hex) =>
  getTransactionCount(createPublicClient({ transport: http(anvil.rpcUrl) }), { address })

async function codeOf<T>(promise: Promise<T>): Promise<string> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(DeployError)
    return `${(err as DeployError).code}: ${(err as DeployError).message}`
  }
  throw new Error('expected a DeployError')
}

describe('deploy', () => {
  it('deploys every contract and definition; the network file parses and @wisp/chain reads the deployment', async () => {
    const plan = parseDeploymentPlan(planInput())
    const { result, network } = await deploy({
      plan,
      rpcUrls: [anvil.rpcUrl],
      account: account(0),
      recordPath: record(),
      chainId: 31337,
      rpc: { pollingIntervalMs: 50 },
    })
    expect(parseNetworkFile(JSON.parse(JSON.stringify(network)))).toEqual(network)
    expect(network.contracts.attestationCenter).toBe(result.contracts.attestationCenter)
    expect(network.taskDefinitions).toEqual([
      {
        id: 1,
        name: 'hash-chain',
        plugin: { package: '@wisp/plugin-hash-chain' },
        config: { iterations: 100 },
      },
    ])
    expect(network.deploymentBlock).toBeGreaterThan(0)
    const port = await createChainPort(
      { attestationCenter: network.contracts.attestationCenter, chainId: network.chainId },
      { publicClient: createPublicClient({ transport: http(network.rpcUrls[0]) }) },
    )
    expect(port.registry).toBe(network.contracts.operatorRegistry)
    const definition = await port.getTaskDefinition(1)
    expect(definition?.name).toBe('hash-chain')
    expect(definition?.maximumNumberOfAttesters).toBe(8)
    expect(result.record.completedAt).toBeDefined()
    expect(Object.values(result.record.steps).every((s) => s.status === 'done')).toBe(true)
  })

  it('a dry run estimates every step and sends nothing', async () => {
    const from = account(1)
    const before = await nonceOf(from.address)
    const path = record()
    const deployment = await Deployment.open({
      plan: parseDeploymentPlan(planInput()),
      rpcUrls: [anvil.rpcUrl],
      account: from,
      recordPath: path,
    })
    const preview = deployment.preview()
    expect(preview.steps.length).toBeGreaterThan(10)
    for (const step of preview.steps) {
      expect(step.status).toBe('pending')
      expect(step.gas).toBeGreaterThan(20_000n)
      expect(step.cost).toBe(step.gas * preview.feePerGas)
    }
    const center = preview.steps.find((s) => s.id === 'deploy:attestationCenter')!
    expect(center.gasSource).toBe('estimate')
    expect(center.address).toMatch(/^0x[0-9a-fA-F]{40}$/)
    expect(preview.totalCost).toBe(preview.steps.reduce((sum, s) => sum + s.cost, 0n))
    expect(await nonceOf(from.address)).toBe(before)
    expect(await readRecord(path)).toBeUndefined()
  })

  it('a deployment interrupted after its second contract resumes and completes', async () => {
    const from = account(2)
    const start = await nonceOf(from.address)
    // the RPC answers 503 from the third transaction on: the first two contracts land
    const proxy = await startRpcProxy(anvil.rpcUrl, (method, i) =>
      method === 'eth_sendRawTransaction' && i >= 2 ? { status: 503 } : 'forward',
    )
    const plan = parseDeploymentPlan(planInput())
    const path = record()
    try {
      const error = await codeOf(
        deploy({
          plan,
          rpcUrls: [proxy.url],
          account: from,
          recordPath: path,
          rpc: { pollingIntervalMs: 50 },
        }),
      )
      expect(error).toMatch(/^DEPLOY_RPC_FAILED: eth_sendRawTransaction: http:\/\/127\.0\.0\.1:\d+ HTTP 503/)
    } finally {
      await proxy.close()
    }
    const stopped = (await readRecord(path))!
    const done = Object.entries(stopped.steps).filter(([, s]) => s.status === 'done')
    expect(done.map(([id]) => id)).toEqual(['deploy:stakeToken', 'deploy:rewardToken'])
    expect(stopped.steps['deploy:operatorRegistry']?.status).toBe('sent')
    expect(stopped.completedAt).toBeUndefined()

    const events: string[] = []
    const { result } = await deploy(
      { plan, rpcUrls: [anvil.rpcUrl], account: from, recordPath: path, rpc: { pollingIntervalMs: 50 } },
      (e) => events.push(`${e.kind} ${e.step}`),
    )
    // the two contracts were not deployed again; the registry went out with the bytes recorded
    expect(events).not.toContain('sent deploy:stakeToken')
    expect(events[0]).toBe('resumed deploy:operatorRegistry')
    expect(result.contracts.stakeToken).toBe(stopped.steps['deploy:stakeToken']!.address)
    expect(await nonceOf(from.address)).toBe(start + Object.keys(result.record.steps).length)
    const network = networkFileOf(plan, result, { rpcUrls: [anvil.rpcUrl] })
    await createChainPort(
      { attestationCenter: network.contracts.attestationCenter },
      { publicClient: createPublicClient({ transport: http(anvil.rpcUrl) }) },
    )
  })

  it('recorded bytes the RPC now refuses are signed again at the same nonce, with the fees of this run', async () => {
    const from = account(7)
    const plan = parseDeploymentPlan(planInput())
    const path = record()
    const first = await startRpcProxy(anvil.rpcUrl, (method, i) =>
      method === 'eth_sendRawTransaction' && i >= 2 ? { status: 503 } : 'forward',
    )
    try {
      await codeOf(
        deploy({
          plan,
          rpcUrls: [first.url],
          account: from,
          recordPath: path,
          rpc: { pollingIntervalMs: 50 },
        }),
      )
    } finally {
      await first.close()
    }
    const stopped = (await readRecord(path))!.steps['deploy:operatorRegistry']!
    expect(stopped.status).toBe('sent')
    // the node refuses those bytes once, as geth does when the base fee rose above their max fee
    const second = await startRpcProxy(anvil.rpcUrl, (method, i) =>
      method === 'eth_sendRawTransaction' && i === 0
        ? { error: { code: -32000, message: 'max fee per gas less than block base fee' } }
        : 'forward',
    )
    try {
      const { result } = await deploy({
        plan,
        rpcUrls: [second.url],
        account: from,
        recordPath: path,
        rpc: { pollingIntervalMs: 50 },
      })
      const registry = result.record.steps['deploy:operatorRegistry']!
      expect(registry.status).toBe('done')
      expect(registry.nonce).toBe(stopped.nonce)
      // (the bytes differ when the fees moved between the runs; the nonce, hence the address, does not)
      expect(second.counts.get('eth_sendRawTransaction')).toBeGreaterThan(1)
      expect(result.contracts.operatorRegistry).toBe(stopped.address)
    } finally {
      await second.close()
    }
  })

  it('an unfunded deployer is refused before anything is sent', async () => {
    const poor = privateKeyToAccount(generatePrivateKey())
    const path = record()
    const error = await codeOf(
      deploy({
        plan: parseDeploymentPlan(planInput()),
        rpcUrls: [anvil.rpcUrl],
        account: poor,
        recordPath: path,
      }),
    )
    expect(error).toMatch(/^DEPLOY_INSUFFICIENT_FUNDS: the deployer 0x\w+ has 0 ETH, .* nothing was sent/)
    expect(await nonceOf(poor.address)).toBe(0)
  })

  it('a wrong chain id, from the flag or the plan, is refused', async () => {
    const plan = parseDeploymentPlan(planInput())
    expect(
      await codeOf(
        Deployment.open({
          plan,
          rpcUrls: [anvil.rpcUrl],
          account: account(3),
          recordPath: record(),
          chainId: 1,
        }),
      ),
    ).toMatch(/^DEPLOY_WRONG_CHAIN: the RPC http:\/\/127\.0\.0\.1:\d+ is on chain 31337, expected chain 1$/)
    const planned = parseDeploymentPlan(planInput({ chainId: 11155111 }))
    expect(
      await codeOf(
        Deployment.open({
          plan: planned,
          rpcUrls: [anvil.rpcUrl],
          account: account(3),
          recordPath: record(),
        }),
      ),
    ).toMatch(/expected chain 11155111/)
  })

  it('a step that reverts on chain is named; the record shows where it stopped', async () => {
    // a duplicate restricted attester: only the contract knows it is invalid
    const plan = parseDeploymentPlan(
      planInput({ taskDefinitions: [{ name: 'restricted', restrictedAttesterIds: [2, 2] }] }),
    )
    const path = record()
    const error = await codeOf(
      deploy({
        plan,
        rpcUrls: [anvil.rpcUrl],
        account: account(4),
        recordPath: path,
        rpc: { pollingIntervalMs: 50 },
      }),
    )
    expect(error).toMatch(
      /^DEPLOY_STEP_REVERTED: step definition:restricted:create .* reverted in block \d+: InvalidAttesterSet/,
    )
    const saved = (await readRecord(path))!
    expect(saved.steps['definition:restricted:create']?.status).toBe('reverted')
    expect(saved.steps['deploy:attestationCenter']?.status).toBe('done')
    expect(saved.completedAt).toBeUndefined()
  })

  it('an RPC that rate-limits or times out is named; the next URL takes over', async () => {
    const limited = await startRpcProxy(anvil.rpcUrl, () => ({ status: 429 }))
    const silent = await startRpcProxy(anvil.rpcUrl, () => 'hold')
    const plan = parseDeploymentPlan(planInput())
    try {
      const error = await codeOf(
        Deployment.open({
          plan,
          rpcUrls: [limited.url, silent.url],
          account: account(5),
          recordPath: record(),
          rpc: { timeoutMs: 300 },
        }),
      )
      expect(error).toBe(
        `DEPLOY_RPC_FAILED: eth_chainId: ${limited.url} HTTP 429 (rate limited); ${silent.url} timed out`,
      )
      // with a working URL behind them, the deployment goes on
      const deployment = await Deployment.open({
        plan,
        rpcUrls: [limited.url, silent.url, anvil.rpcUrl],
        account: account(5),
        recordPath: record(),
        rpc: { timeoutMs: 300 },
      })
      expect(deployment.chainId).toBe(31337)
    } finally {
      await limited.close()
      await silent.close()
    }
  })

  it('a record of another plan or chain is refused', async () => {
    const path = record()
    const plan = parseDeploymentPlan(planInput())
    await deploy({
      plan,
      rpcUrls: [anvil.rpcUrl],
      account: account(6),
      recordPath: path,
      rpc: { pollingIntervalMs: 50 },
    })
    const other = parseDeploymentPlan(planInput({ treasuryFunding: '1e18' }))
    expect(
      await codeOf(
        Deployment.open({ plan: other, rpcUrls: [anvil.rpcUrl], account: account(6), recordPath: path }),
      ),
    ).toMatch(/^DEPLOY_RECORD_MISMATCH: the deployment record .* is for plan 0x/)
    const text = await readFile(path, 'utf8')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(path, text.replace('"chainId": 31337', '"chainId": 5'))
    expect(
      await codeOf(Deployment.open({ plan, rpcUrls: [anvil.rpcUrl], account: account(6), recordPath: path })),
    ).toMatch(/is for chain 5, this run's is 31337/)
    // a completed record resumes to nothing left
    await writeFile(path, text)
    const again = await Deployment.open({
      plan,
      rpcUrls: [anvil.rpcUrl],
      account: account(6),
      recordPath: path,
    })
    expect(again.preview().steps.every((s) => s.status === 'done')).toBe(true)
    expect(again.preview().totalCost).toBe(0n)
  })
})

describe('plan', () => {
  const bad = (input: unknown) => {
    try {
      parseDeploymentPlan(input)
    } catch (err) {
      return `${(err as DeployError).code}: ${(err as DeployError).message}`
    }
    throw new Error('expected the plan to be refused')
  }

  it('names the field that does not parse', () => {
    expect(bad(planInput({ treasuryFunding: '1.5e18' }))).toMatch(
      /^DEPLOY_INVALID_PLAN: plan\.treasuryFunding: must be/,
    )
    expect(bad(planInput({ roles: { ejectors: ['0x12'] } }))).toMatch(
      /^DEPLOY_INVALID_PLAN: plan\.roles\.ejectors\[0\]: must be a 0x/,
    )
    expect(bad(planInput({ governor: 'deployer' }))).toMatch(
      /^DEPLOY_INVALID_PLAN: plan\.governor: unknown field/,
    )
    expect(bad({ ...planInput(), version: 2 })).toMatch(/plan\.version: must be 1/)
    expect(bad(planInput({ network: { name: 'x', kind: 'mainnet' } }))).toMatch(
      /plan\.chainId: a mainnet plan must name its chain/,
    )
    expect(
      bad(
        planInput({
          taskDefinitions: [
            { name: 'a', plugin: { package: '@wisp/plugin-hash-chain' }, config: { iterations: -1 } },
          ],
        }),
      ),
    ).toMatch(
      /^DEPLOY_INVALID_PLAN: plan\.taskDefinitions\[0\]\.config: invalid config for @wisp\/plugin-hash-chain/,
    )
    expect(bad(planInput({ taskDefinitions: [{ name: 'a' }, { name: 'a' }] }))).toMatch(
      /taskDefinitions\[1\]\.name: "a" is listed twice/,
    )
    expect(() => parseDeploymentPlanText('{"version":', 'plan.json')).toThrow(/plan\.json: not JSON/)
  })

  it('refuses a plugin package Wisp does not bundle', () => {
    expect(
      bad(planInput({ taskDefinitions: [{ name: 'x', plugin: { package: '@someone/plugin-x' } }] })),
    ).toMatch(
      /^DEPLOY_UNKNOWN_PLUGIN: plan\.taskDefinitions\[0\]\.plugin\.package: @someone\/plugin-x is not a plugin Wisp bundles/,
    )
  })

  it('reads amounts exactly', () => {
    const plan = parseDeploymentPlan(planInput({ treasuryFunding: '1_000_000e18', challengerRewardFee: 5 }))
    expect(plan.treasuryFunding).toBe(10n ** 24n)
    expect(plan.challengerRewardFee).toBe(5n)
  })
})
