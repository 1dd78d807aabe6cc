// Every read action, round-tripped against what @wisp/contracts/dev's deployLocalNetwork was asked
// for (the deployer's own tests are in @wisp/contracts).
import { SecretKey } from '@wisp/bls'
import { ROLES } from '@wisp/contracts'
import {
  type Anvil,
  deployLocalNetwork,
  type LocalNetwork,
  type LocalNetworkOptions,
  startAnvil,
} from '@wisp/contracts/dev'
import { bytesToHex, createPublicClient, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  getCenterSettings,
  getContracts,
  getNetworkTotal,
  getOperator,
  getOperatorByAddress,
  getOperatorCount,
  getOperatorId,
  getOperators,
  getRegistryAddress,
  getTaskDefinition,
  getTaskDefinitions,
  getTaskDefinitionTotal,
  getTaskNumber,
} from '../src/actions/read.js'
import { createChainPort } from '../src/port.js'

const E = 10n ** 18n
const POWERS = [5n, 10n, 15n, 20n, 25n, 30n, 35n, 40n, 45n, 50n].map((p) => p * E)
const OPTIONS: Pick<LocalNetworkOptions, 'operators' | 'taskDefinitions'> = {
  operators: POWERS.map((votingPower) => ({ votingPower })),
  taskDefinitions: [
    { name: 'open', baseRewardFeeForAttesters: 3n, disputePeriodBlocks: 10n },
    { name: 'minimum', minimumVotingPower: 30n * E, maximumNumberOfAttesters: 4 },
    { name: 'restricted', restrictedAttesterIds: [2, 4, 6], blockExpiry: 1_000_000n },
  ],
}

let anvil: Anvil
let net: LocalNetwork
let client: ReturnType<typeof createPublicClient>

beforeAll(async () => {
  anvil = await startAnvil()
  net = await deployLocalNetwork({ rpcUrl: anvil.rpcUrl, ...OPTIONS })
  client = createPublicClient({ transport: http(anvil.rpcUrl) })
  console.log(`deployLocalNetwork, 10 operators, 3 definitions: ${JSON.stringify(net.timings)}`)
})
afterAll(() => anvil?.stop())

describe('reads of a local network', () => {
  it('is fast enough for tests and the devnet', () => {
    expect(net.timings.totalMs).toBeLessThan(10_000)
    expect(net.chainId).toBe(31337)
    expect(net.deployer).toBe(
      privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80').address,
    )
  })

  it('registers every operator with its voting power and the Othentic BLS derivation', async () => {
    const center = { attestationCenter: net.contracts.attestationCenter }
    const operators = await getOperators(client, center)
    expect(operators.map((o) => o.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(operators.map((o) => o.votingPower)).toEqual(POWERS)
    expect(operators.every((o) => o.active && !o.ejected)).toBe(true)
    for (const [i, op] of net.operators.entries()) {
      expect(op).toMatchObject({
        index: i,
        id: i + 1,
        votingPower: POWERS[i],
        stake: POWERS[i],
        registered: true,
      })
      expect(operators[i]!.address).toBe(op.address)
      expect(privateKeyToAccount(op.ecdsaKey).address).toBe(op.address)
      const bls = SecretKey.fromEcdsaPrivateKey(op.ecdsaKey)
      expect(bytesToHex(bls.toBytes())).toBe(op.blsSecretKey)
      expect(bytesToHex(operators[i]!.blsPublicKey)).toBe(op.blsPublicKey)
      expect(bls.publicKey.toHex()).toBe(op.blsPublicKey)
      expect(await client.getBalance({ address: op.address })).toBeGreaterThan(9n * E)
    }
    expect(await getOperatorCount(client, center)).toBe(10)
    expect(await getOperator(client, { ...center, id: 4 })).toEqual(operators[3])
    expect(await getOperator(client, { ...center, id: 11 })).toBeUndefined()
    expect(await getOperator(client, { ...center, id: 0 })).toBeUndefined()
    expect(await getOperatorId(client, { ...center, address: net.operators[6]!.address })).toBe(7)
    expect(await getOperatorId(client, { ...center, address: net.deployer })).toBeUndefined()
    expect(await getOperatorByAddress(client, { ...center, address: net.operators[9]!.address })).toEqual(
      operators[9],
    )
    expect(await getNetworkTotal(client, center)).toBe(POWERS.reduce((a, b) => a + b, 0n))
    // small batches: the same answer over several multicalls
    expect(await getOperators(client, { ...center, batchBytes: 100 })).toEqual(operators)
  })

  it('creates the task definitions with their snapshots', async () => {
    const center = { attestationCenter: net.contracts.attestationCenter }
    expect(net.taskDefinitions).toEqual([
      { id: 1, name: 'open' },
      { id: 2, name: 'minimum' },
      { id: 3, name: 'restricted' },
    ])
    const all = await getTaskDefinitions(client, center)
    expect(all.map((d) => d.id)).toEqual([0, 1, 2, 3])
    expect(all[0]).toMatchObject({ name: 'default', minimumVotingPower: 0n, restrictedAttesterIds: [] })
    expect(all[1]).toMatchObject({
      name: 'open',
      baseRewardFeeForAttesters: 3n,
      disputePeriodBlocks: 10n,
      blockExpiry: 0n,
      definitionTotal: POWERS.reduce((a, b) => a + b, 0n),
      internal: false,
    })
    expect(all[2]).toMatchObject({
      minimumVotingPower: 30n * E,
      maximumNumberOfAttesters: 4,
      definitionTotal: (30n + 35n + 40n + 45n + 50n) * E,
    })
    expect(all[3]).toMatchObject({
      restrictedAttesterIds: [2, 4, 6],
      blockExpiry: 1_000_000n,
      definitionTotal: (10n + 20n + 30n) * E,
    })
    expect(await getTaskDefinitionTotal(client, { ...center, id: 3 })).toBe(60n * E)
    expect(await getTaskDefinition(client, { ...center, id: 4 })).toBeUndefined()
    expect(await getTaskDefinition(client, { ...center, id: 10002 })).toMatchObject({ internal: true })
    await expect(getTaskDefinition(client, { ...center, id: 65536 })).rejects.toMatchObject({
      code: 'CHAIN_INVALID_INPUT',
    })
  })

  it('wires the contracts and grants the deployer its roles', async () => {
    const center = { attestationCenter: net.contracts.attestationCenter }
    const contracts = await getContracts(client, center)
    expect(contracts).toMatchObject({
      attestationCenter: net.contracts.attestationCenter,
      registry: net.contracts.registry,
      treasury: net.contracts.treasury,
    })
    expect(await getRegistryAddress(client, center)).toBe(net.contracts.registry)
    expect(await getTaskNumber(client, center)).toBe(0)
    expect(await getCenterSettings(client, center)).toMatchObject({
      paused: false,
      isOpenAggregator: false,
      challengerRewardFee: 0n,
      numOfTaskDefinitions: 3,
    })
    for (const role of [
      ROLES.EJECTOR,
      ROLES.SLASHER,
      ROLES.PAYMENT_REQUESTS,
      ROLES.AVS_GOVERNANCE_MULTISIG,
    ]) {
      expect(
        await client.readContract({
          address: net.contracts.attestationCenter,
          abi: [
            {
              type: 'function',
              name: 'hasRole',
              stateMutability: 'view',
              inputs: [{ type: 'bytes32' }, { type: 'address' }],
              outputs: [{ type: 'bool' }],
            },
          ],
          functionName: 'hasRole',
          args: [role, net.deployer],
        }),
      ).toBe(true)
    }
  })

  it('takes stakes, caps, explicit keys, unregistered operators and open aggregation', async () => {
    const other = await startAnvil()
    try {
      const blsKey: Hex = `0x${'00'.repeat(31)}2a`
      const custom = await deployLocalNetwork({
        rpcUrl: other.rpcUrl,
        stakeMultiplier: 2n * E, // 2 power per token
        maxEffectiveBalance: 100n,
        operators: [
          { stake: 10n },
          { stake: 1_000n },
          { votingPower: 30n, blsSecretKey: blsKey },
          {
            votingPower: 8n,
            register: false,
            ecdsaKey: '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
          },
        ],
        openAggregator: true,
        challengerRewardFee: 5n,
        slashing: { doubleAttestation: { enabled: true, stakePercentageBps: 5_000, eject: true } },
      })
      expect(custom.operators.map((o) => [o.id, o.votingPower, o.stake, o.registered])).toEqual([
        [1, 20n, 10n, true],
        [2, 100n, 1_000n, true],
        [3, 30n, 15n, true],
        [0, 0n, 4n, false],
      ])
      expect(custom.operators[2]!.blsSecretKey).toBe(blsKey)
      expect(custom.operators[2]!.blsPublicKey).toBe(SecretKey.fromBytes(blsKey).publicKey.toHex())
      const otherClient = createPublicClient({ transport: http(other.rpcUrl) })
      expect(
        await getCenterSettings(otherClient, { attestationCenter: custom.contracts.attestationCenter }),
      ).toMatchObject({ isOpenAggregator: true, challengerRewardFee: 5n })
      expect(
        await getOperators(otherClient, { attestationCenter: custom.contracts.attestationCenter }),
      ).toHaveLength(3)
    } finally {
      await other.stop()
    }
  })

  it('reads a large operator set over several multicalls (each under the 24 KiB code limit)', async () => {
    const other = await startAnvil()
    try {
      const big = await deployLocalNetwork({
        rpcUrl: other.rpcUrl,
        operators: Array.from({ length: 90 }, (_, i) => ({ votingPower: BigInt(i + 1) })),
      })
      const otherClient = createPublicClient({ transport: http(other.rpcUrl) })
      const read = await getOperators(otherClient, { attestationCenter: big.contracts.attestationCenter })
      expect(read.map((o) => o.id)).toEqual(big.operators.map((o) => o.id))
      expect(read.map((o) => o.votingPower)).toEqual(big.operators.map((_, i) => BigInt(i + 1)))
    } finally {
      await other.stop()
    }
  })

  it('an interval-mining anvil (block time, no automine): the deployment completes and the port reads it', async () => {
    const slow = await startAnvil({ blockTime: 1 })
    try {
      const local = await deployLocalNetwork({
        rpcUrl: slow.rpcUrl,
        operators: [{ votingPower: 5n }, { votingPower: 7n }],
        taskDefinitions: [{ name: 'restricted', restrictedAttesterIds: [1, 2] }],
      })
      const slowClient = createPublicClient({ transport: http(slow.rpcUrl), pollingInterval: 100 })
      const port = await createChainPort(
        { attestationCenter: local.contracts.attestationCenter },
        { publicClient: slowClient },
      )
      expect(await port.getNetworkTotal()).toBe(12n)
      expect((await port.getTaskDefinition(1))?.definitionTotal).toBe(12n)
      const start = await slowClient.getBlockNumber()
      await new Promise((r) => setTimeout(r, 1_200))
      expect(await slowClient.getBlockNumber()).toBeGreaterThan(start)
    } finally {
      await slow.stop()
    }
  })
})
