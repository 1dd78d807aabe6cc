import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_ROUND_ROBIN_OPTIONS,
  isElectedLeader,
  type LeaderCandidate,
  type LeaderElection,
  roundRobinLeader,
  roundRobinLeaderElection,
  wasElectedWithin,
} from '../src/index.js'
import { expectCode } from './helpers.js'

const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address
const cand = (id: number, active = true): LeaderCandidate => ({ id, address: addr(id), active })
const all = [cand(1), cand(2), cand(3), cand(4)]

describe('round robin', () => {
  it('with operators 1..n active, block b elects operator (b / interval) mod n + 1', () => {
    for (let b = 0n; b < 40n; b++) {
      expect(roundRobinLeader({ blockNumber: b, operators: all }).id).toBe(Number(b % 4n) + 1)
      expect(roundRobinLeader({ blockNumber: b, operators: all }, { interval: 5n }).id).toBe(
        Number((b / 5n) % 4n) + 1,
      )
    }
  })

  it('defaults to one slot per block', () => {
    expect(DEFAULT_ROUND_ROBIN_OPTIONS.interval).toBe(1n)
    expect(roundRobinLeaderElection().electLeader({ blockNumber: 6n, operators: all }).id).toBe(3)
  })

  it('skips inactive operators: the k-th active operator by id, so no slot is wasted', () => {
    const ops = [cand(1), cand(2, false), cand(3), cand(4, false), cand(5)]
    const leaders = [0n, 1n, 2n, 3n, 4n, 5n].map(
      (b) => roundRobinLeader({ blockNumber: b, operators: ops }).id,
    )
    expect(leaders).toEqual([1, 3, 5, 1, 3, 5])
  })

  it('does not depend on the input order', () => {
    const shuffled = [cand(3), cand(1), cand(4), cand(2)]
    for (let b = 0n; b < 8n; b++) {
      expect(roundRobinLeader({ blockNumber: b, operators: shuffled })).toEqual(
        roundRobinLeader({ blockNumber: b, operators: all }),
      )
    }
  })

  it('handles huge block numbers exactly', () => {
    const b = 2n ** 70n + 3n
    expect(roundRobinLeader({ blockNumber: b, operators: all }).id).toBe(Number(b % 4n) + 1)
  })

  it('coded errors for no active operator and bad input', () => {
    expectCode(() => roundRobinLeader({ blockNumber: 1n, operators: [] }), 'LEADER_NO_ACTIVE_OPERATORS')
    expectCode(
      () => roundRobinLeader({ blockNumber: 1n, operators: [cand(1, false)] }),
      'LEADER_NO_ACTIVE_OPERATORS',
    )
    expectCode(() => roundRobinLeader({ blockNumber: -1n, operators: all }), 'LEADER_INVALID_INPUT')
    expectCode(
      () => roundRobinLeader({ blockNumber: 1n, operators: all }, { interval: 0n }),
      'LEADER_INVALID_INPUT',
    )
    expectCode(
      () => roundRobinLeader({ blockNumber: 1n, operators: [cand(1), cand(1)] }),
      'LEADER_INVALID_INPUT',
    )
    expectCode(() => roundRobinLeader({ blockNumber: 1n, operators: [cand(0)] }), 'LEADER_INVALID_INPUT')
    expectCode(
      () => roundRobinLeader({ blockNumber: 1 as unknown as bigint, operators: all }),
      'LEADER_INVALID_INPUT',
    )
  })
})

describe('checking the performer', () => {
  const election = roundRobinLeaderElection({ interval: 2n })

  it('isElectedLeader compares addresses case-insensitively', () => {
    expect(isElectedLeader(election, { blockNumber: 2n, operators: all }, addr(2))).toBe(true)
    expect(
      isElectedLeader(
        election,
        { blockNumber: 2n, operators: all },
        addr(2).toUpperCase().replace('0X', '0x') as Address,
      ),
    ).toBe(true)
    expect(isElectedLeader(election, { blockNumber: 2n, operators: all }, addr(1))).toBe(false)
    expect(isElectedLeader(election, { blockNumber: 2n, operators: [] }, addr(1))).toBe(false)
    expectCode(
      () => isElectedLeader(election, { blockNumber: 2n, operators: all }, '0x12' as Address),
      'LEADER_INVALID_INPUT',
    )
  })

  it('wasElectedWithin accepts any block of a bounded window', () => {
    const input = { operators: all, fromBlock: 4n, toBlock: 7n } // slots 2, 3 → operators 3, 4
    expect(wasElectedWithin(election, input, addr(3))).toBe(true)
    expect(wasElectedWithin(election, input, addr(4))).toBe(true)
    expect(wasElectedWithin(election, input, addr(1))).toBe(false)
    expectCode(() => wasElectedWithin(election, { ...input, toBlock: 3n }, addr(1)), 'LEADER_INVALID_INPUT')
    expectCode(
      () => wasElectedWithin(election, { ...input, toBlock: 5000n }, addr(1)),
      'LEADER_INVALID_INPUT',
    )
  })

  it('works with any LeaderElection implementation (e.g. a plugin’s)', () => {
    const fixed: LeaderElection = { name: 'always-5', electLeader: () => cand(5) }
    expect(isElectedLeader(fixed, { blockNumber: 0n, operators: all }, addr(5))).toBe(true)
  })
})
