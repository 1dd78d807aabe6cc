/** Serializes async critical sections in one JS realm (backends without transactions). */
export class Mutex {
  #tail: Promise<void> = Promise.resolve()

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(fn)
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}
