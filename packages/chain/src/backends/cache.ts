// Operators, totals and task definitions, cached and reloaded when the chain says they changed:
// a poll at the client's interval asks for the watched contracts' logs since the last look
// (eth_getLogs by block range, so nothing is lost between two looks), and any event that can change
// them marks the snapshot stale. Unknown events count as changes (a real deployment may name its
// setters differently); only task outcomes of ordinary definitions and reward/payment bookkeeping
// are ignored. A long max-age reload is the safety net. Reads never wait on the watch loop.
import { attestationCenterAbi } from '@wisp/contracts'
import { type AbiEvent, type Hex, type Log, toEventSelector } from 'viem'
import { getBlockNumber, getLogs } from 'viem/actions'
import { parseTaskEvents } from '../actions/events.js'
import { isInternalTaskDefinition, type OperatorRecord, type TaskDefinitionRecord } from '../actions/read.js'
import { type ChainError, toChainError } from '../errors.js'
import type { AnyClient } from '../transact.js'
import { othenticAttestationCenterAbi } from './othentic-abi.js'
import type { ChainBackend } from './types.js'

/** Ten minutes: events do the work; this only bounds how long a missed one could go unnoticed. */
export const DEFAULT_CACHE_MAX_AGE_MS = 600_000

export interface ChainCacheOptions {
  /** reload a snapshot older than this even without an event (0: reload on every read) */
  maxAgeMs: number
  /** how often to look for events; default the client's pollingInterval */
  watchIntervalMs?: number
  /** false: no event watching (max-age and explicit refreshes only) */
  watch?: boolean
  now?: () => number
  /** a failed look for events (the snapshot is then treated as stale) */
  onError?: (error: ChainError) => void
}

export interface ChainSnapshot {
  operators: OperatorRecord[]
  byId: ReadonlyMap<number, OperatorRecord>
  /** lower-case address → operator */
  byAddress: ReadonlyMap<string, OperatorRecord>
  networkTotal: bigint
  definitions: ReadonlyMap<number, TaskDefinitionRecord>
  /** `now()` when it was read */
  loadedAt: number
}

export interface ChainCache {
  readonly backend: ChainBackend
  /**
   * The snapshot, reloaded first when stale (an event, the max age). When that reload fails and
   * an older snapshot exists, the older one is served (and a reload is tried again later).
   */
  get(): Promise<ChainSnapshot>
  /** reload now; concurrent callers share one reload; throws on failure */
  refresh(): Promise<ChainSnapshot>
  /** reloads done so far (for tests and metrics) */
  readonly loads: number
  /** stop watching for events */
  close(): void
}

// Events that change nothing a snapshot holds: reward and payment bookkeeping.
const IGNORED_TOPICS: ReadonlySet<Hex> = new Set(
  [
    ...othenticAttestationCenterAbi.filter((i) => i.type === 'event' && i.name === 'RewardAccumulated'),
    ...attestationCenterAbi.filter(
      (i) =>
        i.type === 'event' &&
        (i.name === 'PaymentRequested' || i.name === 'PaymentsRequested' || i.name === 'ChallengerRewarded'),
    ),
  ].map((e) => toEventSelector(e as AbiEvent)),
)

/** Can this log of a watched contract change operators, totals or definitions? */
export function affectsChainSnapshot(log: Log, backend: Pick<ChainBackend, 'attestationCenter'>): boolean {
  const topic = log.topics[0]
  if (topic === undefined) return true
  if (IGNORED_TOPICS.has(topic)) return false
  const [outcome] = parseTaskEvents([log], backend.attestationCenter)
  // internal tasks sync voting power (10001) and refresh definition totals (10002)
  if (outcome !== undefined) return outcome.isApproved && isInternalTaskDefinition(outcome.taskDefinitionId)
  return true
}

export function createChainCache(
  client: AnyClient,
  backend: ChainBackend,
  options: ChainCacheOptions,
): ChainCache {
  const now = options.now ?? Date.now
  const intervalMs = Math.max(10, options.watchIntervalMs ?? client.pollingInterval ?? 4_000)
  let snapshot: ChainSnapshot | undefined
  let stale = true
  let loads = 0
  let inflight: Promise<ChainSnapshot> | undefined
  let retryAt = Number.NEGATIVE_INFINITY
  // next block the watch loop scans; undefined until a load fixes where to start
  let next: bigint | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let watching = false
  let closed = false

  const load = (): Promise<ChainSnapshot> => {
    inflight ??= (async () => {
      try {
        // the watch starts at the block the load starts at: an event in it at worst reloads once more
        const block = await getBlockNumber(client, { cacheTime: 0 }).catch((err: unknown) => {
          throw toChainError(err, { functionName: 'eth_blockNumber' })
        })
        next ??= block
        stale = false
        const [operators, networkTotal, definitions] = await Promise.all([
          backend.getOperators(),
          backend.getNetworkTotal(),
          backend.getTaskDefinitions(),
        ])
        loads += 1
        snapshot = {
          operators,
          byId: new Map(operators.map((o) => [o.id, o])),
          byAddress: new Map(operators.map((o) => [o.address.toLowerCase(), o])),
          networkTotal,
          definitions: new Map(definitions.map((d) => [d.id, d])),
          loadedAt: now(),
        }
        return snapshot
      } catch (err) {
        stale = true
        retryAt = now() + intervalMs
        throw err
      } finally {
        inflight = undefined
      }
    })()
    return inflight
  }

  const tick = async () => {
    try {
      if (next === undefined) return
      const latest = await getBlockNumber(client, { cacheTime: 0 })
      if (latest + 1n < next) {
        // the chain went back (a reorg, a dev chain reverted): what was read may be gone
        stale = true
        next = latest + 1n
        return
      }
      if (latest < next) return
      const logs = await getLogs(client, { address: [...backend.watched], fromBlock: next, toBlock: latest })
      if ((logs as Log[]).some((log) => affectsChainSnapshot(log, backend))) stale = true
      next = latest + 1n
    } catch (err) {
      // a range too wide, a lost RPC: start over from the next load, which a stale snapshot forces
      stale = true
      next = undefined
      options.onError?.(toChainError(err, { functionName: 'eth_getLogs (cache watch)' }))
    } finally {
      schedule()
    }
  }
  const schedule = () => {
    if (closed) return
    timer = setTimeout(() => void tick(), intervalMs)
    // the watch alone must not keep a process alive (Node); browsers have no unref
    ;(timer as { unref?: () => void }).unref?.()
  }
  const startWatching = () => {
    if (watching || closed || options.watch === false) return
    watching = true
    schedule()
  }

  return {
    backend,
    get loads() {
      return loads
    },
    async get() {
      startWatching()
      const old = snapshot
      // maxAgeMs 0: every read reloads (live reads, e.g. for tests that change the chain and read back)
      const due = stale || old === undefined || now() - old.loadedAt >= options.maxAgeMs
      if (!due) return old
      if (old !== undefined && now() < retryAt && inflight === undefined) return old
      try {
        return await load()
      } catch (err) {
        if (old !== undefined) return old
        throw err
      }
    },
    refresh() {
      startWatching()
      return load()
    },
    close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
    },
  }
}
