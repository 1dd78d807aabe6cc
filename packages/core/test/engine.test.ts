import { createHashChainPlugin } from '@wisp/plugin-hash-chain'
import { type BaseFetch, definePlugin } from '@wisp/plugin-sdk'
import { MemoryStore } from '@wisp/storage'
import { afterEach, describe, expect, it } from 'vitest'
import type { Engine, MetricsPort } from '../src/index.js'
import { MemoryGossipBus, ModelChain, makeOperators, startNode } from './support/harness.js'

const hashChain = createHashChainPlugin({ taskDefinitionIds: [1] })
const config = { iterations: 50 }
let engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.map((e) => e.stop()))
  engines = []
})

async function network(
  count = 5,
  overrides: { attesterOptions?: object; chainSetup?: (c: ModelChain) => void } = {},
) {
  const { operators, records } = makeOperators(count)
  const chain = new ModelChain(records)
  overrides.chainSetup?.(chain)
  const bus = new MemoryGossipBus()
  const performer = startNode(bus, chain, {
    operator: operators[0]!,
    options: { performer: { taskDefinitionIds: [1] }, aggregator: {} },
    plugins: [{ plugin: hashChain, config }],
  })
  const attesters = operators.slice(1).map((operator) =>
    startNode(bus, chain, {
      operator,
      options: { attester: { ...overrides.attesterOptions } },
      plugins: [{ plugin: hashChain, config }],
    }),
  )
  engines.push(performer, ...attesters)
  await Promise.all(engines.map((e) => e.start()))
  return { operators, chain, bus, performer, attesters }
}

describe('engine: one task end to end on the model chain', () => {
  it('performer publishes, attesters approve, the aggregator submits with ≥ 2/3 of the power', async () => {
    const { chain, performer, attesters } = await network()
    const sent = performer.events.once('submission:sent')
    const [published] = await performer.performer!.tick('test')
    expect(published).toBeDefined()
    const submitted = await sent
    expect(submitted).toMatchObject({
      taskHash: published!.taskHash,
      isApproved: true,
      event: 'TaskSubmitted',
    })
    expect(chain.submissions).toHaveLength(1)
    // 4 attesters × 100 of 500: 400 ≥ 333; ids strictly increasing
    expect(submitted.attesterIds.length).toBeGreaterThanOrEqual(4)
    expect([...submitted.attesterIds].sort((a, b) => a - b)).toEqual(submitted.attesterIds)
    const history = await attesters[0]!.history.recentAttestations()
    expect(history[0]).toMatchObject({ taskHash: published!.taskHash, verdict: 'approve' })
    expect(await performer.history.getOutcome(published!.taskHash)).toMatchObject({ status: 'submitted' })
  })

  it('a wrong proof is rejected on chain with the attesters’ reject votes', async () => {
    const { chain, performer } = await network()
    const liar = definePlugin({
      ...hashChain,
      execute: async (ctx) => ({ ...(await hashChain.execute(ctx)), proofOfTask: `0x${'00'.repeat(32)}` }),
    })
    performer.registry.forTaskDefinition(1)!.plugin = liar as never
    const sent = performer.events.once('submission:sent')
    await performer.performer!.tick('test')
    expect(await sent).toMatchObject({ isApproved: false, event: 'TaskRejected' })
    expect(chain.submissions[0]!.event).toBe('TaskRejected')
  })

  it('a plugin that throws or hangs makes attesters abstain: no vote, no submission', async () => {
    const broken = definePlugin({
      ...hashChain,
      validate: async () => {
        throw new Error('bug')
      },
    })
    const { operators, records } = makeOperators(3)
    const chain = new ModelChain(records)
    chain.block = 99n // round robin over 3: block 99 elects operator 1
    const bus = new MemoryGossipBus()
    const perf = startNode(bus, chain, {
      operator: operators[0]!,
      options: { performer: { taskDefinitionIds: [1] }, aggregator: {} },
      plugins: [{ plugin: hashChain, config }],
    })
    const a1 = startNode(bus, chain, {
      operator: operators[1]!,
      options: { attester: {} },
      plugins: [{ plugin: broken, config }],
    })
    const hanging = definePlugin({ ...hashChain, validate: () => new Promise(() => {}) })
    const a2 = startNode(bus, chain, {
      operator: operators[2]!,
      options: { attester: {}, plugins: { validateTimeoutMs: 100 } },
      plugins: [{ plugin: hanging, config }],
    })
    engines.push(perf, a1, a2)
    await Promise.all(engines.map((e) => e.start()))
    const d1 = a1.events.once('vote:decided')
    const d2 = a2.events.once('vote:decided')
    await perf.performer!.tick('test')
    expect((await d1).verdict).toMatchObject({
      kind: 'abstain',
      reason: expect.stringMatching(/PLUGIN_HOOK_FAILED/),
    })
    expect((await d2).verdict).toMatchObject({
      kind: 'abstain',
      reason: expect.stringMatching(/PLUGIN_TIMEOUT/),
    })
    expect(bus.published.filter((p) => p.kind === 'attestation')).toEqual([])
    expect(chain.submissions).toEqual([])
  })
})

describe('engine: attester safety', () => {
  it('slashing protection refuses to sign the opposite of a recorded verdict, and publishes nothing', async () => {
    const { operators, records } = makeOperators(5)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    const perf = startNode(bus, chain, {
      operator: operators[0]!,
      options: { performer: { taskDefinitionIds: [1] } },
      plugins: [{ plugin: hashChain, config }],
    })
    // not started: it hears nothing until the test hands it the task
    const victim = startNode(bus, chain, {
      operator: operators[1]!,
      options: { attester: {} },
      plugins: [{ plugin: hashChain, config }],
    })
    engines.push(perf, victim)
    await perf.start()
    const [published] = await perf.performer!.tick('test')
    // this operator signed "reject" for the task earlier (say, before a restart)
    await victim.slashing.recordVote(operators[1]!.address, published!.taskHash, 'reject')
    const refused = victim.events.once('vote:refused')
    const message = bus.published.find((p) => p.kind === 'task')!.message
    const verdict = await victim.attester!.handleTask({ message: message as never, from: 'test' })
    expect(verdict).toEqual({ kind: 'approve' })
    expect((await refused).reason).toMatch(/already signed reject/)
    expect(bus.published.filter((p) => p.kind === 'attestation')).toEqual([])
    expect(await victim.slashing.getVote(operators[1]!.address, published!.taskHash)).toBe('reject')
  })

  it('ignores tasks of performers that were not elected', async () => {
    // interval 10: at block 100 the slot is 10 → operator 1; blocks 98..100 also elect operator 5 (slot 9)
    const { operators, records } = makeOperators(5)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    const roundRobin = { interval: 10n }
    const usurper = startNode(bus, chain, {
      operator: operators[2]!,
      options: { performer: { taskDefinitionIds: [1], ignoreElection: true }, roundRobin },
      plugins: [{ plugin: hashChain, config }],
    })
    const attester = startNode(bus, chain, {
      operator: operators[1]!,
      options: { attester: { electionWindowBlocks: 2n }, roundRobin },
      plugins: [{ plugin: hashChain, config }],
    })
    engines.push(usurper, attester)
    await Promise.all(engines.map((e) => e.start()))
    const ignored = attester.events.once('task:ignored')
    await usurper.performer!.tick('test')
    expect((await ignored).reason).toBe('performer was not elected')
  })
})

describe('engine: aggregator robustness', () => {
  it('two aggregators: one submission lands, the other sees it already done', async () => {
    const { operators, chain, bus, performer } = await network()
    const second = startNode(bus, chain, {
      operator: operators[1]!,
      options: { aggregator: {} },
      plugins: [{ plugin: hashChain, config }],
    })
    engines.push(second)
    await second.start()
    const outcomes = Promise.all([
      Promise.race([
        performer.events.once('submission:sent'),
        performer.events.once('submission:already-done'),
      ]),
      Promise.race([second.events.once('submission:sent'), second.events.once('submission:already-done')]),
    ])
    await performer.performer!.tick('test')
    await outcomes
    expect(chain.submissions).toHaveLength(1)
  })

  it('retries a broken RPC with backoff and then submits', async () => {
    const { chain, performer } = await network(5, {
      chainSetup: (c) => {
        c.failNext = 2
      },
    })
    const failures: number[] = []
    performer.events.on('submission:failed', (e) => failures.push(e.attempt))
    const sent = performer.events.once('submission:sent')
    await performer.performer!.tick('test')
    await sent
    expect(failures).toEqual([1, 2])
    expect(chain.submissions).toHaveLength(1)
  })

  it('drops an attestation with a bad signature (bisection) and submits once honest power suffices', async () => {
    const { operators, records } = makeOperators(6)
    const chain = new ModelChain(records)
    chain.block = 102n // round robin over 6: block 102 elects operator 1
    const bus = new MemoryGossipBus()
    const perf = startNode(bus, chain, {
      operator: operators[0]!,
      options: { performer: { taskDefinitionIds: [1] }, aggregator: {} },
      plugins: [{ plugin: hashChain, config }],
    })
    const honest = operators.slice(1, 4).map((operator) =>
      startNode(bus, chain, {
        operator,
        options: { attester: {} },
        plugins: [{ plugin: hashChain, config }],
      }),
    )
    const late = startNode(bus, chain, {
      operator: operators[4]!,
      options: { attester: {} },
      plugins: [{ plugin: hashChain, config }],
    })
    engines.push(perf, ...honest, late)
    await Promise.all([perf, ...honest].map((e) => e.start()))
    const votes = new Set<number>()
    perf.events.on('attestation:received', (e) => votes.add(e.operatorId))
    await perf.performer!.tick('test')
    await waitFor(() => votes.size === 3) // 300 of 600: below the 400 needed

    // operator 6 replays operator 2's signature as its own approval: 400 "reached", one bad
    const forger = bus.join('forger', 6)
    const copy = structuredClone(bus.published.find((p) => p.kind === 'attestation')!.message) as {
      attester: { address: string }
    }
    copy.attester.address = operators[5]!.address
    const dropped = perf.events.once('attestation:dropped')
    await forger.publish('attestation', copy as never)
    expect(await dropped).toMatchObject({ operatorId: 6, reason: 'invalid attester signature' })
    expect(chain.submissions).toEqual([])

    const sent = perf.events.once('submission:sent')
    await late.attester!.handleTask({
      message: bus.published.find((p) => p.kind === 'task')!.message as never,
      from: 'test',
    })
    const result = await sent
    expect(result.attesterIds).toEqual([2, 3, 4, 5])
  })

  it('resumes pending tasks after a restart', async () => {
    const { operators, records } = makeOperators(5)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    const store = new MemoryStore()
    const perf = startNode(bus, chain, {
      operator: operators[0]!,
      options: { performer: { taskDefinitionIds: [1] } },
      plugins: [{ plugin: hashChain, config }],
    })
    const aggregator1 = startNode(bus, chain, {
      operator: operators[0]!,
      options: { aggregator: {} },
      plugins: [],
      store,
    })
    const early = operators.slice(1, 3).map((operator) =>
      startNode(bus, chain, {
        operator,
        options: { attester: {} },
        plugins: [{ plugin: hashChain, config }],
      }),
    )
    // the two others are not listening yet
    const late = operators.slice(3).map((operator) =>
      startNode(bus, chain, {
        operator,
        options: { attester: {} },
        plugins: [{ plugin: hashChain, config }],
      }),
    )
    engines.push(perf, aggregator1, ...early, ...late)
    await Promise.all([perf, aggregator1, ...early].map((e) => e.start()))
    const votes = new Set<number>()
    aggregator1.events.on('attestation:received', (e) => votes.add(e.operatorId))
    await perf.performer!.tick('test')
    await waitFor(() => votes.size === 2) // 200 of 500 < 333
    expect(aggregator1.aggregator!.pendingTasks).toBe(1)
    await aggregator1.stop()

    // a new aggregator on the same store picks the task up; the late attesters vote now
    const aggregator2 = startNode(bus, chain, {
      operator: operators[0]!,
      options: { aggregator: {} },
      plugins: [],
      store,
    })
    engines.push(aggregator2)
    await aggregator2.start()
    expect(aggregator2.aggregator!.pendingTasks).toBe(1)
    const sent = aggregator2.events.once('submission:sent')
    const task = bus.published.find((p) => p.kind === 'task')!.message as never
    for (const a of late) await a.attester!.handleTask({ message: task, from: 'test' })
    expect((await sent).attesterIds).toEqual([2, 3, 4, 5])
    expect(chain.submissions).toHaveLength(1)
  })
})

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('engine: one node, every role', () => {
  it('its own attester sees its own task and its aggregator its own vote (local loopback)', async () => {
    const { operators, records } = makeOperators(1)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    const solo = startNode(bus, chain, {
      operator: operators[0]!,
      options: { performer: { taskDefinitionIds: [1] }, attester: {}, aggregator: {} },
      plugins: [{ plugin: hashChain, config }],
    })
    engines.push(solo)
    await solo.start()
    const sent = solo.events.once('submission:sent')
    await solo.performer!.tick('test')
    expect((await sent).attesterIds).toEqual([1])
  })
})

describe('engine: designated performers (performerIds)', () => {
  it('the performer elects among performerIds, as attesters check: an outsider stays quiet, a designated one lands', async () => {
    // 5 operators, designated performers 2 and 3. At block 100 round robin over everyone elects
    // operator 1; over [2, 3] it elects operator 2 (slot 100 mod 2 = 0).
    const { operators, records } = makeOperators(5)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    const nodes = operators.map((operator) =>
      startNode(bus, chain, {
        operator,
        options: {
          performerIds: [2, 3],
          attester: {},
          ...(operator.id <= 2 ? { performer: { taskDefinitionIds: [1] } } : {}),
          ...(operator.id === 2 ? { aggregator: {} } : {}),
        },
        plugins: [{ plugin: hashChain, config }],
      }),
    )
    engines.push(...nodes)
    await Promise.all(nodes.map((e) => e.start()))
    const ignored: string[] = []
    for (const node of nodes) node.events.on('task:ignored', (e) => ignored.push(e.reason))
    const [outsider, designated] = nodes

    // operator 1 is no designated performer: publishing would only earn "performer was not elected"
    expect(await outsider!.performer!.tick('test')).toEqual([])
    expect(bus.published.filter((p) => p.kind === 'task')).toEqual([])

    const sent = designated!.events.once('submission:sent')
    const [published] = await designated!.performer!.tick('test')
    expect(published?.task.taskPerformer).toBe(operators[1]!.address)
    expect((await sent).attesterIds.length).toBeGreaterThanOrEqual(4)
    expect(ignored).toEqual([])
  })
})

describe('engine: one publish path', () => {
  function recordingMetrics(): { port: MetricsPort; tasks: () => unknown[] } {
    const calls: Array<[string, Record<string, string> | undefined]> = []
    return {
      port: { increment: (name, labels) => void calls.push([name, labels]), observe() {} },
      tasks: () =>
        calls.filter(([name]) => name === 'wisp_performer_tasks_total').map(([, labels]) => labels),
    }
  }

  it('engine.sendTask gossips, announces and counts a task exactly like the performer', async () => {
    const { operators, records } = makeOperators(2)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    const performerMetrics = recordingMetrics()
    const relayMetrics = recordingMetrics()
    const perf = startNode(bus, chain, {
      operator: operators[0]!,
      options: { performer: { taskDefinitionIds: [1], ignoreElection: true } },
      plugins: [{ plugin: hashChain, config }],
      components: { metrics: performerMetrics.port },
    })
    // no performer role: it only passes on tasks an AVS's own performer service signed (JSON-RPC)
    const relay = startNode(bus, chain, {
      operator: operators[1]!,
      options: {},
      plugins: [],
      components: { metrics: relayMetrics.port },
    })
    engines.push(perf, relay)
    await Promise.all(engines.map((e) => e.start()))

    const performed = perf.events.once('task:performed')
    const [published] = await perf.performer!.tick('test')
    const relayed = relay.events.once('task:performed')
    const sent = await relay.sendTask({ task: published!.task, signature: published!.signature })

    expect(sent).toMatchObject({ taskHash: published!.taskHash })
    expect(await relayed).toEqual(await performed)
    const [mine, theirs] = bus.published.filter((p) => p.kind === 'task')
    expect(theirs!.message).toEqual(mine!.message)
    expect(performerMetrics.tasks()).toEqual([{ trigger: 'test' }])
    expect(relayMetrics.tasks()).toEqual([{ trigger: 'send-task' }])
  })
})

describe('engine: start-time option checks', () => {
  const validationService = { url: 'http://127.0.0.1:4002', timeoutMs: 1000 }

  it('a validation service without a fetch component is ENGINE_INVALID_OPTIONS, not a silent fallback to plugins', () => {
    const { operators, records } = makeOperators(1)
    const chain = new ModelChain(records)
    const bus = new MemoryGossipBus()
    const spec = {
      operator: operators[0]!,
      options: { attester: { validationService } },
      plugins: [{ plugin: hashChain, config }],
    }
    let error: unknown
    try {
      startNode(bus, chain, spec)
    } catch (err) {
      error = err
    }
    expect(error).toMatchObject({
      name: 'CoreError',
      code: 'ENGINE_INVALID_OPTIONS',
      message: expect.stringMatching(/validationService.*fetch/),
    })
    const fetch: BaseFetch = async () => new Response('{}')
    expect(startNode(bus, chain, { ...spec, components: { fetch } }).attester).toBeDefined()
  })
})
