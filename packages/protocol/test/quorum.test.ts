import { describe, expect, it } from 'vitest'
import {
  effectiveRules,
  evaluateQuorum,
  openTaskDefinition,
  quorumTotal,
  requiredVotingPower,
  safeEvaluateQuorum,
  type TaskDefinitionRules,
  usesDefinitionTotal,
} from '../src/index.js'
import { expectCode, thrown } from './helpers.js'

const ETHER = 10n ** 18n
const open = openTaskDefinition(4)
const withMinimum: TaskDefinitionRules = { ...open, minimumVotingPower: 5n * ETHER }
const restricted: TaskDefinitionRules = { ...open, restrictedAttesterIds: [1, 3] }

describe('which total applies', () => {
  it('the network total unless the definition restricts attesters or sets a minimum', () => {
    expect(usesDefinitionTotal(undefined)).toBe(false)
    expect(usesDefinitionTotal(open)).toBe(false)
    expect(usesDefinitionTotal(withMinimum)).toBe(true)
    expect(usesDefinitionTotal(restricted)).toBe(true)
    expect(usesDefinitionTotal({ ...open, maximumNumberOfAttesters: 3 })).toBe(false)
  })

  it('definition 0 is loaded like any other: its minimum or restricted set selects its own total', () => {
    expect(usesDefinitionTotal(openTaskDefinition(0))).toBe(false)
    expect(usesDefinitionTotal({ ...withMinimum, id: 0 })).toBe(true)
    expect(usesDefinitionTotal({ ...restricted, id: 0 })).toBe(true)
    expect(
      quorumTotal({ networkTotal: 100n, definitionTotal: 7n, taskDefinition: { ...restricted, id: 0 } }),
    ).toBe(7n)
    expect(
      quorumTotal({ networkTotal: 100n, definitionTotal: 7n, taskDefinition: openTaskDefinition(0) }),
    ).toBe(100n)
    expect(effectiveRules({ ...withMinimum, id: 0 })).toEqual({ ...withMinimum, id: 0 })
  })

  it('internal tasks (10001, 10002) have no rules and use the network total', () => {
    for (const id of [10001, 10002, 10003]) {
      const stored = { ...withMinimum, restrictedAttesterIds: [1], maximumNumberOfAttesters: 1, id }
      expect(effectiveRules(stored)).toEqual(openTaskDefinition(id))
      expect(usesDefinitionTotal(stored)).toBe(false)
      expect(quorumTotal({ networkTotal: 100n, definitionTotal: 7n, taskDefinition: stored })).toBe(100n)
    }
    // the last id that still loads its rules
    expect(usesDefinitionTotal({ ...withMinimum, id: 10000 })).toBe(true)
  })

  it('no definition means open rules of definition 0', () => {
    expect(effectiveRules(undefined)).toEqual(openTaskDefinition(0))
  })

  it('a definition id that is not a uint16 is QUORUM_INVALID_INPUT', () => {
    for (const id of [-1, 0x10000, 1.5, Number.NaN]) {
      expectCode(() => effectiveRules({ ...open, id }), 'QUORUM_INVALID_INPUT')
    }
  })

  it('picks the total', () => {
    expect(quorumTotal({ networkTotal: 100n })).toBe(100n)
    expect(quorumTotal({ networkTotal: 100n, definitionTotal: 60n, taskDefinition: open })).toBe(100n)
    expect(quorumTotal({ networkTotal: 100n, definitionTotal: 60n, taskDefinition: withMinimum })).toBe(60n)
    expect(quorumTotal({ networkTotal: 100n, definitionTotal: 60n, taskDefinition: restricted })).toBe(60n)
    // the definition total applies even when it is above the network total (a stale snapshot)
    expect(quorumTotal({ networkTotal: 100n, definitionTotal: 160n, taskDefinition: restricted })).toBe(160n)
  })

  it('a definition total of 0 stays 0 (no fallback to the network total): InvalidRequiredVotingPower', () => {
    expect(quorumTotal({ networkTotal: 100n, definitionTotal: 0n, taskDefinition: withMinimum })).toBe(0n)
    expect(quorumTotal({ networkTotal: 100n, definitionTotal: 0n, taskDefinition: restricted })).toBe(0n)
    for (const isApproved of [true, false]) {
      const err = thrown(() =>
        evaluateQuorum({
          networkTotal: 100n,
          definitionTotal: 0n,
          taskDefinition: withMinimum,
          isApproved,
          signedVotingPower: 100n,
        }),
      )
      expect(err.code).toBe('InvalidRequiredVotingPower')
    }
    // a snapshot of 1 wei is usable again
    expect(
      evaluateQuorum({
        networkTotal: 100n,
        definitionTotal: 1n,
        taskDefinition: withMinimum,
        isApproved: true,
        signedVotingPower: 0n,
      }),
    ).toMatchObject({ total: 1n, required: 0n, reached: true })
  })

  it('a missing definition total or negative power is QUORUM_INVALID_INPUT', () => {
    expectCode(() => quorumTotal({ networkTotal: 100n, taskDefinition: withMinimum }), 'QUORUM_INVALID_INPUT')
    expectCode(() => quorumTotal({ networkTotal: -1n }), 'QUORUM_INVALID_INPUT')
    expectCode(() => quorumTotal({ networkTotal: 100 as unknown as bigint }), 'QUORUM_INVALID_INPUT')
    expectCode(
      () => quorumTotal({ networkTotal: 1n, definitionTotal: -5n, taskDefinition: restricted }),
      'QUORUM_INVALID_INPUT',
    )
  })
})

describe('required voting power', () => {
  it('is total*2/3 to approve and total*1/3 to reject, floored', () => {
    expect(requiredVotingPower(300n, true)).toBe(200n)
    expect(requiredVotingPower(300n, false)).toBe(100n)
    expect(requiredVotingPower(100n, true)).toBe(66n)
    expect(requiredVotingPower(100n, false)).toBe(33n)
    expect(requiredVotingPower(2n, true)).toBe(1n)
    expect(requiredVotingPower(3n, false)).toBe(1n)
    const big = 2n ** 255n + 12345n
    expect(requiredVotingPower(big, true)).toBe((big * 2n) / 3n)
  })

  it('only a total of 0 is InvalidRequiredVotingPower', () => {
    for (const approve of [true, false]) {
      const err = thrown(() => requiredVotingPower(0n, approve))
      expect(err.code).toBe('InvalidRequiredVotingPower')
      expect(err.details).toMatchObject({ total: '0', isApproved: approve })
    }
  })

  it('a non-zero total too small to floor above 0 requires 0 (total 1 to approve, 1 or 2 to reject)', () => {
    expect(requiredVotingPower(1n, true)).toBe(0n)
    expect(requiredVotingPower(2n, true)).toBe(1n) // the first total that requires something
    expect(requiredVotingPower(1n, false)).toBe(0n)
    expect(requiredVotingPower(2n, false)).toBe(0n)
    expect(requiredVotingPower(3n, false)).toBe(1n) // the first total that requires something
  })

  it('non-bigint or negative totals are QUORUM_INVALID_INPUT', () => {
    expectCode(() => requiredVotingPower(-1n, true), 'QUORUM_INVALID_INPUT')
    expectCode(() => requiredVotingPower(3 as unknown as bigint, true), 'QUORUM_INVALID_INPUT')
  })
})

describe('evaluateQuorum at the boundary', () => {
  // 1000 ether + 1 wei makes the floors bite: 2/3 → 666.666…667 ether floored.
  const networkTotal = 1000n * ETHER + 1n
  const approveAt = (networkTotal * 2n) / 3n
  const rejectAt = networkTotal / 3n

  const settings: Array<
    [string, Pick<Parameters<typeof evaluateQuorum>[0], 'taskDefinition' | 'definitionTotal'>, bigint]
  > = [
    ['network total', {}, networkTotal],
    [
      'with minimum voting power',
      { taskDefinition: withMinimum, definitionTotal: 700n * ETHER + 2n },
      700n * ETHER + 2n,
    ],
    ['with a restricted set', { taskDefinition: restricted, definitionTotal: 31n * ETHER }, 31n * ETHER],
  ]
  for (const [name, setting, total] of settings) {
    for (const isApproved of [true, false]) {
      it(`${name}, ${isApproved ? 'approve' : 'reject'}: exactly the threshold passes, one wei less fails`, () => {
        const required = isApproved ? (total * 2n) / 3n : (total * 1n) / 3n
        const at = evaluateQuorum({ ...setting, networkTotal, isApproved, signedVotingPower: required })
        expect(at).toEqual({ isApproved, total, required, signed: required, reached: true, missing: 0n })
        const below = evaluateQuorum({
          ...setting,
          networkTotal,
          isApproved,
          signedVotingPower: required - 1n,
        })
        expect(below).toMatchObject({ reached: false, missing: 1n })
        expect(
          evaluateQuorum({ ...setting, networkTotal, isApproved, signedVotingPower: total }).reached,
        ).toBe(true)
      })
    }
  }

  it('uses floors, so "over 2/3" in the docs is really ">= floor(2/3)"', () => {
    expect(evaluateQuorum({ networkTotal: 3n, isApproved: true, signedVotingPower: 2n }).reached).toBe(true)
    expect(evaluateQuorum({ networkTotal, isApproved: true, signedVotingPower: approveAt }).reached).toBe(
      true,
    )
    expect(evaluateQuorum({ networkTotal, isApproved: false, signedVotingPower: rejectAt }).reached).toBe(
      true,
    )
    expect(
      evaluateQuorum({ networkTotal, isApproved: false, signedVotingPower: rejectAt - 1n }).reached,
    ).toBe(false)
  })

  it('a required power of 0 is reached by any signed power, 0 included', () => {
    for (const [networkTotal, isApproved] of [
      [1n, true],
      [1n, false],
      [2n, false],
    ] as const) {
      expect(evaluateQuorum({ networkTotal, isApproved, signedVotingPower: 0n })).toEqual({
        isApproved,
        total: networkTotal,
        required: 0n,
        signed: 0n,
        reached: true,
        missing: 0n,
      })
    }
    expect(evaluateQuorum({ networkTotal: 2n, isApproved: true, signedVotingPower: 0n })).toMatchObject({
      required: 1n,
      reached: false,
      missing: 1n,
    })
  })

  it('throws InvalidRequiredVotingPower for total 0; the safe form returns it', () => {
    expectCode(
      () => evaluateQuorum({ networkTotal: 0n, isApproved: true, signedVotingPower: 0n }),
      'InvalidRequiredVotingPower',
    )
    expect(safeEvaluateQuorum({ networkTotal: 0n, isApproved: false, signedVotingPower: 5n })).toMatchObject({
      ok: false,
      error: { code: 'InvalidRequiredVotingPower', name: 'ProtocolError' },
    })
    expect(safeEvaluateQuorum({ networkTotal: 9n, isApproved: false, signedVotingPower: 3n })).toMatchObject({
      ok: true,
      value: { reached: true, required: 3n },
    })
    expectCode(
      () => evaluateQuorum({ networkTotal: 9n, isApproved: true, signedVotingPower: -1n }),
      'QUORUM_INVALID_INPUT',
    )
  })
})
