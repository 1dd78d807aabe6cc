// Internal tasks on anvil, both backends: what goes stale (Wisp: a voting-power cap makes stored
// powers stale, the synced powers then make a definition's snapshot stale; Othentic: a voting-power
// change makes the OBLS per-definition total stale), the planned data is accepted by the contracts
// and fixes the state (planned again: in sync), and the attester's check approves exactly the
// honest data (or a subset) and rejects forgeries.
import { SecretKey } from '@wisp/bls'
import { operatorRegistryAbi, othenticShapedAttestationCenterAbi } from '@wisp/contracts'
import {
  ANVIL_DEV_KEYS,
  type Anvil,
  deployLocalNetwork,
  deployOthenticShapedNetwork,
  type LocalNetwork,
  type OthenticShapedNetwork,
  startAnvil,
} from '@wisp/contracts/dev'
import type { TaskInfo } from '@wisp/protocol'
import {
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  pad,
  parseAbi,
  parseAbiParameters,
  toFunctionSelector,
} from 'viem'
import { getCode, writeContract } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkInternalTask,
  createInternalTasks,
  getTaskDefinition,
  OTHENTIC_VOTING_POWER_SYNC_UNSUPPORTED,
  submitTask,
} from '../src/index.js'
import { clientsFor, performerSignature, signVotes } from './support/network.js'

const E = 10n ** 18n
let anvil: Anvil
let wisp: LocalNetwork
let othentic: OthenticShapedNetwork
let clients: ReturnType<typeof clientsFor>

beforeAll(async () => {
  anvil = await startAnvil()
  // four operators 10, 10, 10, 1; a definition with a minimum of 5 (the snapshot submitTask uses)
  wisp = await deployLocalNetwork({
    rpcUrl: anvil.rpcUrl,
    operators: [10n, 10n, 10n, 1n].map((p) => ({ votingPower: p * E })),
    taskDefinitions: [{ name: 'open' }, { name: 'minimum', minimumVotingPower: 5n * E }],
  })
  othentic = await deployOthenticShapedNetwork({
    rpcUrl: anvil.rpcUrl,
    eventVersion: 2,
    operators: ANVIL_DEV_KEYS.slice(1, 5).map((ecdsaKey) => ({ ecdsaKey, votingPower: 10n * E })),
    taskDefinitions: [{ name: 'restricted', restrictedAttesterIds: [2, 3, 4] }, { name: 'open' }],
  })
  clients = clientsFor(anvil.rpcUrl, wisp.chainId)
}, 120_000)

afterAll(async () => {
  await anvil?.stop()
})

const deployer = () => clients.walletOf(ANVIL_DEV_KEYS[0])

async function send(address: Address, abi: readonly unknown[], functionName: string, args: unknown[]) {
  const hash = await writeContract(deployer(), {
    address,
    abi: abi as never,
    functionName: functionName as never,
    args: args as never,
    chain: clients.chain,
    account: deployer().account,
  })
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
}

/** Submits an internal task approved by every operator (operator 1 performs and aggregates). */
async function submitInternal(
  net: { chainId: number; operators: Array<{ ecdsaKey: Hex; blsSecretKey: Hex; id?: number }> },
  center: Address,
  taskDefinitionId: number,
  data: Hex,
) {
  const ops = net.operators.map((o, i) => ({
    ...o,
    id: o.id ?? i + 1,
    bls: SecretKey.fromBytes(o.blsSecretKey),
    wallet: clients.walletOf(o.ecdsaKey),
  }))
  const task: TaskInfo = {
    proofOfTask: `internal-${taskDefinitionId}-${Date.now()}`,
    data,
    taskPerformer: ops[0]!.wallet.account.address,
    taskDefinitionId,
  }
  return submitTask(ops[0]!.wallet, {
    attestationCenter: center,
    task,
    performerSignature: await performerSignature(ops[0]!, task, 'ecdsa'),
    isApproved: true,
    ...signVotes({ center, net: { chainId: net.chainId } as never }, task, ops, true),
  })
}

const setter = parseAbi(['function setTotalVotingPowerPerTaskDefinition(uint256 id, uint256 power)'])
const calls = (list: Array<{ to: Address; data: Hex }>) =>
  encodeAbiParameters(parseAbiParameters('(address to, bytes data)[]'), [list])
const uint256s = (ids: number[]) => encodeAbiParameters(parseAbiParameters('uint256[]'), [ids.map(BigInt)])
const uint16s = (ids: number[]) => encodeAbiParameters(parseAbiParameters('uint16[]'), [ids])

describe('internal tasks on Wisp’s contracts', () => {
  const tasks = () =>
    createInternalTasks(clients.publicClient, {
      attestationCenter: wisp.contracts.attestationCenter,
      backend: 'wisp',
    })

  it('in sync after deployment: nothing to send', async () => {
    expect((await tasks().plan(10001)).status).toBe('in-sync')
    expect((await tasks().plan(10002)).status).toBe('in-sync')
  })

  it('a cap makes voting powers stale (10001), the synced powers make the snapshot stale (10002); both fix it on chain', async () => {
    await send(wisp.contracts.registry, operatorRegistryAbi, 'setMaxEffectiveBalance', [5n * E])
    const sync = await tasks().plan(10001)
    expect(sync).toMatchObject({ status: 'task', plan: { taskDefinitionId: 10001, ids: [1, 2, 3] } })
    if (sync.status !== 'task') throw new Error('unreachable')
    expect(sync.plan.data).toBe(uint256s([1, 2, 3]))
    // the stored powers have not moved yet: the snapshot (30) still matches them
    expect((await tasks().plan(10002)).status).toBe('in-sync')

    // the attester's check: the honest data and a subset are approved, anything else rejected
    expect(await tasks().check(10001, sync.plan.data)).toEqual({ kind: 'approve' })
    expect(await tasks().check(10001, uint256s([2]))).toEqual({ kind: 'approve' })
    for (const [forged, why] of [
      [uint256s([1, 2, 3, 4]), /operator 4 is not/],
      [uint256s([3, 1]), /not strictly ascending/],
      [uint256s([1, 1]), /not strictly ascending/],
      [uint256s([]), /changes nothing/],
      ['0x1234', /not abi.encode\(uint256\[\]\)/],
      [encodeAbiParameters(parseAbiParameters('uint256[]'), [[2n ** 255n]]), /does not exist/],
      [`${uint256s([1])}00`, /canonical/],
    ] as const) {
      const verdict = await tasks().check(10001, forged as Hex)
      expect(verdict.kind, forged).toBe('reject')
      expect((verdict as { reason: string }).reason).toMatch(why)
    }

    const submitted = await submitInternal(wisp, wisp.contracts.attestationCenter, 10001, sync.plan.data)
    expect(submitted.event.event).toBe('TaskSubmitted')
    expect((await tasks().plan(10001)).status).toBe('in-sync')

    // now 5 + 5 + 5 are eligible (operator 4's 1 is under the minimum of 5): the snapshot of 30 is stale
    const totals = await tasks().plan(10002)
    expect(totals).toMatchObject({ status: 'task', plan: { ids: [2] } })
    if (totals.status !== 'task') throw new Error('unreachable')
    expect(totals.plan.data).toBe(uint16s([2]))
    // definition 1 has no rules: its snapshot is never read, never refreshed
    const forgedOpen = await tasks().check(10002, uint16s([1, 2]))
    expect(forgedOpen).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/definition 1/) })
    expect(await tasks().check(10002, totals.plan.data)).toEqual({ kind: 'approve' })

    await submitInternal(wisp, wisp.contracts.attestationCenter, 10002, totals.plan.data)
    const refreshed = await getTaskDefinition(clients.publicClient, {
      attestationCenter: wisp.contracts.attestationCenter,
      id: 2,
    })
    expect(refreshed?.definitionTotal).toBe(15n * E)
    expect((await tasks().plan(10002)).status).toBe('in-sync')
    // what was honest a moment ago is now a forgery: nothing differs any more
    expect((await tasks().check(10002, totals.plan.data)).kind).toBe('reject')
  })

  it('an id that is not an internal task is refused, coded', async () => {
    await expect(
      checkInternalTask(clients.publicClient, {
        attestationCenter: wisp.contracts.attestationCenter,
        backend: 'wisp',
        taskDefinitionId: 1,
        data: '0x',
      }),
    ).rejects.toMatchObject({ code: 'CHAIN_INVALID_INPUT' })
  })
})

describe('internal tasks on Othentic’s contracts', () => {
  const tasks = () =>
    createInternalTasks(clients.publicClient, {
      attestationCenter: othentic.contracts.attestationCenter,
      backend: 'othentic',
    })

  it('10001 is never planned and never judged: it needs L1 stake data', async () => {
    expect(await tasks().plan(10001)).toEqual({
      status: 'unsupported',
      reason: OTHENTIC_VOTING_POWER_SYNC_UNSUPPORTED,
    })
    expect(await tasks().check(10001, '0x')).toEqual({
      kind: 'abstain',
      reason: OTHENTIC_VOTING_POWER_SYNC_UNSUPPORTED,
    })
  })

  it('a voting-power change makes the restricted definition’s OBLS total stale; the setter call fixes it on chain', async () => {
    expect((await tasks().plan(10002)).status).toBe('in-sync')
    await send(
      othentic.contracts.attestationCenter,
      othenticShapedAttestationCenterAbi,
      'setOperatorVotingPower',
      [3n, 25n * E],
    )
    const planned = await tasks().plan(10002)
    expect(planned).toMatchObject({ status: 'task', plan: { ids: [1] } })
    if (planned.status !== 'task') throw new Error('unreachable')
    const honest = {
      to: othentic.contracts.obls,
      data: encodeFunctionData({
        abi: setter,
        functionName: 'setTotalVotingPowerPerTaskDefinition',
        args: [1n, 45n * E],
      }),
    }
    expect(planned.plan.data).toBe(calls([honest]))
    expect(await tasks().check(10002, planned.plan.data)).toEqual({ kind: 'approve' })

    const wrongTotal = {
      ...honest,
      data: encodeFunctionData({
        abi: setter,
        functionName: 'setTotalVotingPowerPerTaskDefinition',
        args: [1n, 1n],
      }),
    }
    const openDefinition = {
      ...honest,
      data: encodeFunctionData({
        abi: setter,
        functionName: 'setTotalVotingPowerPerTaskDefinition',
        args: [2n, 45n * E],
      }),
    }
    for (const [forged, why] of [
      [calls([wrongTotal]), /does not set definition 1/],
      [calls([{ ...honest, to: othentic.contracts.attestationCenter }]), /not to the OBLS/],
      [calls([openDefinition]), /definition 2 has no stale snapshot/],
      [calls([honest, honest]), /not strictly ascending/],
      [calls([{ ...honest, data: '0xdeadbeef' }]), /not a per-definition totals setter/],
      [calls([]), /changes nothing/],
      [uint16s([1]), /./],
    ] as const) {
      const verdict = await tasks().check(10002, forged)
      expect(verdict.kind, forged).toBe('reject')
      expect((verdict as { reason: string }).reason).toMatch(why)
    }

    const submitted = await submitInternal(
      othentic,
      othentic.contracts.attestationCenter,
      10002,
      planned.plan.data,
    )
    expect(submitted.event.event).toBe('TaskSubmitted')
    expect((await tasks().plan(10002)).status).toBe('in-sync')
  })

  /**
   * Othentic's OBLS sits behind an EIP-1967 proxy, and its setter computes the total itself. Here the
   * Othentic-shaped OBLS is put behind a minimal EIP-1967 proxy (same address and storage: the
   * AttestationCenter keeps working through it), then its implementation's setter selector is
   * changed to Othentic's, so the plan must find and speak Othentic's setters.
   */
  it('reads the setter through an EIP-1967 proxy, and speaks Othentic’s own setters where the OBLS has them', async () => {
    const net = await deployOthenticShapedNetwork({
      rpcUrl: anvil.rpcUrl,
      eventVersion: 2,
      operators: ANVIL_DEV_KEYS.slice(1, 5).map((ecdsaKey) => ({ ecdsaKey, votingPower: 10n * E })),
      taskDefinitions: [
        { name: 'restricted', restrictedAttesterIds: [2, 3, 4] },
        { name: 'minimum', minimumVotingPower: 20n * E },
      ],
    })
    const obls = net.contracts.obls
    const implementation: Address = '0x00000000000000000000000000000000000e1967'
    const code = await getCode(clients.publicClient, { address: obls })
    await clients.testClient.setCode({ address: implementation, bytecode: code! })
    await clients.testClient.setCode({ address: obls, bytecode: EIP1967_PROXY })
    await clients.testClient.setStorageAt({
      address: obls,
      index: IMPLEMENTATION_SLOT,
      value: pad(implementation),
    })
    const proxied = () =>
      createInternalTasks(clients.publicClient, {
        attestationCenter: net.contracts.attestationCenter,
        backend: 'othentic',
      })

    await send(
      net.contracts.attestationCenter,
      othenticShapedAttestationCenterAbi,
      'setOperatorVotingPower',
      [3n, 25n * E],
    )
    const explicit = await proxied().plan(10002)
    expect(explicit).toMatchObject({ status: 'task', plan: { ids: [1, 2] } })
    if (explicit.status !== 'task') throw new Error('unreachable')
    // definition 1: 10 + 25 + 10; definition 2 (minimum 20): only operator 3's 25
    expect(explicit.plan.data).toBe(
      calls([
        {
          to: obls,
          data: encodeFunctionData({
            abi: setter,
            functionName: 'setTotalVotingPowerPerTaskDefinition',
            args: [1n, 45n * E],
          }),
        },
        {
          to: obls,
          data: encodeFunctionData({
            abi: setter,
            functionName: 'setTotalVotingPowerPerTaskDefinition',
            args: [2n, 25n * E],
          }),
        },
      ]),
    )
    // the AttestationCenter reaches the OBLS through the proxy: the task lands and fixes both
    await submitInternal(net, net.contracts.attestationCenter, 10002, explicit.plan.data)
    expect((await proxied().plan(10002)).status).toBe('in-sync')

    // the implementation now dispatches Othentic's setter selector (0xe010f957) instead
    const patched = code!.replace(
      `63${toFunctionSelector(setter[0]).slice(2)}`,
      `63${toFunctionSelector(othenticSetters[0]).slice(2)}`,
    )
    expect(patched).not.toBe(code)
    await clients.testClient.setCode({ address: implementation, bytecode: patched as Hex })
    await send(
      net.contracts.attestationCenter,
      othenticShapedAttestationCenterAbi,
      'setOperatorVotingPower',
      [4n, 30n * E],
    )
    const othenticShape = await proxied().plan(10002)
    if (othenticShape.status !== 'task') throw new Error(`expected a task, got ${othenticShape.status}`)
    expect(othenticShape.plan.ids).toEqual([1, 2])
    const honest = calls([
      {
        to: obls,
        data: encodeFunctionData({
          abi: othenticSetters,
          functionName: 'setTotalVotingPowerPerRestrictedTaskDefinition',
          args: [1, 0n, [2n, 3n, 4n]],
        }),
      },
      {
        to: obls,
        data: encodeFunctionData({
          abi: othenticSetters,
          functionName: 'setTotalVotingPowerPerTaskDefinition',
          args: [2, 4n, 20n * E],
        }),
      },
    ])
    expect(othenticShape.plan.data).toBe(honest)
    expect(await proxied().check(10002, honest)).toEqual({ kind: 'approve' })
    // the explicit-total shape is not what this OBLS takes
    const verdict = await proxied().check(
      10002,
      calls([
        {
          to: obls,
          data: encodeFunctionData({
            abi: setter,
            functionName: 'setTotalVotingPowerPerTaskDefinition',
            args: [1n, 65n * E],
          }),
        },
      ]),
    )
    expect(verdict).toMatchObject({
      kind: 'reject',
      reason: expect.stringMatching(/not a per-definition totals setter/),
    })
  })
})

/** EIP-1967 slot of the implementation address. */
const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
/** delegatecall everything to sload(IMPLEMENTATION_SLOT), return or revert with its returndata */
const EIP1967_PROXY: Hex = `0x363d3d373d3d363d7f${IMPLEMENTATION_SLOT.slice(2)}545af43d600060003e6039573d6000fd5b3d6000f3`
const othenticSetters = parseAbi([
  'function setTotalVotingPowerPerTaskDefinition(uint16 taskDefinitionId, uint256 numOfTotalOperators, uint256 minimumVotingPower)',
  'function setTotalVotingPowerPerRestrictedTaskDefinition(uint16 taskDefinitionId, uint256 minimumVotingPower, uint256[] restrictedAttesterIds)',
])
