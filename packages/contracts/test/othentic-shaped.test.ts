// The Othentic-shaped test contracts (contracts/test/othentic) on a real anvil, deployed by
// deployOthenticShapedNetwork over plain RPC: the v2 views and their reverts, registration by
// MESSAGE_HANDLER (a re-registration gets a new id), updateBlsKey's proof of possession, and real Wisp
// aggregates (@wisp/bls votes over @wisp/protocol hashes) through both submitTask overloads, the
// threshold, the per-definition snapshot, internal task 10001, and the v1 mode.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { aggregateSignatures, hashToPointEvm, SecretKey, signProofOfPossession } from '@wisp/bls'
import { DOMAIN_TASKS, type TaskInfo, taskHash, voteHash } from '@wisp/protocol'
import {
  type Abi,
  type Address,
  bytesToHex,
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  decodeEventLog,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  http,
  type Log,
  parseAbiItem,
  toEventSelector,
  toFunctionSelector,
  zeroAddress,
} from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ANVIL_DEV_KEYS,
  type Anvil,
  DevError,
  deployOthenticShapedNetwork,
  type OthenticShapedNetwork,
  type OthenticShapedOperator,
  startAnvil,
} from '../src/dev/index.js'
import {
  othenticShapedAttestationCenterAbi as acAbi,
  attestationCenterAbi,
  othenticShapedOBLSAbi as oblsAbi,
  operatorRegistryAbi,
} from '../src/index.js'

const E = 10n ** 18n
const FEES = { attesters: 1n, performer: 2n, aggregator: 3n }
const outsider = privateKeyToAccount(ANVIL_DEV_KEYS[9])

let anvil: Anvil
let client: ReturnType<typeof createPublicClient>

beforeAll(async () => {
  anvil = await startAnvil()
  client = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 20 })
})

afterAll(async () => {
  await anvil?.stop()
})

/** Four operators of 1e18 each (ids 1..4); definition 1 "plain" with fees, 2 "restricted" to [1,2,3], max 2. */
function deploy(eventVersion: 1 | 2): Promise<OthenticShapedNetwork> {
  return deployOthenticShapedNetwork({
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    eventVersion,
    operators: [1, 2, 3, 4].map((i) => ({ ecdsaKey: ANVIL_DEV_KEYS[i]!, votingPower: E })),
    taskDefinitions: [
      { name: 'plain', fees: FEES, disputePeriodBlocks: 7n },
      { name: 'restricted', restrictedAttesterIds: [1, 2, 3], maximumNumberOfAttesters: 2 },
    ],
  })
}

// ------------------------------------------------------------------ helpers

function read<T>(
  net: OthenticShapedNetwork,
  functionName: string,
  args: readonly unknown[] = [],
): Promise<T> {
  return client.readContract({
    address: net.contracts.attestationCenter,
    abi: acAbi as Abi,
    functionName,
    args,
  }) as Promise<T>
}

function readObls<T>(
  net: OthenticShapedNetwork,
  functionName: string,
  args: readonly unknown[] = [],
): Promise<T> {
  return client.readContract({
    address: net.contracts.obls,
    abi: oblsAbi as Abi,
    functionName,
    args,
  }) as Promise<T>
}

function revertData(err: unknown): Hex | undefined {
  let current: unknown = err
  for (let depth = 0; current && depth < 10; depth++) {
    const data = (current as { data?: unknown }).data
    if (typeof data === 'string' && data.startsWith('0x')) return data as Hex
    if (data && typeof data === 'object' && typeof (data as { data?: unknown }).data === 'string') {
      return (data as { data: Hex }).data
    }
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** eth_call of `data`: undefined when it succeeds, else the decoded custom error ('<no data>' for an empty revert). */
async function revertOf(to: Address, data: Hex, from: Address, abi: Abi = acAbi as Abi) {
  try {
    await client.call({ account: from, to, data })
    return undefined
  } catch (err) {
    const raw = revertData(err)
    if (raw === undefined || raw === '0x') return { errorName: '<no data>', args: [] as readonly unknown[] }
    const decoded = decodeErrorResult({ abi, data: raw })
    return { errorName: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] }
  }
}

async function send(account: PrivateKeyAccount, to: Address, data: Hex) {
  const wallet = createWalletClient({ account, transport: http(anvil.rpcUrl) })
  const hash = await wallet.sendTransaction({ to, data, chain: null, gas: 3_000_000n })
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (receipt.status !== 'success') throw new Error('transaction reverted')
  return receipt
}

const acCall = (functionName: string, args: readonly unknown[]) =>
  encodeFunctionData({ abi: acAbi as Abi, functionName, args })

function events(net: OthenticShapedNetwork, logs: readonly Log[]) {
  return logs
    .filter((l) => l.address.toLowerCase() === net.contracts.attestationCenter.toLowerCase())
    .map((l) => decodeEventLog({ abi: acAbi, data: l.data, topics: l.topics }))
}

const account = (op: OthenticShapedOperator) => privateKeyToAccount(op.ecdsaKey)
const blsKey = (op: OthenticShapedOperator) => SecretKey.fromBytes(op.blsSecretKey)

type Fn = Extract<(typeof acAbi)[number], { type: 'function' }>
const submitEcdsaAbi = acAbi.filter(
  (i): i is Fn => i.type === 'function' && i.name === 'submitTask' && toFunctionSelector(i) === '0xfff768e3',
)
const submitBlsAbi = acAbi.filter(
  (i): i is Fn => i.type === 'function' && i.name === 'submitTask' && toFunctionSelector(i) === '0x8a7ce8a4',
)

let counter = 0
function makeTask(performer: OthenticShapedOperator, taskDefinitionId = 1, data: Hex = '0xc0ffee'): TaskInfo {
  counter += 1
  return { proofOfTask: `QmOthentic${counter}`, data, taskPerformer: performer.address, taskDefinitionId }
}

interface SubmitOptions {
  performer: OthenticShapedOperator
  signers: readonly OthenticShapedOperator[]
  isApproved?: boolean
  overload?: 'ecdsa' | 'bls'
}

/** submitTask calldata with real signatures: each signer's BLS vote, aggregated; ids ascending. */
async function submission(net: OthenticShapedNetwork, task: TaskInfo, o: SubmitOptions): Promise<Hex> {
  const isApproved = o.isApproved ?? true
  const digest = voteHash(task, {
    attestationCenter: net.contracts.attestationCenter,
    chainId: net.chainId,
    isApproved,
  })
  const signers = [...o.signers].sort((a, b) => a.id - b.id)
  const taSignature = aggregateSignatures(signers.map((s) => blsKey(s).sign(DOMAIN_TASKS, digest))).toEvm()
  const attestersIds = signers.map((s) => BigInt(s.id))
  if ((o.overload ?? 'ecdsa') === 'ecdsa') {
    const tpSignature = await account(o.performer).sign({ hash: taskHash(task) })
    return encodeFunctionData({
      abi: submitEcdsaAbi,
      functionName: 'submitTask',
      args: [task, { isApproved, tpSignature, taSignature, attestersIds }],
    })
  }
  const tpSignature = blsKey(o.performer).sign(DOMAIN_TASKS, taskHash(task)).toEvm()
  return encodeFunctionData({
    abi: submitBlsAbi,
    functionName: 'submitTask',
    args: [task, { isApproved, tpSignature, taSignature, attestersIds }],
  })
}

// ------------------------------------------------------------------ v2

describe('v2 deployment', () => {
  let net: OthenticShapedNetwork
  let ops: OthenticShapedOperator[]
  beforeAll(async () => {
    net = await deploy(2)
    ops = net.operators
  })

  it('is deployed with operators 1..4 and definitions 1..2, their keys derived the Othentic way', async () => {
    expect(ops.map((o) => o.id)).toEqual([1, 2, 3, 4])
    expect(net.taskDefinitions).toEqual([
      { id: 1, name: 'plain' },
      { id: 2, name: 'restricted' },
    ])
    expect(ops[0]!.address).toBe(privateKeyToAccount(ANVIL_DEV_KEYS[1]).address)
    expect(ops[0]!.blsPublicKey).toBe(SecretKey.fromEcdsaPrivateKey(ANVIL_DEV_KEYS[1]).publicKey.toHex())
    expect(net.startBlock).toBeGreaterThan(0n)
    expect(await read(net, 'obls')).toBe(net.contracts.obls)
  })

  it('answers the v2 views', async () => {
    expect(await read(net, 'taskNumber')).toBe(0)
    expect(await read(net, 'numOfTaskDefinitions')).toBe(2)
    expect(await read(net, 'numOfTotalOperators')).toBe(4n)
    expect(await read(net, 'numOfActiveOperators')).toBe(4n)
    for (const fn of ['avsTreasury', 'avsLogic', 'beforePaymentsLogic', 'EXTENSION_IMPLEMENTATION']) {
      expect(await read(net, fn)).toBe(zeroAddress)
    }
    expect(await read(net, 'internalTaskHandler')).toBe(net.contracts.attestationCenter)
    expect(await read(net, 'operatorsIdsByAddress', [ops[2]!.address])).toBe(3n)
    expect(await read(net, 'votingPower', [ops[2]!.address])).toBe(E)
    expect(await read(net, 'votingPower', [outsider.address])).toBe(0n)
    expect(await read(net, 'getActiveOperatorsDetails')).toEqual(
      ops.map((o) => ({ operator: o.address, operatorId: BigInt(o.id), votingPower: E, feeToClaim: 0n })),
    )
    expect(await read(net, 'getOperatorPaymentDetail', [2n])).toEqual({
      operator: ops[1]!.address,
      lastPaidTaskNumber: 0n,
      feeToClaim: 0n,
      paymentStatus: 0,
    })
    expect(await read(net, 'getTaskDefinitionRestrictedAttesters', [2])).toEqual([1n, 2n, 3n])
    expect(await read(net, 'getTaskDefinitionMaximumNumberOfAttesters', [2])).toBe(2n)
    expect(await read(net, 'getTaskDefinitionMinimumVotingPower', [1])).toBe(0n)
    expect(await read(net, 'verifyOperatorValidForTaskDefinition', [ops[2]!.address, 2])).toBe(true)
    expect(await read(net, 'verifyOperatorValidForTaskDefinition', [ops[3]!.address, 2])).toBe(false)
    expect(await read(net, 'verifyOperatorValidForTaskDefinition', [outsider.address, 1])).toBe(false)
    expect(await read(net, 'isFlowPaused', ['0x2aedfbf3'])).toBe(false)
  })

  it('reverts OperatorNotRegistered(address) for an unknown address', async () => {
    expect(
      await revertOf(
        net.contracts.attestationCenter,
        acCall('operatorsIdsByAddress', [outsider.address]),
        outsider.address,
      ),
    ).toEqual({ errorName: 'OperatorNotRegistered', args: [outsider.address] })
  })

  it('has none of the functions only Wisp’s own contracts have', async () => {
    const wispOnly: Array<[Abi, string, unknown[]]> = [
      [attestationCenterAbi as Abi, 'getTaskDefinition', [1]],
      [attestationCenterAbi as Abi, 'totalVotingPower', []],
      [attestationCenterAbi as Abi, 'taskDefinitionVotingPower', [1]],
      [operatorRegistryAbi as Abi, 'getOperator', [1n]],
    ]
    for (const [abi, functionName, args] of wispOnly) {
      const data = encodeFunctionData({ abi, functionName, args })
      expect(await revertOf(net.contracts.attestationCenter, data, outsider.address), functionName).toEqual({
        errorName: '<no data>',
        args: [],
      })
    }
  })

  it('logs the definitions only in TaskDefinitionCreated (name, expiry, fees, dispute period)', async () => {
    const logs = await client.getLogs({
      address: net.contracts.attestationCenter,
      event: parseAbiItem(
        'event TaskDefinitionCreated(uint16 taskDefinitionId, string name, uint256 blockExpiry, uint256 baseRewardFeeForAttesters, uint256 baseRewardFeeForPerformer, uint256 baseRewardFeeForAggregator, uint256 disputePeriodBlocks, uint256 minimumVotingPower, uint256[] restrictedAttesterIds, uint256 maximumNumberOfAttesters)',
      ),
      fromBlock: net.startBlock,
    })
    expect(logs.map((l) => l.args)).toEqual([
      {
        taskDefinitionId: 1,
        name: 'plain',
        blockExpiry: 0n,
        baseRewardFeeForAttesters: 1n,
        baseRewardFeeForPerformer: 2n,
        baseRewardFeeForAggregator: 3n,
        disputePeriodBlocks: 7n,
        minimumVotingPower: 0n,
        restrictedAttesterIds: [],
        maximumNumberOfAttesters: 0n,
      },
      {
        taskDefinitionId: 2,
        name: 'restricted',
        blockExpiry: 0n,
        baseRewardFeeForAttesters: 0n,
        baseRewardFeeForPerformer: 0n,
        baseRewardFeeForAggregator: 0n,
        disputePeriodBlocks: 0n,
        minimumVotingPower: 0n,
        restrictedAttesterIds: [1n, 2n, 3n],
        maximumNumberOfAttesters: 0n,
      },
    ])
    const max = await client.getLogs({
      address: net.contracts.attestationCenter,
      event: parseAbiItem(
        'event SetMaximumNumberOfAttesters(uint16 taskDefinitionId, uint256 maximumNumberOfAttesters)',
      ),
      fromBlock: net.startBlock,
    })
    expect(max.map((l) => l.args)).toEqual([{ taskDefinitionId: 2, maximumNumberOfAttesters: 2n }])
  })

  it('OBLS: totals (the per-definition snapshot, else the network total), keys, hashToPoint, verifySignature', async () => {
    expect(await readObls(net, 'totalVotingPower')).toBe(4n * E)
    expect(await readObls(net, 'totalVotingPowerPerTaskDefinition', [1n])).toBe(4n * E)
    expect(await readObls(net, 'totalVotingPowerPerTaskDefinition', [2n])).toBe(3n * E)
    expect(await readObls(net, 'votingPower', [4n])).toBe(E)
    expect(await readObls(net, 'isActive', [4n])).toBe(true)
    expect(await readObls(net, 'isActive', [5n])).toBe(false)
    expect(await readObls(net, 'getOperatorBLSPubKey', [3n])).toEqual(blsKey(ops[2]!).publicKey.toEvm())
    const unknown = encodeFunctionData({ abi: oblsAbi, functionName: 'getOperatorBLSPubKey', args: [5n] })
    expect(await revertOf(net.contracts.obls, unknown, outsider.address, oblsAbi as Abi)).toEqual({
      errorName: 'InactiveOperator',
      args: [5n],
    })

    const digest = taskHash(makeTask(ops[0]!))
    const message = await readObls<readonly [bigint, bigint]>(net, 'hashToPoint', [
      DOMAIN_TASKS,
      encodeAbiParameters([{ type: 'bytes32' }], [digest]),
    ])
    expect(message).toEqual(hashToPointEvm(DOMAIN_TASKS, digest))
    const sig = aggregateSignatures([
      blsKey(ops[0]!).sign(DOMAIN_TASKS, digest),
      blsKey(ops[2]!).sign(DOMAIN_TASKS, digest),
    ])
    await readObls(net, 'verifySignature', [message, sig.toEvm(), [1n, 3n], 2n * E, 0n])
    const verify = (ids: bigint[], required: bigint, min = 0n) =>
      revertOf(
        net.contracts.obls,
        encodeFunctionData({
          abi: oblsAbi,
          functionName: 'verifySignature',
          args: [message, sig.toEvm(), ids, required, min],
        }),
        outsider.address,
        oblsAbi as Abi,
      )
    expect((await verify([1n, 3n], 2n * E + 1n))?.errorName).toBe('InsufficientVotingPower')
    expect((await verify([1n, 2n], 0n))?.errorName).toBe('InvalidOBLSSignature')
    expect((await verify([3n, 1n], 0n))?.errorName).toBe('InvalidOperatorIndexes')
    expect((await verify([1n, 3n], 0n, E + 1n))?.errorName).toBe('OperatorDoesNotHaveMinimumVotingPower')
  })

  it.each(['ecdsa', 'bls'] as const)(
    'accepts a Wisp aggregate through the %s-performer overload: v2 TaskSubmitted with operator = performer, rewards',
    async (overload) => {
      const before = await read<number>(net, 'taskNumber')
      const task = makeTask(ops[0]!)
      const data = await submission(net, task, { performer: ops[0]!, signers: ops.slice(0, 3), overload })
      const aggregator = account(ops[3]!)
      const receipt = await send(aggregator, net.contracts.attestationCenter, data)
      const evs = events(net, receipt.logs)
      const submitted = evs.find((e) => e.eventName === 'TaskSubmitted')
      expect(submitted?.args).toEqual({
        operator: ops[0]!.address,
        taskNumber: before,
        proofOfTask: task.proofOfTask,
        data: task.data,
        taskDefinitionId: 1,
        attestersIds: [1n, 2n, 3n],
      })
      // the v2 topic, with operator and definition indexed
      const log = receipt.logs.find((l) => l.topics[0] === toEventSelector(v2Submitted))!
      expect(log.topics).toHaveLength(3)
      const rewards = evs.filter((e) => e.eventName === 'RewardAccumulated').map((e) => e.args)
      expect(rewards).toEqual([
        { operatorId: 1n, fee: 1n, taskNumber: before },
        { operatorId: 2n, fee: 1n, taskNumber: before },
        { operatorId: 3n, fee: 1n, taskNumber: before },
        { operatorId: 1n, fee: 2n, taskNumber: before },
        { operatorId: 4n, fee: 3n, taskNumber: before },
      ])
      expect(await read(net, 'taskNumber')).toBe(before + 1)
      expect(await revertOf(net.contracts.attestationCenter, data, aggregator.address)).toEqual({
        errorName: 'MessageAlreadySigned',
        args: [],
      })
    },
  )

  it('accumulates fees per operator (getActiveOperatorsDetails, getOperatorPaymentDetail)', async () => {
    const details = await read<Array<{ operatorId: bigint; feeToClaim: bigint }>>(
      net,
      'getActiveOperatorsDetails',
    )
    // two approved tasks above: attesters 1..3 got 1 each time, performer 1 got 2, aggregator 4 got 3
    expect(details.map((d) => d.feeToClaim)).toEqual([6n, 2n, 2n, 6n])
    expect((await read<{ feeToClaim: bigint }>(net, 'getOperatorPaymentDetail', [1n])).feeToClaim).toBe(6n)
  })

  it('refuses below the threshold (floored 2/3 to approve, 1/3 to reject) and rejects with TaskRejected', async () => {
    const task = makeTask(ops[1]!)
    const from = ops[3]!.address
    const two = ops.slice(0, 2)
    // approve: 2 of 4 < floor(4e18·2/3)
    expect(
      await revertOf(
        net.contracts.attestationCenter,
        await submission(net, task, { performer: ops[1]!, signers: two }),
        from,
      ),
    ).toEqual({
      errorName: 'InsufficientVotingPower',
      args: [],
    })
    // reject: 1 of 4 < floor(4e18/3), 2 of 4 passes
    const rejectOne = await submission(net, task, {
      performer: ops[1]!,
      signers: [ops[0]!],
      isApproved: false,
      overload: 'bls',
    })
    expect((await revertOf(net.contracts.attestationCenter, rejectOne, from))?.errorName).toBe(
      'InsufficientVotingPower',
    )
    const rejectTwo = await submission(net, task, {
      performer: ops[1]!,
      signers: two,
      isApproved: false,
      overload: 'bls',
    })
    const receipt = await send(account(ops[3]!), net.contracts.attestationCenter, rejectTwo)
    const rejected = events(net, receipt.logs).find((e) => e.eventName === 'TaskRejected')
    expect(rejected?.args).toMatchObject({
      operator: ops[1]!.address,
      attestersIds: [1n, 2n],
      taskDefinitionId: 1,
    })
    // a rejected task pays its performer nothing
    expect(
      events(net, receipt.logs)
        .filter((e) => e.eventName === 'RewardAccumulated')
        .map((e) => e.args.operatorId),
    ).toEqual([1n, 2n, 4n])
  })

  it('checks the definition: restricted set, maximum, the snapshot as total, unknown id; refuses a bad performer or aggregator', async () => {
    const ac = net.contracts.attestationCenter
    const from = ops[3]!.address
    const code = async (task: TaskInfo, o: SubmitOptions, sender = from) =>
      (await revertOf(ac, await submission(net, task, o), sender))?.errorName
    // 2 of the restricted 3e18 meets floor(3e18·2/3); of the network's 4e18 it would not
    expect(await code(makeTask(ops[0]!, 2), { performer: ops[0]!, signers: ops.slice(0, 2) })).toBeUndefined()
    expect(
      await revertOf(
        ac,
        await submission(net, makeTask(ops[0]!, 2), { performer: ops[0]!, signers: [ops[0]!, ops[3]!] }),
        from,
      ),
    ).toEqual({ errorName: 'InvalidRestrictedAttester', args: [2n, 4n] })
    expect(await code(makeTask(ops[0]!, 2), { performer: ops[0]!, signers: ops.slice(0, 3) })).toBe(
      'InvalidMaximumNumberOfAttesters',
    )
    expect(await code(makeTask(ops[0]!, 3), { performer: ops[0]!, signers: ops })).toBe(
      'TaskDefinitionNotFound',
    )
    expect(await code(makeTask(ops[0]!, 0), { performer: ops[0]!, signers: ops })).toBeUndefined()
    // the default definition (0) exists without a creation event; an outsider may not aggregate
    expect(await code(makeTask(ops[0]!, 0), { performer: ops[0]!, signers: ops }, outsider.address)).toBe(
      'InactiveAggregator',
    )
    const stranger = { ...ops[0]!, address: outsider.address, ecdsaKey: ANVIL_DEV_KEYS[9] }
    expect(await code(makeTask(stranger), { performer: stranger, signers: ops })).toBe(
      'InactiveTaskPerformer',
    )
    expect(await code(makeTask(stranger), { performer: stranger, signers: ops, overload: 'bls' })).toBe(
      'InvalidPerformerSignature',
    )
    // a BLS performer signature by another key
    const task = makeTask(ops[0]!)
    const forged = await submission(net, task, {
      performer: { ...ops[0]!, blsSecretKey: ops[1]!.blsSecretKey },
      signers: ops,
      overload: 'bls',
    })
    expect((await revertOf(ac, forged, from))?.errorName).toBe('InvalidPerformerSignature')
  })

  it('pauses the submission flow', async () => {
    const gov = privateKeyToAccount(ANVIL_DEV_KEYS[0])
    const data = await submission(net, makeTask(ops[0]!), { performer: ops[0]!, signers: ops })
    await send(gov, net.contracts.attestationCenter, acCall('pauseFlow', ['0x2aedfbf3']))
    expect(await read(net, 'isFlowPaused', ['0x2aedfbf3'])).toBe(true)
    expect(await revertOf(net.contracts.attestationCenter, data, ops[3]!.address)).toEqual({
      errorName: 'FlowIsPaused',
      args: ['0x2aedfbf3'],
    })
    await send(gov, net.contracts.attestationCenter, acCall('unpauseFlow', ['0x2aedfbf3']))
    expect(await revertOf(net.contracts.attestationCenter, data, ops[3]!.address)).toBeUndefined()
  })
})

const v2Submitted = parseAbiItem(
  'event TaskSubmitted(address indexed operator, uint32 taskNumber, string proofOfTask, bytes data, uint16 indexed taskDefinitionId, uint256[] attestersIds)',
)
const v1Submitted = parseAbiItem(
  'event TaskSubmitted(address operator, uint32 taskNumber, string proofOfTask, bytes data, uint16 taskDefinitionId)',
)

describe('operators: registration, re-registration, key updates, voting power', () => {
  let net: OthenticShapedNetwork
  let ops: OthenticShapedOperator[]
  const gov = privateKeyToAccount(ANVIL_DEV_KEYS[0])
  beforeAll(async () => {
    net = await deploy(2)
    ops = net.operators
  })

  it('registers only through MESSAGE_HANDLER; unregistering deactivates; a re-registration gets a new id', async () => {
    const ac = net.contracts.attestationCenter
    const key = blsKey(ops[1]!).publicKey.toEvm()
    const register = acCall('registerToNetwork', [ops[1]!.address, 5n * E, key, ops[1]!.address])
    expect((await revertOf(ac, register, outsider.address))?.errorName).toBe(
      'AccessControlUnauthorizedAccount',
    )
    expect(await revertOf(ac, register, gov.address)).toEqual({
      errorName: 'OperatorAlreadyRegistered',
      args: [ops[1]!.address],
    })

    const out = await send(gov, ac, acCall('unRegisterOperatorFromNetwork', [ops[1]!.address]))
    expect(events(net, out.logs).map((e) => [e.eventName, e.args])).toEqual([
      ['OperatorUnregisteredFromNetwork', { operatorId: 2n }],
    ])
    expect(await read(net, 'numOfActiveOperators')).toBe(3n)
    expect(await readObls(net, 'isActive', [2n])).toBe(false)
    expect(await readObls(net, 'totalVotingPower')).toBe(3n * E)
    expect(
      (await read<Array<{ operatorId: bigint }>>(net, 'getActiveOperatorsDetails')).map((d) => d.operatorId),
    ).toEqual([1n, 3n, 4n])
    expect(
      (await revertOf(ac, acCall('operatorsIdsByAddress', [ops[1]!.address]), gov.address))?.errorName,
    ).toBe('OperatorNotRegistered')
    const inactiveKey = encodeFunctionData({ abi: oblsAbi, functionName: 'getOperatorBLSPubKey', args: [2n] })
    expect(await revertOf(net.contracts.obls, inactiveKey, gov.address, oblsAbi as Abi)).toEqual({
      errorName: 'InactiveOperator',
      args: [2n],
    })

    const back = await send(gov, ac, register)
    expect(events(net, back.logs).map((e) => [e.eventName, e.args])).toEqual([
      ['OperatorRegisteredToNetwork', { operator: ops[1]!.address, votingPower: 5n * E }],
    ])
    expect(await read(net, 'operatorsIdsByAddress', [ops[1]!.address])).toBe(5n)
    expect(await read(net, 'numOfTotalOperators')).toBe(5n)
    expect(await read(net, 'numOfActiveOperators')).toBe(4n)
    expect(await readObls(net, 'isActive', [2n])).toBe(false)
    expect(await readObls(net, 'votingPower', [5n])).toBe(5n * E)
    expect(await readObls(net, 'totalVotingPower')).toBe(8n * E)
    expect(
      (await read<Array<{ operatorId: bigint }>>(net, 'getActiveOperatorsDetails')).map((d) => d.operatorId),
    ).toEqual([1n, 3n, 4n, 5n])
    // its votes count under the new id: 5e18 + 1e18 of 8e18 meets floor(8e18·2/3)
    const reregistered = { ...ops[1]!, id: 5 }
    const data = await submission(net, makeTask(ops[0]!), {
      performer: ops[0]!,
      signers: [ops[0]!, reregistered],
    })
    expect(await revertOf(ac, data, ops[0]!.address)).toBeUndefined()
  })

  it('updateBlsKey takes a proof of possession bound to the AttestationCenter and the chain id', async () => {
    const ac = net.contracts.attestationCenter
    const op = ops[2]!
    const fresh = SecretKey.fromScalar(123456789n)
    const pop = (contract: Address, chainId: number) =>
      signProofOfPossession(fresh, { operator: op.address, contract, chainId }).toEvm()
    const update = (proof: readonly [bigint, bigint]) =>
      acCall('updateBlsKey', [fresh.publicKey.toEvm(), { signature: proof }])
    expect((await revertOf(ac, update(pop(net.contracts.obls, net.chainId)), op.address))?.errorName).toBe(
      'InvalidBLSAuthSignature',
    )
    expect((await revertOf(ac, update(pop(ac, net.chainId + 1)), op.address))?.errorName).toBe(
      'InvalidBLSAuthSignature',
    )
    expect((await revertOf(ac, update(pop(ac, net.chainId)), outsider.address))?.errorName).toBe(
      'OperatorNotRegistered',
    )
    const receipt = await send(account(op), ac, update(pop(ac, net.chainId)))
    expect(events(net, receipt.logs).map((e) => [e.eventName, e.args])).toEqual([
      ['OperatorBlsKeyUpdated', { operator: op.address, blsKey: fresh.publicKey.toEvm() }],
    ])
    expect(await readObls(net, 'getOperatorBLSPubKey', [3n])).toEqual(fresh.publicKey.toEvm())
    // votes with the old key no longer verify; with the new one they do (ids 1, 3, 5 hold 7 of 8)
    const task = makeTask(ops[0]!)
    const id5 = { ...ops[1]!, id: 5 }
    const oldKey = await submission(net, task, { performer: ops[0]!, signers: [ops[0]!, op, id5] })
    expect((await revertOf(ac, oldKey, ops[0]!.address))?.errorName).toBe('InvalidOBLSSignature')
    const renewed = { ...op, blsSecretKey: bytesToHex(fresh.toBytes()) }
    const newKey = await submission(net, task, { performer: ops[0]!, signers: [ops[0]!, renewed, id5] })
    expect(await revertOf(ac, newKey, ops[0]!.address)).toBeUndefined()
  })

  it('changes voting power by the admin call and by internal task 10001', async () => {
    const ac = net.contracts.attestationCenter
    const before = await readObls<bigint>(net, 'totalVotingPower')
    const set = await send(gov, ac, acCall('setOperatorVotingPower', [4n, 3n * E]))
    expect(events(net, set.logs).map((e) => [e.eventName, e.args])).toEqual([
      ['OperatorVotingPowerUpdated', { operatorId: 4n, votingPower: 3n * E }],
    ])
    expect(await readObls(net, 'totalVotingPower')).toBe(before + 2n * E)
    expect((await revertOf(ac, acCall('setOperatorVotingPower', [4n, E]), outsider.address))?.errorName).toBe(
      'AccessControlUnauthorizedAccount',
    )
    expect((await revertOf(ac, acCall('setOperatorVotingPower', [2n, E]), gov.address))?.errorName).toBe(
      'InactiveOperator',
    )

    // 10001: data = abi.encode(VotingPowerUpdate{toIncrease, toDecrease, toBlockL1, toBlockL2}), amounts are deltas
    const update = encodeAbiParameters(
      [
        {
          type: 'tuple',
          components: [
            { name: 'toIncrease', type: 'tuple[]', components: [{ type: 'uint256' }, { type: 'uint256' }] },
            { name: 'toDecrease', type: 'tuple[]', components: [{ type: 'uint256' }, { type: 'uint256' }] },
            { name: 'toBlockL1', type: 'uint256' },
            { name: 'toBlockL2', type: 'uint256' },
          ],
        },
      ],
      [{ toIncrease: [[1n, E]], toDecrease: [[4n, 2n * E]], toBlockL1: 1n, toBlockL2: 2n }] as never,
    )
    const task = makeTask(ops[0]!, 10001, update)
    // powers now 1 (id 1), 1 (id 3, whose key the previous test changed), 3 (id 4), 5 (id 5): ids 1, 4, 5 hold 9 of 10
    const voters = [ops[0]!, { ...ops[1]!, id: 5 }, ops[3]!]
    const receipt = await send(
      account(ops[0]!),
      ac,
      await submission(net, task, { performer: ops[0]!, signers: voters }),
    )
    const evs = events(net, receipt.logs)
    expect(evs.filter((e) => e.eventName !== 'TaskSubmitted').map((e) => [e.eventName, e.args])).toEqual([
      ['OperatorVotingPowerUpdated', { operatorId: 1n, votingPower: 2n * E }],
      ['OperatorVotingPowerUpdated', { operatorId: 4n, votingPower: E }],
    ])
    expect(evs.find((e) => e.eventName === 'TaskSubmitted')?.args).toMatchObject({ taskDefinitionId: 10001 })
    expect(await readObls(net, 'votingPower', [1n])).toBe(2n * E)
    expect(await readObls(net, 'votingPower', [4n])).toBe(E)
  })
})

// ------------------------------------------------------------------ v1

describe('v1 deployment', () => {
  let net: OthenticShapedNetwork
  let ops: OthenticShapedOperator[]
  beforeAll(async () => {
    net = await deploy(1)
    ops = net.operators
  })

  it('emits the v1 TaskSubmitted (nothing indexed, no attestersIds) with operator = performer', async () => {
    const task = makeTask(ops[1]!)
    const receipt = await send(
      account(ops[3]!),
      net.contracts.attestationCenter,
      await submission(net, task, { performer: ops[1]!, signers: ops.slice(0, 3) }),
    )
    const own = receipt.logs.filter(
      (l) => l.address.toLowerCase() === net.contracts.attestationCenter.toLowerCase(),
    )
    expect(own.some((l) => l.topics[0] === toEventSelector(v2Submitted))).toBe(false)
    const log = own.find((l) => l.topics[0] === toEventSelector(v1Submitted))!
    expect(log.topics).toHaveLength(1)
    expect(decodeEventLog({ abi: [v1Submitted], data: log.data, topics: log.topics }).args).toEqual({
      operator: ops[1]!.address,
      taskNumber: 0,
      proofOfTask: task.proofOfTask,
      data: task.data,
      taskDefinitionId: 1,
    })
  })

  it('has no BLS-performer overload: the call reverts without data, as an unknown selector does', async () => {
    const data = await submission(net, makeTask(ops[1]!), {
      performer: ops[1]!,
      signers: ops,
      overload: 'bls',
    })
    expect(await revertOf(net.contracts.attestationCenter, data, ops[3]!.address)).toEqual({
      errorName: '<no data>',
      args: [],
    })
  })
})

describe('deployOthenticShapedNetwork input', () => {
  it('refuses a wrong chain, a duplicate operator, a bad restricted id, an unknown event version', async () => {
    const base = {
      rpcUrl: anvil.rpcUrl,
      eventVersion: 2 as const,
      operators: [{ ecdsaKey: ANVIL_DEV_KEYS[1] }],
    }
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => (e instanceof DevError ? e.code : String(e)),
      )
    expect(await codeOf(deployOthenticShapedNetwork({ ...base, chainId: anvil.chainId + 1 }))).toBe(
      'DEV_WRONG_CHAIN',
    )
    expect(
      await codeOf(
        deployOthenticShapedNetwork({ ...base, operators: [...base.operators, ...base.operators] }),
      ),
    ).toBe('DEV_INVALID_INPUT')
    expect(
      await codeOf(
        deployOthenticShapedNetwork({
          ...base,
          taskDefinitions: [{ name: 'x', restrictedAttesterIds: [0] }],
        }),
      ),
    ).toBe('DEV_INVALID_INPUT')
    expect(await codeOf(deployOthenticShapedNetwork({ ...base, eventVersion: 3 as never }))).toBe(
      'DEV_INVALID_INPUT',
    )
    expect(await codeOf(deployOthenticShapedNetwork({ ...base, rpcUrl: 'http://127.0.0.1:1' }))).toBe(
      'DEV_RPC_FAILED',
    )
  })
})

describe('README', () => {
  it('the Othentic-shaped example runs and prints the performer as the event operator', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..')
    const blocks = [...readFileSync(join(dir, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
    const example = blocks.map((m) => m[1]!).find((code) => code.includes('deployOthenticShapedNetwork'))
    expect(example).toBeDefined()
    const file = join(dir, `.readme-othentic-${process.pid}.ts`)
    writeFileSync(file, example!)
    try {
      const run = spawnSync(process.execPath, ['--conditions=@wisp/source', '--import', 'tsx', file], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      })
      expect(run.status, run.stderr).toBe(0)
      expect(run.stdout).toContain('TaskSubmitted operator is the performer')
      expect(run.stdout).toContain('attesters 1,2,3')
      expect(run.stdout).toContain('OBLS key of operator 1 matches: true')
    } finally {
      rmSync(file, { force: true })
    }
  }, 130_000)
})
