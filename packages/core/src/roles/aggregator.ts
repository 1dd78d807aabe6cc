// The aggregator: buckets attestations per (task, verdict) — i.e. per voteHash — and once the
// eligible voting power reaches the contract's threshold (after an optional short window, like
// Othentic's --delay), verifies the signatures optimistically (one aggregate check, bisection on
// failure), predicts the contract's checks, and submits with retry and backoff. Another
// aggregator winning the race (MessageAlreadySigned) counts as done. Pending tasks are persisted
// and resumed after a restart; finished ones are remembered for a bounded time (see `#done`).
// Hostile input: an operator counts with at most one verdict per task — one seen with both is
// counted in neither (its two votes are a double-attestation proof, filed by the watchtower) —
// and a gossiped TaskSubmitted only ends a pending task once the chain confirms it.
import { aggregateSignatures, type BlsVerifier, Signature } from '@wisp/bls'
import {
  DOMAIN_TASKS,
  evaluateQuorum,
  type PerformerSignature,
  preflightSubmission,
  readWord,
  selectAttesters,
  type TaskInfo,
  taskHash,
  voteHash,
  type WireAttestation,
  type WireTaskSubmitted,
  writeWord,
} from '@wisp/protocol'
import { type BatchOp, decodeJson, encodeJson, type History, type KeyValueStore } from '@wisp/storage'
import { bytesToHex, hexToBytes } from 'viem'
import { CoreError } from '../errors.js'
import type { EventBus } from '../events.js'
import type { OperatorView } from '../operators.js'
import type {
  ChainPort,
  GossipPort,
  GossipReceived,
  Logger,
  MetricsPort,
  TaskDefinitionInfo,
} from '../ports.js'
import { taskInfoOf } from './task.js'

type Hex = `0x${string}`

export interface AggregatorOptions {
  /** wait this long after the threshold is first reached, to include late votes (Othentic's --delay) */
  delayMs: number
  /** submission attempts before giving up on a task */
  maxAttempts: number
  /** first retry delay; doubles each attempt */
  backoffMs: number
  /** forget a task that never reaches a quorum after this long */
  pendingTtlMs: number
  /**
   * Remember a finished task this long, so its late votes or a late TaskSubmitted do not start a
   * second aggregation. At least `pendingTtlMs`: votes later than that would be dropped for a
   * pending task too. Past it the chain still refuses a second submission of the task (its
   * taskHash is used); a forgotten task costs at most a verification and a simulated call.
   */
  doneRetentionMs: number
  /** and remember at most this many finished tasks (the most recent): bounds memory and start-up reads */
  maxDoneTasks: number
  /**
   * `stop()` waits this long for submissions in flight (a sent transaction's receipt) before it
   * returns, so the outcome is recorded before the store closes.
   */
  drainTimeoutMs: number
}

export const DEFAULT_AGGREGATOR_OPTIONS: AggregatorOptions = {
  delayMs: 0,
  maxAttempts: 5,
  backoffMs: 500,
  pendingTtlMs: 10 * 60_000,
  doneRetentionMs: 60 * 60_000,
  maxDoneTasks: 20_000,
  drainTimeoutMs: 30_000,
}

export interface AggregatorComponents {
  gossip: GossipPort
  chain: ChainPort
  operators: OperatorView
  verifier: BlsVerifier
  store: KeyValueStore
  history: History
  events: EventBus
  logger: Logger
  metrics: MetricsPort
  now: () => number
  sleep: (ms: number) => Promise<void>
}

type VerdictKey = 'approve' | 'reject'

interface Pending {
  task: TaskInfo
  hash: Hex
  performerSignature: PerformerSignature
  /** operator id → 64-byte signature, per verdict */
  votes: Record<VerdictKey, Map<number, Uint8Array>>
  /** operators seen with both verdicts: counted in neither, ever */
  equivocators: Set<number>
  firstSeen: number
  scheduled: Partial<Record<VerdictKey, boolean>>
  submitting: boolean
  /** votes arrived while a submission attempt was running: look again when it ends */
  changedWhileSubmitting: boolean
}

const PENDING_PREFIX = 'aggregator/pending/'
/**
 * Finished tasks: `aggregator/done-at/<finish time, ms, 15 digits>/<taskHash>`, empty value. Keys
 * sort by time, so a start reads the newest ones and stops, and pruning deletes keys it can name
 * from memory without reading anything.
 */
const DONE_PREFIX = 'aggregator/done-at/'
/** The first layout (`aggregator/done/<taskHash>` → finish time), never pruned: migrated at start. */
const LEGACY_DONE_PREFIX = 'aggregator/done/'
const EMPTY = new Uint8Array(0)
/** stale and legacy keys are read and deleted in pages of this many */
const BATCH = 1000

function doneKey(hash: Hex, at: number): string {
  return `${DONE_PREFIX}${String(Math.max(0, Math.trunc(at))).padStart(15, '0')}/${hash}`
}

function parseDoneKey(key: string): [hash: Hex, at: number] | undefined {
  const match = /^(\d{15})\/(0x[0-9a-f]{64})$/.exec(key.slice(DONE_PREFIX.length))
  return match === null ? undefined : [match[2] as Hex, Number(match[1])]
}

interface StoredPending {
  task: TaskInfo
  performerSignature: { type: 'ecdsa'; signature: Hex } | { type: 'bls'; x: Hex; y: Hex }
  votes: Record<VerdictKey, Array<[number, Hex]>>
  /** absent in records written before equivocation tracking */
  equivocators?: number[]
  firstSeen: number
}

export class Aggregator {
  readonly #options: AggregatorOptions
  readonly #c: AggregatorComponents
  readonly #pending = new Map<Hex, Pending>()
  /** finished task → when (ms); insertion order is finish order, so pruning walks from the front */
  readonly #done = new Map<Hex, number>()
  readonly #definitions = new Map<number, { info: TaskDefinitionInfo | undefined; at: number }>()
  readonly #unsubscribe: Array<() => void> = []
  #sweeper: ReturnType<typeof setInterval> | undefined
  #stopped = false
  /** submissions under way, so stop() can let them finish before the store closes */
  readonly #inflight = new Set<Promise<void>>()

  constructor(options: AggregatorOptions, components: AggregatorComponents) {
    if (!Number.isSafeInteger(options.maxDoneTasks) || options.maxDoneTasks < 1)
      throw new CoreError('ENGINE_INVALID_OPTIONS', 'aggregator option maxDoneTasks must be an integer ≥ 1')
    if (!(options.doneRetentionMs >= options.pendingTtlMs)) {
      throw new CoreError(
        'ENGINE_INVALID_OPTIONS',
        `aggregator option doneRetentionMs (${options.doneRetentionMs}) must be ≥ pendingTtlMs (${options.pendingTtlMs})`,
      )
    }
    this.#options = options
    this.#c = components
  }

  /** Subscribes and resumes persisted pending tasks. */
  async start(): Promise<void> {
    this.#stopped = false
    await this.#loadDone()
    for await (const [, value] of this.#c.store.scan({ prefix: PENDING_PREFIX })) {
      const pending = this.#revive(decodeJson<StoredPending>(value))
      if (this.#done.has(pending.hash)) continue
      this.#pending.set(pending.hash, pending)
      this.#c.logger.info('resuming pending task', {
        taskHash: pending.hash,
        approve: pending.votes.approve.size,
        reject: pending.votes.reject.size,
      })
    }
    this.#unsubscribe.push(
      this.#c.gossip.onMessage(
        'attestation',
        (r) => void this.handleAttestation(r).catch((e) => this.#fail(e)),
      ),
      this.#c.gossip.onMessage(
        'taskSubmitted',
        (r) => void this.handleTaskSubmitted(r.message).catch((e) => this.#fail(e)),
      ),
    )
    for (const pending of this.#pending.values()) {
      void this.#consider(pending, 'approve')
      void this.#consider(pending, 'reject')
    }
    this.#sweeper = setInterval(() => void this.#sweep(), Math.min(this.#options.pendingTtlMs, 60_000))
  }

  /**
   * Stops taking votes and starting submissions, then waits (at most `drainTimeoutMs`) for those
   * in flight: a transaction already sent gets its receipt and outcome recorded. Anything left is
   * still in the pending records and resumes at the next start.
   */
  async stop(): Promise<void> {
    this.#stopped = true
    for (const off of this.#unsubscribe.splice(0)) off()
    clearInterval(this.#sweeper)
    if (this.#inflight.size === 0) return
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.drainTimeoutMs)
    })
    await Promise.race([Promise.allSettled([...this.#inflight]), timeout])
    clearTimeout(timer)
  }

  get pendingTasks(): number {
    return this.#pending.size
  }

  #fail(err: unknown): void {
    this.#c.logger.error('aggregator error', { error: (err as Error).message })
  }

  async handleAttestation(
    received: Pick<GossipReceived<'attestation'>, 'message' | 'operatorId'>,
  ): Promise<void> {
    const message: WireAttestation = received.message
    const task = taskInfoOf(message)
    const hash = taskHash(task)
    const verdict: VerdictKey = message.isApproved ? 'approve' : 'reject'
    const vote = voteHash(task, {
      attestationCenter: this.#c.chain.attestationCenter,
      chainId: this.#c.chain.chainId,
      isApproved: message.isApproved,
    })
    if (this.#done.has(hash) || this.#stopped) return
    const attester = await this.#c.operators.byAddress(message.attester.address)
    if (attester === undefined) {
      return this.#drop('attester is not an operator', vote)
    }
    if (received.operatorId !== undefined && received.operatorId !== attester.id) {
      return this.#drop('authenticated operator differs from the claimed attester', vote, attester.id)
    }
    let pending = this.#pending.get(hash)
    if (pending === undefined) {
      pending = {
        task,
        hash,
        performerSignature: message.performer.signature,
        votes: { approve: new Map(), reject: new Map() },
        equivocators: new Set(),
        firstSeen: this.#c.now(),
        scheduled: {},
        submitting: false,
        changedWhileSubmitting: false,
      }
      this.#pending.set(hash, pending)
    }
    if (pending.votes[verdict].has(attester.id) || pending.equivocators.has(attester.id)) return
    const other: VerdictKey = verdict === 'approve' ? 'reject' : 'approve'
    if (pending.votes[other].has(attester.id)) {
      // Both verdicts from one operator: neither counts. Its vote may already be in a
      // submission under way; that attempt re-checks its set against the votes before sending.
      pending.votes[other].delete(attester.id)
      pending.equivocators.add(attester.id)
      if (pending.submitting) pending.changedWhileSubmitting = true
      await this.#persist(pending)
      this.#drop('operator voted both verdicts', vote, attester.id)
      this.#c.metrics.increment('wisp_aggregator_equivocations_total')
      this.#c.logger.warn('operator voted both verdicts: neither vote counts', {
        taskHash: hash,
        operatorId: attester.id,
      })
      return
    }
    const signature = new Uint8Array(64)
    writeWord(signature, 0, message.attester.signature.x)
    writeWord(signature, 32, message.attester.signature.y)
    pending.votes[verdict].set(attester.id, signature)
    if (pending.submitting) pending.changedWhileSubmitting = true
    await this.#persist(pending)
    this.#c.logger.debug('attestation received', { taskHash: hash, operatorId: attester.id, verdict })
    this.#c.events.emit('attestation:received', {
      voteHash: vote,
      taskHash: hash,
      operatorId: attester.id,
      isApproved: message.isApproved,
    })
    this.#c.metrics.increment('wisp_aggregator_attestations_total', { verdict })
    await this.#consider(pending, verdict)
  }

  #drop(reason: string, vote: Hex, operatorId?: number): void {
    this.#c.events.emit('attestation:dropped', {
      voteHash: vote,
      reason,
      ...(operatorId ? { operatorId } : {}),
    })
    this.#c.metrics.increment('wisp_aggregator_attestations_dropped_total', { reason })
  }

  /**
   * Another aggregator announced a task's outcome. The announcement is a hint: the pending task
   * ends only when the chain confirms that transaction carries its outcome; a claim the chain
   * refutes (or that cannot be checked now) leaves the task pending.
   */
  async handleTaskSubmitted(message: WireTaskSubmitted): Promise<void> {
    const hash = /^0x[0-9a-f]{64}$/i.test(message.taskId) ? (message.taskId.toLowerCase() as Hex) : undefined
    this.#c.events.emit('outcome:received', {
      ...(hash ? { taskHash: hash } : {}),
      txHash: message.txHash,
      isApproved: message.isApproved,
      operatorIds: message.operatorIds,
    })
    const pending = hash === undefined ? undefined : this.#pending.get(hash)
    if (pending === undefined || pending.submitting) return
    const check = await this.#c.chain.checkTaskOutcome({
      taskHash: pending.hash,
      txHash: message.txHash,
      performer: pending.task.taskPerformer,
    })
    this.#c.metrics.increment('wisp_aggregator_announcements_total', { result: check.status })
    if (check.status !== 'confirmed') {
      this.#c.logger.warn('an announced outcome does not check out on chain: the task stays pending', {
        taskHash: pending.hash,
        txHash: message.txHash,
        result: check.status === 'refuted' ? check.reason : check.status,
      })
      return
    }
    if (this.#pending.get(pending.hash) === pending && !pending.submitting) await this.#finish(pending.hash)
  }

  async #definition(id: number): Promise<TaskDefinitionInfo | undefined> {
    const cached = this.#definitions.get(id)
    if (cached !== undefined && this.#c.now() - cached.at < 12_000) return cached.info
    const info = await this.#c.chain.getTaskDefinition(id)
    this.#definitions.set(id, { info, at: this.#c.now() })
    return info
  }

  /** Is the threshold reached for this verdict? Schedules a submission the first time it is. */
  async #consider(pending: Pending, verdict: VerdictKey): Promise<void> {
    if (pending.scheduled[verdict] || pending.submitting || this.#stopped) return
    const status = await this.#quorum(pending, verdict)
    // with tiny totals the threshold can be 0: still never submit without an eligible attester
    if (status === undefined || !status.reached || status.selection.accepted.length === 0) return
    pending.scheduled[verdict] = true
    if (this.#options.delayMs > 0) await this.#c.sleep(this.#options.delayMs)
    pending.scheduled[verdict] = false
    await this.#submit(pending, verdict)
  }

  async #quorum(pending: Pending, verdict: VerdictKey) {
    const operators = await this.#c.operators.all()
    const definition = await this.#definition(pending.task.taskDefinitionId)
    const selection = selectAttesters({
      candidateIds: pending.votes[verdict].keys(),
      operators,
      ...(definition ? { taskDefinition: definition } : {}),
    })
    try {
      const quorum = evaluateQuorum({
        networkTotal: await this.#c.operators.networkTotal(),
        ...(definition ? { taskDefinition: definition, definitionTotal: definition.definitionTotal } : {}),
        isApproved: verdict === 'approve',
        signedVotingPower: selection.signedVotingPower,
      })
      return { ...quorum, selection, definition }
    } catch (err) {
      this.#c.logger.warn('quorum cannot be evaluated', {
        taskHash: pending.hash,
        error: (err as Error).message,
      })
      return undefined
    }
  }

  async #submit(pending: Pending, verdict: VerdictKey): Promise<void> {
    if (pending.submitting || this.#done.has(pending.hash) || this.#stopped) return
    const run = this.#runSubmission(pending, verdict)
    this.#inflight.add(run)
    try {
      await run
    } finally {
      this.#inflight.delete(run)
    }
  }

  async #runSubmission(pending: Pending, verdict: VerdictKey): Promise<void> {
    pending.submitting = true
    const isApproved = verdict === 'approve'
    const vote = voteHash(pending.task, {
      attestationCenter: this.#c.chain.attestationCenter,
      chainId: this.#c.chain.chainId,
      isApproved,
    })
    try {
      for (let attempt = 1; attempt <= this.#options.maxAttempts && !this.#stopped; attempt++) {
        const status = await this.#quorum(pending, verdict)
        if (status === undefined || !status.reached || status.selection.accepted.length === 0) return
        const accepted = status.selection.accepted
        pending.changedWhileSubmitting = false
        const records = new Map((await this.#c.operators.all()).map((o) => [o.id, o]))
        // Optimistic verification: one aggregate check for the whole set; bisection names bad ones.
        const outcomes = await this.#c.verifier.verifyMany(
          accepted.map((op) => ({
            domain: hexToBytes(DOMAIN_TASKS),
            digest: hexToBytes(vote),
            publicKey: records.get(op.id)!.blsPublicKey,
            signature: pending.votes[verdict].get(op.id)!,
          })),
        )
        const bad = accepted.filter((_, i) => !(outcomes[i]!.ok && (outcomes[i] as { valid: boolean }).valid))
        if (bad.length > 0) {
          for (const op of bad) {
            pending.votes[verdict].delete(op.id)
            this.#drop('invalid attester signature', vote, op.id)
          }
          await this.#persist(pending)
          attempt--
          continue
        }
        const blockNumber = await this.#c.chain.getBlockNumber()
        const preflight = preflightSubmission({
          attesterIds: accepted.map((o) => o.id),
          operators: await this.#c.operators.all(),
          isApproved,
          networkTotal: await this.#c.operators.networkTotal(),
          ...(status.definition
            ? {
                taskDefinition: status.definition,
                definitionTotal: status.definition.definitionTotal,
                blockNumber,
                blockExpiry: status.definition.blockExpiry || undefined,
              }
            : {}),
        } as Parameters<typeof preflightSubmission>[0])
        if (!preflight.ok) {
          this.#c.events.emit('submission:failed', {
            taskHash: pending.hash,
            code: preflight.code,
            message: preflight.message,
            attempt,
            final: true,
          })
          await this.#finish(pending.hash)
          return
        }
        // an operator found voting both verdicts while we verified: choose the set again
        if (accepted.some((op) => !pending.votes[verdict].has(op.id))) {
          attempt--
          continue
        }
        const aggregate = aggregateSignatures(
          accepted.map((op) => {
            const sig = pending.votes[verdict].get(op.id)!
            return Signature.fromEvm([readWord(sig, 0), readWord(sig, 32)])
          }),
        ).toEvm()
        const attesterIds = accepted.map((o) => o.id)
        this.#c.events.emit('quorum:reached', {
          taskHash: pending.hash,
          voteHash: vote,
          isApproved,
          attesterIds,
          signed: status.signed,
          required: status.required,
        })
        try {
          const outcome = await this.#c.chain.submitTask({
            task: pending.task,
            performerSignature: pending.performerSignature,
            isApproved,
            aggregateSignature: aggregate,
            attesterIds,
          })
          if (outcome.status === 'already-submitted') {
            this.#c.events.emit('submission:already-done', { taskHash: pending.hash })
            this.#c.metrics.increment('wisp_aggregator_submissions_total', { result: 'already-submitted' })
          } else {
            const aggregateBytes = new Uint8Array(64)
            writeWord(aggregateBytes, 0, aggregate[0])
            writeWord(aggregateBytes, 32, aggregate[1])
            this.#c.events.emit('submission:sent', {
              taskHash: pending.hash,
              isApproved,
              attesterIds,
              txHash: outcome.txHash,
              event: outcome.event,
              aggregateSignature: aggregateBytes,
            })
            this.#c.metrics.increment('wisp_aggregator_submissions_total', { result: outcome.event })
            this.#c.metrics.observe('wisp_task_finality_seconds', (this.#c.now() - pending.firstSeen) / 1000)
            await this.#c.history.setOutcome({
              taskHash: pending.hash,
              status: outcome.event === 'TaskSubmitted' ? 'submitted' : 'rejected',
              txHash: outcome.txHash,
              attesterIds,
              at: this.#c.now(),
            })
            await this.#c.gossip
              .publish('taskSubmitted', {
                taskId: pending.hash,
                txHash: outcome.txHash,
                performerAddress: pending.task.taskPerformer,
                operatorIds: attesterIds,
                definitionId: pending.task.taskDefinitionId,
                isApproved,
              })
              .catch((err) =>
                this.#c.logger.warn('could not gossip TaskSubmitted', { error: (err as Error).message }),
              )
          }
          await this.#finish(pending.hash)
          return
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'UNEXPECTED'
          const final = attempt === this.#options.maxAttempts
          this.#c.events.emit('submission:failed', {
            taskHash: pending.hash,
            code,
            message: (err as Error).message,
            attempt,
            final,
          })
          this.#c.metrics.increment('wisp_aggregator_submission_failures_total', { code })
          if (code === 'MessageAlreadySigned') {
            await this.#finish(pending.hash)
            return
          }
          // Stale operator data explains most contract refusals: reload before the next try.
          await this.#c.operators.refresh().catch(() => undefined)
          this.#definitions.delete(pending.task.taskDefinitionId)
          if (!final) await this.#c.sleep(this.#options.backoffMs * 2 ** (attempt - 1))
        }
      }
    } finally {
      pending.submitting = false
    }
    // an attempt that stopped short (quorum lost to bad signatures) must not swallow later votes
    if (pending.changedWhileSubmitting && this.#pending.has(pending.hash) && !this.#stopped) {
      pending.changedWhileSubmitting = false
      await this.#consider(pending, 'approve')
      await this.#consider(pending, 'reject')
    }
  }

  async #finish(hash: Hex): Promise<void> {
    this.#pending.delete(hash)
    const at = this.#c.now()
    const ops: BatchOp[] = [{ type: 'del', key: `${PENDING_PREFIX}${hash}` }]
    const earlier = this.#done.get(hash)
    if (earlier !== undefined) {
      this.#done.delete(hash)
      ops.push({ type: 'del', key: doneKey(hash, earlier) })
    }
    this.#done.set(hash, at)
    ops.push({ type: 'put', key: doneKey(hash, at), value: EMPTY }, ...this.#pruneDone())
    await this.#c.store.batch(ops)
  }

  /** Forgets finished tasks past the cap or the retention; returns the deletes for the store. */
  #pruneDone(): BatchOp[] {
    const cutoff = this.#c.now() - this.#options.doneRetentionMs
    const ops: BatchOp[] = []
    for (const [hash, at] of this.#done) {
      if (this.#done.size <= this.#options.maxDoneTasks && at >= cutoff) break
      this.#done.delete(hash)
      ops.push({ type: 'del', key: doneKey(hash, at) })
    }
    return ops
  }

  /**
   * Reads the finished tasks still retained, newest first, stopping at the cap or at the first one
   * past the retention. Older keys (aged out while we were down) are then deleted in pages from the
   * oldest end, so each stale key is read once, ever, and a start with nothing stale reads only
   * what it keeps. Every scan has a limit: idb scans buffer their whole range.
   */
  async #loadDone(): Promise<void> {
    const store = this.#c.store
    const cutoff = this.#c.now() - this.#options.doneRetentionMs
    await this.#migrateLegacyDone(cutoff)

    const kept: Array<{ key: string; hash: Hex; at: number }> = []
    let stale = false
    // one more than the cap tells whether anything older is left to delete
    for await (const [key] of store.scan({
      prefix: DONE_PREFIX,
      reverse: true,
      limit: this.#options.maxDoneTasks + 1,
    })) {
      const entry = parseDoneKey(key)
      if (entry === undefined) continue
      if (entry[1] < cutoff || kept.length === this.#options.maxDoneTasks) {
        stale = true
        break
      }
      kept.push({ key, hash: entry[0], at: entry[1] })
    }
    this.#done.clear()
    for (const { hash, at } of kept.reverse()) this.#done.set(hash, at)
    const oldestKept = kept[0]?.key
    while (stale) {
      const ops: BatchOp[] = []
      for await (const [key] of store.scan({ prefix: DONE_PREFIX, limit: BATCH })) {
        if (oldestKept !== undefined && key >= oldestKept) break
        ops.push({ type: 'del', key })
      }
      if (ops.length > 0) await store.batch(ops)
      stale = ops.length === BATCH
    }
  }

  /** Moves keys of the first layout into the time-ordered one (those still retained) and deletes them. */
  async #migrateLegacyDone(cutoff: number): Promise<void> {
    for (let read = BATCH; read === BATCH; ) {
      read = 0
      const ops: BatchOp[] = []
      for await (const [key, value] of this.#c.store.scan({ prefix: LEGACY_DONE_PREFIX, limit: BATCH })) {
        read++
        ops.push({ type: 'del', key })
        const hash = key.slice(LEGACY_DONE_PREFIX.length).toLowerCase() as Hex
        let at: unknown
        try {
          at = decodeJson(value)
        } catch {}
        if (typeof at === 'number' && at >= cutoff && /^0x[0-9a-f]{64}$/.test(hash))
          ops.push({ type: 'put', key: doneKey(hash, at), value: EMPTY })
      }
      if (ops.length > 0) await this.#c.store.batch(ops)
    }
  }

  async #sweep(): Promise<void> {
    const pruned = this.#pruneDone()
    if (pruned.length > 0) await this.#c.store.batch(pruned)
    const cutoff = this.#c.now() - this.#options.pendingTtlMs
    for (const pending of [...this.#pending.values()]) {
      if (pending.firstSeen < cutoff && !pending.submitting) {
        this.#pending.delete(pending.hash)
        await this.#c.store.delete(`${PENDING_PREFIX}${pending.hash}`)
        this.#c.metrics.increment('wisp_aggregator_tasks_expired_total')
      }
    }
  }

  async #persist(pending: Pending): Promise<void> {
    const sig = pending.performerSignature
    const stored: StoredPending = {
      task: pending.task,
      performerSignature:
        sig.type === 'ecdsa'
          ? sig
          : { type: 'bls', x: `0x${sig.signature.x.toString(16)}`, y: `0x${sig.signature.y.toString(16)}` },
      votes: {
        approve: [...pending.votes.approve].map(([id, s]) => [id, bytesToHex(s)]),
        reject: [...pending.votes.reject].map(([id, s]) => [id, bytesToHex(s)]),
      },
      equivocators: [...pending.equivocators],
      firstSeen: pending.firstSeen,
    }
    await this.#c.store.put(`${PENDING_PREFIX}${pending.hash}`, encodeJson(stored))
  }

  #revive(stored: StoredPending): Pending {
    const sig = stored.performerSignature
    return {
      task: stored.task,
      hash: taskHash(stored.task),
      performerSignature:
        sig.type === 'ecdsa' ? sig : { type: 'bls', signature: { x: BigInt(sig.x), y: BigInt(sig.y) } },
      votes: {
        approve: new Map(stored.votes.approve.map(([id, s]) => [id, hexToBytes(s)])),
        reject: new Map(stored.votes.reject.map(([id, s]) => [id, hexToBytes(s)])),
      },
      equivocators: new Set(stored.equivocators ?? []),
      firstSeen: stored.firstSeen,
      scheduled: {},
      submitting: false,
      changedWhileSubmitting: false,
    }
  }
}
