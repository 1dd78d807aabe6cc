// In-memory store: unit tests only (nothing survives the process).
import { StorageError } from './errors.js'
import type { BatchOp, KeyValueStore, ScanOptions } from './store.js'

export class MemoryStore implements KeyValueStore {
  readonly #data = new Map<string, Uint8Array>()
  #closed = false

  #check(): void {
    if (this.#closed) throw new StorageError('STORAGE_CLOSED', 'store is closed')
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.#check()
    const v = this.#data.get(key)
    return v === undefined ? undefined : v.slice()
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    this.#check()
    this.#data.set(key, value.slice())
  }

  async delete(key: string): Promise<void> {
    this.#check()
    this.#data.delete(key)
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    this.#check()
    for (const op of ops) {
      if (op.type === 'put') this.#data.set(op.key, op.value.slice())
      else this.#data.delete(op.key)
    }
  }

  async *scan(options: ScanOptions = {}): AsyncIterable<[string, Uint8Array]> {
    this.#check()
    const prefix = options.prefix ?? ''
    const keys = [...this.#data.keys()].filter((k) => k.startsWith(prefix)).sort()
    if (options.reverse) keys.reverse()
    let n = 0
    for (const key of keys) {
      if (options.limit !== undefined && n++ >= options.limit) return
      const value = this.#data.get(key)
      if (value !== undefined) yield [key, value.slice()]
    }
  }

  async update(
    key: string,
    fn: (current: Uint8Array | undefined) => Uint8Array | undefined,
  ): Promise<Uint8Array | undefined> {
    this.#check()
    const next = fn(this.#data.get(key)?.slice())
    if (next !== undefined) this.#data.set(key, next.slice())
    return next ?? this.#data.get(key)?.slice()
  }

  async close(): Promise<void> {
    this.#closed = true
  }
}
