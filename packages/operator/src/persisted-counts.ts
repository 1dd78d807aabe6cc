// Status counters that survive a restart or a page reload, kept per chain. A local network that is
// started again is a new chain with the same id: its block 0 has another hash. The first start on
// a new genesis records when it happened, so older history is shown as another chain's rather
// than mixed in, and the counters start from zero.
import { decodeJson, encodeJson, type KeyValueStore } from '@wisp/storage'
import { emptyCounts, STATUS_COUNTERS, type StatusCounter, type StatusTracker } from './status.js'

type Hex = `0x${string}`

interface ChainEpoch {
  chainId: number
  genesisHash: Hex
  /** ms since epoch: when this operator first ran on this genesis */
  since: number
}

const EPOCH_KEY = 'status/epoch'
const countsKey = (chainId: number, genesisHash: Hex) => `status/counts/${chainId}/${genesisHash}`

/**
 * Reads the counters of this chain back into the tracker. Returns the epoch: `since` is when this
 * genesis was first seen (history older than that belongs to a previous chain).
 */
export async function restoreCounts(
  store: KeyValueStore,
  tracker: StatusTracker,
  chainId: number,
  genesisHash: Hex,
  now: () => number,
): Promise<ChainEpoch> {
  const raw = await store.get(EPOCH_KEY)
  let epoch = raw ? (decodeJson(raw) as ChainEpoch) : undefined
  if (epoch === undefined || epoch.chainId !== chainId || epoch.genesisHash !== genesisHash) {
    epoch = { chainId, genesisHash, since: now() }
    await store.put(EPOCH_KEY, encodeJson(epoch))
  }
  const saved = await store.get(countsKey(chainId, genesisHash))
  const counts = saved ? (decodeJson(saved) as Partial<Record<StatusCounter, number>>) : {}
  tracker.update((s) => {
    s.counts = emptyCounts()
    for (const c of STATUS_COUNTERS) if (typeof counts[c] === 'number') s.counts[c] = counts[c]!
    s.chain.genesisHash = genesisHash
  })
  return epoch
}

/**
 * The function that saves the counters (every few seconds, and at stop). Counters that have not
 * changed since the last save are not written again: an idle operator writes nothing to its store.
 * A failed write (a closed or failing store) is tried again by the next save.
 */
export function createCountsSaver(
  store: KeyValueStore,
  tracker: StatusTracker,
  chainId: number,
  genesisHash: Hex,
): () => Promise<void> {
  let saved: string | undefined
  return async () => {
    const at = Date.now()
    const counts = JSON.stringify(tracker.status.counts)
    if (counts !== saved) {
      try {
        // the string just compared is what is stored (encodeJson would serialise it again)
        await store.put(countsKey(chainId, genesisHash), new TextEncoder().encode(counts))
      } catch {
        return
      }
      saved = counts
    }
    tracker.update((s) => {
      s.countsSavedAt = at
    })
  }
}
