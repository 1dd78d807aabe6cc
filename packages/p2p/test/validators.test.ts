// The validation rules without a network: structural mode, our own failures, the verdict mapping.
import { createInlineVerifier } from '@wisp/bls'
import type { TaskOutcomeChecker } from '@wisp/interface'
import { encodeMessage, gossipTopics } from '@wisp/protocol'
import { describe, expect, it } from 'vitest'
import {
  BanList,
  createMemoryMetrics,
  createPeerDefences,
  PeerPenalties,
  resolveNetworkOptions,
} from '../src/index.js'
import type { ValidationContext } from '../src/validation/context.js'
import { OutcomeCache } from '../src/validation/outcomes.js'
import { RateLimiter } from '../src/validation/rate-limit.js'
import { SeenCache } from '../src/validation/seen.js'
import { validateGossip } from '../src/validation/validate.js'
import { VoteBook } from '../src/validation/votes.js'
import {
  DEPLOYMENT,
  definitions,
  directoryOf,
  makeAttestation,
  makeOperators,
  makeTask,
  makeTaskSubmitted,
} from './support/fixtures.js'

const operators = makeOperators(2)
const [op1, op2] = operators as [(typeof operators)[0], (typeof operators)[0]]
const topics = gossipTopics('wisp-test')

function context(overrides: Partial<ValidationContext> = {}): ValidationContext {
  const options = resolveNetworkOptions({ deployments: [DEPLOYMENT] })
  let t = 0
  const now = () => t++
  return {
    options,
    directory: undefined,
    definitions: undefined,
    verifier: undefined,
    gate: undefined,
    outcomes: undefined,
    seen: new SeenCache(options.dedupe, now),
    customRate: new RateLimiter(options.customMessages.perPeer, now),
    rates: {
      task: new RateLimiter(options.rateLimits.task, now),
      attestation: new RateLimiter(options.rateLimits.attestation, now),
      taskSubmitted: new RateLimiter(options.rateLimits.taskSubmitted, now),
    },
    penalties: createPeerDefences(options, now).penalties,
    votes: new VoteBook({ maxEntries: options.dedupe.maxVotes }),
    outcomeCache: new OutcomeCache(options.outcomeChecks),
    metrics: createMemoryMetrics(),
    ...overrides,
  }
}

const incoming = (kind: keyof typeof topics, data: Uint8Array) => ({
  topic: topics[kind],
  data,
  author: 'peer-x',
  from: 'peer-x',
})

describe('structural mode (no directory, no verifier)', () => {
  it('accepts well-formed messages and still checks ECDSA performer signatures', async () => {
    const ctx = context()
    const task = await makeTask(op1, { proofOfTask: 'a', definitionId: 77 })
    expect(
      (await validateGossip('task', incoming('task', encodeMessage('task', task)), ctx)).verdict,
    ).toEqual({
      outcome: 'accept',
      reason: 'valid',
    })
    const forged = { ...task, proofOfTask: 'b' }
    const r = await validateGossip('task', incoming('task', encodeMessage('task', forged)), ctx)
    expect(r.verdict).toEqual({ outcome: 'reject', reason: 'bad_performer_signature' })
  })

  it('still drops duplicates', async () => {
    const ctx = context()
    const bytes = encodeMessage(
      'attestation',
      makeAttestation(await makeTask(op1, { proofOfTask: 'd' }), op2),
    )
    expect((await validateGossip('attestation', incoming('attestation', bytes), ctx)).verdict.outcome).toBe(
      'accept',
    )
    expect((await validateGossip('attestation', incoming('attestation', bytes), ctx)).verdict).toEqual({
      outcome: 'ignore',
      reason: 'duplicate',
    })
  })
})

describe('our own failures are ignore/internal, never reject', () => {
  it('a directory that throws', async () => {
    const ctx = context({
      directory: {
        getOperator: async () => {
          throw new Error('rpc down')
        },
        getOperatorByAddress: async () => {
          throw new Error('rpc down')
        },
      },
      verifier: createInlineVerifier(),
    })
    const bytes = encodeMessage('task', await makeTask(op1, { proofOfTask: 'x' }))
    const r = await validateGossip('task', incoming('task', bytes), ctx)
    expect(r.verdict).toEqual({ outcome: 'ignore', reason: 'internal' })
    expect(String(r.error)).toContain('rpc down')
  })

  it('a closed BLS pool', async () => {
    const verifier = createInlineVerifier()
    await verifier.close()
    const ctx = context({ directory: directoryOf(operators), definitions: definitions(), verifier })
    const bytes = encodeMessage(
      'attestation',
      makeAttestation(await makeTask(op1, { proofOfTask: 'y' }), op2),
    )
    expect((await validateGossip('attestation', incoming('attestation', bytes), ctx)).verdict).toEqual({
      outcome: 'ignore',
      reason: 'internal',
    })
    // and the message was not remembered as seen: it can be judged again once the pool is back
    const fresh = context({
      directory: directoryOf(operators),
      definitions: definitions(),
      verifier: createInlineVerifier(),
      seen: ctx.seen,
    })
    expect((await validateGossip('attestation', incoming('attestation', bytes), fresh)).verdict.outcome).toBe(
      'accept',
    )
    await fresh.verifier?.close()
  })
})

describe('seen cache and rate limiter', () => {
  it('the seen cache forgets after its TTL and evicts the oldest past its size', () => {
    let t = 0
    const seen = new SeenCache({ maxEntries: 2, ttlMs: 100 }, () => t)
    expect(seen.checkAndMark('a')).toBe(false)
    expect(seen.checkAndMark('a')).toBe(true)
    t = 150
    expect(seen.checkAndMark('a')).toBe(false)
    seen.checkAndMark('b')
    seen.checkAndMark('c')
    expect(seen.size).toBe(2)
    expect(seen.checkAndMark('a')).toBe(false) // evicted
  })

  it('the rate limiter allows a burst, then refills evenly', () => {
    let t = 0
    const rate = new RateLimiter({ messages: 3, intervalMs: 3000 }, () => t)
    expect([rate.take('p'), rate.take('p'), rate.take('p'), rate.take('p')]).toEqual([
      true,
      true,
      true,
      false,
    ])
    expect(rate.take('q')).toBe(true) // per key
    t = 1000
    expect([rate.take('p'), rate.take('p')]).toEqual([true, false])
  })
})

describe('redelivery, penalties and bans', () => {
  it('accepted content is a duplicate within the redelivery window and redelivered after it', () => {
    let t = 0
    const seen = new SeenCache({ maxEntries: 10, ttlMs: 10_000, redeliveryAfterMs: 2000 }, () => t)
    expect(seen.check('a')).toBe('new')
    expect(seen.check('a')).toBe('duplicate') // still being judged
    seen.accepted('a')
    t = 1999
    expect(seen.check('a')).toBe('duplicate')
    t = 2000
    expect(seen.check('a')).toBe('redeliver')
    expect(seen.check('a')).toBe('duplicate') // forwarded again just now
    t = 4500
    expect(seen.check('a')).toBe('redeliver')
    t = 10_000
    expect(seen.check('a')).toBe('new') // the 10 min memory (here 10 s) runs from the first verdict
    seen.forget('a') // rejected content is forgotten
    expect(seen.check('a')).toBe('new')
  })

  it('penalties decay like the other score components and stay bounded', () => {
    let t = 0
    const penalties = new PeerPenalties(
      { equivocation: 1000, forwardedInvalid: 50, decay: 0.99, maxPeers: 2 },
      { decayIntervalMs: 1000, decayToZero: 0.01 },
      () => t,
    )
    penalties.add('p', 1000)
    expect(penalties.score('p')).toBe(-1000)
    t = 69_000
    expect(penalties.get('p')).toBeCloseTo(1000 * 0.99 ** 69, 6) // ≈ half
    penalties.add('q', 10)
    penalties.add('r', 20)
    expect(penalties.size).toBe(2)
    expect(penalties.get('q')).toBe(0) // the smallest went first
    t = 69_000 + 2_000_000
    expect(penalties.get('p')).toBe(0)
  })

  it('bans double with each repeat offence, up to the cap, and expire', () => {
    let t = 0
    const bans = new BanList(
      { firstMs: 60_000, maxMs: 200_000, forgetAfterMs: 1_000_000, maxPeers: 10 },
      () => t,
    )
    expect(bans.ban('p')).toBe(60_000)
    expect(bans.isBanned('p')).toBe(true)
    t = 60_000
    expect(bans.isBanned('p')).toBe(false)
    expect(bans.ban('p')).toBe(120_000)
    t += 120_000
    expect(bans.ban('p')).toBe(200_000)
    expect(bans.banned()).toEqual(['p'])
    t += 2_000_000 // forgiven
    expect(bans.ban('p')).toBe(60_000)
  })
})

describe('TaskSubmitted chain checks without a network (a fake TaskOutcomeChecker)', () => {
  it('at most maxPending checks are outstanding (beyond: ignore busy); identical claims share one call', async () => {
    const releases: Array<() => void> = []
    let calls = 0
    const outcomes: TaskOutcomeChecker = {
      checkTaskOutcome: async () => {
        calls++
        await new Promise<void>((resolve) => releases.push(resolve))
        return { status: 'confirmed', isApproved: true, attesterIds: [1, 2], blockNumber: 1n }
      },
    }
    const ctx = context({ outcomes, outcomeCache: new OutcomeCache({ cacheEntries: 10, maxPending: 1 }) })
    const task = await makeTask(op1, { proofOfTask: 'busy' })
    const claim = makeTaskSubmitted(task, [1, 2])
    const first = validateGossip(
      'taskSubmitted',
      incoming('taskSubmitted', encodeMessage('taskSubmitted', claim)),
      ctx,
    )
    // the same claim in other bytes (ids reordered) waits for the same call
    const reordered = { ...claim, operatorIds: [2, 1] }
    const second = validateGossip(
      'taskSubmitted',
      incoming('taskSubmitted', encodeMessage('taskSubmitted', reordered)),
      ctx,
    )
    const other = { ...claim, txHash: `0x${'ab'.repeat(32)}` as const }
    const third = await validateGossip(
      'taskSubmitted',
      incoming('taskSubmitted', encodeMessage('taskSubmitted', other)),
      ctx,
    )
    expect(third.verdict).toEqual({ outcome: 'ignore', reason: 'busy' })
    while (releases.length === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    releases[0]!()
    expect((await first).verdict.outcome).toBe('accept')
    expect((await second).verdict.outcome).toBe('accept')
    expect(calls).toBe(1)
  })

  it('rate limits: reject from the author itself, ignore when forwarded', async () => {
    const ctx = context()
    ctx.rates.task = new RateLimiter({ messages: 1, intervalMs: 60_000 }, () => 0)
    const bytes = async (p: string) => encodeMessage('task', await makeTask(op1, { proofOfTask: p }))
    expect((await validateGossip('task', incoming('task', await bytes('r1')), ctx)).verdict.outcome).toBe(
      'accept',
    )
    expect((await validateGossip('task', incoming('task', await bytes('r2')), ctx)).verdict).toEqual({
      outcome: 'reject',
      reason: 'rate_limited',
    })
    const forwarded = { ...incoming('task', await bytes('r3')), from: 'a-relay' }
    expect((await validateGossip('task', forwarded, ctx)).verdict).toEqual({
      outcome: 'ignore',
      reason: 'rate_limited',
    })
  })
})
