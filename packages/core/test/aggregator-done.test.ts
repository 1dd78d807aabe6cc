// The aggregator remembers finished tasks (so late votes cannot make it submit them again) in a
// bounded set: the most recent `maxDoneTasks`, younger than `doneRetentionMs`, stored under
// time-ordered keys so a restart reads only what it keeps. Runs on the real LevelStore.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { taskHash, type WireAttestation } from '@wisp/protocol'
import { encodeJson, type KeyValueStore, MemoryStore } from '@wisp/storage'
import { LevelStore } from '@wisp/storage/level'
import { toHex } from 'viem'
import { afterEach, describe, expect, it } from 'vitest'
import { type Engine, taskInfoOf } from '../src/index.js'
import {
  MemoryGossipBus,
  ModelChain,
  makeOperators,
  startNode,
  type TestOperator,
} from './support/harness.js'

const MINUTE = 60_000
let engines: Engine[] = []
const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  await Promise.all(engines.map((e) => e.stop()))
  engines = []
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

/** Every key the aggregator keeps about finished tasks, in any layout it ever used. */
async function doneKeys(store: KeyValueStore): Promise<string[]> {
  const keys: string[] = []
  for await (const [key] of store.scan({ prefix: 'aggregator/done' })) keys.push(key)
  return keys
}

/** The store, counting the entries scans hand out: what a start actually reads. */
function countingReads(store: KeyValueStore): { store: KeyValueStore; reads: () => number } {
  let reads = 0
  const counted: KeyValueStore = {
    get: (key) => store.get(key),
    put: (key, value) => store.put(key, value),
    delete: (key) => store.delete(key),
    batch: (ops) => store.batch(ops),
    update: (key, fn) => store.update(key, fn),
    close: () => store.close(),
    async *scan(options) {
      for await (const entry of store.scan(options)) {
        reads++
        yield entry
      }
    },
  }
  return { store: counted, reads: () => reads }
}

function setup() {
  const { operators, records } = makeOperators(5)
  const chain = new ModelChain(records)
  const bus = new MemoryGossipBus()
  const clock = { t: 1_700_000_000_000 }
  const aggregatorOn = (store: KeyValueStore, options: object = {}) => {
    const engine = startNode(bus, chain, {
      operator: operators[0]!,
      options: { aggregator: options },
      plugins: [],
      store,
      components: { now: () => clock.t },
    })
    engines.push(engine)
    return engine
  }
  return { operators, clock, aggregatorOn, chain }
}

/** One attestation (100 of 500: no quorum, so nothing is verified or sent), like gossip brings it. */
function attestation(attester: TestOperator, i: number): WireAttestation {
  return {
    proofOfTask: `task-${i}`,
    data: toHex(i, { size: 8 }),
    performer: {
      address: '0x00000000000000000000000000000000000000aa',
      signature: { type: 'ecdsa', signature: `0x${'11'.repeat(65)}` },
    },
    attester: { address: attester.address, signature: { x: 1n, y: 2n } },
    isApproved: true,
    definitionId: 1,
  }
}

/**
 * A task becomes done the way it does when another aggregator lands it: its TaskSubmitted arrives
 * and the chain confirms it.
 */
async function finishTask(
  engine: Engine,
  attester: TestOperator,
  i: number,
  chain: ModelChain,
): Promise<`0x${string}`> {
  const message = attestation(attester, i)
  await engine.aggregator!.handleAttestation({ message, operatorId: attester.id })
  const task = taskInfoOf(message)
  const hash = taskHash(task)
  await engine.aggregator!.handleTaskSubmitted({
    taskId: hash,
    txHash: chain.landedElsewhere(task, true, [attester.id]),
    performerAddress: message.performer.address,
    operatorIds: [attester.id],
    definitionId: 1,
    isApproved: true,
  })
  return hash
}

/** Is the task still known as done? A late vote for it must not open a pending aggregation. */
async function stillDone(engine: Engine, attester: TestOperator, i: number): Promise<boolean> {
  const before = engine.aggregator!.pendingTasks
  await engine.aggregator!.handleAttestation({ message: attestation(attester, i), operatorId: attester.id })
  return engine.aggregator!.pendingTasks === before
}

describe('aggregator: the done set is bounded', () => {
  it('10 000 done tasks on LevelDB: at most maxDoneTasks keys stay, and a restart reads only those (< 2 s)', async () => {
    const { operators, clock, aggregatorOn, chain } = setup()
    const dir = mkdtempSync(join(tmpdir(), 'wisp-done-'))
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
    const attester = operators[1]!
    const maxDoneTasks = 1000

    // filling without fsync: 20 000 synced writes would time the disk, not the aggregator
    const fill = await LevelStore.open({ path: dir, sync: false })
    const first = aggregatorOn(fill, { maxDoneTasks })
    await first.start()
    for (let i = 0; i < 10_000; i++) {
      await finishTask(first, attester, i, chain)
      clock.t += 50 // 10 000 tasks in 500 s: well inside the default retention, so the cap decides
    }
    expect(first.aggregator!.pendingTasks).toBe(0)
    await first.stop()
    const kept = await doneKeys(fill)
    expect(kept.length).toBeLessThanOrEqual(maxDoneTasks)
    expect(kept.length).toBeGreaterThan(maxDoneTasks / 2)
    await fill.close()

    // the restart, on the same directory with the default (synced) store
    const reopened = await LevelStore.open({ path: dir })
    cleanup.push(() => reopened.close())
    const counted = countingReads(reopened)
    const second = aggregatorOn(counted.store, { maxDoneTasks })
    const started = performance.now()
    await second.start()
    const restartMs = performance.now() - started
    console.info(`aggregator restart on 10 000 done tasks (LevelStore): ${restartMs.toFixed(1)} ms`)
    expect(restartMs).toBeLessThan(2000)
    expect(counted.reads()).toBeLessThanOrEqual(maxDoneTasks + 1)
    expect((await doneKeys(reopened)).length).toBeLessThanOrEqual(maxDoneTasks)

    // the most recent tasks are still done after the restart: late votes open nothing
    for (const i of [9999, 9500, 9001]) expect(await stillDone(second, attester, i)).toBe(true)
  }, 60_000)

  it('entries older than doneRetentionMs are pruned while running and at a restart after a long stop', async () => {
    const { operators, clock, aggregatorOn, chain } = setup()
    const store = new MemoryStore()
    const attester = operators[1]!
    const options = { doneRetentionMs: 60 * MINUTE }
    const first = aggregatorOn(store, options)
    await first.start()
    for (let i = 0; i < 3; i++) await finishTask(first, attester, i, chain)
    expect(await doneKeys(store)).toHaveLength(3)

    clock.t += 61 * MINUTE
    await finishTask(first, attester, 3, chain)
    expect(await doneKeys(store)).toHaveLength(1)
    expect(await stillDone(first, attester, 3)).toBe(true)
    await first.stop()

    // down for longer than the retention: the restart deletes what aged out and keeps nothing
    clock.t += 2 * 60 * MINUTE
    const second = aggregatorOn(store, options)
    await second.start()
    expect(await doneKeys(store)).toEqual([])
  })

  it('a restart with a smaller cap keeps the newest and deletes the rest', async () => {
    const { operators, clock, aggregatorOn, chain } = setup()
    const store = new MemoryStore()
    const attester = operators[1]!
    const first = aggregatorOn(store, { maxDoneTasks: 10 })
    await first.start()
    for (let i = 0; i < 5; i++) {
      await finishTask(first, attester, i, chain)
      clock.t += 1000
    }
    await first.stop()
    const second = aggregatorOn(store, { maxDoneTasks: 2 })
    await second.start()
    expect(await doneKeys(store)).toHaveLength(2)
    for (const i of [3, 4]) expect(await stillDone(second, attester, i)).toBe(true)
  })

  it('done keys of the old layout (aggregator/done/<taskHash>) are migrated once and still count', async () => {
    const { operators, clock, aggregatorOn } = setup()
    const store = new MemoryStore()
    const attester = operators[1]!
    const recent = taskHash(taskInfoOf(attestation(attester, 1)))
    const ancient = taskHash(taskInfoOf(attestation(attester, 2)))
    await store.put(`aggregator/done/${recent}`, encodeJson(clock.t - MINUTE))
    await store.put(`aggregator/done/${ancient}`, encodeJson(clock.t - 30 * 24 * 60 * MINUTE))
    const engine = aggregatorOn(store)
    await engine.start()
    expect(await stillDone(engine, attester, 1)).toBe(true)
    const keys = await doneKeys(store)
    expect(keys).toHaveLength(1)
    expect(keys[0]).not.toBe(`aggregator/done/${recent}`)
    expect(keys[0]).toContain(recent)
  })

  it('rejects a retention shorter than the pending TTL or a cap below 1 (ENGINE_INVALID_OPTIONS)', () => {
    const { aggregatorOn } = setup()
    for (const options of [{ doneRetentionMs: MINUTE, pendingTtlMs: 10 * MINUTE }, { maxDoneTasks: 0 }]) {
      expect(() => aggregatorOn(new MemoryStore(), options)).toThrow(
        expect.objectContaining({ code: 'ENGINE_INVALID_OPTIONS' }),
      )
    }
  })
})
