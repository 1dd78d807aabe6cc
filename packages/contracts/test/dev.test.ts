// @wisp/contracts/dev: the anvil launcher and the local-network deployer, read back with the ABIs
// alone (@wisp/chain's tests read the same networks through its actions).
import { SecretKey } from '@wisp/bls'
import { bytesToHex, createPublicClient, createWalletClient, http, maxUint256, parseEther } from 'viem'
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ANVIL_DEV_KEYS,
  ANVIL_DEV_MNEMONIC,
  type Anvil,
  anvilBinaryPath,
  DevError,
  deployLocalNetwork,
  type LocalNetwork,
  startAnvil,
  WAD,
} from '../src/dev/index.js'
import { attestationCenterAbi, operatorRegistryAbi, ROLES, testERC20Abi } from '../src/index.js'

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
      ANVIL_DEV_KEYS.forEach((key, i) => {
        expect(mnemonicToAccount(ANVIL_DEV_MNEMONIC, { addressIndex: i }).address).toBe(
          privateKeyToAccount(key).address,
        )
        expect(privateKeyToAccount(key).address.toLowerCase()).toBe(accounts[i]!.toLowerCase())
      })
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
    await a.stop() // idempotent
    const after = createPublicClient({ transport: http(a.rpcUrl, { retryCount: 0 }) })
    await expect(after.getChainId()).rejects.toThrow()
  })

  it('reports a missing binary or a bad flag as DEV_ANVIL_FAILED', async () => {
    expect(anvilBinaryPath()).toMatch(/anvil$/)
    await expect(startAnvil({ binaryPath: '/nonexistent/anvil' })).rejects.toMatchObject({
      name: 'DevError',
      code: 'DEV_ANVIL_FAILED',
    })
    await expect(startAnvil({ args: ['--no-such-flag'] })).rejects.toBeInstanceOf(DevError)
  })
})

describe('deployLocalNetwork', () => {
  let anvil: Anvil
  let net: LocalNetwork
  let client: ReturnType<typeof createPublicClient>
  const OPTIONS = {
    operators: [{ votingPower: 5n * WAD }, { stake: 7n * WAD }, { votingPower: 1n, register: false }],
    taskDefinitions: [{ name: 'restricted', restrictedAttesterIds: [2, 1] }],
  }

  beforeAll(async () => {
    anvil = await startAnvil()
    net = await deployLocalNetwork({ rpcUrl: anvil.rpcUrl, ...OPTIONS })
    client = createPublicClient({ transport: http(anvil.rpcUrl) })
  })
  afterAll(() => anvil?.stop())

  it('deploys, wires, stakes and registers, as the ABIs read it', async () => {
    expect(net.deployer).toBe(privateKeyToAccount(ANVIL_DEV_KEYS[0]).address)
    expect(net.operators.map((o) => [o.id, o.votingPower, o.registered])).toEqual([
      [1, 5n * WAD, true],
      [2, 7n * WAD, true],
      [0, 0n, false],
    ])
    const { attestationCenter, registry, stakeToken } = net.contracts
    const read = (address: `0x${string}`, abi: typeof attestationCenterAbi, functionName: string) =>
      client.readContract({ address, abi, functionName } as never) as Promise<unknown>
    expect(await read(attestationCenter, attestationCenterAbi, 'totalVotingPower')).toBe(12n * WAD)
    expect(await read(attestationCenter, attestationCenterAbi, 'obls')).toBe(registry)
    for (const op of net.operators) {
      expect(bytesToHex(SecretKey.fromEcdsaPrivateKey(op.ecdsaKey).toBytes())).toBe(op.blsSecretKey)
    }
    const [, active, , votingPower] = await client.readContract({
      address: registry,
      abi: operatorRegistryAbi,
      functionName: 'getOperator',
      args: [2n],
    })
    expect([active, votingPower]).toEqual([true, 7n * WAD])
    expect(
      await client.readContract({
        address: attestationCenter,
        abi: attestationCenterAbi,
        functionName: 'getTaskDefinitionRestrictedAttesters',
        args: [1],
      }),
    ).toEqual([2n, 1n])
    // the unregistered operator is funded and staked; the deployer keeps no stake tokens
    expect(
      await client.readContract({
        address: stakeToken,
        abi: testERC20Abi,
        functionName: 'balanceOf',
        args: [net.deployer],
      }),
    ).toBe(0n)
    const hasRole = (role: `0x${string}`) =>
      client.readContract({
        address: attestationCenter,
        abi: attestationCenterAbi,
        functionName: 'hasRole',
        args: [role, net.deployer],
      } as never) as Promise<boolean>
    expect(await hasRole(ROLES.SLASHER)).toBe(true)
  })

  it('is deterministic: a fresh anvil and the same options give the same addresses, keys and ids', async () => {
    const other = await startAnvil()
    try {
      const again = await deployLocalNetwork({ rpcUrl: other.rpcUrl, ...OPTIONS })
      expect(again.contracts).toEqual(net.contracts)
      expect(again.operators).toEqual(net.operators)
      expect(again.taskDefinitions).toEqual(net.taskDefinitions)
    } finally {
      await other.stop()
    }
  })

  it("the contracts tests' options: no roles for the deployer, stake tokens kept for later operators", async () => {
    const other = await startAnvil()
    try {
      const bare = await deployLocalNetwork({
        rpcUrl: other.rpcUrl,
        grantDeployerRoles: false,
        deployerStake: parseEther('1000'),
      })
      const otherClient = createPublicClient({ transport: http(other.rpcUrl) })
      const { attestationCenter, registry, stakeToken } = bare.contracts
      expect(bare.operators).toEqual([])
      expect(
        await otherClient.readContract({
          address: stakeToken,
          abi: testERC20Abi,
          functionName: 'balanceOf',
          args: [bare.deployer],
        }),
      ).toBe(parseEther('1000'))
      expect(
        await otherClient.readContract({
          address: stakeToken,
          abi: testERC20Abi,
          functionName: 'allowance',
          args: [bare.deployer, registry],
        }),
      ).toBe(maxUint256)
      expect(
        await otherClient.readContract({
          address: attestationCenter,
          abi: attestationCenterAbi,
          functionName: 'hasRole',
          args: [ROLES.SLASHER, bare.deployer],
        } as never),
      ).toBe(false)
    } finally {
      await other.stop()
    }
  })

  it('completes on an interval-mining anvil (block time, no automine)', async () => {
    const slow = await startAnvil({ blockTime: 1 })
    try {
      const local = await deployLocalNetwork({
        rpcUrl: slow.rpcUrl,
        operators: [{ votingPower: 5n }, { votingPower: 7n }],
        taskDefinitions: [{ name: 'restricted', restrictedAttesterIds: [1, 2] }],
      })
      expect(local.operators.map((o) => o.registered)).toEqual([true, true])
      expect(new Set(local.operators.map((o) => o.id))).toEqual(new Set([1, 2]))
      expect(local.taskDefinitions).toEqual([{ id: 1, name: 'restricted' }])
    } finally {
      await slow.stop()
    }
  })

  it('fails with coded errors: wrong chain, unreachable RPC, bad input, a reverting step', async () => {
    await expect(deployLocalNetwork({ rpcUrl: anvil.rpcUrl, chainId: 1 })).rejects.toMatchObject({
      code: 'DEV_WRONG_CHAIN',
    })
    await expect(deployLocalNetwork({ rpcUrl: 'http://127.0.0.1:9' })).rejects.toMatchObject({
      code: 'DEV_RPC_FAILED',
    })
    await expect(
      deployLocalNetwork({ rpcUrl: anvil.rpcUrl, operators: [{ stake: 1n, votingPower: 1n }] }),
    ).rejects.toMatchObject({ code: 'DEV_INVALID_INPUT' })
    await expect(
      deployLocalNetwork({
        rpcUrl: anvil.rpcUrl,
        taskDefinitions: [{ name: 'x', restrictedAttesterIds: [-1] }],
      }),
    ).rejects.toMatchObject({ code: 'DEV_INVALID_INPUT' })
    // restricted id 0 is refused by the contract: the step and the contract error are named
    const error = await deployLocalNetwork({
      rpcUrl: anvil.rpcUrl,
      operators: [{}],
      taskDefinitions: [{ name: 'bad', restrictedAttesterIds: [0] }],
    }).then(
      () => {
        throw new Error('deployed')
      },
      (e: unknown) => e as DevError,
    )
    expect(error).toMatchObject({
      name: 'DevError',
      code: 'DEV_DEPLOY_FAILED',
      details: { step: 'task definition "bad"', reason: 'InvalidAttesterSet' },
    })
    expect(error.message).toContain('task definition "bad"')
  })
})
