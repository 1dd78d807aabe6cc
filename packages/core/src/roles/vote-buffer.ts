// Votes that reach the aggregator before their task's gossip: held, bounded, until the task
// arrives (or a grace ends), instead of being dropped. Gossip takes different paths through the
// mesh, so a vote can overtake the task it votes on; an AVS's tasks should not lose it for that.
// Bounded per task and in total; past a bound the oldest vote goes (per task: that task's oldest;
// in total: the oldest task's oldest), so a flood of votes on made-up tasks costs at most the bound.

export interface VoteBufferOptions {
  /** votes held for one task (one per operator and verdict: size it to the operator set) */
  maxPerTask: number
  /** votes held for all tasks together */
  maxTotal: number
}

export const DEFAULT_VOTE_BUFFER_OPTIONS: VoteBufferOptions = { maxPerTask: 1024, maxTotal: 8192 }

interface Held<V> {
  /** when the first vote of the task was buffered (ms) */
  since: number
  /** vote key (operator, verdict) → vote, in arrival order */
  votes: Map<string, V>
}

export class VoteBuffer<V> {
  readonly #options: VoteBufferOptions
  /** insertion order is the order tasks were first buffered: eviction walks from the front */
  readonly #tasks = new Map<string, Held<V>>()
  #total = 0

  constructor(options: VoteBufferOptions) {
    this.#options = options
  }

  /** Votes held, over every task. */
  get size(): number {
    return this.#total
  }

  /** Tasks with votes held. */
  get tasks(): number {
    return this.#tasks.size
  }

  has(task: string): boolean {
    return this.#tasks.has(task)
  }

  /** When the task's first held vote arrived, if any is held. */
  since(task: string): number | undefined {
    return this.#tasks.get(task)?.since
  }

  /**
   * Holds a vote; a second copy of one (same key: gossip re-publication) replaces nothing.
   * Returns how many older votes were evicted to make room.
   */
  add(task: string, key: string, vote: V, now: number): { added: boolean; evicted: number } {
    let held = this.#tasks.get(task)
    if (held === undefined) {
      held = { since: now, votes: new Map() }
      this.#tasks.set(task, held)
    }
    if (held.votes.has(key)) return { added: false, evicted: 0 }
    let evicted = 0
    if (held.votes.size >= this.#options.maxPerTask) {
      held.votes.delete(held.votes.keys().next().value as string)
      this.#total--
      evicted++
    }
    held.votes.set(key, vote)
    this.#total++
    while (this.#total > this.#options.maxTotal) {
      const [oldestTask, oldest] = this.#tasks.entries().next().value as [string, Held<V>]
      oldest.votes.delete(oldest.votes.keys().next().value as string)
      this.#total--
      evicted++
      if (oldest.votes.size === 0) this.#tasks.delete(oldestTask)
    }
    return { added: this.#tasks.get(task)?.votes.has(key) === true, evicted }
  }

  /** Removes and returns the task's votes in arrival order (empty when none are held). */
  take(task: string): V[] {
    const held = this.#tasks.get(task)
    if (held === undefined) return []
    this.#tasks.delete(task)
    this.#total -= held.votes.size
    return [...held.votes.values()]
  }

  clear(): void {
    this.#tasks.clear()
    this.#total = 0
  }
}
