// When the aggregator submits (docs/architecture.md, "When the aggregator submits"): once the
// threshold is met, it waits for every operator that has been voting recently on the task's
// definition, at most a bound (milliseconds or blocks) counted from the moment the threshold was
// met. A fixed window would make every task pay for the slowest possible voter; submitting at the
// threshold would leave out the regular voters that are a little slower than the rest.

/** Who voted on the last few tasks of each definition. */
export class RecentVoters {
  readonly #recentTasks: number
  /** definition → task hash → its voters; insertion order is finish order */
  readonly #byDefinition = new Map<number, Map<string, Set<number>>>()

  constructor(recentTasks: number) {
    this.#recentTasks = recentTasks
  }

  /** A finished task's voters (both verdicts). */
  record(definitionId: number, task: string, voters: Iterable<number>): void {
    let tasks = this.#byDefinition.get(definitionId)
    if (tasks === undefined) {
      tasks = new Map()
      this.#byDefinition.set(definitionId, tasks)
    }
    const set = tasks.get(task) ?? new Set<number>()
    for (const id of voters) set.add(id)
    tasks.delete(task)
    tasks.set(task, set)
    while (tasks.size > this.#recentTasks) tasks.delete(tasks.keys().next().value as string)
  }

  /**
   * A vote that arrived after its task was submitted: its operator still votes regularly (only
   * too late this time), so the next tasks wait for it. Counts only for a task still remembered.
   */
  late(definitionId: number, task: string, operatorId: number): void {
    this.#byDefinition.get(definitionId)?.get(task)?.add(operatorId)
  }

  /** The operators that voted on any of the last tasks; undefined before the first one finished. */
  of(definitionId: number): Set<number> | undefined {
    const tasks = this.#byDefinition.get(definitionId)
    if (tasks === undefined || tasks.size === 0) return undefined
    const all = new Set<number>()
    for (const voters of tasks.values()) for (const id of voters) all.add(id)
    return all
  }
}

/**
 * One block-number poll for every task waiting on a bound in blocks (instead of a poll each):
 * `until` resolves once the chain's head reaches the target.
 */
export class BlockWatch {
  readonly #getBlockNumber: () => Promise<bigint>
  readonly #pollMs: number
  readonly #waiters = new Set<{ target: bigint; resolve: () => void }>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #polling = false

  constructor(getBlockNumber: () => Promise<bigint>, pollMs: number) {
    this.#getBlockNumber = getBlockNumber
    this.#pollMs = pollMs
  }

  /** Resolves when the head is at `target` or later; `cancel` forgets the waiter (it never resolves). */
  until(target: bigint): { done: Promise<void>; cancel: () => void } {
    let waiter: { target: bigint; resolve: () => void } | undefined
    const done = new Promise<void>((resolve) => {
      waiter = { target, resolve }
    })
    this.#waiters.add(waiter!)
    this.#arm()
    return { done, cancel: () => this.#waiters.delete(waiter!) }
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#waiters.clear()
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#polling || this.#waiters.size === 0) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#poll()
    }, this.#pollMs)
  }

  async #poll(): Promise<void> {
    this.#polling = true
    try {
      const head = await this.#getBlockNumber()
      for (const w of [...this.#waiters]) {
        if (head >= w.target) {
          this.#waiters.delete(w)
          w.resolve()
        }
      }
    } catch {
      // an RPC hiccup: the next poll tries again
    } finally {
      this.#polling = false
      this.#arm()
    }
  }
}
