/** A set that forgets its oldest entries past a capacity: dedupe without unbounded memory. */
export class BoundedSet<T> {
  readonly #items = new Set<T>()
  readonly #capacity: number

  constructor(capacity: number) {
    this.#capacity = capacity
  }

  has(item: T): boolean {
    return this.#items.has(item)
  }

  /** Adds; returns false if it was already there. */
  add(item: T): boolean {
    if (this.#items.has(item)) return false
    this.#items.add(item)
    if (this.#items.size > this.#capacity) this.#items.delete(this.#items.values().next().value as T)
    return true
  }
}
