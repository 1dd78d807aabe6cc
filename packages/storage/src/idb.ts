// Browser store on IndexedDB (pages and workers). One object store of key → bytes; `update` runs
// in a single readwrite transaction, which IndexedDB serializes across tabs and workers of the
// same origin — that is what makes slashing protection safe with two tabs open.
import { WispError } from '@wisp/protocol'
import { type IDBPDatabase, openDB } from 'idb'
import { StorageError } from './errors.js'
import { type BatchOp, type KeyValueStore, prefixEnd, type ScanOptions } from './store.js'

const OBJECT_STORE = 'kv'
const SCHEMA_VERSION = 1

export interface IdbStoreOptions {
  /** database name; one per operator profile */
  name: string
}

export class IdbStore implements KeyValueStore {
  readonly #db: IDBPDatabase
  #closed = false

  private constructor(db: IDBPDatabase) {
    this.#db = db
  }

  static async open(options: IdbStoreOptions): Promise<IdbStore> {
    try {
      const db = await openDB(options.name, SCHEMA_VERSION, {
        upgrade(database) {
          if (!database.objectStoreNames.contains(OBJECT_STORE)) database.createObjectStore(OBJECT_STORE)
        },
      })
      return new IdbStore(db)
    } catch (cause) {
      throw new StorageError('STORAGE_BACKEND_FAILED', `cannot open IndexedDB "${options.name}"`, { cause })
    }
  }

  async #guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StorageError('STORAGE_CLOSED', 'store is closed')
    try {
      return await fn()
    } catch (cause) {
      if (cause instanceof WispError) throw cause
      throw new StorageError('STORAGE_BACKEND_FAILED', `IndexedDB ${what} failed`, { cause })
    }
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#guard('get', async () => toBytes(await this.#db.get(OBJECT_STORE, key)))
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.#guard('put', async () => {
      await this.#db.put(OBJECT_STORE, value, key)
    })
  }

  delete(key: string): Promise<void> {
    return this.#guard('delete', () => this.#db.delete(OBJECT_STORE, key))
  }

  batch(ops: readonly BatchOp[]): Promise<void> {
    return this.#guard('batch', async () => {
      const tx = this.#db.transaction(OBJECT_STORE, 'readwrite')
      for (const op of ops) {
        if (op.type === 'put') void tx.store.put(op.value, op.key)
        else void tx.store.delete(op.key)
      }
      await tx.done
    })
  }

  async *scan(options: ScanOptions = {}): AsyncIterable<[string, Uint8Array]> {
    if (this.#closed) throw new StorageError('STORAGE_CLOSED', 'store is closed')
    const range =
      options.prefix === undefined || options.prefix === ''
        ? undefined
        : IDBKeyRange.bound(options.prefix, prefixEnd(options.prefix), false, true)
    // Read a page per transaction: an idb transaction closes while the consumer awaits elsewhere.
    const tx = this.#db.transaction(OBJECT_STORE, 'readonly')
    const rows: Array<[string, Uint8Array]> = []
    let cursor = await tx.store.openCursor(range, options.reverse ? 'prev' : 'next')
    while (cursor !== null && (options.limit === undefined || rows.length < options.limit)) {
      rows.push([String(cursor.key), toBytes(cursor.value)!])
      cursor = await cursor.continue()
    }
    await tx.done
    yield* rows
  }

  update(
    key: string,
    fn: (current: Uint8Array | undefined) => Uint8Array | undefined,
  ): Promise<Uint8Array | undefined> {
    return this.#guard('update', async () => {
      const tx = this.#db.transaction(OBJECT_STORE, 'readwrite')
      try {
        const current = toBytes(await tx.store.get(key))
        const next = fn(current)
        if (next !== undefined) void tx.store.put(next, key)
        await tx.done
        return next ?? current
      } catch (err) {
        try {
          tx.abort()
        } catch {}
        throw err
      }
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#db.close()
  }
}

function toBytes(value: unknown): Uint8Array | undefined {
  if (value === undefined) return undefined
  if (value instanceof Uint8Array) return value
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  throw new StorageError('STORAGE_CORRUPT_RECORD', 'stored value is not bytes')
}
