import { describe, expect, it } from 'vitest'
import {
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

  it('never the definition total for the default definition 0 (the contract does not load it)', () => {
    expect(usesDefinitionTotal({ ...withMinimum, id: 0 })).toBe(false)
    expect(
      quorumTotal({ networkTotal: 100n, definitionTotal: 7n, taskDefinition: { ...restricted, id: 0 } }),
    ).toBe(100n)
  })

  it('picks the total', () => {
    expect(quorumTotal({ networkTotal: 100n })).toBe(100n)
    expect(quorumTotal({ networkTotal: 100n, definitionTotal: 60n, taskDefinition: open })).toBe(100n)
    expect(quorumTotal({ networkTotal: 100n, definitionTotal: 60n, taskDefinition: withMinimum })).toBe(60n)
    expect(quorumTotal({ networkTotal: 100n, definitionTotal: 60n, taskDefinition: restricted })).toBe(60n)
  })

  it('a definition total of 0 (never computed) falls back to the network total, as OBLS does', () => {
    expect(quorumTotal({ networkTotal: 100n, definitionTotal: 0n, taskDefinition: withMinimum })).toBe(100n)
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

  it('a required power of 0 is InvalidRequiredVotingPower (total 0; 1 to approve; < 3 to reject)', () => {
    for (const [total, approve] of [
      [0n, true],
      [0n, false],
      [1n, true],
      [1n, false],
      [2n, false],
    ] as const) {
      const err = thrown(() => requiredVotingPower(total, approve))
      expect(err.code).toBe('InvalidRequiredVotingPower')
      expect(err.details).toMatchObject({ total: total.toString(), isApproved: approve })
    }
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
