// Operators, totals and task definitions, cached and reloaded when the chain says they changed:
// a poll at the client's interval asks for the watched contracts' logs since the last look
// (eth_getLogs by block range, so nothing is lost between two looks), and any event that can change
// them marks the snapshot stale. Unknown events count as changes (a real deployment may name its
// setters differently); only task outcomes of ordinary definitions and reward/payment bookkeeping
// are ignored. A long max-age reload is the safety net. Reads never wait on the watch loop.
// The same look serves everyone else who follows the chain (`onLogs`, `head`): an operator's task
// outcomes and its status read no RPC of their own, so an idle node asks one eth_blockNumber per
// interval, and eth_getLogs only when a block came (a thousand light peers on one RPC, or a
// browser on a rate-limited public one, would otherwise spend it on three separate polls).
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
/** blocks asked of eth_getLogs in one look (public RPCs refuse wider ranges, some above 1 000) */
const MAX_LOG_RANGE = 1_000n

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

/** The chain head as the watch (or a load) last read it. */
export interface ChainHead {
  block: bigint
  /** `now()` when it was read */
  at: number
  /** read within two watch intervals: the watch is running and reaching the RPC */
  fresh: boolean
}

/** Logs of the watched contracts in one look, in block order: `fromBlock`..`toBlock` inclusive. */
export type ChainLogsListener = (logs: Log[], range: { fromBlock: bigint; toBlock: bigint }) => void

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
  /**
   * Every log of the watched contracts from the first load on, each block range once, in order
   * (starts the watch). A failed look is retried from where it stopped, so none is skipped. Returns
   * the function that stops listening.
   */
  onLogs(listener: ChainLogsListener): () => void
  /** the last head read (by the watch or a load), or undefined before the first */
  head(): ChainHead | undefined
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
  let lastHead: { block: bigint; at: number } | undefined
  let range = MAX_LOG_RANGE
  let catchingUp = false
  const listeners = new Set<ChainLogsListener>()
  const sawHead = (block: bigint) => {
    lastHead = { block, at: now() }
  }

  const load = (): Promise<ChainSnapshot> => {
    inflight ??= (async () => {
      try {
        // the watch starts at the block the load starts at: an event in it at worst reloads once more
        const block = await getBlockNumber(client, { cacheTime: 0 }).catch((err: unknown) => {
          throw toChainError(err, { functionName: 'eth_blockNumber' })
        })
        next ??= block
        sawHead(block)
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
    catchingUp = false
    try {
      if (next === undefined) return
      const latest = await getBlockNumber(client, { cacheTime: 0 })
      sawHead(latest)
      if (latest + 1n < next) {
        // the chain went back (a reorg, a dev chain reverted): what was read may be gone
        stale = true
        next = latest + 1n
        return
      }
      if (latest < next) return
      // after an outage the range may be long: take it in pieces an RPC accepts
      const fromBlock = next
      const toBlock = latest - fromBlock >= range ? fromBlock + range - 1n : latest
      const logs = (await getLogs(client, { address: [...backend.watched], fromBlock, toBlock }).catch(
        (err: unknown) => {
          // maybe a range this RPC refuses: ask for less from now on
          if (range > 1n) range /= 2n
          throw err
        },
      )) as Log[]
      if (logs.some((log) => affectsChainSnapshot(log, backend))) stale = true
      next = toBlock + 1n
      catchingUp = toBlock < latest
      for (const listener of listeners) {
        try {
          listener(logs, { fromBlock, toBlock })
        } catch {
          // a listener's own failure is its business; the others still hear
        }
      }
    } catch (err) {
      // a lost RPC, a refused range: the snapshot may have missed a change (reload on the next
      // read); the next look starts where this one did, so the listeners miss no block
      stale = true
      options.onError?.(toChainError(err, { functionName: 'eth_getLogs (cache watch)' }))
    } finally {
      schedule()
    }
  }
  const schedule = () => {
    if (closed) return
    // behind after an outage: the next piece at once
    timer = setTimeout(() => void tick(), catchingUp ? 0 : intervalMs)
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
    onLogs(listener) {
      listeners.add(listener)
      startWatching()
      // the watch starts from the first load's block: make sure there is one
      if (next === undefined && inflight === undefined) void load().catch(() => undefined)
      return () => {
        listeners.delete(listener)
      }
    },
    head: () =>
      lastHead === undefined ? undefined : { ...lastHead, fresh: now() - lastHead.at < 2 * intervalMs },
    close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
    },
  }
}
