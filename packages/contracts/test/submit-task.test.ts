// submitTask on a real anvil: both overloads, every docs/protocol.md §3 step and its named error, the
// threshold boundaries. Signatures are real: @wisp/bls votes aggregated off-chain, keys summed on-chain.
import { type TaskInfo, taskHash } from '@wisp/protocol'
import {
  type Abi,
  decodeEventLog,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  parseEther,
  toFunctionSelector,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Anvil, startAnvil } from '../src/dev/index.js'
import {
  attestationCenterAbi,
  mockAvsLogicAbi,
  mockAvsLogicBytecode,
  operatorRegistryAbi,
} from '../src/index.js'
import {
  blsPerformerSignature,
  buildSubmission,
  createDefinition,
  createFixture,
  deploy,
  govAc,
  makeTask,
  type Network,
  type Operator,
  readAc,
  readRegistry,
  registerOperators,
  revertOf,
  send,
  signVotes,
  submit,
  submitError,
  submitTaskBlsAbi,
  submitTaskEcdsaAbi,
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
const outsider = privateKeyToAccount('0x59c6995e998f97a5a0044966f0a9d9a0a1e59b9b5b3c1cbc8fd3f0f1b6e4e6f1')

function decodeTaskEvent(logs: readonly { address: string; data: Hex; topics: readonly Hex[] }[]) {
  for (const log of logs) {
    if (log.address.toLowerCase() !== net.attestationCenter.toLowerCase()) continue
    try {
      const ev = decodeEventLog({
        abi: attestationCenterAbi as Abi,
        data: log.data,
        topics: log.topics as [Hex],
      })
      if (ev.eventName === 'TaskSubmitted' || ev.eventName === 'TaskRejected') return ev
    } catch {
      // other events
    }
  }
  throw new Error('no TaskSubmitted/TaskRejected event')
}

describe('ABI', () => {
  it('keeps the Othentic selectors of both overloads', () => {
    expect(toFunctionSelector(submitTaskEcdsaAbi[0])).toBe('0xfff768e3')
    expect(toFunctionSelector(submitTaskBlsAbi[0])).toBe('0x8a7ce8a4')
  })
})

describe('an aggregate of N operators’ votes', () => {
  it.each(['ecdsa', 'bls'] as const)(
    'is accepted (%s performer signature) and recorded',
    async (overload) => {
      const ops = await registerOperators(net, [E, E, E, E, E, E, E])
      const task = makeTask(ops[0]!)
      const signers = ops.slice(0, 5)
      const receipt = await submit(net, task, {
        performer: ops[0]!,
        signers,
        overload,
        from: ops[6]!.account,
      })
      const ev = decodeTaskEvent(receipt.logs)
      expect(ev.eventName).toBe('TaskSubmitted')
      // `operator` is the task performer (as on Othentic), not the aggregator that sent the transaction
      expect(ev.args).toMatchObject({
        operator: ops[0]!.address,
        taskNumber: 0,
        proofOfTask: task.proofOfTask,
        data: task.data,
        taskDefinitionId: 0,
        attestersIds: signers.map((o) => o.id),
      })
      expect(await readAc<number>(net, 'taskNumber')).toBe(1)
      const record = await readAc<{ status: number; taskNumber: number }>(net, 'getTaskRecord', [
        taskHash(task),
      ])
      expect(record.status).toBe(1)
    },
  )

  it('is refused when tampered: InvalidOBLSSignature', async () => {
    const ops = await registerOperators(net, [E, E, E, E])
    const task = makeTask(ops[0]!)
    const good = signVotes(net, task, ops.slice(0, 3), true)
    // a vote for another task
    const other = signVotes(net, makeTask(ops[0]!), ops.slice(0, 3), true)
    expect(
      await submitError(net, task, {
        performer: ops[0]!,
        signers: ops.slice(0, 3),
        taSignature: other.taSignature,
      }),
    ).toEqual({
      errorName: 'InvalidOBLSSignature',
      args: [],
    })
    // the reject vote offered as approval
    const reject = signVotes(net, task, ops.slice(0, 3), false)
    expect(
      (
        await submitError(net, task, {
          performer: ops[0]!,
          signers: ops.slice(0, 3),
          taSignature: reject.taSignature,
        })
      )?.errorName,
    ).toBe('InvalidOBLSSignature')
    // claims a signer who did not sign
    expect(
      (
        await submitError(net, task, {
          performer: ops[0]!,
          signers: ops.slice(0, 3),
          attestersIds: [...good.attestersIds, ops[3]!.id],
        })
      )?.errorName,
    ).toBe('InvalidOBLSSignature')
    // off-curve point
    expect(
      (await submitError(net, task, { performer: ops[0]!, signers: ops.slice(0, 3), taSignature: [1n, 3n] }))
        ?.errorName,
    ).toBe('InvalidOBLSSignature')
  })

  it('cannot be submitted twice, whatever the verdict: MessageAlreadySigned', async () => {
    const ops = await registerOperators(net, [E, E, E])
    const task = makeTask(ops[0]!)
    await submit(net, task, { performer: ops[0]!, signers: ops })
    expect((await submitError(net, task, { performer: ops[0]!, signers: ops }))?.errorName).toBe(
      'MessageAlreadySigned',
    )
    expect(
      (await submitError(net, task, { performer: ops[0]!, signers: ops, isApproved: false, overload: 'bls' }))
        ?.errorName,
    ).toBe('MessageAlreadySigned')
  })

  it('emits TaskRejected for a reject verdict', async () => {
    const ops = await registerOperators(net, [E, E, E])
    const task = makeTask(ops[0]!)
    const receipt = await submit(net, task, {
      performer: ops[0]!,
      signers: [ops[1]!],
      isApproved: false,
      from: ops[2]!.account,
    })
    const ev = decodeTaskEvent(receipt.logs)
    expect(ev.eventName).toBe('TaskRejected')
    expect(ev.args).toMatchObject({ operator: ops[0]!.address, attestersIds: [ops[1]!.id] })
    const record = await readAc<{ status: number }>(net, 'getTaskRecord', [taskHash(task)])
    expect(record.status).toBe(2)
  })
})

describe('threshold boundaries (integer division, >=): exactly passes, one wei less reverts', () => {
  // signers hold `signed` of `total`; the "less" variant moves one wei from a signer to a non-signer,
  // so the total (and the required power) stays the same.
  async function run(opts: {
    isApproved: boolean
    signerStakes: bigint[]
    otherStakes: bigint[]
    /** operators outside the definition's total (below the minimum, or outside the restricted set) */
    excludedStakes?: bigint[]
    definition?: 'min' | 'restricted'
    less: boolean
  }) {
    const signerStakes = [...opts.signerStakes]
    const otherStakes = [...opts.otherStakes]
    if (opts.less) {
      signerStakes[0] = signerStakes[0]! - 1n
      otherStakes[0] = otherStakes[0]! + 1n
    }
    const signers = await registerOperators(net, signerStakes)
    const others = await registerOperators(net, otherStakes)
    await registerOperators(net, opts.excludedStakes ?? [])
    let defId = 0
    if (opts.definition === 'min') {
      const min = [...signerStakes, ...otherStakes].sort((a, b) => (a < b ? -1 : 1))[0]!
      defId = await createDefinition(net, { minimumVotingPower: min })
    } else if (opts.definition === 'restricted') {
      defId = await createDefinition(net, {
        restrictedOperatorIndexes: [...signers, ...others].map((o) => o.id),
      })
    }
    const task = makeTask(signers[0]!, defId)
    return submitError(net, task, { performer: signers[0]!, signers, isApproved: opts.isApproved })
  }

  // total 3000 + 2 wei: approve needs floor(2·3000000000000000002/3) = 2000000000000000001
  const approve = {
    isApproved: true,
    signerStakes: [1000n * E + 1n, 1000n * E],
    otherStakes: [1000n * E + 1n],
  }
  // total 3000 + 2 wei: reject needs floor(3000000000000000002/3) = 1000000000000000000
  const reject = {
    isApproved: false,
    signerStakes: [1000n * E],
    otherStakes: [1000n * E + 1n, 1000n * E + 1n],
  }

  for (const [label, base] of [
    ['approve', approve],
    ['reject', reject],
  ] as const) {
    it(`${label}, network total`, async () => {
      expect(await run({ ...base, less: false })).toBeUndefined()
      await reset()
      expect(await run({ ...base, less: true })).toEqual({ errorName: 'InsufficientVotingPower', args: [] })
    })

    it(`${label}, task definition with a minimum voting power (its own total)`, async () => {
      // the excluded operator is below the minimum: against the network total the signers would fail
      const excludedStakes = [500n * E]
      expect(await run({ ...base, excludedStakes, definition: 'min', less: false })).toBeUndefined()
      await reset()
      expect(await run({ ...base, excludedStakes, definition: 'min', less: true })).toEqual({
        errorName: 'InsufficientVotingPower',
        args: [],
      })
    })

    it(`${label}, task definition with a restricted attester set (its own total)`, async () => {
      const excludedStakes = [5000n * E]
      expect(await run({ ...base, excludedStakes, definition: 'restricted', less: false })).toBeUndefined()
      await reset()
      expect(await run({ ...base, excludedStakes, definition: 'restricted', less: true })).toEqual({
        errorName: 'InsufficientVotingPower',
        args: [],
      })
    })
  }

  it('reverts InvalidRequiredVotingPower when the total is zero', async () => {
    const ops = await registerOperators(net, [0n, 0n])
    const task = makeTask(ops[0]!)
    expect((await submitError(net, task, { performer: ops[0]!, signers: ops }))?.errorName).toBe(
      'InvalidRequiredVotingPower',
    )
  })
})

describe('named errors', () => {
  let ops: Operator[]
  beforeEach(async () => {
    ops = await registerOperators(net, [E, E, E, E, E])
  })

  it('unsorted or duplicate ids: InvalidOperatorIndexes', async () => {
    const task = makeTask(ops[0]!)
    const [a, b, c] = [ops[0]!.id, ops[1]!.id, ops[2]!.id]
    for (const attestersIds of [
      [b, a, c],
      [a, a, b, c],
      [a, c, c],
    ]) {
      expect(
        await submitError(net, task, { performer: ops[0]!, signers: ops.slice(0, 3), attestersIds }),
      ).toEqual({
        errorName: 'InvalidOperatorIndexes',
        args: [],
      })
    }
  })

  it('empty attester set: InvalidAttesterSet', async () => {
    const task = makeTask(ops[0]!)
    expect(
      (await submitError(net, task, { performer: ops[0]!, signers: ops, attestersIds: [] }))?.errorName,
    ).toBe('InvalidAttesterSet')
  })

  it('inactive operator: InactiveOperator(id)', async () => {
    await send(net.client, { ...regFn('unregisterAsOperator'), account: ops[2]!.account })
    const task = makeTask(ops[0]!)
    expect(await submitError(net, task, { performer: ops[0]!, signers: ops.slice(0, 4) })).toEqual({
      errorName: 'InactiveOperator',
      args: [ops[2]!.id],
    })
  })

  it('operator under the minimum voting power: OperatorDoesNotHaveMinimumVotingPower(id)', async () => {
    const [small] = await registerOperators(net, [E / 2n])
    const defId = await createDefinition(net, { minimumVotingPower: E })
    const task = makeTask(ops[0]!, defId)
    expect(
      await submitError(net, task, { performer: ops[0]!, signers: [...ops.slice(0, 4), small!] }),
    ).toEqual({
      errorName: 'OperatorDoesNotHaveMinimumVotingPower',
      args: [small!.id],
    })
  })

  it('too many attesters: InvalidMaximumNumberOfAttesters', async () => {
    const defId = await createDefinition(net)
    await govAc(net, 'setTaskDefinitionMaximumNumberOfAttesters', [defId, 4n])
    expect(await readAc<bigint>(net, 'getTaskDefinitionMaximumNumberOfAttesters', [defId])).toBe(4n)
    const task = makeTask(ops[0]!, defId)
    expect((await submitError(net, task, { performer: ops[0]!, signers: ops }))?.errorName).toBe(
      'InvalidMaximumNumberOfAttesters',
    )
    expect(await submitError(net, task, { performer: ops[0]!, signers: ops.slice(0, 4) })).toBeUndefined()
  })

  it('attester outside the restricted set: InvalidRestrictedAttester(definition, id)', async () => {
    const defId = await createDefinition(net, {
      restrictedOperatorIndexes: [ops[0]!.id, ops[1]!.id, ops[2]!.id],
    })
    expect(await readAc<bigint[]>(net, 'getTaskDefinitionRestrictedAttesters', [defId])).toEqual([1n, 2n, 3n])
    const task = makeTask(ops[0]!, defId)
    expect(await submitError(net, task, { performer: ops[0]!, signers: ops.slice(0, 4) })).toEqual({
      errorName: 'InvalidRestrictedAttester',
      args: [BigInt(defId), ops[3]!.id],
    })
  })

  it('expired or unknown task definition: InvalidTaskDefinition / TaskDefinitionNotFound(id)', async () => {
    const block = await net.client.getBlockNumber()
    const defId = await createDefinition(net, { blockExpiry: block + 3n })
    const task = makeTask(ops[0]!, defId)
    expect(await submitError(net, task, { performer: ops[0]!, signers: ops })).toBeUndefined()
    await net.client.mine({ blocks: 3 })
    expect((await submitError(net, task, { performer: ops[0]!, signers: ops }))?.errorName).toBe(
      'InvalidTaskDefinition',
    )
    expect(await submitError(net, makeTask(ops[0]!, 7), { performer: ops[0]!, signers: ops })).toEqual({
      errorName: 'TaskDefinitionNotFound',
      args: [7],
    })
  })

  it('bad ECDSA performer signature: InvalidPerformerSignature', async () => {
    const task = makeTask(ops[0]!)
    const byOther = await ops[1]!.account.sign!({ hash: taskHash(task) })
    const eip191 = await ops[0]!.account.signMessage({ message: { raw: taskHash(task) } })
    for (const tpSignature of [byOther, eip191, '0x1234' as Hex]) {
      expect(
        (await submitError(net, task, { performer: ops[0]!, signers: ops, tpSignature }))?.errorName,
      ).toBe('InvalidPerformerSignature')
    }
  })

  it('bad BLS performer signature: InvalidPerformerSignature', async () => {
    const task = makeTask(ops[0]!)
    const byOther = blsPerformerSignature(task, ops[1]!)
    const otherTask = blsPerformerSignature(makeTask(ops[0]!), ops[0]!)
    for (const tpSignature of [byOther, otherTask]) {
      expect(
        (await submitError(net, task, { performer: ops[0]!, signers: ops, overload: 'bls', tpSignature }))
          ?.errorName,
      ).toBe('InvalidPerformerSignature')
    }
    // a performer that never registered has no key
    const stranger = { ...ops[0]!, address: outsider.address, account: outsider }
    const strangerTask: TaskInfo = { ...task, taskPerformer: outsider.address }
    expect(
      (
        await submitError(net, strangerTask, {
          performer: stranger,
          signers: ops,
          overload: 'bls',
          from: ops[1]!.account,
        })
      )?.errorName,
    ).toBe('InvalidPerformerSignature')
  })

  it('inactive performer: InactiveTaskPerformer', async () => {
    await send(net.client, { ...regFn('unregisterAsOperator'), account: ops[4]!.account })
    const task = makeTask(ops[4]!)
    expect(
      (await submitError(net, task, { performer: ops[4]!, signers: ops.slice(0, 4), from: ops[0]!.account }))
        ?.errorName,
    ).toBe('InactiveTaskPerformer')
  })

  it('inactive aggregator: InactiveAggregator, unless open aggregation is on', async () => {
    await net.client.setBalance({ address: outsider.address, value: E })
    const task = makeTask(ops[0]!)
    expect(
      (await submitError(net, task, { performer: ops[0]!, signers: ops, from: outsider }))?.errorName,
    ).toBe('InactiveAggregator')
    await govAc(net, 'setIsOpenAggregator', [true])
    expect(await submitError(net, task, { performer: ops[0]!, signers: ops, from: outsider })).toBeUndefined()
  })

  it('paused: TaskSubmissionPaused', async () => {
    await govAc(net, 'setPaused', [true])
    const task = makeTask(ops[0]!)
    expect((await submitError(net, task, { performer: ops[0]!, signers: ops }))?.errorName).toBe(
      'TaskSubmissionPaused',
    )
    await govAc(net, 'setPaused', [false])
    expect(await submitError(net, task, { performer: ops[0]!, signers: ops })).toBeUndefined()
  })

  it('governance functions refuse others: AccessControlUnauthorizedAccount', async () => {
    const data = encodeFunctionData({
      abi: attestationCenterAbi,
      functionName: 'setPaused',
      args: [true],
    })
    const error = await revertOf(net, net.attestationCenter, data, ops[0]!.address)
    expect(error?.errorName).toBe('AccessControlUnauthorizedAccount')
    expect(error?.args[0]).toBe(ops[0]!.address)
  })
})

describe('hooks', () => {
  it('calls the AVS logic before and after, with the BLS performer signature abi-encoded', async () => {
    const ops = await registerOperators(net, [E, E, E])
    const logic = await deploy(net.client, net.governance, mockAvsLogicAbi as Abi, mockAvsLogicBytecode)
    await govAc(net, 'setAvsLogic', [logic])
    const task = makeTask(ops[0]!)
    await submit(net, task, { performer: ops[0]!, signers: ops, overload: 'bls' })
    const read = <T>(functionName: string) =>
      net.client.readContract({ address: logic, abi: mockAvsLogicAbi as Abi, functionName }) as Promise<T>
    expect(await read<bigint>('beforeCalls')).toBe(1n)
    expect(await read<bigint>('afterCalls')).toBe(1n)
    expect(await read<Hex>('lastTaskHash')).toBe(taskHash(task))
    expect(await read<bigint>('lastAttesterCount')).toBe(3n)
    const tp = blsPerformerSignature(task, ops[0]!)
    const encoded = encodeAbiParameters([{ type: 'uint256[2]' }], [tp])
    expect(await read<Hex>('lastTpSignature')).toBe(encoded)
    // a refusing hook stops the submission
    await send(net.client, {
      address: logic,
      abi: mockAvsLogicAbi as Abi,
      functionName: 'setRefuse',
      args: [true],
      account: net.governance,
    })
    const next = makeTask(ops[0]!)
    const error = await revertOf(
      net,
      net.attestationCenter,
      await buildSubmission(net, next, { performer: ops[0]!, signers: ops }),
      ops[0]!.address,
      [...attestationCenterAbi, ...mockAvsLogicAbi] as Abi,
    )
    expect(error?.errorName).toBe('RefusedByAvsLogic')
  })
})

describe('internal tasks', () => {
  it('10002 refreshes task-definition totals through consensus', async () => {
    const ops = await registerOperators(net, [E, E, E])
    const defId = await createDefinition(net, { minimumVotingPower: E })
    expect(await readAc<bigint>(net, 'taskDefinitionVotingPower', [defId])).toBe(3n * E)
    await registerOperators(net, [2n * E])
    expect(await readAc<bigint>(net, 'taskDefinitionVotingPower', [defId])).toBe(3n * E) // a snapshot
    const data = encodeAbiParameters([{ type: 'uint16[]' }], [[defId]])
    const task = makeTask(ops[0]!, 10002, data)
    await submit(net, task, { performer: ops[0]!, signers: net.operators })
    expect(await readAc<bigint>(net, 'taskDefinitionVotingPower', [defId])).toBe(5n * E)
    expect(await readRegistry<bigint>(net, 'totalVotingPower')).toBe(5n * E)
  })
})

function regFn(functionName: string) {
  return { address: net.registry, abi: operatorRegistryAbi as Abi, functionName }
}
