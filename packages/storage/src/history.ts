// Attestation history and task outcomes, newest first, for dashboards and for resuming work.
import { StorageError } from './errors.js'
import { decodeJson, encodeJson, type KeyValueStore } from './store.js'

export interface AttestationRecord {
  taskHash: `0x${string}`
  taskDefinitionId: number
  operator: string
  verdict: 'approve' | 'reject' | 'abstain'
  reason?: string
  /** ms since epoch */
  at: number
}

export interface TaskOutcome {
  taskHash: `0x${string}`
  status: 'submitted' | 'rejected' | 'failed'
  txHash?: `0x${string}`
  attesterIds?: number[]
  at: number
}

const ATTESTATIONS = 'history/attestation/'
const OUTCOMES = 'history/outcome/'
/** Keys sort by time: a fixed-width millisecond timestamp, then the task hash to keep them unique. */
const timeKey = (at: number, taskHash: string) =>
  `${String(Math.max(0, Math.floor(at))).padStart(15, '0')}/${taskHash}`

export class History {
  readonly #store: KeyValueStore

  constructor(store: KeyValueStore) {
    this.#store = store
  }

  async addAttestation(record: AttestationRecord): Promise<void> {
    await this.#store.put(`${ATTESTATIONS}${timeKey(record.at, record.taskHash)}`, encodeJson(record))
  }

  async setOutcome(outcome: TaskOutcome): Promise<void> {
    // one outcome per task: the index key lets a later outcome replace the earlier one atomically
    const index = `${OUTCOMES}by-task/${outcome.taskHash}`
    const previous = await this.#store.get(index)
    const ops: Parameters<KeyValueStore['batch']>[0][number][] = []
    if (previous !== undefined) ops.push({ type: 'del', key: new TextDecoder().decode(previous) })
    const key = `${OUTCOMES}by-time/${timeKey(outcome.at, outcome.taskHash)}`
    ops.push({ type: 'put', key, value: encodeJson(outcome) })
    ops.push({ type: 'put', key: index, value: new TextEncoder().encode(key) })
    await this.#store.batch(ops)
  }

  async getOutcome(taskHash: `0x${string}`): Promise<TaskOutcome | undefined> {
    const index = await this.#store.get(`${OUTCOMES}by-task/${taskHash}`)
    if (index === undefined) return undefined
    const bytes = await this.#store.get(new TextDecoder().decode(index))
    return bytes === undefined ? undefined : read<TaskOutcome>(bytes)
  }

  async recentAttestations(limit = 100): Promise<AttestationRecord[]> {
    return this.#collect<AttestationRecord>(ATTESTATIONS, limit)
  }

  async recentOutcomes(limit = 100): Promise<TaskOutcome[]> {
    return this.#collect<TaskOutcome>(`${OUTCOMES}by-time/`, limit)
  }

  async #collect<T>(prefix: string, limit: number): Promise<T[]> {
    const out: T[] = []
    for await (const [, value] of this.#store.scan({ prefix, reverse: true, limit })) out.push(read<T>(value))
    return out
  }
}

function read<T>(bytes: Uint8Array): T {
  try {
    return decodeJson<T>(bytes)
  } catch (cause) {
    throw new StorageError('STORAGE_CORRUPT_RECORD', 'history record is not JSON', { cause })
  }
}
