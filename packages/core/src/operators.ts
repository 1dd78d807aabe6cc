// A cached view of the operator set and the network total, refreshed from the chain when stale
// or when someone unknown shows up (rate-limited, so garbage cannot make us hammer the RPC).
import type { Address } from 'viem'
import type { ChainPort, OperatorRecord } from './ports.js'

export interface OperatorViewOptions {
  /** how old the cached set may get before the next lookup refreshes it */
  maxAgeMs: number
  /** at most one refresh per this interval when an unknown operator is looked up */
  unknownRefreshMs: number
}

export const DEFAULT_OPERATOR_VIEW_OPTIONS: OperatorViewOptions = {
  maxAgeMs: 12_000,
  unknownRefreshMs: 2_000,
}

export class OperatorView {
  readonly #chain: ChainPort
  readonly #options: OperatorViewOptions
  readonly #now: () => number
  #byId = new Map<number, OperatorRecord>()
  #byAddress = new Map<string, OperatorRecord>()
  #networkTotal = 0n
  #loadedAt = Number.NEGATIVE_INFINITY
  #lastUnknownRefresh = Number.NEGATIVE_INFINITY
  #inflight: Promise<void> | undefined

  constructor(
    chain: ChainPort,
    options: Partial<OperatorViewOptions> = {},
    components: { now?: () => number } = {},
  ) {
    this.#chain = chain
    this.#options = { ...DEFAULT_OPERATOR_VIEW_OPTIONS, ...options }
    this.#now = components.now ?? Date.now
  }

  /** Reloads now (coalescing concurrent callers). */
  refresh(): Promise<void> {
    this.#inflight ??= (async () => {
      try {
        const [operators, total] = await Promise.all([
          this.#chain.getOperators(),
          this.#chain.getNetworkTotal(),
        ])
        this.#byId = new Map(operators.map((o) => [o.id, o]))
        this.#byAddress = new Map(operators.map((o) => [o.address.toLowerCase(), o]))
        this.#networkTotal = total
        this.#loadedAt = this.#now()
      } finally {
        this.#inflight = undefined
      }
    })()
    return this.#inflight
  }

  async #fresh(): Promise<void> {
    if (this.#now() - this.#loadedAt > this.#options.maxAgeMs) await this.refresh()
  }

  async #retryUnknown(): Promise<boolean> {
    // a reload already under way may bring the newcomer: wait for it rather than answer "unknown"
    if (this.#inflight !== undefined) {
      await this.#inflight
      return true
    }
    if (this.#now() - this.#lastUnknownRefresh < this.#options.unknownRefreshMs) return false
    this.#lastUnknownRefresh = this.#now()
    await this.refresh()
    return true
  }

  async byId(id: number): Promise<OperatorRecord | undefined> {
    await this.#fresh()
    return this.#byId.get(id) ?? ((await this.#retryUnknown()) ? this.#byId.get(id) : undefined)
  }

  async byAddress(address: Address): Promise<OperatorRecord | undefined> {
    await this.#fresh()
    const key = address.toLowerCase()
    return this.#byAddress.get(key) ?? ((await this.#retryUnknown()) ? this.#byAddress.get(key) : undefined)
  }

  async all(): Promise<OperatorRecord[]> {
    await this.#fresh()
    return [...this.#byId.values()].sort((a, b) => a.id - b.id)
  }

  async networkTotal(): Promise<bigint> {
    await this.#fresh()
    return this.#networkTotal
  }
}
