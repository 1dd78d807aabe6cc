// The contracts' threshold and attester rules against @wisp/protocol's preflightSubmission /
// evaluateQuorum, fed the ChainPort's reads (operators, network total, the task definition —
// id 0 included — with its snapshot total and stored blockExpiry). Every case asserts that the
// protocol's prediction equals the contract's outcome on anvil, including the check order when
// a list has several faults.

import { testERC20Abi } from '@wisp/contracts'
import { evaluateQuorum, type PreflightResult, preflightSubmission, type TaskInfo } from '@wisp/protocol'
import { type Address, maxUint256 } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  depositStake,
  encodeSubmitTask,
  refreshTaskDefinitionVotingPower,
  setTaskDefinitionBlockExpiry,
  setTaskDefinitionMinimumVotingPower,
  setTaskDefinitionRestrictedAttesters,
  simulateSubmitTask,
  submitTask,
  toChainError,
  unregisterOperator,
  writeAndWait,
} from '../src/index.js'
import { createChainPort, type WispChainPort } from '../src/port.js'
import { codeOf, makeTask, performerSignature, type Setup, setup, signVotes } from './support/network.js'

// Voting powers in wei so every sum is reachable: ids 1..8, plus id 9 with no stake at all.
const POWERS = [1n, 2n, 4n, 8n, 16n, 32n, 64n, 3n, 0n]
const DEF = {
  restricted: 1,
  minimum: 2,
  both: 3,
  tiny: 4,
  maximum: 5,
  late: 6,
  unsorted: 7,
  restrictedMax: 8,
  two: 9,
  three: 10,
} as const
const VOTING_POWER_SYNC = 10001

let s: Setup
let port: WispChainPort
let center: { attestationCenter: Address }

beforeAll(async () => {
  s = await setup({
    operators: POWERS.map((votingPower) => ({ votingPower })),
    taskDefinitions: [
      { name: 'restricted', restrictedAttesterIds: [1, 2, 3, 4, 5] }, // total 31
      { name: 'minimum', minimumVotingPower: 2n }, // ids 2..8: 129
      { name: 'both', minimumVotingPower: 2n, restrictedAttesterIds: [2, 3, 4, 5, 8] }, // 33
      { name: 'tiny', restrictedAttesterIds: [1, 9] }, // total 1
      { name: 'maximum', maximumNumberOfAttesters: 3 }, // network total
      { name: 'late', minimumVotingPower: 200n }, // nobody qualifies yet: snapshot 0
      { name: 'unsorted', restrictedAttesterIds: [5, 3, 1] }, // total 21
      { name: 'restrictedMax', restrictedAttesterIds: [1, 2, 3, 4, 5], maximumNumberOfAttesters: 2 }, // 31
      { name: 'two', restrictedAttesterIds: [2, 9] }, // total 2
      { name: 'three', restrictedAttesterIds: [1, 2, 9] }, // total 3
    ],
  })
  center = { attestationCenter: s.center }
  // live reads: these tests change definitions and operators and read them back at once (a
  // cached port would see the change one event look later)
  port = await createChainPort(
    { attestationCenter: s.center, cacheMaxAgeMs: 0 },
    { publicClient: s.publicClient },
  )
})
afterAll(() => s?.stop())
beforeEach(() => s.reset())

const aggregator = () => s.ops[7]! // id 8, active, also the performer
const ids = (...list: number[]) => list

async function taskFor(definition: number): Promise<TaskInfo> {
  return makeTask(aggregator().address, definition)
}

/** A signed submission from the aggregator, with the attester ids exactly as given. */
async function submission(task: TaskInfo, isApproved: boolean, attesterIds: readonly number[]) {
  // unknown ids (0, 42) cannot sign; an empty list still needs some aggregate to encode
  const signers = attesterIds.map((id) => s.ops[id - 1]).filter((op) => op !== undefined)
  const votes = signVotes(s, task, signers.length > 0 ? signers : [s.ops[0]!], isApproved)
  return {
    task,
    performerSignature: await performerSignature(aggregator(), task, 'ecdsa'),
    isApproved,
    aggregateSignature: votes.aggregateSignature,
    attesterIds, // as given: unsorted or duplicate lists reach the contract unchanged
  }
}

/**
 * What the contract says to a submission sent now: simulated from the aggregator on the pending
 * block (number latest + 1, where it would be mined), so `block.number` is the one the
 * transaction would see.
 */
async function contractSays(
  task: TaskInfo,
  isApproved: boolean,
  attesterIds: readonly number[],
): Promise<string> {
  const { data } = encodeSubmitTask(s.center, await submission(task, isApproved, attesterIds))
  try {
    await s.publicClient.call({ account: aggregator().address, to: s.center, data, blockTag: 'pending' })
    return 'ok'
  } catch (err) {
    return toChainError(err, { address: s.center, functionName: 'submitTask' }).code
  }
}

/** What the protocol package predicts from the ChainPort's reads. */
async function protocolSays(
  task: TaskInfo,
  isApproved: boolean,
  attesterIds: readonly number[],
): Promise<string> {
  const definition = await port.getTaskDefinition(task.taskDefinitionId)
  let result: PreflightResult
  try {
    result = preflightSubmission({
      attesterIds,
      operators: await port.getOperators(),
      isApproved,
      networkTotal: await port.getNetworkTotal(),
      ...(definition
        ? {
            taskDefinition: definition,
            definitionTotal: definition.definitionTotal,
            blockNumber: await port.getBlockNumber(),
            blockExpiry: definition.blockExpiry, // as stored: 0 = never
          }
        : {}),
    })
  } catch (err) {
    return (err as { code: string }).code
  }
  return result.ok ? 'ok' : result.code
}

async function both(definition: number, isApproved: boolean, attesterIds: readonly number[]) {
  const task = await taskFor(definition)
  return {
    contract: await contractSays(task, isApproved, attesterIds),
    protocol: await protocolSays(task, isApproved, attesterIds),
  }
}

/** Contract and protocol both say `code`. */
async function expectAgree(
  definition: number,
  isApproved: boolean,
  attesterIds: readonly number[],
  code: string,
): Promise<void> {
  expect({ attesterIds, ...(await both(definition, isApproved, attesterIds)) }).toEqual({
    attesterIds,
    contract: code,
    protocol: code,
  })
}

/** Some set of `pool` ids whose voting power sums to exactly `target`. */
function subsetWithSum(pool: readonly number[], target: bigint): number[] {
  for (let mask = 1; mask < 1 << pool.length; mask++) {
    const chosen = pool.filter((_, i) => mask & (1 << i))
    if (chosen.reduce((sum, id) => sum + POWERS[id - 1]!, 0n) === target) return chosen.sort((a, b) => a - b)
  }
  throw new Error(`no subset of ${pool} sums to ${target}`)
}

describe('threshold boundaries: exactly the threshold passes, one wei less reverts InsufficientVotingPower', () => {
  const cases = [
    { name: 'default definition (network total 130)', id: 0, pool: [1, 2, 3, 4, 5, 6, 7, 8], total: 130n },
    { name: 'restricted set {1..5} (snapshot 31)', id: DEF.restricted, pool: [1, 2, 3, 4, 5], total: 31n },
    {
      name: 'minimum voting power 2 (snapshot 129)',
      id: DEF.minimum,
      pool: [2, 3, 4, 5, 6, 7, 8],
      total: 129n,
    },
    {
      name: 'minimum 2 and restricted {2,3,4,5,8} (snapshot 33)',
      id: DEF.both,
      pool: [2, 3, 4, 5, 8],
      total: 33n,
    },
  ]
  for (const c of cases) {
    for (const isApproved of [true, false]) {
      it(`${c.name}, ${isApproved ? 'approve (total*2/3)' : 'reject (total/3)'}`, async () => {
        const definition = await port.getTaskDefinition(c.id)
        const networkTotal = await port.getNetworkTotal()
        expect(networkTotal).toBe(130n)
        if (c.id !== 0) expect(definition?.definitionTotal).toBe(c.total)
        const required = isApproved ? (c.total * 2n) / 3n : c.total / 3n
        const quorum = evaluateQuorum({
          networkTotal,
          ...(definition ? { taskDefinition: definition, definitionTotal: definition.definitionTotal } : {}),
          isApproved,
          signedVotingPower: required,
        })
        expect(quorum).toMatchObject({ total: c.total, required, reached: true })

        const exact = subsetWithSum(c.pool, required)
        expect(await both(c.id, isApproved, exact)).toEqual({ contract: 'ok', protocol: 'ok' })
        const short = subsetWithSum(c.pool, required - 1n)
        expect(await both(c.id, isApproved, short)).toEqual({
          contract: 'InsufficientVotingPower',
          protocol: 'InsufficientVotingPower',
        })
      })
    }
  }

  it('an actual submission at exactly the threshold is included (not only simulated)', async () => {
    const task = await taskFor(DEF.both)
    const attesterIds = subsetWithSum([2, 3, 4, 5, 8], 22n)
    const result = await submitTask(aggregator().wallet, {
      ...center,
      task,
      performerSignature: await performerSignature(aggregator(), task, 'bls'),
      isApproved: true,
      ...signVotes(
        s,
        task,
        attesterIds.map((id) => s.ops[id - 1]!),
        true,
      ),
      pollingIntervalMs: 20,
    })
    expect(result.event).toMatchObject({ event: 'TaskSubmitted', attesterIds })
  })
})

describe('attester rules: contract and protocol agree', () => {
  it.each([
    ['unsorted ids', 0, true, ids(7, 6, 5), 'InvalidOperatorIndexes'],
    ['duplicate ids', 0, true, ids(5, 6, 6, 7), 'InvalidOperatorIndexes'],
    ['id 0', 0, true, ids(0, 5), 'InvalidOperatorIndexes'],
    ['an id outside the restricted set', DEF.restricted, true, ids(4, 5, 6), 'InvalidRestrictedAttester'],
    ['id 0 with a restricted set', DEF.restricted, true, ids(0, 5), 'InvalidRestrictedAttester'],
    [
      'an attester under the minimum',
      DEF.minimum,
      true,
      ids(1, 6, 7),
      'OperatorDoesNotHaveMinimumVotingPower',
    ],
    [
      'more attesters than the maximum',
      DEF.maximum,
      true,
      ids(4, 5, 6, 7),
      'InvalidMaximumNumberOfAttesters',
    ],
    ['exactly the maximum', DEF.maximum, true, ids(5, 6, 7), 'ok'],
    ['an id that was never registered', 0, true, ids(6, 7, 42), 'InactiveOperator'],
    [
      'a restricted set stored unsorted ([5,3,1], sorted by the chain reads)',
      DEF.unsorted,
      true,
      ids(1, 3, 5),
      'ok',
    ],
    ['no attesters', 0, true, ids(), 'InvalidAttesterSet'],
    ['no attesters, restricted set', DEF.restricted, true, ids(), 'InvalidAttesterSet'],
  ] as const)('%s', async (_, definition, isApproved, attesterIds, code) => {
    await expectAgree(definition, isApproved, attesterIds, code)
  })

  it('an internal task (10001, rejected: no internal call) has no rules and uses the network total', async () => {
    // reject needs 130/3 = 43
    await expectAgree(VOTING_POWER_SYNC, false, subsetWithSum([1, 2, 3, 4, 5, 6, 7, 8], 43n), 'ok')
    await expectAgree(
      VOTING_POWER_SYNC,
      false,
      subsetWithSum([1, 2, 3, 4, 5, 6, 7, 8], 42n),
      'InsufficientVotingPower',
    )
  })

  it('an expired definition: refused from the block after blockExpiry', async () => {
    const latest = await s.publicClient.getBlockNumber()
    // the expiry transaction itself is mined in latest+1
    await setTaskDefinitionBlockExpiry(s.deployer, { ...center, id: DEF.maximum, blockExpiry: latest + 2n })
    // a submission now is mined in latest+2 = blockExpiry: accepted
    await expectAgree(DEF.maximum, true, ids(6, 7), 'ok')
    await s.testClient.mine({ blocks: 1 })
    // now a submission would be mined in blockExpiry+1: both refuse
    await expectAgree(DEF.maximum, true, ids(6, 7), 'InvalidTaskDefinition')
    // (an eth_call at "latest" runs with block.number = blockExpiry and is one block early)
    const task = await taskFor(DEF.maximum)
    expect(
      await codeOf(
        simulateSubmitTask(s.publicClient, {
          ...center,
          account: aggregator().address,
          ...(await submission(task, true, ids(6, 7))),
        }),
      ),
    ).toBe('resolved')
    // the port's send refuses it (the node's gas estimate runs on the pending block) with the
    // contract error's name, and nothing is mined
    const writer = await createChainPort(
      { attestationCenter: s.center, pollingIntervalMs: 20 },
      { publicClient: s.publicClient, walletClient: aggregator().wallet },
    )
    const error = await writer
      .submitTask({
        task,
        performerSignature: await performerSignature(aggregator(), task, 'ecdsa'),
        isApproved: true,
        ...signVotes(s, task, [s.ops[5]!, s.ops[6]!], true),
      })
      .catch((e: unknown) => e as { code: string; details: Record<string, unknown> })
    expect(error).toMatchObject({ code: 'InvalidTaskDefinition', details: { functionName: 'submitTask' } })
    expect(await s.publicClient.getBlockNumber({ cacheTime: 0 })).toBe(latest + 2n) // nothing was mined
    // type(uint256).max is stored as 0: never expires
    await setTaskDefinitionBlockExpiry(s.deployer, { ...center, id: DEF.maximum, blockExpiry: maxUint256 })
    expect((await port.getTaskDefinition(DEF.maximum))?.blockExpiry).toBe(0n)
    await expectAgree(DEF.maximum, true, ids(6, 7), 'ok')
  })

  it('blockExpiry 0 means "never", on chain and in preflightSubmission', async () => {
    const definition = await port.getTaskDefinition(DEF.restricted)
    expect(definition?.blockExpiry).toBe(0n)
    const result = preflightSubmission({
      attesterIds: [4, 5],
      operators: await port.getOperators(),
      isApproved: true,
      networkTotal: await port.getNetworkTotal(),
      taskDefinition: definition!,
      definitionTotal: definition!.definitionTotal,
      blockNumber: await port.getBlockNumber(),
      blockExpiry: definition!.blockExpiry,
    })
    expect(result).toMatchObject({ ok: true })
    expect(await contractSays(await taskFor(DEF.restricted), true, [4, 5])).toBe('ok')
  })
})

describe('the check order: with several faults, both name the same first one', () => {
  it('expiry before the restricted set', async () => {
    await setTaskDefinitionBlockExpiry(s.deployer, { ...center, id: DEF.restricted, blockExpiry: 1n })
    await expectAgree(DEF.restricted, true, ids(6, 6), 'InvalidTaskDefinition')
  })

  it('the restricted set before the maximum; then the maximum', async () => {
    await expectAgree(DEF.restrictedMax, true, ids(6, 1, 2), 'InvalidRestrictedAttester')
    await expectAgree(DEF.restrictedMax, true, ids(1, 2, 3), 'InvalidMaximumNumberOfAttesters')
    // 31*2/3 = 20: 4 + 8 = 12 is short, 8 + 16 = 24 passes
    await expectAgree(DEF.restrictedMax, true, ids(3, 4), 'InsufficientVotingPower')
    await expectAgree(DEF.restrictedMax, true, ids(4, 5), 'ok')
  })

  it('the maximum (duplicates counted) before the id order', async () => {
    await expectAgree(DEF.maximum, true, ids(7, 7, 6, 5), 'InvalidMaximumNumberOfAttesters')
    await expectAgree(DEF.maximum, true, ids(7, 7, 6), 'InvalidOperatorIndexes')
  })

  it('duplicate ids inside a restricted set pass the membership check: InvalidOperatorIndexes', async () => {
    await expectAgree(DEF.restricted, true, ids(4, 5, 5), 'InvalidOperatorIndexes')
    await expectAgree(DEF.restricted, true, ids(1, 1, 2, 2, 3, 3), 'InvalidOperatorIndexes')
  })

  it('per id, in list order: order, then activity, then the minimum', async () => {
    await unregisterOperator(s.ops[0]!.wallet, center)
    // operator 1 is now inactive and under the minimum 2: activity is checked first
    await expectAgree(DEF.minimum, true, ids(1, 6, 7), 'InactiveOperator')
    await expectAgree(0, true, ids(1, 1), 'InactiveOperator')
    await expectAgree(0, true, ids(2, 1), 'InvalidOperatorIndexes')
    await expectAgree(DEF.minimum, true, ids(2, 1), 'InvalidOperatorIndexes')
  })

  it('a definition snapshot of 0: the attester checks first, then InvalidRequiredVotingPower (no fallback to the network total)', async () => {
    // nobody has 200: operator 7 (64) fails the minimum before the total is looked at
    await expectAgree(DEF.late, true, ids(7), 'OperatorDoesNotHaveMinimumVotingPower')
    // operator 7 grows to 264 after the definition (minimum 200) was created with nobody eligible
    await writeAndWait(s.deployer, {
      address: s.net.contracts.stakeToken,
      abi: testERC20Abi,
      functionName: 'mint',
      args: [s.net.deployer, 200n],
    })
    await depositStake(s.deployer, {
      ...center,
      stakingContract: s.net.contracts.stakeToken,
      amount: 200n,
      operator: s.ops[6]!.address,
    })
    const definition = await port.getTaskDefinition(DEF.late)
    expect(definition).toMatchObject({ minimumVotingPower: 200n, definitionTotal: 0n })
    expect(await port.getNetworkTotal()).toBe(330n)
    await expectAgree(DEF.late, true, ids(7), 'InvalidRequiredVotingPower')
    await expectAgree(DEF.late, false, ids(7), 'InvalidRequiredVotingPower')
    await expectAgree(DEF.late, true, ids(), 'InvalidAttesterSet')
    await expectAgree(DEF.late, true, ids(6, 7), 'OperatorDoesNotHaveMinimumVotingPower')
    // refreshing the snapshot (264) makes the submission valid
    await refreshTaskDefinitionVotingPower(s.deployer, { ...center, id: DEF.late })
    await expectAgree(DEF.late, true, ids(7), 'ok')
  })
})

describe('small totals: only a total of 0 is InvalidRequiredVotingPower', () => {
  it('total 1: approve and reject require 0, met even by an attester with no voting power', async () => {
    expect((await port.getTaskDefinition(DEF.tiny))?.definitionTotal).toBe(1n)
    await expectAgree(DEF.tiny, true, ids(9), 'ok')
    await expectAgree(DEF.tiny, false, ids(9), 'ok')
    await expectAgree(DEF.tiny, false, ids(1), 'ok')
    await expectAgree(DEF.tiny, true, ids(1, 9), 'ok')
  })

  it('total 2: approve requires 1, reject still 0', async () => {
    expect((await port.getTaskDefinition(DEF.two))?.definitionTotal).toBe(2n)
    await expectAgree(DEF.two, true, ids(9), 'InsufficientVotingPower')
    await expectAgree(DEF.two, true, ids(2), 'ok')
    await expectAgree(DEF.two, false, ids(9), 'ok')
  })

  it('total 3: reject requires 1', async () => {
    expect((await port.getTaskDefinition(DEF.three))?.definitionTotal).toBe(3n)
    await expectAgree(DEF.three, false, ids(9), 'InsufficientVotingPower')
    await expectAgree(DEF.three, false, ids(1), 'ok')
    // approve: 3*2/3 = 2
    await expectAgree(DEF.three, true, ids(1), 'InsufficientVotingPower')
    await expectAgree(DEF.three, true, ids(2), 'ok')
  })
})

describe('definition 0: rules set by governance apply, with its own total', () => {
  it('a minimum on definition 0', async () => {
    await setTaskDefinitionMinimumVotingPower(s.deployer, { ...center, id: 0, minimumVotingPower: 10n })
    const zero = await port.getTaskDefinition(0)
    expect(zero).toMatchObject({ minimumVotingPower: 10n, definitionTotal: 112n })
    await expectAgree(0, true, ids(1, 2, 3, 4, 5, 6, 7, 8), 'OperatorDoesNotHaveMinimumVotingPower')
    // 80 >= 112*2/3 = 74 (it would be short of the network's 130*2/3 = 86); 48 is short
    await expectAgree(0, true, subsetWithSum([5, 6, 7], 80n), 'ok')
    await expectAgree(0, true, ids(5, 6), 'InsufficientVotingPower')
  })

  it('a restricted set on definition 0, stored unsorted', async () => {
    await setTaskDefinitionRestrictedAttesters(s.deployer, { ...center, id: 0, attesterIds: [5, 3, 1] })
    expect(await port.getTaskDefinition(0)).toMatchObject({
      restrictedAttesterIds: [1, 3, 5],
      definitionTotal: 21n,
    })
    // 21*2/3 = 14
    await expectAgree(0, true, ids(5, 6), 'InvalidRestrictedAttester')
    await expectAgree(0, true, ids(1, 3), 'InsufficientVotingPower')
    await expectAgree(0, true, ids(5), 'ok')
  })

  it('an expiry on definition 0', async () => {
    await setTaskDefinitionBlockExpiry(s.deployer, { ...center, id: 0, blockExpiry: 1n })
    await expectAgree(0, true, ids(6, 7), 'InvalidTaskDefinition')
  })
})
