// The engine's internal tasks on the model chain (the real contracts and whole nodes are in
// @wisp/chain's and @wisp/node's internal-tasks tests): the aggregator performs them only when
// something differs, 10002 is planned after 10001 has its outcome, attesters judge them with the
// built-in check (never a plugin or the validation service), and the runner's refusals.
import { createInlineVerifier } from '@wisp/bls'
import type { BaseFetch } from '@wisp/plugin-sdk'
import { MemoryStore } from '@wisp/storage'
import { decodeAbiParameters, encodeAbiParameters, type Hex, parseAbiParameters } from 'viem'
import { sign } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import {
  CoreError,
  createEngine,
  type Engine,
  type EngineOptions,
  type InternalTasksPort,
  type Logger,
  type SubmitTaskOutcome,
  type SubmitTaskParams,
} from '../src/index.js'
import { MemoryGossipBus, ModelChain, makeOperators, type TestOperator } from './support/harness.js'

const ids = (list: number[]) => encodeAbiParameters(parseAbiParameters('uint256[]'), [list.map(BigInt)])
const idsOf = (data: Hex) => decodeAbiParameters(parseAbiParameters('uint256[]'), data)[0].map(Number)

/**
 * A chain whose voting powers and definition snapshots can be stale, with the contract's effects:
 * an approved 10001 syncs the operators it names (which makes definition 2's snapshot stale), an
 * approved 10002 refreshes the definitions it names.
 */
class StaleChain extends ModelChain {
  staleOperators = new Set<number>()
  staleDefinitions = new Set<number>()
  readonly log: string[] = []

  override async submitTask(params: SubmitTaskParams): Promise<SubmitTaskOutcome> {
    const outcome = await super.submitTask(params)
    const { taskDefinitionId, data } = params.task
    if (outcome.status === 'included' && params.isApproved && taskDefinitionId >= 10001) {
      this.log.push(`submitted ${taskDefinitionId}`)
      for (const id of idsOf(data)) {
        if (taskDefinitionId === 10001 && this.staleOperators.delete(id)) this.staleDefinitions.add(2)
        if (taskDefinitionId === 10002) this.staleDefinitions.delete(id)
      }
    }
    return outcome
  }

  /** What @wisp/chain's createInternalTasks answers, over this state. */
  port(overrides: Partial<InternalTasksPort> = {}): InternalTasksPort {
    const stale = (id: number) => (id === 10001 ? this.staleOperators : this.staleDefinitions)
    return {
      plan: async (id) => {
        this.log.push(`plan ${id}`)
        const list = [...stale(id)].sort((a, b) => a - b)
        return list.length === 0
          ? { status: 'in-sync', blockNumber: this.block }
          : {
              status: 'task',
              plan: { taskDefinitionId: id, data: ids(list), ids: list, blockNumber: this.block++ },
            }
      },
      check: async (id, data) => {
        const list = idsOf(data)
        return list.length > 0 && list.every((x) => stale(id).has(x))
          ? { kind: 'approve' }
          : { kind: 'reject', reason: 'not stale' }
      },
      ...overrides,
    }
  }
}

let engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.map((e) => e.stop()))
  engines = []
})

function capture(): Logger & { lines: string[] } {
  const lines: string[] = []
  const logger: Logger & { lines: string[] } = {
    lines,
    debug: () => undefined,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`),
    child: () => logger,
  }
  return logger
}

/** Operator 1 aggregates with internal tasks on (runs started by hand), 2..4 attest. */
async function network(
  opts: {
    port?: (chain: StaleChain) => InternalTasksPort
    /** the runner's own timers instead of runOnce by hand */
    timers?: { firstRunDelayMs: number; retryMs: number }
    attester?: object
    attesterPort?: boolean
    fetch?: BaseFetch
  } = {},
) {
  const { operators, records } = makeOperators(4)
  const chain = new StaleChain(records)
  const bus = new MemoryGossipBus()
  const port = opts.port?.(chain) ?? chain.port()
  const logger = capture()
  const node = (
    operator: TestOperator,
    options: Omit<EngineOptions, 'runtime' | 'operatorAddress'>,
    withPort: boolean,
  ) =>
    createEngine(
      { runtime: 'node', operatorAddress: operator.address, ...options },
      {
        gossip: bus.join(`peer-${operator.id}`, operator.id),
        chain,
        store: new MemoryStore(),
        verifier: createInlineVerifier(),
        blsSigner: {
          publicKey: operator.bls.publicKey.toBytes(),
          sign: async (domain, digest) => operator.bls.sign(domain, digest).toBytes(),
        },
        ecdsaSigner: {
          address: operator.address,
          signHash: async (hash) => sign({ hash, privateKey: operator.ecdsaKey, to: 'hex' }),
        },
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(withPort ? { internalTasks: port } : {}),
        logger,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      },
    )
  const aggregator = node(
    operators[0]!,
    {
      aggregator: {},
      // no timer-driven run inside a test: runOnce is called
      internalTasks: { firstRunDelayMs: 3_600_000, outcomeTimeoutMs: 20_000, ...opts.timers },
    },
    true,
  )
  const attesters = operators
    .slice(1)
    .map((o) =>
      node(o, { attester: { electionWindowBlocks: 16n, ...opts.attester } }, opts.attesterPort ?? true),
    )
  engines.push(aggregator, ...attesters)
  for (const e of [...attesters, aggregator]) await e.start()
  return { chain, aggregator, attesters, logger, operators }
}

describe('internal tasks in the engine', () => {
  it('nothing differs: nothing is performed', async () => {
    const { chain, aggregator } = await network()
    const runs = await aggregator.internalTasks!.runOnce()
    expect(runs.map((r) => r.result)).toEqual(['in-sync', 'in-sync'])
    expect(chain.submissions).toHaveLength(0)
  })

  it('stale voting powers: 10001 is performed, approved and submitted; 10002 is planned after it, from its effect', async () => {
    const { chain, aggregator, operators } = await network()
    chain.staleOperators = new Set([2, 3])
    const runs = await aggregator.internalTasks!.runOnce()
    expect(runs).toMatchObject([
      { taskDefinitionId: 10001, result: 'submitted', ids: [2, 3] },
      { taskDefinitionId: 10002, result: 'submitted', ids: [2] },
    ])
    expect(chain.log).toEqual(['plan 10001', 'submitted 10001', 'plan 10002', 'submitted 10002'])
    expect(chain.staleOperators.size + chain.staleDefinitions.size).toBe(0)
    // the aggregator performed them: its address is the task performer, and attesters voted
    expect(chain.submissions.map((s) => s.task.taskPerformer)).toEqual([
      operators[0]!.address,
      operators[0]!.address,
    ])
    expect(chain.submissions[0]!.attesterIds).toEqual([2, 3, 4])
    // a second run finds nothing
    expect((await aggregator.internalTasks!.runOnce()).map((r) => r.result)).toEqual(['in-sync', 'in-sync'])
  })

  it('on its own timers: a chain read that fails is tried again after retryMs, not an interval later', async () => {
    let reads = 0
    const sent = new Promise<void>((resolve) => {
      void network({
        timers: { firstRunDelayMs: 10, retryMs: 10 },
        port: (c) => {
          c.staleOperators = new Set([4])
          const port = c.port()
          return {
            ...port,
            plan: async (id) => {
              if (++reads === 1) throw new Error('RPC down')
              return port.plan(id)
            },
          }
        },
      }).then(({ aggregator }) => aggregator.events.once('submission:sent').then(() => resolve()))
    })
    await sent
    // the first run read 10001 (failed) and 10002; the retry read both again
    expect(reads).toBeGreaterThanOrEqual(3)
  })

  it('data the attesters cannot confirm is rejected on chain', async () => {
    const { chain, aggregator } = await network({
      port: (c) => ({
        ...c.port(),
        // a buggy (or lying) aggregator: operator 4 is not stale
        plan: async (id) =>
          id === 10001
            ? {
                status: 'task',
                plan: { taskDefinitionId: id, data: ids([4]), ids: [4], blockNumber: c.block },
              }
            : { status: 'in-sync', blockNumber: c.block },
      }),
    })
    chain.staleOperators = new Set([2])
    const [sync] = await aggregator.internalTasks!.runOnce()
    expect(sync).toMatchObject({ result: 'rejected' })
    expect(chain.submissions[0]).toMatchObject({ isApproved: false, event: 'TaskRejected' })
    expect(chain.staleOperators).toEqual(new Set([2]))
  })

  it('attesters use the built-in check, not the validation service; without the check they ignore internal tasks', async () => {
    const asked: string[] = []
    const fetch: BaseFetch = async (url) => {
      asked.push(String(url))
      return new Response('{"data":true}', { status: 200, headers: { 'content-type': 'application/json' } })
    }
    const withService = await network({
      attester: { validationService: { url: 'http://127.0.0.1:1' } },
      fetch,
    })
    withService.chain.staleOperators = new Set([3])
    const [sync] = await withService.aggregator.internalTasks!.runOnce()
    expect(sync).toMatchObject({ result: 'submitted' })
    expect(asked).toEqual([])

    const without = await network({ attesterPort: false })
    without.chain.staleOperators = new Set([3])
    const ignored = without.attesters[0]!.events.once('task:ignored')
    const run = without.aggregator.internalTasks!.runOnce()
    expect((await ignored).reason).toMatch(/internal task 10001: no chain check/)
    await without.aggregator.internalTasks!.stop()
    expect((await run)[0]).toMatchObject({ result: 'failed', reason: 'stopped' })
  })

  it('unsupported is said once; an aggregator that is not an active operator sends nothing', async () => {
    const { chain, aggregator, logger } = await network({
      port: (c) => ({
        ...c.port(),
        plan: async (id) =>
          id === 10001 ? { status: 'unsupported', reason: 'needs L1 stake data' } : c.port().plan(id),
      }),
    })
    await aggregator.internalTasks!.runOnce()
    await aggregator.internalTasks!.runOnce()
    expect(logger.lines.filter((l) => l === 'info internal task not sent')).toHaveLength(1)

    chain.staleDefinitions = new Set([1])
    chain.operators[0]!.active = false
    await aggregator.operators.refresh()
    const [, totals] = await aggregator.internalTasks!.runOnce()
    expect(totals).toMatchObject({ result: 'not-an-operator' })
    expect(chain.submissions).toHaveLength(0)
  })

  it('internal tasks need the aggregator role and the check component', () => {
    const { operators, records } = makeOperators(1)
    const chain = new StaleChain(records)
    const make = (options: Omit<EngineOptions, 'runtime' | 'operatorAddress'>, port?: InternalTasksPort) =>
      createEngine(
        { runtime: 'node', operatorAddress: operators[0]!.address, ...options },
        {
          gossip: new MemoryGossipBus().join('p', 1),
          chain,
          store: new MemoryStore(),
          verifier: createInlineVerifier(),
          ...(port ? { internalTasks: port } : {}),
        },
      )
    expect(() => make({ internalTasks: {} }, chain.port())).toThrow(CoreError)
    expect(() => make({ aggregator: {}, internalTasks: {} })).toThrow(/internalTasks component/)
    expect(make({ aggregator: {} }, chain.port()).internalTasks).toBeUndefined()
  })
})
