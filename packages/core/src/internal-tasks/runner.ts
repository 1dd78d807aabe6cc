// The aggregator's internal tasks (Othentic's `--internal-tasks`): once shortly after start and then
// every interval, asks the chain what differs — voting powers first (10001), then the definition
// totals (10002), which depend on them — and, only when something does, performs the internal task
// itself and gossips it like any task: attesters check its data against the chain and vote, and
// the aggregator role submits it. 10002 is planned only after 10001 has an outcome (or timed out),
// so it is computed from the synced voting powers.
import { DOMAIN_TASKS, type PerformerSignature, readWord, type TaskInfo, taskHash } from '@wisp/protocol'
import { hexToBytes } from 'viem'
import { CoreError } from '../errors.js'
import type { EventBus } from '../events.js'
import type { OperatorView } from '../operators.js'
import type { BlsSignerPort, EcdsaSignerPort, GossipPort, Logger, MetricsPort } from '../ports.js'
import { publishTask } from '../roles/publish.js'
import type { Republisher } from '../roles/republisher.js'
import { DEFINITION_TOTALS_TASK, type InternalTasksPort, VOTING_POWER_SYNC_TASK } from './port.js'

type Address = `0x${string}`
type Hex = `0x${string}`

export interface InternalTaskOptions {
  /** the aggregator's operator address: the internal tasks' performer */
  operatorAddress: Address
  /** Othentic's default: an hour */
  intervalMs: number
  /** the first run, after start: the gossip mesh needs a moment to form */
  firstRunDelayMs: number
  /** a run whose chain read failed or whose task no peer received is tried again this much later */
  retryMs: number
  /** how long to wait for an internal task's submission before going on without it */
  outcomeTimeoutMs: number
  /** how the aggregator signs as the tasks' performer (ECDSA works with every submitTask overload) */
  signatureType: 'ecdsa' | 'bls'
}

export const DEFAULT_INTERNAL_TASK_OPTIONS: Omit<InternalTaskOptions, 'operatorAddress' | 'signatureType'> = {
  intervalMs: 3_600_000,
  firstRunDelayMs: 10_000,
  retryMs: 30_000,
  outcomeTimeoutMs: 5 * 60_000,
}

export interface InternalTaskComponents {
  internalTasks: InternalTasksPort
  gossip: GossipPort
  operators: OperatorView
  events: EventBus
  logger: Logger
  metrics: MetricsPort
  ecdsa?: EcdsaSignerPort
  bls?: BlsSignerPort
  republisher?: Republisher
}

/** One internal task of a run, and what became of it. */
export interface InternalTaskRun {
  taskDefinitionId: number
  result:
    | 'in-sync'
    | 'unsupported'
    | 'not-an-operator'
    | 'submitted'
    | 'rejected'
    | 'failed'
    | 'timeout'
    /** the chain could not be read, or no peer received the task: tried again after `retryMs` */
    | 'undelivered'
  taskHash?: Hex
  /** operator ids (10001) or definition ids (10002) the task changes */
  ids?: number[]
  txHash?: Hex
  reason?: string
}

export class InternalTaskRunner {
  readonly #options: InternalTaskOptions
  readonly #c: InternalTaskComponents
  #timers: Array<ReturnType<typeof setTimeout>> = []
  #running: Promise<InternalTaskRun[]> | undefined
  #stopping = new AbortController()
  /** `unsupported` is said once, not every hour */
  readonly #told = new Set<number>()

  constructor(options: InternalTaskOptions, components: InternalTaskComponents) {
    if (!(Number.isSafeInteger(options.intervalMs) && options.intervalMs > 0))
      throw new CoreError(
        'ENGINE_INVALID_OPTIONS',
        'internal task option intervalMs must be a positive integer',
      )
    if (options.signatureType === 'ecdsa' && components.ecdsa === undefined)
      throw new CoreError('ENGINE_INVALID_OPTIONS', 'ECDSA-signed internal tasks need an ECDSA signer')
    if (options.signatureType === 'bls' && components.bls === undefined)
      throw new CoreError('ENGINE_INVALID_OPTIONS', 'BLS-signed internal tasks need a BLS signer')
    this.#options = options
    this.#c = components
  }

  start(): void {
    this.#stopping = new AbortController()
    let retry: ReturnType<typeof setTimeout> | undefined
    const run = () =>
      void this.runOnce().then(
        (runs) => {
          // started before its peers, or an RPC blip: not an hour's wait
          if (retry !== undefined || this.#stopping.signal.aborted) return
          if (!runs.some((r) => r.result === 'undelivered')) return
          retry = setTimeout(() => {
            retry = undefined
            run()
          }, this.#options.retryMs)
          this.#timers.push(retry)
        },
        (e) => this.#c.logger.warn('internal tasks failed', { error: (e as Error).message }),
      )
    this.#timers.push(
      setTimeout(run, this.#options.firstRunDelayMs),
      setInterval(run, this.#options.intervalMs),
    )
  }

  stop(): void {
    for (const t of this.#timers.splice(0)) clearTimeout(t)
    this.#stopping.abort(new Error('internal tasks stopped'))
  }

  /** One run: 10001, then 10002. A run already under way is joined, never doubled. */
  runOnce(): Promise<InternalTaskRun[]> {
    this.#running ??= (async () => {
      try {
        const runs: InternalTaskRun[] = []
        for (const id of [VOTING_POWER_SYNC_TASK, DEFINITION_TOTALS_TASK]) {
          if (this.#stopping.signal.aborted) break
          const run = await this.#runTask(id)
          runs.push(run)
          this.#c.metrics.increment('wisp_internal_tasks_total', { task: String(id), result: run.result })
        }
        return runs
      } finally {
        this.#running = undefined
      }
    })()
    return this.#running
  }

  async #runTask(id: number): Promise<InternalTaskRun> {
    let planned: Awaited<ReturnType<InternalTasksPort['plan']>>
    try {
      planned = await this.#c.internalTasks.plan(id)
    } catch (err) {
      const reason = (err as Error).message.split('\n')[0]!
      this.#c.logger.warn('internal task: could not read what differs', {
        taskDefinitionId: id,
        error: reason,
      })
      return { taskDefinitionId: id, result: 'undelivered', reason }
    }
    if (planned.status === 'unsupported') {
      if (!this.#told.has(id))
        this.#c.logger.info('internal task not sent', { taskDefinitionId: id, reason: planned.reason })
      this.#told.add(id)
      return { taskDefinitionId: id, result: 'unsupported', reason: planned.reason }
    }
    if (planned.status === 'in-sync') {
      this.#c.logger.debug('internal task: nothing differs', { taskDefinitionId: id })
      return { taskDefinitionId: id, result: 'in-sync' }
    }
    const { plan } = planned
    // the contract refuses a task whose performer is not an active operator
    const me = await this.#c.operators.byAddress(this.#options.operatorAddress)
    if (me === undefined || !me.active) {
      const reason = `${this.#options.operatorAddress} is not an active operator: it cannot perform internal tasks`
      this.#c.logger.warn('internal task not sent', { taskDefinitionId: id, reason })
      return { taskDefinitionId: id, result: 'not-an-operator', reason }
    }
    const task: TaskInfo = {
      // unique per read: the same stale set found again after a failed run is a new task
      proofOfTask: `wisp-internal-task:${id}:${plan.blockNumber}`,
      data: plan.data,
      taskPerformer: this.#options.operatorAddress,
      taskDefinitionId: id,
    }
    const hash = taskHash(task)
    const outcome = this.#outcome(hash)
    let reason: string | undefined
    try {
      const published = await publishTask(this.#c, task, await this.#sign(task), 'internal-task')
      // no attester got it: nothing will come back (the next run tries again)
      if (published.recipients === 0 && this.#c.republisher === undefined) reason = 'no peer received it'
    } catch (err) {
      reason = (err as Error).message.split('\n')[0]!
    }
    if (reason !== undefined) {
      outcome.cancel()
      this.#c.logger.warn('internal task not delivered', { taskDefinitionId: id, taskHash: hash, reason })
      return { taskDefinitionId: id, result: 'undelivered', taskHash: hash, ids: plan.ids, reason }
    }
    this.#c.logger.info('internal task published', { taskDefinitionId: id, taskHash: hash, ids: plan.ids })
    const run = { taskDefinitionId: id, taskHash: hash, ids: plan.ids, ...(await outcome.done) }
    const log = run.result === 'submitted' ? 'info' : 'warn'
    this.#c.logger[log](`internal task ${id} → ${run.result}`, {
      taskHash: hash,
      ...(run.txHash ? { txHash: run.txHash } : {}),
      ...(run.reason ? { reason: run.reason } : {}),
    })
    return run
  }

  /** Resolves with the aggregator's outcome for `hash`, or `timeout`. Subscribed before publishing. */
  #outcome(hash: Hex) {
    let cancel = () => {}
    const done = new Promise<Pick<InternalTaskRun, 'result' | 'txHash' | 'reason'>>((resolve) => {
      const offs: Array<() => void> = []
      const finish = (r: Pick<InternalTaskRun, 'result' | 'txHash' | 'reason'>) => {
        for (const off of offs.splice(0)) off()
        clearTimeout(timer)
        this.#stopping.signal.removeEventListener('abort', onAbort)
        resolve(r)
      }
      const onAbort = () => finish({ result: 'failed', reason: 'stopped' })
      const timer = setTimeout(
        () =>
          finish({ result: 'timeout', reason: `no submission within ${this.#options.outcomeTimeoutMs} ms` }),
        this.#options.outcomeTimeoutMs,
      )
      this.#stopping.signal.addEventListener('abort', onAbort)
      offs.push(
        this.#c.events.on('submission:sent', (e) => {
          if (e.taskHash === hash)
            finish({ result: e.event === 'TaskSubmitted' ? 'submitted' : 'rejected', txHash: e.txHash })
        }),
        this.#c.events.on('submission:already-done', (e) => {
          if (e.taskHash === hash) finish({ result: 'submitted', reason: 'already submitted' })
        }),
        this.#c.events.on('submission:failed', (e) => {
          if (e.taskHash === hash && e.final) finish({ result: 'failed', reason: `${e.code}: ${e.message}` })
        }),
      )
      cancel = () => finish({ result: 'failed', reason: 'not published' })
    })
    return { done, cancel: () => cancel() }
  }

  async #sign(task: TaskInfo): Promise<PerformerSignature> {
    const hash = taskHash(task)
    if (this.#options.signatureType === 'ecdsa')
      return { type: 'ecdsa', signature: await this.#c.ecdsa!.signHash(hash) }
    const sig = await this.#c.bls!.sign(hexToBytes(DOMAIN_TASKS), hexToBytes(hash))
    return { type: 'bls', signature: { x: readWord(sig, 0), y: readWord(sig, 32) } }
  }
}
