// Counters survive a restart on the same chain; a reset chain (a new genesis, same chain id) starts
// from zero and marks when it began, so older history is shown as another chain's.
import { MemoryStore } from '@wisp/storage'
import { describe, expect, it } from 'vitest'
import { createCountsSaver, restoreCounts } from '../src/persisted-counts.js'
import { emptyStatus, StatusTracker } from '../src/status.js'

const GENESIS_A = `0x${'aa'.repeat(32)}` as const
const GENESIS_B = `0x${'bb'.repeat(32)}` as const
const tracker = () =>
  new StatusTracker(
    emptyStatus({
      runtime: 'node',
      network: 'unit',
      address: `0x${'11'.repeat(20)}`,
      chainId: 31337,
      attestationCenter: `0x${'22'.repeat(20)}`,
    }),
    { notifyIntervalMs: 0 },
  )

describe('persisted status counters', () => {
  it('continue after a restart on the same chain, and start over on a new genesis', async () => {
    const store = new MemoryStore()
    let now = 1000
    const first = tracker()
    const epochA = await restoreCounts(store, first, 31337, GENESIS_A, () => now)
    expect(epochA.since).toBe(1000)
    first.count('published', 3)
    first.count('included', 2)
    await createCountsSaver(store, first, 31337, GENESIS_A)()
    expect(first.status.countsSavedAt).toBeGreaterThan(0)

    now = 2000
    const restarted = tracker()
    const again = await restoreCounts(store, restarted, 31337, GENESIS_A, () => now)
    expect(again.since).toBe(1000) // the same chain: history since its first start is its own
    expect(restarted.status.counts).toMatchObject({ published: 3, included: 2, received: 0 })
    expect(restarted.status.chain.genesisHash).toBe(GENESIS_A)

    now = 3000
    const reset = tracker()
    const epochB = await restoreCounts(store, reset, 31337, GENESIS_B, () => now)
    expect(epochB.since).toBe(3000) // history recorded before 3000 belongs to the old chain
    expect(reset.status.counts.published).toBe(0)
  })

  it('writes the counters only when they changed since the last save', async () => {
    const store = new MemoryStore()
    const puts: string[] = []
    const put = store.put.bind(store)
    store.put = async (key, value) => {
      puts.push(key)
      return put(key, value)
    }
    const t = tracker()
    await restoreCounts(store, t, 31337, GENESIS_A, () => 1000)
    puts.length = 0
    const save = createCountsSaver(store, t, 31337, GENESIS_A)
    await save()
    await save()
    expect(puts).toHaveLength(1)
    t.count('received')
    await save()
    await save()
    expect(puts).toHaveLength(2)
    const restarted = tracker()
    await restoreCounts(store, restarted, 31337, GENESIS_A, () => 2000)
    expect(restarted.status.counts.received).toBe(1)
  })
})
