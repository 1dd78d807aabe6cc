import { describe, expect, it } from 'vitest'
import {
  checkAttesterSet,
  type OperatorState,
  openTaskDefinition,
  preflightSubmission,
  selectAttesters,
  type TaskDefinitionRules,
} from '../src/index.js'
import { expectCode } from './helpers.js'

const op = (id: number, votingPower: bigint, active = true): OperatorState => ({ id, votingPower, active })
const operators = [op(1, 100n), op(2, 50n), op(3, 10n, false), op(4, 200n), op(5, 5n), op(6, 100n)]
const operatorMap = new Map(operators.map((o) => [o.id, o]))
const defn = (rules: Partial<TaskDefinitionRules>): TaskDefinitionRules => ({
  ...openTaskDefinition(9),
  ...rules,
})

describe('checkAttesterSet', () => {
  it('accepts eligible, strictly increasing ids and sums their power', () => {
    const r = checkAttesterSet({ attesterIds: [1, 2, 4], operators })
    expect(r.accepted.map((o) => o.id)).toEqual([1, 2, 4])
    expect(r.rejected).toEqual([])
    expect(r.signedVotingPower).toBe(350n)
  })

  it('accepts a Map as well as an array', () => {
    expect(checkAttesterSet({ attesterIds: [1, 2], operators: operatorMap }).signedVotingPower).toBe(150n)
  })

  it('codes each refused attester with the contract error', () => {
    const r = checkAttesterSet({
      attesterIds: [1, 3, 2, 4, 4, 5, 6, 7],
      operators,
      taskDefinition: defn({
        minimumVotingPower: 6n,
        restrictedAttesterIds: [1, 2, 3, 4, 5, 7],
        maximumNumberOfAttesters: 2,
      }),
    })
    expect(r.rejected.map(({ operatorId, position, code }) => [operatorId, position, code])).toEqual([
      [3, 1, 'InactiveOperator'],
      [2, 2, 'InvalidOperatorIndexes'],
      [4, 4, 'InvalidOperatorIndexes'],
      [5, 5, 'OperatorDoesNotHaveMinimumVotingPower'],
      [6, 6, 'InvalidRestrictedAttester'],
      [7, 7, 'OperatorDoesNotHaveMinimumVotingPower'], // unknown id: no power, like empty storage
    ])
    expect(r.accepted.map((o) => o.id)).toEqual([1, 4])
    for (const rej of r.rejected) expect(rej.message).toMatch(String(rej.operatorId))
  })

  it('an unknown id without a minimum is InactiveOperator', () => {
    expect(checkAttesterSet({ attesterIds: [99], operators }).rejected[0]?.code).toBe('InactiveOperator')
  })

  it('refuses attesters beyond the maximum, in order', () => {
    const r = checkAttesterSet({
      attesterIds: [1, 2, 4, 6],
      operators,
      taskDefinition: defn({ maximumNumberOfAttesters: 2 }),
    })
    expect(r.accepted.map((o) => o.id)).toEqual([1, 2])
    expect(r.rejected.map((x) => [x.operatorId, x.code])).toEqual([
      [4, 'InvalidMaximumNumberOfAttesters'],
      [6, 'InvalidMaximumNumberOfAttesters'],
    ])
  })

  it('minimum voting power boundary: exactly the minimum passes, one wei less fails', () => {
    const rules = defn({ minimumVotingPower: 50n })
    expect(checkAttesterSet({ attesterIds: [2], operators, taskDefinition: rules }).rejected).toEqual([])
    const stricter = defn({ minimumVotingPower: 51n })
    expect(
      checkAttesterSet({ attesterIds: [2], operators, taskDefinition: stricter }).rejected[0]?.code,
    ).toBe('OperatorDoesNotHaveMinimumVotingPower')
  })

  it('ignores the rules of definition 0, as the contract does', () => {
    const r = checkAttesterSet({
      attesterIds: [1, 2, 5],
      operators,
      taskDefinition: { ...defn({ minimumVotingPower: 1000n, restrictedAttesterIds: [4] }), id: 0 },
    })
    expect(r.rejected).toEqual([])
  })

  it('bad ids or operators are QUORUM_INVALID_INPUT', () => {
    expectCode(() => checkAttesterSet({ attesterIds: [0], operators }), 'QUORUM_INVALID_INPUT')
    expectCode(() => checkAttesterSet({ attesterIds: [1.5], operators }), 'QUORUM_INVALID_INPUT')
    expectCode(
      () => checkAttesterSet({ attesterIds: [1], operators: [op(1, 1n), op(1, 2n)] }),
      'QUORUM_INVALID_INPUT',
    )
    expectCode(() => checkAttesterSet({ attesterIds: [1], operators: [op(1, -1n)] }), 'QUORUM_INVALID_INPUT')
  })
})

describe('selectAttesters', () => {
  it('sorts and de-duplicates unordered candidates', () => {
    const r = selectAttesters({ candidateIds: [4, 1, 4, 2, 1], operators })
    expect(r.accepted.map((o) => o.id)).toEqual([1, 2, 4])
    expect(r.rejected).toEqual([])
  })

  it('keeps the most voting power when over the maximum (ties to the lower id), result sorted', () => {
    const r = selectAttesters({
      candidateIds: [6, 5, 4, 2, 1, 3],
      operators,
      taskDefinition: defn({ maximumNumberOfAttesters: 2 }),
    })
    expect(r.accepted.map((o) => o.id)).toEqual([1, 4])
    expect(r.signedVotingPower).toBe(300n)
    expect(r.rejected.map((x) => [x.operatorId, x.code])).toEqual([
      [2, 'InvalidMaximumNumberOfAttesters'],
      [3, 'InactiveOperator'],
      [5, 'InvalidMaximumNumberOfAttesters'],
      [6, 'InvalidMaximumNumberOfAttesters'],
    ])
  })

  it('applies the restricted set', () => {
    const r = selectAttesters({
      candidateIds: [1, 2, 4],
      operators,
      taskDefinition: defn({ restrictedAttesterIds: [2, 4] }),
    })
    expect(r.accepted.map((o) => o.id)).toEqual([2, 4])
    expect(r.rejected).toMatchObject([{ operatorId: 1, code: 'InvalidRestrictedAttester' }])
  })
})

describe('preflightSubmission predicts the first revert', () => {
  const base = { operators, isApproved: true, networkTotal: 465n } // sum of active power

  it('passes at exactly the threshold and fails one wei below', () => {
    // required = 465*2/3 = 310
    const ok = preflightSubmission({ ...base, attesterIds: [1, 4, 6] })
    expect(ok).toMatchObject({ ok: true, quorum: { required: 310n, signed: 400n } })
    // total 601 → required floor(1202/3) = 400 = signed; total 602 → required 401
    const exact = preflightSubmission({ ...base, networkTotal: 601n, attesterIds: [1, 4, 6] })
    expect(exact).toMatchObject({ ok: true, quorum: { required: 400n, signed: 400n } })
    const below = preflightSubmission({ ...base, networkTotal: 602n, attesterIds: [1, 4, 6] })
    expect(below).toMatchObject({ ok: false, code: 'InsufficientVotingPower' })
  })

  it('reject votes need a third', () => {
    expect(preflightSubmission({ ...base, isApproved: false, attesterIds: [4] })).toMatchObject({ ok: true })
    expect(
      preflightSubmission({ ...base, isApproved: false, networkTotal: 603n, attesterIds: [4] }),
    ).toMatchObject({
      ok: false,
      code: 'InsufficientVotingPower',
    })
  })

  it('reports contract errors in the contract order', () => {
    const expired = defn({ restrictedAttesterIds: [9] })
    expect(
      preflightSubmission({
        ...base,
        attesterIds: [1],
        taskDefinition: expired,
        definitionTotal: 1n,
        blockNumber: 10n,
        blockExpiry: 10n,
      }),
    ).toMatchObject({ ok: false, code: 'InvalidTaskDefinition' })
    expect(
      preflightSubmission({
        ...base,
        attesterIds: [1, 2],
        taskDefinition: defn({ restrictedAttesterIds: [1] }),
        definitionTotal: 1n,
      }),
    ).toMatchObject({ ok: false, code: 'InvalidAttesterSet' })
    expect(
      preflightSubmission({
        ...base,
        attesterIds: [1, 2],
        taskDefinition: defn({ restrictedAttesterIds: [1, 4] }),
        definitionTotal: 1n,
      }),
    ).toMatchObject({
      ok: false,
      code: 'InvalidRestrictedAttester',
      details: { operatorId: 2, taskDefinitionId: 9 },
    })
    expect(
      preflightSubmission({
        ...base,
        attesterIds: [1, 2, 4],
        taskDefinition: defn({ maximumNumberOfAttesters: 2 }),
      }),
    ).toMatchObject({ ok: false, code: 'InvalidMaximumNumberOfAttesters' })
    expect(preflightSubmission({ ...base, networkTotal: 1n, attesterIds: [1] })).toMatchObject({
      ok: false,
      code: 'InvalidRequiredVotingPower',
    })
    expect(preflightSubmission({ ...base, attesterIds: [4, 1] })).toMatchObject({
      ok: false,
      code: 'InvalidOperatorIndexes',
    })
    expect(preflightSubmission({ ...base, attesterIds: [1, 1] })).toMatchObject({
      ok: false,
      code: 'InvalidOperatorIndexes',
    })
    expect(
      preflightSubmission({
        ...base,
        attesterIds: [1, 5],
        taskDefinition: defn({ minimumVotingPower: 6n }),
        definitionTotal: 450n,
      }),
    ).toMatchObject({ ok: false, code: 'OperatorDoesNotHaveMinimumVotingPower', details: { operatorId: 5 } })
    expect(preflightSubmission({ ...base, attesterIds: [1, 3] })).toMatchObject({
      ok: false,
      code: 'InactiveOperator',
      details: { operatorId: 3 },
    })
  })

  it('measures against the definition total when the definition restricts', () => {
    const rules = defn({ restrictedAttesterIds: [1, 2, 4], minimumVotingPower: 0n })
    // definition total 350 → required 233; 1 + 4 = 300 passes although 300 < 465*2/3
    expect(
      preflightSubmission({ ...base, attesterIds: [1, 4], taskDefinition: rules, definitionTotal: 350n }),
    ).toMatchObject({
      ok: true,
      quorum: { total: 350n, required: 233n },
    })
  })

  it('an expiry in the future passes', () => {
    expect(
      preflightSubmission({
        ...base,
        attesterIds: [1, 4, 6],
        taskDefinition: defn({}),
        blockNumber: 10n,
        blockExpiry: 11n,
      }),
    ).toMatchObject({ ok: true })
  })
})
