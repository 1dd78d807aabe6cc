// A token bucket per key (the author's peer id): `messages` tokens refilled evenly over
// `intervalMs`. Bounded, so a flood of fresh peer ids cannot grow memory without limit.

const MAX_TRACKED_KEYS = 4096

interface Bucket {
  tokens: number
  at: number
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>()
  readonly #capacity: number
  readonly #refillPerMs: number
  readonly #now: () => number

  constructor(options: { messages: number; intervalMs: number }, now: () => number) {
    this.#capacity = options.messages
    this.#refillPerMs = options.messages / options.intervalMs
    this.#now = now
  }

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean {
    const now = this.#now()
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now }
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.at) * this.#refillPerMs)
    bucket.at = now
    const allowed = bucket.tokens >= 1
    if (allowed) bucket.tokens -= 1
    this.#buckets.delete(key)
    this.#buckets.set(key, bucket)
    if (this.#buckets.size > MAX_TRACKED_KEYS) this.#buckets.delete(this.#buckets.keys().next().value!)
    return allowed
  }
}
