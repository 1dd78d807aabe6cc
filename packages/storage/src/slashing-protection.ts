// Slashing protection: before any vote is signed, (operator, taskHash, verdict) is recorded
// atomically, and the opposite verdict of a recorded task is refused — forever, across restarts,
// tabs and imports. Signing both verdicts of one task is exactly what double-attestation slashing
// punishes (docs/protocol.md §3).
import { StorageError } from './errors.js'
import { decodeJson, encodeJson, type KeyValueStore } from './store.js'

export type Verdict = 'approve' | 'reject'

interface StoredVote {
  /** 'both' only arises from an import that shows both verdicts were signed elsewhere: sign nothing more. */
  verdict: Verdict | 'both'
  recordedAt: number
}

export interface SlashingRecord {
  operator: string
  taskHash: `0x${string}`
  verdict: Verdict | 'both'
  recordedAt: number
}

/** The JSON interchange file. */
export interface SlashingInterchange {
  kind: 'wisp-slashing-protection'
  version: 1
  records: SlashingRecord[]
}

const PREFIX = 'slashing/'
const HASH_RE = /^0x[0-9a-f]{64}$/

function keyOf(operator: string, taskHash: string): string {
  return `${PREFIX}${operator.toLowerCase()}/${taskHash.toLowerCase()}`
}

function checkTaskHash(taskHash: string): void {
  if (!HASH_RE.test(taskHash.toLowerCase())) {
    throw new StorageError('STORAGE_CORRUPT_RECORD', 'taskHash must be 32 bytes of 0x-hex', {
      details: { taskHash },
    })
  }
}

export class SlashingProtection {
  readonly #store: KeyValueStore
  readonly #now: () => number

  constructor(store: KeyValueStore, components: { now?: () => number } = {}) {
    this.#store = store
    this.#now = components.now ?? Date.now
  }

  /**
   * Records the intent to sign `verdict` and resolves when it is durable. Signing the same verdict
   * again is allowed (re-broadcast after a restart); the opposite throws SLASHING_CONFLICT.
   */
  async recordVote(operator: string, taskHash: `0x${string}`, verdict: Verdict): Promise<void> {
    checkTaskHash(taskHash)
    await this.#store.update(keyOf(operator, taskHash), (current) => {
      if (current === undefined) return encodeJson({ verdict, recordedAt: this.#now() } satisfies StoredVote)
      const stored = readVote(current)
      if (stored.verdict === verdict) return undefined
      throw new StorageError(
        'SLASHING_CONFLICT',
        `operator ${operator} already signed ${stored.verdict} for ${taskHash}`,
        {
          details: { operator, taskHash, recorded: stored.verdict, requested: verdict },
        },
      )
    })
  }

  async getVote(operator: string, taskHash: `0x${string}`): Promise<Verdict | 'both' | undefined> {
    const bytes = await this.#store.get(keyOf(operator, taskHash))
    return bytes === undefined ? undefined : readVote(bytes).verdict
  }

  async export(): Promise<SlashingInterchange> {
    const records: SlashingRecord[] = []
    for await (const [key, value] of this.#store.scan({ prefix: PREFIX })) {
      const [operator, taskHash] = key.slice(PREFIX.length).split('/')
      const vote = readVote(value)
      records.push({ operator: operator!, taskHash: taskHash as `0x${string}`, ...vote })
    }
    return { kind: 'wisp-slashing-protection', version: 1, records }
  }

  /**
   * Merges an interchange file. Never weakens protection: a task recorded with one verdict here and
   * the other in the file becomes 'both' (nothing more will be signed for it). Validates the whole
   * file before writing anything.
   */
  async import(file: unknown): Promise<{ imported: number; merged: number }> {
    const records = parseInterchange(file)
    let imported = 0
    let merged = 0
    for (const record of records) {
      await this.#store.update(keyOf(record.operator, record.taskHash), (current) => {
        if (current === undefined) {
          imported++
          return encodeJson({ verdict: record.verdict, recordedAt: record.recordedAt } satisfies StoredVote)
        }
        const stored = readVote(current)
        if (stored.verdict === record.verdict || stored.verdict === 'both') return undefined
        merged++
        return encodeJson({ verdict: 'both', recordedAt: Math.min(stored.recordedAt, record.recordedAt) })
      })
    }
    return { imported, merged }
  }
}

function readVote(bytes: Uint8Array): StoredVote {
  let value: unknown
  try {
    value = decodeJson(bytes)
  } catch (cause) {
    throw new StorageError('STORAGE_CORRUPT_RECORD', 'slashing-protection record is not JSON', { cause })
  }
  const v = value as Partial<StoredVote>
  if (
    !(v.verdict === 'approve' || v.verdict === 'reject' || v.verdict === 'both') ||
    typeof v.recordedAt !== 'number'
  ) {
    throw new StorageError('STORAGE_CORRUPT_RECORD', 'slashing-protection record has an unexpected shape')
  }
  return { verdict: v.verdict, recordedAt: v.recordedAt }
}

function parseInterchange(file: unknown): SlashingRecord[] {
  const f = file as Partial<SlashingInterchange> | null
  if (typeof f !== 'object' || f === null || f.kind !== 'wisp-slashing-protection') {
    throw new StorageError('STORAGE_UNSUPPORTED_FORMAT', 'not a wisp-slashing-protection file')
  }
  if (f.version !== 1) {
    throw new StorageError(
      'STORAGE_UNSUPPORTED_FORMAT',
      `unsupported interchange version ${String(f.version)}`,
    )
  }
  if (!Array.isArray(f.records)) throw new StorageError('STORAGE_CORRUPT_RECORD', 'records must be an array')
  return f.records.map((r, i) => {
    const rec = r as Partial<SlashingRecord>
    if (
      typeof rec?.operator !== 'string' ||
      rec.operator.length === 0 ||
      rec.operator.includes('/') ||
      typeof rec.taskHash !== 'string' ||
      !HASH_RE.test(rec.taskHash.toLowerCase()) ||
      !(rec.verdict === 'approve' || rec.verdict === 'reject' || rec.verdict === 'both') ||
      typeof rec.recordedAt !== 'number'
    ) {
      throw new StorageError('STORAGE_CORRUPT_RECORD', `interchange record ${i} is malformed`, {
        details: { index: i },
      })
    }
    return {
      operator: rec.operator.toLowerCase(),
      taskHash: rec.taskHash.toLowerCase() as `0x${string}`,
      verdict: rec.verdict,
      recordedAt: rec.recordedAt,
    }
  })
}
