// @wisp/storage's KeyValueStore over a Durable Object's storage: slashing protection, history and
// plugin namespaces survive restarts, evictions and redeploys of the object.
//
// Atomicity. A Durable Object is single-threaded and unique, but its storage calls are async, so
// two `update`s of one key started back to back could both read the old value. `update` therefore
// runs under a mutex (one read-modify-write at a time in this object) *and* inside
// `storage.transaction`, so the write commits or rolls back as a whole (a throwing `fn` — e.g. the
// slashing conflict — writes nothing). Durability: workerd's output gate holds every outgoing
// message (the gossiped signature included) until the writes before it are on disk, which is
// exactly the "record before sign" rule of slashing protection.
import { type BatchOp, type KeyValueStore, Mutex, type ScanOptions, StorageError } from '@wisp/storage'
import type { DurableObjectStorage } from './cf.js'

/** scan pages through storage.list in pages of this size */
const SCAN_PAGE = 256

function bytesOf(value: unknown, key: string): Uint8Array {
  if (value instanceof Uint8Array) return value.slice()
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0))
  throw new StorageError('STORAGE_CORRUPT_RECORD', `value of ${key} is not bytes`, { details: { key } })
}

export class DurableObjectStore implements KeyValueStore {
  readonly #storage: DurableObjectStorage
  readonly #prefix: string
  readonly #mutex = new Mutex()
  #closed = false

  /** `prefix` keeps this store's keys apart from the object's own (alarm bookkeeping, identity). */
  constructor(storage: DurableObjectStorage, options: { prefix?: string } = {}) {
    this.#storage = storage
    this.#prefix = options.prefix ?? 'kv:'
  }

  #check(): void {
    if (this.#closed) throw new StorageError('STORAGE_CLOSED', 'store is closed')
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.#check()
    const value = await this.#storage.get(this.#prefix + key)
    return value === undefined ? undefined : bytesOf(value, key)
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    this.#check()
    await this.#storage.put(this.#prefix + key, value.slice())
  }

  async delete(key: string): Promise<void> {
    this.#check()
    await this.#storage.delete(this.#prefix + key)
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    this.#check()
    if (ops.length === 0) return
    // last write of a key wins, as in a sequential application of the ops
    const final = new Map<string, Uint8Array | null>()
    for (const op of ops) final.set(this.#prefix + op.key, op.type === 'put' ? op.value.slice() : null)
    // all or nothing
    await this.#storage.transaction(async (txn) => {
      for (const [key, value] of final) {
        if (value === null) await txn.delete(key)
        else await txn.put(key, value)
      }
    })
  }

  async *scan(options: ScanOptions = {}): AsyncIterable<[string, Uint8Array]> {
    this.#check()
    const prefix = this.#prefix + (options.prefix ?? '')
    let remaining = options.limit ?? Number.POSITIVE_INFINITY
    let cursor: string | undefined
    while (remaining > 0) {
      const page = await this.#storage.list({
        prefix,
        reverse: options.reverse === true,
        limit: Math.min(SCAN_PAGE, remaining),
        ...(cursor === undefined ? {} : options.reverse ? { end: cursor } : { startAfter: cursor }),
      })
      if (page.size === 0) return
      for (const [key, value] of page) {
        yield [key.slice(this.#prefix.length), bytesOf(value, key)]
        cursor = key
        remaining--
      }
      if (page.size < SCAN_PAGE) return
    }
  }

  update(
    key: string,
    fn: (current: Uint8Array | undefined) => Uint8Array | undefined,
  ): Promise<Uint8Array | undefined> {
    return this.#mutex.run(async () => {
      this.#check()
      const full = this.#prefix + key
      return this.#storage.transaction(async (txn) => {
        const raw = await txn.get(full)
        const current = raw === undefined ? undefined : bytesOf(raw, key)
        const next = fn(current?.slice())
        if (next === undefined) return current
        await txn.put(full, next.slice())
        return next.slice()
      })
    })
  }

  async close(): Promise<void> {
    this.#closed = true
  }
}
