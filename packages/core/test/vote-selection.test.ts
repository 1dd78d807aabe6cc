// The aggregator's vote selection under a definition's maximum number of attesters: most voting
// power first, ties to the lower id, the same set whatever order the votes came in; no maximum or
// one at least the number of votes keeps them all; the threshold is the contract's, measured on
// the selected votes only.
import { describe, expect, it } from 'vitest'
import type { TaskDefinitionInfo } from '../src/index.js'
import { selectVotes, type VoteSelectionInput } from '../src/roles/vote-selection.js'

// ids 1..6; the network total is 40
const POWERS = [5n, 9n, 9n, 7n, 9n, 1n]
const operators = POWERS.map((votingPower, i) => ({ id: i + 1, votingPower, active: true }))
const ALL = [1, 2, 3, 4, 5, 6]

function definition(rules: Partial<TaskDefinitionInfo> = {}): TaskDefinitionInfo {
  return {
    id: 1,
    minimumVotingPower: 0n,
    restrictedAttesterIds: [],
    maximumNumberOfAttesters: 0,
    blockExpiry: 0n,
    definitionTotal: 0n,
    ...rules,
  }
}

function select(
  voterIds: number[],
  rules: Partial<TaskDefinitionInfo>,
  more: Partial<VoteSelectionInput> = {},
) {
  return selectVotes({
    voterIds,
    operators,
    definition: definition(rules),
    networkTotal: 40n,
    isApproved: true,
    ...more,
  })
}

const ids = (s: ReturnType<typeof select>) => s.selection.accepted.map((o) => o.id)

describe('selectVotes', () => {
  it('keeps every vote without a maximum (0) or with one at least the number of votes', () => {
    expect(ids(select(ALL, { maximumNumberOfAttesters: 0 }))).toEqual(ALL)
    expect(ids(select(ALL, { maximumNumberOfAttesters: 6 }))).toEqual(ALL)
    expect(ids(select(ALL, { maximumNumberOfAttesters: 9 }))).toEqual(ALL)
    expect(ids(select([6, 1], { maximumNumberOfAttesters: 2 }))).toEqual([1, 6])
    expect(ids(select(ALL, {}, { definition: undefined }))).toEqual(ALL)
  })

  it('keeps the `maximum` of most power, ties to the lower id, in id order', () => {
    // three at 9 (ids 2, 3, 5) for two places: 2 and 3
    const two = select(ALL, { maximumNumberOfAttesters: 2 })
    expect(ids(two)).toEqual([2, 3])
    expect(two.selection.signedVotingPower).toBe(18n)
    expect(two.selection.rejected.map((r) => [r.operatorId, r.code])).toEqual(
      [1, 4, 5, 6].map((id) => [id, 'InvalidMaximumNumberOfAttesters']),
    )
    expect(ids(select(ALL, { maximumNumberOfAttesters: 4 }))).toEqual([2, 3, 4, 5])
    expect(ids(select(ALL, { maximumNumberOfAttesters: 1 }))).toEqual([2])
  })

  it('picks the same set whatever order the votes arrive in, duplicates merged', () => {
    const orders = [ALL, [...ALL].reverse(), [5, 3, 6, 2, 2, 4, 1], [4, 1, 6, 5, 3, 2, 5]]
    for (const order of orders) expect(ids(select(order, { maximumNumberOfAttesters: 3 }))).toEqual([2, 3, 5])
  })

  it('gives no place to a vote the contract would refuse', () => {
    const inactive = operators.map((o) => (o.id === 2 ? { ...o, active: false } : o))
    // id 2 (9, inactive) and id 1 (5, below the minimum of 6) never count
    const s = select(
      ALL,
      { maximumNumberOfAttesters: 3, minimumVotingPower: 6n, definitionTotal: 34n },
      {
        operators: inactive,
      },
    )
    expect(ids(s)).toEqual([3, 4, 5])
    expect(s.selection.rejected.map((r) => [r.operatorId, r.code])).toEqual([
      [1, 'OperatorDoesNotHaveMinimumVotingPower'],
      [2, 'InactiveOperator'],
      [6, 'OperatorDoesNotHaveMinimumVotingPower'],
    ])
  })

  it('measures only the selected votes, against the total the contract uses', () => {
    // a maximum alone keeps the network total: 40 * 2/3 = 26 (floored); the top three have 27
    const three = select(ALL, { maximumNumberOfAttesters: 3 })
    expect(three.quorum).toMatchObject({ total: 40n, required: 26n, signed: 27n, reached: true })
    expect(three.maximumBelowThreshold).toBe(false)
    // a minimum switches to the definition's snapshot: 30 * 2/3 = 20, to reject 30 / 3 = 10
    const rules = { maximumNumberOfAttesters: 2, minimumVotingPower: 2n, definitionTotal: 30n }
    expect(select(ALL, rules).quorum).toMatchObject({
      total: 30n,
      required: 20n,
      signed: 18n,
      reached: false,
    })
    expect(select(ALL, rules, { isApproved: false }).quorum).toMatchObject({ required: 10n, reached: true })
  })

  it('says when the maximum is what keeps the votes from the threshold', () => {
    // the top two have 18 of the 26 required; all six together have 40
    const capped = select(ALL, { maximumNumberOfAttesters: 2 })
    expect(capped.quorum.reached).toBe(false)
    expect(capped.maximumBelowThreshold).toBe(true)
    // ids 1, 4, 6 together have 13: short of 26 with or without the maximum
    expect(select([1, 4, 6], { maximumNumberOfAttesters: 2 }).maximumBelowThreshold).toBe(false)
    // short of the threshold with no maximum at all
    expect(select([1, 2], {}).maximumBelowThreshold).toBe(false)
  })

  it('bounds the set by the gas budget as by a maximum, the lower of the two applying', () => {
    // no maximum, three fit the gas: the top three (ids 2, 3, 5 at 9 each = 27 of 26 required)
    const byGas = select(ALL, {}, { gasMaximum: 3 })
    expect(ids(byGas)).toEqual([2, 3, 5])
    expect(byGas.limitedBy).toBe('gas')
    expect(byGas.quorum.reached).toBe(true)
    // the same with definition 0 unknown to the chain (open rules)
    expect(ids(select(ALL, {}, { definition: undefined, gasMaximum: 3 }))).toEqual([2, 3, 5])
    // the definition's maximum is lower: it is the bound
    const byDefinition = select(ALL, { maximumNumberOfAttesters: 2 }, { gasMaximum: 4 })
    expect(ids(byDefinition)).toEqual([2, 3])
    expect(byDefinition.limitedBy).toBe('definition')
    // room for every vote: no bound applies
    const unbound = select(ALL, { maximumNumberOfAttesters: 6 }, { gasMaximum: 10 })
    expect(ids(unbound)).toEqual(ALL)
    expect(unbound.limitedBy).toBeUndefined()
    // two fit the gas and fall short (18 of 26) where all six would not
    const short = select(ALL, {}, { gasMaximum: 2 })
    expect(short).toMatchObject({ maximumBelowThreshold: true, limitedBy: 'gas' })
    expect(short.quorum.reached).toBe(false)
  })

  it('throws the contract error for a total of 0', () => {
    expect(() => select(ALL, { minimumVotingPower: 1n, definitionTotal: 0n })).toThrow(
      expect.objectContaining({ code: 'InvalidRequiredVotingPower' }),
    )
  })
})
