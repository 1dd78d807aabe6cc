// The chain check of TaskSubmitted announcements: results cached per (taskId, txHash, performer),
// so a repeated claim costs no second RPC call, identical concurrent claims share one call, and
// at most `maxPending` calls are outstanding (a flood of made-up hashes cannot hold more RPC
// connections open than that; beyond it a claim is ignored `busy`, unforwarded and unpunished —
// an honest aggregator's announcement only saves the others a chain read of their own).
import type { AnnouncedOutcome, OutcomeCheck, TaskOutcomeChecker } from '@wisp/interface'

export class OutcomeCache {
  readonly #results = new Map<string, OutcomeCheck>()
  readonly #inflight = new Map<string, Promise<OutcomeCheck>>()
  readonly #maxEntries: number
  readonly #maxPending: number

  constructor(options: { cacheEntries: number; maxPending: number }) {
    this.#maxEntries = options.cacheEntries
    this.#maxPending = options.maxPending
  }

  /**
   * The chain's answer (`cached: true` when no call was made), or 'busy' when too many checks are
   * outstanding. `unknown` answers are not cached (the next claim asks again); a checker that
   * throws counts as `unknown` (our failure, never the peer's).
   */
  async check(
    checker: TaskOutcomeChecker,
    claim: AnnouncedOutcome,
  ): Promise<{ result: OutcomeCheck; cached: boolean } | 'busy'> {
    const key = `${claim.taskHash.toLowerCase()}|${claim.txHash.toLowerCase()}|${claim.performer.toLowerCase()}`
    const known = this.#results.get(key)
    if (known !== undefined) return { result: known, cached: true }
    const running = this.#inflight.get(key)
    if (running !== undefined) return { result: await running, cached: true }
    if (this.#inflight.size >= this.#maxPending) return 'busy'

    const call = checker.checkTaskOutcome(claim).catch((): OutcomeCheck => ({ status: 'unknown' }))
    this.#inflight.set(key, call)
    try {
      const result = await call
      if (result.status !== 'unknown') {
        this.#results.set(key, result)
        if (this.#results.size > this.#maxEntries) this.#results.delete(this.#results.keys().next().value!)
      }
      return { result, cached: false }
    } finally {
      this.#inflight.delete(key)
    }
  }

  get pending(): number {
    return this.#inflight.size
  }
}
