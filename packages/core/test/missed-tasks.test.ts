// The aggregator copies a task it sent only on evidence that an operator missed it: a vote on a
// later task of the definition, some seconds old, and none on this one. A clock in the test's
// hands and a gossip port that records what is published make every step exact.
import { MemoryMetrics, silentLogger } from '@wisp/interface'
import type { WireTask } from '@wisp/protocol'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MISSED_TASK_OPTIONS, EventBus, MissedTasks } from '../src/index.js'

type Hex = `0x${string}`
const hashOf = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`
const taskOf = (n: number, definitionId = 1): WireTask => ({
  proofOfTask: `proof-${n}`,
  data: '0x',
  performer: '0x0000000000000000000000000000000000000001',
  definitionId,
  signature: { type: 'ecdsa', signature: `0x${'11'.repeat(65)}` },
})

function setup() {
  let now = 0
  const published: string[] = []
  const voters = new Map<Hex, Set<number>>()
  const metrics = new MemoryMetrics()
  const events = new EventBus()
  const copied: number[] = []
  events.on('task:copied', (e) => copied.push(e.operatorId))
  const missed = new MissedTasks(DEFAULT_MISSED_TASK_OPTIONS, {
    gossip: {
      publish: async (_kind, message) => {
        published.push((message as WireTask).proofOfTask)
        return { recipients: 1 }
      },
      onMessage: () => () => undefined,
    },
    events,
    logger: silentLogger,
    metrics,
    now: () => now,
    votersOf: (hash) => voters.get(hash) ?? new Set(),
  })
  const vote = (operatorId: number, n: number, definitionId = 1) => {
    voters.set(hashOf(n), (voters.get(hashOf(n)) ?? new Set()).add(operatorId))
    missed.voted(definitionId, operatorId, hashOf(n), now)
  }
  return {
    missed,
    published,
    metrics,
    copied,
    vote,
    at: (ms: number) => {
      now = ms
    },
  }
}

describe('copies of a sent task', () => {
  it('none without evidence, however long the task stays open', async () => {
    const { missed, published, at } = setup()
    missed.keep(hashOf(1), taskOf(1))
    for (const t of [8_000, 60_000, 300_000]) {
      at(t)
      expect(await missed.tick()).toBe(0)
    }
    expect(published).toEqual([])
  })

  it('a vote on a later task, once it is quietMs old, and none on this one: copied, twice at most', async () => {
    const { missed, published, metrics, copied, vote, at } = setup()
    missed.keep(hashOf(1), taskOf(1))
    at(1_000)
    missed.keep(hashOf(2), taskOf(2))
    at(9_000)
    vote(7, 2) // operator 7 votes on task 2 (sent after 1) but not on task 1
    vote(8, 1)
    vote(8, 2)
    expect(await missed.tick()).toBe(0) // the vote is younger than quietMs
    at(9_000 + DEFAULT_MISSED_TASK_OPTIONS.quietMs)
    expect(await missed.tick()).toBe(1)
    expect(published).toEqual(['proof-1'])
    expect(metrics.get('wisp_aggregator_task_copies_total', { result: 'published' })).toBe(1)
    // the next copy waits afterMs × 3
    at(13_000 + 3 * DEFAULT_MISSED_TASK_OPTIONS.afterMs - 1)
    expect(await missed.tick()).toBe(0)
    at(13_000 + 3 * DEFAULT_MISSED_TASK_OPTIONS.afterMs)
    expect(await missed.tick()).toBe(1)
    at(1_000_000 - 1)
    expect(await missed.tick()).toBe(0) // maxCopies
    expect(published).toEqual(['proof-1', 'proof-1'])
    expect(copied).toEqual([7, 7])
  })

  it('no copy once the missing operator voted, the task finished, or for votes on earlier tasks or other definitions', async () => {
    const { missed, published, vote, at } = setup()
    vote(7, 1) // task 1 went out before task 2: no evidence about task 2
    missed.keep(hashOf(2), taskOf(2))
    at(1_000)
    missed.keep(hashOf(3), taskOf(3, 2))
    vote(9, 4, 2) // another definition's later task
    missed.keep(hashOf(5), taskOf(5))
    at(2_000)
    missed.keep(hashOf(6), taskOf(6))
    vote(5, 2)
    vote(5, 6) // operator 5 missed task 5 only, and that one finishes below
    at(20_000)
    missed.forget(hashOf(5))
    expect(await missed.tick()).toBe(0)
    vote(6, 6) // operator 6 missed 2 …
    vote(6, 2) // … and then voted on it
    at(40_000)
    expect(await missed.tick()).toBe(0)
    expect(published).toEqual([])
    expect(missed.size).toBe(3)
    at(DEFAULT_MISSED_TASK_OPTIONS.ttlMs + 2_001)
    await missed.tick()
    expect(missed.size).toBe(0)
  })

  it('a long burst of votes keeps the evidence (younger votes are bounded, not forgotten)', async () => {
    const { missed, published, vote, at } = setup()
    missed.keep(hashOf(1), taskOf(1))
    for (let n = 2; n < 500; n++) {
      at(n * 10)
      vote(3, n) // operator 3 votes on 498 later tasks within 5 s, never on task 1
    }
    at(8_000)
    expect(await missed.tick()).toBe(1)
    expect(published).toEqual(['proof-1'])
  })

  it('a full keep drops the oldest task', () => {
    const { missed, metrics } = setup()
    for (let n = 0; n <= DEFAULT_MISSED_TASK_OPTIONS.maxEntries; n++) missed.keep(hashOf(n), taskOf(n))
    expect(missed.size).toBe(DEFAULT_MISSED_TASK_OPTIONS.maxEntries)
    expect(metrics.get('wisp_aggregator_task_copies_total', { result: 'dropped' })).toBe(1)
  })
})
