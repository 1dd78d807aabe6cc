// OperatorRegistry (registration with proof of possession, stake → voting power, deregistration) and
// the AttestationCenter's operator views and BLS key update — on a real anvil.
import { signProofOfPossession } from '@wisp/bls'
import { type Abi, type Address, encodeAbiParameters, encodeFunctionData, maxUint256, parseEther } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Anvil, startAnvil } from '../src/dev/index.js'
import {
  attestationCenterAbi,
  INTERNAL_TASKS,
  operatorRegistryAbi,
  testERC20Abi,
  testERC20Bytecode,
} from '../src/index.js'
import {
  createDefinition,
  createFixture,
  deploy,
  govAc,
  makeOperator,
  makeTask,
  type Network,
  readAc,
  readRegistry,
  registerOperators,
  revertOf,
  send,
  submit,
  submitError,
  WAD,
} from './support/network.js'

let anvil: Anvil
let net: Network
let reset: () => Promise<void>

beforeAll(async () => {
  anvil = await startAnvil()
  const fixture = await createFixture(anvil)
  net = fixture.net
  reset = fixture.reset
})

afterAll(async () => {
  await anvil?.stop()
})

beforeEach(async () => {
  await reset()
})

const E = parseEther('1')

const registryCall = (functionName: string, args: readonly unknown[] = []) =>
  encodeFunctionData({ abi: operatorRegistryAbi as Abi, functionName, args })

async function registryError(functionName: string, args: readonly unknown[], from: Address) {
  return revertOf(net, net.registry, registryCall(functionName, args), from, operatorRegistryAbi as Abi)
}

const governanceRegistry = (functionName: string, args: readonly unknown[] = []) =>
  send(net.client, {
    address: net.registry,
    abi: operatorRegistryAbi as Abi,
    functionName,
    args,
    account: net.governance,
  })

describe('registration', () => {
  it('registers with a proof of possession and exposes ids, keys, power and totals', async () => {
    const [a, b] = await registerOperators(net, [3n * E, 5n * E])
    expect([a!.id, b!.id]).toEqual([1n, 2n])
    expect(await readAc<bigint>(net, 'operatorsIdsByAddress', [b!.address])).toBe(2n)
    expect(await readAc<bigint>(net, 'votingPower', [b!.address])).toBe(5n * E)
    expect(await readAc<bigint>(net, 'numOfTotalOperators')).toBe(2n)
    expect(await readAc<bigint>(net, 'numOfActiveOperators')).toBe(2n)
    expect(await readAc<bigint>(net, 'totalVotingPower')).toBe(8n * E)
    const details = await readAc<{ operator: Address; operatorId: bigint; votingPower: bigint }[]>(
      net,
      'getActiveOperatorsDetails',
    )
    expect(details).toEqual([
      { operator: a!.address, operatorId: 1n, votingPower: 3n * E },
      { operator: b!.address, operatorId: 2n, votingPower: 5n * E },
    ])
    const [account, active, ejected, power, key] = await readRegistry<
      [Address, boolean, boolean, bigint, bigint[]]
    >(net, 'getOperator', [1n])
    expect([account, active, ejected, power]).toEqual([a!.address, true, false, 3n * E])
    expect(key).toEqual([...a!.bls.publicKey.toEvm()])
  })

  it('refuses a bad proof of possession: InvalidBLSAuthSignature', async () => {
    const op = makeOperator(1)
    await net.client.setBalance({ address: op.address, value: E })
    const key = op.bls.publicKey.toEvm()
    const other = makeOperator(2)
    const cases = [
      // bound to another operator
      signProofOfPossession(op.bls, {
        operator: other.address,
        contract: net.registry,
        chainId: net.chainId,
      }),
      // bound to the AttestationCenter (that is the updateBlsKey proof)
      signProofOfPossession(op.bls, {
        operator: op.address,
        contract: net.attestationCenter,
        chainId: net.chainId,
      }),
      // another chain
      signProofOfPossession(op.bls, { operator: op.address, contract: net.registry, chainId: 1 }),
      // someone else's key
      signProofOfPossession(other.bls, {
        operator: op.address,
        contract: net.registry,
        chainId: net.chainId,
      }),
    ]
    for (const sig of cases) {
      expect(
        await registryError('registerAsOperator', [key, { signature: sig.toEvm() }], op.address),
      ).toEqual({
        errorName: 'InvalidBLSAuthSignature',
        args: [],
      })
    }
    const good = signProofOfPossession(op.bls, {
      operator: op.address,
      contract: net.registry,
      chainId: net.chainId,
    })
    const offCurve = [key[0], key[1], key[2], key[3] + 1n] as const
    expect(
      (await registryError('registerAsOperator', [offCurve, { signature: good.toEvm() }], op.address))
        ?.errorName,
    ).toBe('InvalidBLSAuthSignature')
    expect(
      await registryError('registerAsOperator', [key, { signature: good.toEvm() }], op.address),
    ).toBeUndefined()
  })

  it('deregisters, keeps the id on re-registration, locks stake while active', async () => {
    const [a, b] = await registerOperators(net, [2n * E, E])
    expect(await registryError('withdrawStake', [net.stakeToken, E], a!.address)).toEqual({
      errorName: 'StakeLocked',
      args: [],
    })
    expect(
      (
        await registryError(
          'registerAsOperator',
          [a!.bls.publicKey.toEvm(), { signature: [1n, 2n] }],
          a!.address,
        )
      )?.errorName,
    ).toBe('OperatorAlreadyRegistered')
    await send(net.client, {
      address: net.registry,
      abi: operatorRegistryAbi as Abi,
      functionName: 'unregisterAsOperator',
      account: a!.account,
    })
    expect(await readAc<bigint>(net, 'numOfActiveOperators')).toBe(1n)
    expect(await readAc<bigint>(net, 'totalVotingPower')).toBe(E)
    expect(await readAc<boolean>(net, 'verifyOperatorValidForTaskDefinition', [a!.address, 0])).toBe(false)
    expect(await readAc<boolean>(net, 'verifyOperatorValidForTaskDefinition', [b!.address, 0])).toBe(true)
    await send(net.client, {
      address: net.registry,
      abi: operatorRegistryAbi as Abi,
      functionName: 'withdrawStake',
      args: [net.stakeToken, E],
      account: a!.account,
    })
    expect(
      await net.client.readContract({
        address: net.stakeToken,
        abi: testERC20Abi,
        functionName: 'balanceOf',
        args: [a!.address],
      }),
    ).toBe(E)
    const pop = signProofOfPossession(a!.bls, {
      operator: a!.address,
      contract: net.registry,
      chainId: net.chainId,
    })
    await send(net.client, {
      address: net.registry,
      abi: operatorRegistryAbi as Abi,
      functionName: 'registerAsOperator',
      args: [a!.bls.publicKey.toEvm(), { signature: pop.toEvm() }],
      account: a!.account,
    })
    expect(await readAc<bigint>(net, 'operatorsIdsByAddress', [a!.address])).toBe(1n)
    expect(await readAc<bigint>(net, 'numOfTotalOperators')).toBe(2n)
    expect(await readAc<bigint>(net, 'totalVotingPower')).toBe(2n * E)
  })
})

describe('voting power', () => {
  it('is Σ stake × multiplier, capped by the maximum effective balance, synced by task 10001', async () => {
    const boosted = await deploy(net.client, net.governance, testERC20Abi as Abi, testERC20Bytecode, [
      'LST',
      'LST',
    ])
    await governanceRegistry('addStakingContract', [boosted, 2n * WAD])
    for (const [fn, args] of [
      ['mint', [net.governance.address, 100n * E]],
      ['approve', [net.registry, maxUint256]],
    ] as const) {
      await send(net.client, {
        address: boosted,
        abi: testERC20Abi as Abi,
        functionName: fn,
        args,
        account: net.governance,
      })
    }
    const [a, b] = await registerOperators(net, [E, 4n * E])
    await governanceRegistry('depositStakeFor', [a!.address, boosted, 3n * E])
    expect(await readAc<bigint>(net, 'votingPower', [a!.address])).toBe(7n * E) // 1 + 3 × 2
    expect(await readAc<bigint>(net, 'totalVotingPower')).toBe(11n * E)
    // cap and multiplier changes apply on sync
    await governanceRegistry('setMaxEffectiveBalance', [5n * E])
    await governanceRegistry('setStakingContractMultiplier', [boosted, WAD / 2n])
    expect(await readRegistry<bigint>(net, 'computeVotingPower', [a!.address])).toBe(E + (3n * E) / 2n)
    expect(await readAc<bigint>(net, 'votingPower', [a!.address])).toBe(7n * E)
    await governanceRegistry('setMaxEffectiveBalance', [2n * E])
    // sync through consensus: internal task 10001 with abi.encode(uint256[] ids)
    const data = encodeAbiParameters([{ type: 'uint256[]' }], [[a!.id, b!.id]])
    await submit(net, makeTask(a!, INTERNAL_TASKS.VOTING_POWER_SYNC, data), {
      performer: a!,
      signers: [a!, b!],
    })
    expect(await readAc<bigint>(net, 'votingPower', [a!.address])).toBe(2n * E)
    expect(await readAc<bigint>(net, 'votingPower', [b!.address])).toBe(2n * E)
    expect(await readAc<bigint>(net, 'totalVotingPower')).toBe(4n * E)
  })

  it('per-definition totals are snapshots, refreshable by anyone', async () => {
    const [a] = await registerOperators(net, [E, 2n * E, 3n * E])
    const defId = await createDefinition(net, { minimumVotingPower: 2n * E })
    expect(await readAc<bigint>(net, 'taskDefinitionVotingPower', [defId])).toBe(5n * E)
    expect(await readAc<bigint>(net, 'getTaskDefinitionMinimumVotingPower', [defId])).toBe(2n * E)
    expect(await readAc<boolean>(net, 'verifyOperatorValidForTaskDefinition', [a!.address, defId])).toBe(
      false,
    )
    await registerOperators(net, [4n * E])
    expect(await readAc<bigint>(net, 'taskDefinitionVotingPower', [defId])).toBe(5n * E)
    await send(net.client, {
      address: net.attestationCenter,
      abi: attestationCenterAbi as Abi,
      functionName: 'refreshTaskDefinitionVotingPower',
      args: [defId],
      account: a!.account,
    })
    expect(await readAc<bigint>(net, 'taskDefinitionVotingPower', [defId])).toBe(9n * E)
    await govAc(net, 'setTaskDefinitionMinVotingPower', [defId, 3n * E])
    expect(await readAc<bigint>(net, 'taskDefinitionVotingPower', [defId])).toBe(7n * E)
  })
})

describe('updateBlsKey', () => {
  it('replaces the key with a proof bound to the AttestationCenter; old votes stop counting', async () => {
    const [a, b, c] = await registerOperators(net, [E, E, E])
    const fresh = makeOperator(99).bls
    const key = fresh.publicKey.toEvm()
    const bad = signProofOfPossession(fresh, {
      operator: c!.address,
      contract: net.registry,
      chainId: net.chainId,
    })
    const data = encodeFunctionData({
      abi: attestationCenterAbi as Abi,
      functionName: 'updateBlsKey',
      args: [key, { signature: bad.toEvm() }],
    })
    expect((await revertOf(net, net.attestationCenter, data, c!.address))?.errorName).toBe(
      'InvalidBLSAuthSignature',
    )
    const pop = signProofOfPossession(fresh, {
      operator: c!.address,
      contract: net.attestationCenter,
      chainId: net.chainId,
    })
    await send(net.client, {
      address: net.attestationCenter,
      abi: attestationCenterAbi as Abi,
      functionName: 'updateBlsKey',
      args: [key, { signature: pop.toEvm() }],
      account: c!.account,
    })
    expect(await readRegistry<bigint[]>(net, 'getBlsKey', [c!.id])).toEqual([...key])
    const task = makeTask(a!)
    expect((await submitError(net, task, { performer: a!, signers: [a!, b!, c!] }))?.errorName).toBe(
      'InvalidOBLSSignature',
    )
    c!.bls = fresh
    await submit(net, task, { performer: a!, signers: [a!, b!, c!] })
  })
})

describe('views', () => {
  it('exposes the contract set and the default task definition', async () => {
    expect(await readAc<Address>(net, 'obls')).toBe(net.registry)
    expect(await readAc<Address>(net, 'avsTreasury')).toBe(net.treasury)
    expect(await readAc<Address>(net, 'internalTaskHandler')).toBe(net.attestationCenter)
    const extension = await readAc<Address>(net, 'EXTENSION_IMPLEMENTATION')
    expect((await net.client.getCode({ address: extension }))?.length).toBeGreaterThan(2)
    const def = await readAc<{ taskDefinitionId: number; name: string; blockExpiry: bigint }>(
      net,
      'getTaskDefinition',
      [0],
    )
    expect(def).toMatchObject({ taskDefinitionId: 0, name: 'default', blockExpiry: 0n })
    expect(await readAc<number>(net, 'numOfTaskDefinitions')).toBe(0)
    const id = await createDefinition(net, { restrictedOperatorIndexes: [2n, 1n] }, 'oracle')
    expect(id).toBe(1)
    const created = await readAc<{ name: string; restrictedAttesterIds: bigint[] }>(
      net,
      'getTaskDefinition',
      [id],
    )
    expect(created).toMatchObject({ name: 'oracle', restrictedAttesterIds: [2n, 1n] })
    expect(
      await revertOf(
        net,
        net.attestationCenter,
        encodeFunctionData({
          abi: attestationCenterAbi as Abi,
          functionName: 'getTaskDefinition',
          args: [5],
        }),
        net.governance.address,
      ),
    ).toEqual({
      errorName: 'TaskDefinitionNotFound',
      args: [5],
    })
  })
})
