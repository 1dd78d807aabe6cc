import { describe, expect, it } from 'vitest'
import {
  checkAttesterSet,
  type OperatorState,
  openTaskDefinition,
  type PreflightInput,
  preflightSubmission,
  selectAttesters,
  type TaskDefinitionRules,
} from '../src/index.js'
import { expectCode, prng } from './helpers.js'

const op = (id: number, votingPower: bigint, active = true): OperatorState => ({ id, votingPower, active })
const operators = [op(1, 100n), op(2, 50n), op(3, 10n, false), op(4, 200n), op(5, 5n), op(6, 100n)]
const operatorMap = new Map(operators.map((o) => [o.id, o]))
const defn = (rules: Partial<TaskDefinitionRules>): TaskDefinitionRules => ({
  ...openTaskDefinition(9),
  ...rules,
})
const codes = (r: { rejected: { operatorId: number; position: number; code: string }[] }) =>
  r.rejected.map(({ operatorId, position, code }) => [operatorId, position, code])

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
    expect(codes(r)).toEqual([
      [3, 1, 'InactiveOperator'],
      [2, 2, 'InvalidOperatorIndexes'],
      [4, 4, 'InvalidOperatorIndexes'],
      [5, 5, 'OperatorDoesNotHaveMinimumVotingPower'],
      [6, 6, 'InvalidRestrictedAttester'],
      [7, 7, 'InactiveOperator'], // unknown id: empty storage, inactive (checked before the minimum)
    ])
    expect(r.accepted.map((o) => o.id)).toEqual([1, 4])
    for (const rej of r.rejected) expect(rej.message).toMatch(String(rej.operatorId))
  })

  it('an unknown id is InactiveOperator, with or without a minimum', () => {
    expect(checkAttesterSet({ attesterIds: [99], operators }).rejected[0]?.code).toBe('InactiveOperator')
    expect(
      checkAttesterSet({ attesterIds: [99], operators, taskDefinition: defn({ minimumVotingPower: 1n }) })
        .rejected[0]?.code,
    ).toBe('InactiveOperator')
  })

  it('an inactive attester under the minimum is InactiveOperator (activity is checked first)', () => {
    const r = checkAttesterSet({
      attesterIds: [3],
      operators,
      taskDefinition: defn({ minimumVotingPower: 11n }),
    })
    expect(codes(r)).toEqual([[3, 0, 'InactiveOperator']])
  })

  it('the restricted set comes before the id order: an outsider out of order is InvalidRestrictedAttester', () => {
    const r = checkAttesterSet({
      attesterIds: [4, 2, 4],
      operators,
      taskDefinition: defn({ restrictedAttesterIds: [1, 4] }),
    })
    expect(codes(r)).toEqual([
      [2, 1, 'InvalidRestrictedAttester'],
      [4, 2, 'InvalidOperatorIndexes'],
    ])
  })

  it('a restricted set in any order (as governance stored it) is a set', () => {
    const r = checkAttesterSet({
      attesterIds: [1, 2, 4, 6],
      operators,
      taskDefinition: defn({ restrictedAttesterIds: [4, 1, 2] }),
    })
    expect(r.accepted.map((o) => o.id)).toEqual([1, 2, 4])
    expect(codes(r)).toEqual([[6, 3, 'InvalidRestrictedAttester']])
  })

  it('id 0 is InvalidOperatorIndexes (the contract starts from previous = 0)', () => {
    const r = checkAttesterSet({ attesterIds: [0, 1], operators })
    expect(codes(r)).toEqual([[0, 0, 'InvalidOperatorIndexes']])
    expect(r.rejected[0]?.message).toMatch('0')
    expect(r.accepted.map((o) => o.id)).toEqual([1])
    // a restricted set refuses it first
    expect(
      codes(
        checkAttesterSet({
          attesterIds: [0],
          operators,
          taskDefinition: defn({ restrictedAttesterIds: [1] }),
        }),
      ),
    ).toEqual([[0, 0, 'InvalidRestrictedAttester']])
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

  it('applies the rules of definition 0, as the contract does', () => {
    const r = checkAttesterSet({
      attesterIds: [1, 2, 4, 5],
      operators,
      taskDefinition: { ...defn({ minimumVotingPower: 60n, restrictedAttesterIds: [1, 2, 5] }), id: 0 },
    })
    expect(codes(r)).toEqual([
      [2, 1, 'OperatorDoesNotHaveMinimumVotingPower'],
      [4, 2, 'InvalidRestrictedAttester'],
      [5, 3, 'OperatorDoesNotHaveMinimumVotingPower'],
    ])
  })

  it('ignores stored rules of the internal tasks 10001 and 10002', () => {
    for (const id of [10001, 10002]) {
      const r = checkAttesterSet({
        attesterIds: [1, 2, 5],
        operators,
        taskDefinition: { ...defn({ minimumVotingPower: 1000n, restrictedAttesterIds: [4] }), id },
      })
      expect(r.rejected).toEqual([])
    }
  })

  it('bad ids or operators are QUORUM_INVALID_INPUT', () => {
    expectCode(() => checkAttesterSet({ attesterIds: [-1], operators }), 'QUORUM_INVALID_INPUT')
    expectCode(() => checkAttesterSet({ attesterIds: [1.5], operators }), 'QUORUM_INVALID_INPUT')
    expectCode(
      () => checkAttesterSet({ attesterIds: [1], operators: [op(1, 1n), op(1, 2n)] }),
      'QUORUM_INVALID_INPUT',
    )
    expectCode(() => checkAttesterSet({ attesterIds: [1], operators: [op(1, -1n)] }), 'QUORUM_INVALID_INPUT')
    expectCode(() => checkAttesterSet({ attesterIds: [1], operators: [op(0, 1n)] }), 'QUORUM_INVALID_INPUT')
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

  it('applies the restricted set, in whatever order it is stored', () => {
    for (const restrictedAttesterIds of [
      [2, 4],
      [4, 2],
    ]) {
      const r = selectAttesters({
        candidateIds: [1, 2, 4],
        operators,
        taskDefinition: defn({ restrictedAttesterIds }),
      })
      expect(r.accepted.map((o) => o.id)).toEqual([2, 4])
      expect(r.rejected).toMatchObject([{ operatorId: 1, code: 'InvalidRestrictedAttester' }])
    }
  })

  it('checks activity before the minimum, and refuses id 0 as InvalidOperatorIndexes', () => {
    const r = selectAttesters({
      candidateIds: [3, 0, 5, 1],
      operators,
      taskDefinition: defn({ minimumVotingPower: 11n }),
    })
    expect(codes(r)).toEqual([
      [0, 0, 'InvalidOperatorIndexes'],
      [3, 2, 'InactiveOperator'],
      [5, 3, 'OperatorDoesNotHaveMinimumVotingPower'],
    ])
    expect(r.accepted.map((o) => o.id)).toEqual([1])
  })

  it('applies the rules of definition 0', () => {
    const r = selectAttesters({
      candidateIds: [1, 2, 4],
      operators,
      taskDefinition: { ...defn({ minimumVotingPower: 100n }), id: 0 },
    })
    expect(r.accepted.map((o) => o.id)).toEqual([1, 4])
    expect(codes(r)).toEqual([[2, 1, 'OperatorDoesNotHaveMinimumVotingPower']])
  })

  it('bad candidate ids are QUORUM_INVALID_INPUT', () => {
    expectCode(() => selectAttesters({ candidateIds: [1, -2], operators }), 'QUORUM_INVALID_INPUT')
  })
})

describe('preflightSubmission predicts the first revert', () => {
  const base = { operators, isApproved: true, networkTotal: 465n } // sum of active power
  const code = (input: Partial<PreflightInput>) => {
    const r = preflightSubmission({ ...base, attesterIds: [], ...input })
    return r.ok ? 'ok' : r.code
  }

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

  it('the definition of id 0 applies: its minimum, its restricted set and its total', () => {
    const zero = { ...defn({ minimumVotingPower: 60n }), id: 0 }
    expect(code({ attesterIds: [1, 2], taskDefinition: zero, definitionTotal: 400n })).toBe(
      'OperatorDoesNotHaveMinimumVotingPower',
    )
    // 300 >= 400*2/3 = 266 with the definition total; it would be short of the network's 310
    expect(code({ attesterIds: [1, 4], taskDefinition: zero, definitionTotal: 400n })).toBe('ok')
    expect(code({ attesterIds: [1, 4], taskDefinition: openTaskDefinition(0), definitionTotal: 400n })).toBe(
      'InsufficientVotingPower',
    )
    const restrictedZero = { ...defn({ restrictedAttesterIds: [1, 2] }), id: 0 }
    expect(code({ attesterIds: [1, 4], taskDefinition: restrictedZero, definitionTotal: 150n })).toBe(
      'InvalidRestrictedAttester',
    )
  })

  describe('the contract order, one pair of faults at a time', () => {
    it('a definition id above 10002 is TaskDefinitionNotFound before anything else', () => {
      expect(code({ taskDefinition: defn({ id: 10003 }), blockNumber: 10n, blockExpiry: 1n })).toBe(
        'TaskDefinitionNotFound',
      )
    })

    it('expiry before the restricted set', () => {
      expect(
        code({
          attesterIds: [1],
          taskDefinition: defn({ restrictedAttesterIds: [9] }),
          definitionTotal: 1n,
          blockNumber: 10n,
          blockExpiry: 10n,
        }),
      ).toBe('InvalidTaskDefinition')
    })

    it('restricted set before the maximum, reporting the first outsider in list order', () => {
      const r = preflightSubmission({
        ...base,
        attesterIds: [6, 1, 2],
        taskDefinition: defn({ restrictedAttesterIds: [1, 4], maximumNumberOfAttesters: 1 }),
        definitionTotal: 300n,
      })
      expect(r).toMatchObject({
        ok: false,
        code: 'InvalidRestrictedAttester',
        details: { operatorId: 6, position: 0, taskDefinitionId: 9 },
      })
    })

    it('the restricted check is membership only: duplicates and order pass it, InvalidOperatorIndexes follows', () => {
      const rules = defn({ restrictedAttesterIds: [1, 4] })
      expect(code({ attesterIds: [1, 1, 4, 4], taskDefinition: rules, definitionTotal: 300n })).toBe(
        'InvalidOperatorIndexes',
      )
      expect(code({ attesterIds: [4, 1], taskDefinition: rules, definitionTotal: 300n })).toBe(
        'InvalidOperatorIndexes',
      )
      // a restricted set stored unsorted changes nothing
      expect(
        code({
          attesterIds: [1, 4],
          taskDefinition: defn({ restrictedAttesterIds: [4, 1] }),
          definitionTotal: 300n,
        }),
      ).toBe('ok')
    })

    it('maximum (duplicates counted) before the id order; exactly the maximum passes', () => {
      const rules = defn({ maximumNumberOfAttesters: 2 })
      expect(code({ attesterIds: [4, 1, 1], taskDefinition: rules })).toBe('InvalidMaximumNumberOfAttesters')
      expect(code({ attesterIds: [1, 4], taskDefinition: rules, networkTotal: 450n })).toBe('ok')
    })

    it('an empty list is InvalidAttesterSet, even with a total of 0 or a restricted set', () => {
      expect(code({ attesterIds: [] })).toBe('InvalidAttesterSet')
      expect(code({ attesterIds: [], networkTotal: 0n })).toBe('InvalidAttesterSet')
      expect(
        code({ attesterIds: [], taskDefinition: defn({ restrictedAttesterIds: [1] }), definitionTotal: 0n }),
      ).toBe('InvalidAttesterSet')
    })

    it('per id, in list order: the order, then activity, then the minimum', () => {
      const min = { taskDefinition: defn({ minimumVotingPower: 11n }), definitionTotal: 400n }
      // inactive and under the minimum: InactiveOperator
      expect(preflightSubmission({ ...base, ...min, attesterIds: [1, 3] })).toMatchObject({
        ok: false,
        code: 'InactiveOperator',
        details: { operatorId: 3, position: 1 },
      })
      // the first faulty id decides, whatever its fault
      expect(code({ ...min, attesterIds: [5, 3] })).toBe('OperatorDoesNotHaveMinimumVotingPower')
      expect(code({ ...min, attesterIds: [3, 3] })).toBe('InactiveOperator')
      expect(code({ ...min, attesterIds: [4, 3] })).toBe('InvalidOperatorIndexes')
      expect(preflightSubmission({ ...base, ...min, attesterIds: [1, 5] })).toMatchObject({
        ok: false,
        code: 'OperatorDoesNotHaveMinimumVotingPower',
        details: { operatorId: 5 },
      })
      expect(code({ attesterIds: [1, 99] })).toBe('InactiveOperator') // unknown id
      expect(code({ attesterIds: [0, 1] })).toBe('InvalidOperatorIndexes') // id 0
      expect(
        preflightSubmission({
          ...base,
          attesterIds: [0, 1],
          taskDefinition: defn({ restrictedAttesterIds: [1] }),
          definitionTotal: 100n,
        }),
      ).toMatchObject({ ok: false, code: 'InvalidRestrictedAttester', details: { operatorId: 0 } })
    })

    it('the attester checks before a total of 0; InsufficientVotingPower last', () => {
      expect(code({ attesterIds: [3], networkTotal: 0n })).toBe('InactiveOperator')
      expect(code({ attesterIds: [1], networkTotal: 0n })).toBe('InvalidRequiredVotingPower')
      const late = { taskDefinition: defn({ minimumVotingPower: 60n }), definitionTotal: 0n }
      expect(code({ ...late, attesterIds: [2] })).toBe('OperatorDoesNotHaveMinimumVotingPower')
      expect(preflightSubmission({ ...base, ...late, attesterIds: [4] })).toMatchObject({
        ok: false,
        code: 'InvalidRequiredVotingPower',
        details: { total: '0', isApproved: true },
      })
    })
  })

  describe('InvalidRequiredVotingPower only for a total of 0', () => {
    const withZero = [...operators, op(7, 0n)]

    it('a required power of 0 (total 1; reject with total 1 or 2) accepts any non-empty set, even of power 0', () => {
      for (const [networkTotal, isApproved] of [
        [1n, true],
        [1n, false],
        [2n, false],
      ] as const) {
        expect(
          preflightSubmission({ operators: withZero, networkTotal, isApproved, attesterIds: [7] }),
        ).toMatchObject({ ok: true, quorum: { total: networkTotal, required: 0n, signed: 0n } })
      }
      // the first totals that require something
      expect(
        preflightSubmission({ operators: withZero, networkTotal: 2n, isApproved: true, attesterIds: [7] }),
      ).toMatchObject({ ok: false, code: 'InsufficientVotingPower' })
      expect(
        preflightSubmission({ operators: withZero, networkTotal: 3n, isApproved: false, attesterIds: [7] }),
      ).toMatchObject({ ok: false, code: 'InsufficientVotingPower' })
    })

    it('a definition snapshot of 0 does not fall back to the network total', () => {
      const rules = defn({ restrictedAttesterIds: [1, 4] })
      expect(code({ attesterIds: [1, 4], taskDefinition: rules, definitionTotal: 0n })).toBe(
        'InvalidRequiredVotingPower',
      )
      expect(code({ attesterIds: [1, 4], taskDefinition: rules, definitionTotal: 1n })).toBe('ok')
    })
  })

  describe('block expiry', () => {
    const at = (blockExpiry: bigint, taskDefinition = defn({})) =>
      code({ attesterIds: [1, 4, 6], taskDefinition, blockNumber: 10n, blockExpiry })

    it('blockExpiry is the last block that accepts: a submission now lands in blockNumber + 1', () => {
      expect(at(11n)).toBe('ok') // mined in 11 = blockExpiry: accepted
      expect(at(10n)).toBe('InvalidTaskDefinition') // mined in 11 > 10
      expect(at(1n)).toBe('InvalidTaskDefinition')
      expect(
        preflightSubmission({
          ...base,
          attesterIds: [1],
          taskDefinition: defn({}),
          blockNumber: 10n,
          blockExpiry: 10n,
        }),
      ).toMatchObject({
        details: { taskDefinitionId: 9, blockExpiry: '10' },
      })
    })

    it('0 and type(uint256).max never expire', () => {
      expect(at(0n)).toBe('ok')
      expect(at(2n ** 256n - 1n)).toBe('ok')
    })

    it('applies to definition 0 too, not to the internal tasks', () => {
      expect(at(10n, openTaskDefinition(0))).toBe('InvalidTaskDefinition')
      expect(at(10n, openTaskDefinition(10001))).toBe('ok')
      expect(at(10n, openTaskDefinition(10002))).toBe('ok')
    })

    it('needs both numbers; negative ones are QUORUM_INVALID_INPUT', () => {
      expect(code({ attesterIds: [1, 4, 6], taskDefinition: defn({}), blockExpiry: 1n })).toBe('ok')
      expect(code({ attesterIds: [1, 4, 6], taskDefinition: defn({}), blockNumber: 10n })).toBe('ok')
      expectCode(() => code({ attesterIds: [1], blockNumber: -1n, blockExpiry: 1n }), 'QUORUM_INVALID_INPUT')
      expectCode(
        () => code({ attesterIds: [1], blockNumber: 1n, blockExpiry: 1 as unknown as bigint }),
        'QUORUM_INVALID_INPUT',
      )
    })
  })

  it('bad inputs are QUORUM_INVALID_INPUT', () => {
    expectCode(() => code({ attesterIds: [-1] }), 'QUORUM_INVALID_INPUT')
    expectCode(() => code({ attesterIds: [1], networkTotal: -1n }), 'QUORUM_INVALID_INPUT')
    // a definition that needs its own total, without one
    expectCode(
      () => code({ attesterIds: [1], taskDefinition: defn({ minimumVotingPower: 1n }) }),
      'QUORUM_INVALID_INPUT',
    )
  })
})

describe('checkAttesterSet, selectAttesters and preflightSubmission agree (seeded random lists)', () => {
  const ATTESTER_CODES = new Set([
    'InvalidRestrictedAttester',
    'InvalidMaximumNumberOfAttesters',
    'InvalidOperatorIndexes',
    'InactiveOperator',
    'OperatorDoesNotHaveMinimumVotingPower',
  ])
  const rulesPool: TaskDefinitionRules[] = [
    openTaskDefinition(0),
    defn({ minimumVotingPower: 50n }),
    defn({ restrictedAttesterIds: [6, 1, 2, 5] }),
    defn({ maximumNumberOfAttesters: 2 }),
    {
      ...defn({ minimumVotingPower: 10n, restrictedAttesterIds: [3, 4, 5], maximumNumberOfAttesters: 3 }),
      id: 0,
    },
  ]

  it('a list passes the attester checks of the preflight exactly when checkAttesterSet refuses nobody', () => {
    const random = prng(20240611)
    for (let n = 0; n < 2000; n++) {
      const rules = rulesPool[Math.floor(random() * rulesPool.length)]!
      const length = 1 + Math.floor(random() * 5)
      const attesterIds = Array.from({ length }, () => Math.floor(random() * 8)) // 0..7: 0 and 7 are not operators
      const check = checkAttesterSet({ attesterIds, operators, taskDefinition: rules })
      const preflight = preflightSubmission({
        ...{ operators, isApproved: true, networkTotal: 1n, definitionTotal: 1n },
        attesterIds,
        taskDefinition: rules,
      })
      const attesterFault = !preflight.ok && ATTESTER_CODES.has(preflight.code)
      expect({ attesterIds, rules, attesterFault }).toEqual({
        attesterIds,
        rules,
        attesterFault: check.rejected.length > 0,
      })
      // whatever was refused, the accepted part and the selection from the same votes are submittable
      for (const accepted of [
        check.accepted,
        selectAttesters({ candidateIds: attesterIds, operators, taskDefinition: rules }).accepted,
      ]) {
        if (accepted.length === 0) continue
        const again = preflightSubmission({
          ...{ operators, isApproved: true, networkTotal: 1n, definitionTotal: 1n },
          attesterIds: accepted.map((o) => o.id),
          taskDefinition: rules,
        })
        expect(again).toMatchObject({ ok: true })
      }
    }
  })
})
