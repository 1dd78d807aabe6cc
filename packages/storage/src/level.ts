/// <reference types="node" />
// Durable embedded store for Node on LevelDB (classic-level): a write-ahead log makes every
// acknowledged write survive a crash, batches are atomic, and a lock file keeps a second
// process out of the same directory.
import { WispError } from '@wisp/protocol'
import { ClassicLevel } from 'classic-level'
import { StorageError } from './errors.js'
import { Mutex } from './mutex.js'
import { type BatchOp, type KeyValueStore, prefixEnd, type ScanOptions } from './store.js'

export interface LevelStoreOptions {
  /** directory of the database; created when missing */
  path: string
  /**
   * fsync each write before acknowledging it. On by default: a slashing-protection record that a
   * power cut could lose is worse than a few milliseconds per vote.
   */
  sync?: boolean
}

export class LevelStore implements KeyValueStore {
  readonly #db: ClassicLevel<string, Uint8Array>
  readonly #sync: boolean
  // LevelDB has no read-modify-write transaction; one process owns the directory (lock file), so
  // an in-process mutex makes `update` atomic against every other writer.
  readonly #writes = new Mutex()

  private constructor(db: ClassicLevel<string, Uint8Array>, sync: boolean) {
    this.#db = db
    this.#sync = sync
  }

  static async open(options: LevelStoreOptions): Promise<LevelStore> {
    const db = new ClassicLevel<string, Uint8Array>(options.path, {
      keyEncoding: 'utf8',
      valueEncoding: 'view',
    })
    try {
      await db.open()
    } catch (cause) {
      throw new StorageError('STORAGE_BACKEND_FAILED', `cannot open LevelDB at ${options.path}`, {
        cause,
        details: { path: options.path },
      })
    }
    return new LevelStore(db, options.sync ?? true)
  }

  async #guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.#db.status !== 'open') throw new StorageError('STORAGE_CLOSED', 'store is closed')
    try {
      return await fn()
    } catch (cause) {
      // errors of our own (a refused slashing-protection update) pass through unchanged
      if (cause instanceof WispError) throw cause
      throw new StorageError('STORAGE_BACKEND_FAILED', `LevelDB ${what} failed`, { cause })
    }
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#guard('get', async () => (await this.#db.get(key)) ?? undefined)
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.#writes.run(() => this.#guard('put', () => this.#db.put(key, value, { sync: this.#sync })))
  }

  delete(key: string): Promise<void> {
    return this.#writes.run(() => this.#guard('delete', () => this.#db.del(key, { sync: this.#sync })))
  }

  batch(ops: readonly BatchOp[]): Promise<void> {
    return this.#writes.run(() =>
      this.#guard('batch', () =>
        this.#db.batch(
          ops.map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: op.value } : op)),
          { sync: this.#sync },
        ),
      ),
    )
  }

  async *scan(options: ScanOptions = {}): AsyncIterable<[string, Uint8Array]> {
    if (this.#db.status !== 'open') throw new StorageError('STORAGE_CLOSED', 'store is closed')
    const range =
      options.prefix === undefined || options.prefix === ''
        ? {}
        : { gte: options.prefix, lt: prefixEnd(options.prefix) }
    const iterator = this.#db.iterator({
      ...range,
      reverse: options.reverse ?? false,
      limit: options.limit ?? -1,
    })
    try {
      for await (const [key, value] of iterator) yield [key, value]
    } finally {
      await iterator.close()
    }
  }

  update(
    key: string,
    fn: (current: Uint8Array | undefined) => Uint8Array | undefined,
  ): Promise<Uint8Array | undefined> {
    return this.#writes.run(() =>
      this.#guard('update', async () => {
        const current = (await this.#db.get(key)) ?? undefined
        const next = fn(current)
        if (next === undefined) return current
        await this.#db.put(key, next, { sync: this.#sync })
        return next
      }),
    )
  }

  async close(): Promise<void> {
    if (this.#db.status === 'open' || this.#db.status === 'opening') await this.#db.close()
  }
}
