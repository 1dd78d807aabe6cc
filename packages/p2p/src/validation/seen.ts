// Content-level duplicate detection. Gossipsub already drops repeats of one message id
// (author + sequence number); this catches the same content published again — a replayed
// attestation, a re-sent task — which would otherwise cost a BLS verification each time.
//
// Accepted content is remembered for `ttlMs` (10 min). A copy of it that arrives more than
// `redeliveryAfterMs` (2 s) after we last forwarded it is accepted again without re-verification
// and forwarded: honest attesters re-publish their votes until the task is final, and those copies
// must reach a node that restarted. Copies within the window are duplicates (ignore). Content that
// failed validation is forgotten, so it is judged again next time.
import { sha256 } from '@noble/hashes/sha2.js'

/** What `check` found: never seen (now marked pending), a duplicate, or a redelivery to accept. */
export type SeenState = 'new' | 'duplicate' | 'redeliver'

interface Entry {
  /** when the content was first marked (the TTL runs from here) */
  at: number
  /** last forwarded (accepted); undefined while its first validation is still running */
  forwardedAt: number | undefined
}

export class SeenCache {
  readonly #entries = new Map<string, Entry>()
  readonly #maxEntries: number
  readonly #ttlMs: number
  readonly #redeliveryAfterMs: number
  readonly #now: () => number

  constructor(options: { maxEntries: number; ttlMs: number; redeliveryAfterMs?: number }, now: () => number) {
    this.#maxEntries = options.maxEntries
    this.#ttlMs = options.ttlMs
    this.#redeliveryAfterMs = options.redeliveryAfterMs ?? Number.POSITIVE_INFINITY
    this.#now = now
  }

  static key(topic: string, data: Uint8Array): string {
    const digest = sha256(data)
    let s = `${topic}:`
    for (const b of digest) s += b.toString(16).padStart(2, '0')
    return s
  }

  /**
   * `new`: not seen (or expired); now marked as pending — call {@link accepted} or
   * {@link forget} once judged. `duplicate`: pending, or forwarded within the redelivery window.
   * `redeliver`: accepted before and last forwarded longer ago; counts as forwarded now.
   */
  check(key: string): SeenState {
    const now = this.#now()
    const entry = this.#entries.get(key)
    if (entry !== undefined && now - entry.at < this.#ttlMs) {
      if (entry.forwardedAt === undefined || now - entry.forwardedAt < this.#redeliveryAfterMs) {
        return 'duplicate'
      }
      entry.forwardedAt = now
      return 'redeliver'
    }
    this.#entries.delete(key)
    this.#entries.set(key, { at: now, forwardedAt: undefined })
    this.#evict(now)
    return 'new'
  }

  /** Marks content as accepted and forwarded now (also used for our own publications). */
  accepted(key: string): void {
    const now = this.#now()
    const entry = this.#entries.get(key)
    if (entry !== undefined && now - entry.at < this.#ttlMs) {
      entry.forwardedAt = now
      return
    }
    this.#entries.delete(key)
    this.#entries.set(key, { at: now, forwardedAt: now })
    this.#evict(now)
  }

  /**
   * The old single-step form: true when the key was already marked and has not expired (whatever
   * its redelivery state); marks it as accepted otherwise.
   */
  checkAndMark(key: string): boolean {
    const now = this.#now()
    const entry = this.#entries.get(key)
    if (entry !== undefined && now - entry.at < this.#ttlMs) return true
    this.accepted(key)
    return false
  }

  /** Forgets a key, e.g. when the message it marked turned out invalid. */
  forget(key: string): void {
    this.#entries.delete(key)
  }

  get size(): number {
    return this.#entries.size
  }

  #evict(now: number): void {
    // Map order is insertion order: the oldest entries come first.
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && now - entry.at < this.#ttlMs) break
      this.#entries.delete(key)
    }
  }
}
