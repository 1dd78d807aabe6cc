// One interface for verification wherever it runs: inline on the calling thread (workerd, tests)
// or in a pool of workers (Node worker_threads, browser Workers). Both buffer jobs into batches,
// because a batch of n costs one final exponentiation instead of n.
import { clearTimer, setTimer, type TimerHandle } from '@wisp/protocol'
import { BlsError } from './errors.js'
import { PublicKeyCache, type VerifyJob, type VerifyOutcome, verifyJobs } from './jobs.js'

export interface BlsVerifier {
  verify(job: VerifyJob): Promise<VerifyOutcome>
  /** Answers in input order; each job succeeds or fails on its own. */
  verifyMany(jobs: readonly VerifyJob[]): Promise<VerifyOutcome[]>
  /** Jobs accepted but not yet answered. */
  readonly pending: number
  close(): Promise<void>
}

/**
 * Past ~128 signatures the fixed cost of a check (one final exponentiation, ≈6 ms) is already
 * under 5% of the batch, while a bigger batch adds latency and makes bisection after a bad
 * signature costlier.
 */
export const MAX_BATCH_JOBS = 128
/**
 * How long a job waits for companions when every executor is idle. Attestations of one task
 * arrive within a few milliseconds of each other; 5 ms is small next to a verification (≈15 ms).
 */
export const MAX_BATCH_WAIT_MS = 5
/**
 * Back-pressure: beyond this many accepted-but-unanswered jobs (≈20 s of work for one core),
 * `verify` waits for room instead of growing memory without bound.
 */
export const MAX_PENDING_JOBS = 4096

export interface BatchingOptions {
  maxBatchJobs?: number
  maxBatchWaitMs?: number
  maxPendingJobs?: number
}

/** Something that verifies one batch: a worker behind comlink, or the inline function. */
export interface BatchExecutor {
  run(jobs: VerifyJob[]): Promise<VerifyOutcome[]>
  close(): Promise<void>
}

interface Queued {
  job: VerifyJob
  resolve: (outcome: VerifyOutcome) => void
}

export class BatchingVerifier implements BlsVerifier {
  readonly #idle: BatchExecutor[]
  readonly #all: BatchExecutor[]
  readonly #replace: ((failed: BatchExecutor) => BatchExecutor) | undefined
  readonly #queue: Queued[] = []
  readonly #waitingForRoom: Array<() => void> = []
  readonly #maxBatch: number
  readonly #maxWait: number
  readonly #maxPending: number
  #inFlight = 0
  #timer: TimerHandle | undefined
  #closed = false

  constructor(
    executors: BatchExecutor[],
    options: BatchingOptions = {},
    replace?: (failed: BatchExecutor) => BatchExecutor,
  ) {
    if (executors.length === 0)
      throw new BlsError('BLS_EMPTY_INPUT', 'a verifier needs at least one executor')
    this.#all = [...executors]
    this.#idle = [...executors]
    this.#replace = replace
    this.#maxBatch = options.maxBatchJobs ?? MAX_BATCH_JOBS
    this.#maxWait = options.maxBatchWaitMs ?? MAX_BATCH_WAIT_MS
    this.#maxPending = options.maxPendingJobs ?? MAX_PENDING_JOBS
  }

  get pending(): number {
    return this.#queue.length + this.#inFlight
  }

  async verify(job: VerifyJob): Promise<VerifyOutcome> {
    const [outcome] = await this.verifyMany([job])
    return outcome!
  }

  async verifyMany(jobs: readonly VerifyJob[]): Promise<VerifyOutcome[]> {
    while (!this.#closed && this.pending >= this.#maxPending) {
      await new Promise<void>((resolve) => this.#waitingForRoom.push(resolve))
    }
    if (this.#closed) return jobs.map(() => closedOutcome())
    const answers = jobs.map(
      (job) =>
        new Promise<VerifyOutcome>((resolve) => {
          this.#queue.push({ job, resolve })
        }),
    )
    this.#schedule()
    return Promise.all(answers)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer !== undefined) clearTimer(this.#timer)
    for (const q of this.#queue.splice(0)) q.resolve(closedOutcome())
    for (const wake of this.#waitingForRoom.splice(0)) wake()
    await Promise.all(this.#all.map((e) => e.close().catch(() => undefined)))
  }

  #schedule(): void {
    if (this.#queue.length >= this.#maxBatch) {
      this.#dispatch()
    } else if (this.#timer === undefined && this.#queue.length > 0) {
      this.#timer = setTimer(() => {
        this.#timer = undefined
        this.#dispatch()
      }, this.#maxWait)
    }
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0 && !this.#closed) {
      const executor = this.#idle.pop()!
      const batch = this.#queue.splice(0, this.#maxBatch)
      this.#inFlight += batch.length
      void this.#runBatch(executor, batch)
    }
  }

  async #runBatch(executor: BatchExecutor, batch: Queued[]): Promise<void> {
    let outcomes: VerifyOutcome[]
    let next = executor
    try {
      outcomes = await executor.run(batch.map((q) => q.job))
      if (outcomes.length !== batch.length)
        throw new Error(`executor answered ${outcomes.length}/${batch.length}`)
    } catch (cause) {
      const error = new BlsError('BLS_WORKER_FAILED', 'verification worker failed', { cause })
      outcomes = batch.map(() => ({
        ok: false,
        error: { name: error.name, code: error.code, message: `${error.message}: ${String(cause)}` },
      }))
      if (this.#replace !== undefined && !this.#closed) {
        void executor.close().catch(() => undefined)
        next = this.#replace(executor)
        this.#all.splice(this.#all.indexOf(executor), 1, next)
      }
    }
    this.#inFlight -= batch.length
    batch.forEach((q, i) => {
      q.resolve(outcomes[i]!)
    })
    for (const wake of this.#waitingForRoom.splice(0)) wake()
    if (this.#closed) return
    this.#idle.push(next)
    // Jobs that queued while every executor was busy have waited long enough: go now.
    if (this.#queue.length > 0) this.#dispatch()
  }
}

function closedOutcome(): VerifyOutcome {
  return { ok: false, error: { name: 'BlsError', code: 'BLS_POOL_CLOSED', message: 'verifier is closed' } }
}

/** Verifies on the calling thread, still batched: for runtimes without threads (workerd) and tests. */
export function createInlineVerifier(
  options: BatchingOptions & { publicKeyCacheSize?: number } = {},
): BlsVerifier {
  const cache = new PublicKeyCache(options.publicKeyCacheSize)
  const executor: BatchExecutor = {
    // a macrotask boundary so a caller's burst is collected before the (blocking) work starts
    run: (jobs) => new Promise((resolve) => setTimer(() => resolve(verifyJobs(jobs, cache)), 0)),
    close: async () => undefined,
  }
  return new BatchingVerifier([executor], options)
}
