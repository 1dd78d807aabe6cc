// The one storage interface. Small on purpose: string keys ordered lexicographically, byte values,
// atomic batches, prefix scans, and an atomic read-modify-write — enough for slashing protection,
// history and keystores on idb (browsers, workers), LevelDB (Node) and memory (tests).

export type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

export interface ScanOptions {
  /** only keys starting with this prefix */
  prefix?: string
  /** newest-first for time-ordered keys */
  reverse?: boolean
  limit?: number
}

export interface KeyValueStore {
  get(key: string): Promise<Uint8Array | undefined>
  put(key: string, value: Uint8Array): Promise<void>
  delete(key: string): Promise<void>
  /** All or nothing. */
  batch(ops: readonly BatchOp[]): Promise<void>
  scan(options?: ScanOptions): AsyncIterable<[key: string, value: Uint8Array]>
  /**
   * Atomic read-modify-write of one key. `fn` must be synchronous (an idb transaction cannot
   * wait for other work). Return `undefined` to leave the key as it is; `fn` may throw to abort.
   */
  update(
    key: string,
    fn: (current: Uint8Array | undefined) => Uint8Array | undefined,
  ): Promise<Uint8Array | undefined>
  close(): Promise<void>
}

/** Upper bound of a prefix scan: the smallest string greater than every key with the prefix. */
export function prefixEnd(prefix: string): string {
  return `${prefix}\uffff`
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value))
}

export function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T
}
