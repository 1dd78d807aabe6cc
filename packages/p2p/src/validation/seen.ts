// Content-level duplicate detection. Gossipsub already drops repeats of one message id
// (author + sequence number); this catches the same content published again — a replayed
// attestation, a re-sent task — which would otherwise cost a BLS verification each time.
import { sha256 } from '@noble/hashes/sha2.js'

export class SeenCache {
  readonly #entries = new Map<string, number>()
  readonly #maxEntries: number
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(options: { maxEntries: number; ttlMs: number }, now: () => number) {
    this.#maxEntries = options.maxEntries
    this.#ttlMs = options.ttlMs
    this.#now = now
  }

  static key(topic: string, data: Uint8Array): string {
    const digest = sha256(data)
    let s = `${topic}:`
    for (const b of digest) s += b.toString(16).padStart(2, '0')
    return s
  }

  /** True when the key was already marked and has not expired; marks it otherwise. */
  checkAndMark(key: string): boolean {
    const now = this.#now()
    const at = this.#entries.get(key)
    if (at !== undefined && now - at < this.#ttlMs) return true
    this.#entries.delete(key)
    this.#entries.set(key, now)
    this.#evict(now)
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
    for (const [key, at] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && now - at < this.#ttlMs) break
      this.#entries.delete(key)
    }
  }
}
