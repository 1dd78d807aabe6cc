// The aggregator: buckets attestations per (task, verdict) — i.e. per voteHash — and once the
// eligible voting power reaches the contract's threshold, waits by the latency rule (every recent
// voter in, or a bound in ms or blocks: latency-rule.ts) or a fixed window (Othentic's --delay),
// chooses the votes within the definition's maximum number of attesters (vote-selection.ts),
// verifies the signatures optimistically — the votes of every task ready at the same time in one
// multi-pairing with random coefficients, bisection only on failure — predicts the contract's
// checks, and submits with retry and backoff. Another aggregator winning the race
// (MessageAlreadySigned) counts as done. Pending tasks are persisted and resumed after a restart;
// finished ones are remembered for a bounded time (see `#done`). Votes gossiped before their task
// are held in a bounded buffer (vote-buffer.ts) until it arrives.
// Hostile input: an operator counts with at most one verdict per task — one seen with both is
// counted in neither (its two votes are a double-attestation proof, filed by the watchtower) —
// and a gossiped TaskSubmitted only ends a pending task once the chain confirms it.
import {
  aggregateSignatures,
  type BlsVerifier,
  Signature,
  type VerifyJob,
  type VerifyOutcome,
} from '@wisp/bls'
import {
  DOMAIN_TASKS,
  type PerformerSignature,
  preflightSubmission,
  readWord,
  type TaskInfo,
  taskHash,
  voteHash,
  type WireAttestation,
  type WireTask,
  type WireTaskSubmitted,
  writeWord,
} from '@wisp/protocol'
import { type BatchOp, decodeJson, encodeJson, type History, type KeyValueStore } from '@wisp/storage'
import { bytesToHex, hexToBytes } from 'viem'
import { BoundedSet } from '../bounded-set.js'
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
import { BlockWatch, RecentVoters } from './latency-rule.js'
import type { MissedTasks } from './missed-tasks.js'
import { taskInfoOf } from './task.js'
import { VoteBuffer } from './vote-buffer.js'
import { GAS_BELOW_THRESHOLD, MAXIMUM_BELOW_THRESHOLD, selectVotes } from './vote-selection.js'

type Hex = `0x${string}`

export interface AggregatorOptions {
  /**
   * A fixed window: wait this long after the threshold is first reached (Othentic's --delay).
   * 0 (the default) applies the latency rule instead.
   */
  delayMs: number
  /**
   * The latency rule's bound in milliseconds: after the threshold is met, wait at most this long
   * for the operators that voted on recent tasks of the definition (`recentTasks`). 0 with
   * `latencyBlocks` 0 submits as soon as the threshold is met.
   */
  latencyMs: number
  /** the bound in blocks instead ("keep collecting until N blocks"); > 0 replaces `latencyMs` */
  latencyBlocks: number
  /** a recent voter voted on any of the last this many finished tasks of the definition */
  recentTasks: number
  /** how often the chain's head is read while a bound in blocks runs */
  blockPollMs: number
  /**
   * Hold a vote gossiped before its task at most this long, then count it anyway (it carries the
   * task; this node may have missed the task's gossip). 0 counts every vote at once.
   */
  earlyVoteWaitMs: number
  /** votes held for one task not yet seen (oldest evicted) */
  earlyVotesPerTask: number
  /** votes held for all tasks not yet seen (the oldest task's oldest evicted) */
  earlyVotesTotal: number
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
  /**
   * A submission's gas, modelled as `submissionBaseGas + gasPerAttester × attesters`, stays within
   * `blockGasShare` of the block gas limit (ChainPort.getBlockGasLimit): a transaction bigger than
   * a block is never mined. With more votes than fit, those of most voting power go in (the rule of
   * a definition's maximum). The defaults are the most measured on Wisp's contracts: a network's
   * first submission with attester rewards writes each attester's storage from zero.
   */
  gasPerAttester: number
  submissionBaseGas: number
  blockGasShare: number
}

export const DEFAULT_AGGREGATOR_OPTIONS: AggregatorOptions = {
  delayMs: 0,
  // long enough for a voter a few hundred ms behind the quorum (a browser, a busy machine); short
  // enough that a voter gone silent costs little before it stops counting as recent
  latencyMs: 500,
  latencyBlocks: 0,
  recentTasks: 8,
  blockPollMs: 250,
  // gossip overtaking is a matter of milliseconds; a task never seen costs at most this
  earlyVoteWaitMs: 2_000,
  earlyVotesPerTask: 1024,
  earlyVotesTotal: 8192,
  maxAttempts: 5,
  backoffMs: 500,
  pendingTtlMs: 10 * 60_000,
  doneRetentionMs: 60 * 60_000,
  maxDoneTasks: 20_000,
  drainTimeoutMs: 30_000,
  gasPerAttester: 40_000,
  submissionBaseGas: 300_000,
  blockGasShare: 1,
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
  /** the tasks this node sent (JSON-RPC sendTask), copied when someone missed them */
  missedTasks?: MissedTasks
}

type VerdictKey = 'approve' | 'reject'

/** Why a submission stopped waiting (the `reason` label of wisp_aggregator_submit_wait_total). */
type WaitEnd = 'threshold' | 'all-voted' | 'bound' | 'delay' | 'stopped'

/** A task at its threshold, waiting for the operators in `missing` (or the bound). */
interface Wait {
  missing: Set<number>
  wake: (reason: WaitEnd) => void
}

/** A task's votes waiting for the next cross-task verification batch. */
interface QueuedCheck {
  jobs: VerifyJob[]
  resolve: (outcomes: VerifyOutcome[]) => void
}

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
  /** `${verdict}:${operatorId}` of votes whose signature already verified (a vote never changes) */
  verified: Set<string>
  /** latency-rule waits under way */
  waits: Set<Wait>
  /** verdicts already reported as held back by the definition's maximum (#reportMaximum) */
  maximumReported?: Partial<Record<VerdictKey, boolean>>
  /** the record's write under way, and whether it must run again (see #persist) */
  saving?: Promise<void> | undefined
  dirty?: boolean
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
const EMPTY_SET: ReadonlySet<number> = new Set()
/** verifier failures that say nothing about the votes: never blamed on their senders */
const TRANSIENT_BLS = new Set(['BLS_WORKER_FAILED', 'BLS_POOL_CLOSED'])
/** stale and legacy keys are read and deleted in pages of this many */
const BATCH = 1000

/** every operator that voted on the task, either verdict, equivocators included */
function votersOfPending(pending: Pending): number[] {
  return [...pending.votes.approve.keys(), ...pending.votes.reject.keys(), ...pending.equivocators]
}

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
  /** tasks whose gossip arrived: their votes are counted at once */
  readonly #seenTasks = new BoundedSet<Hex>(16_384)
  readonly #early: VoteBuffer<Pick<GossipReceived<'attestation'>, 'message' | 'operatorId'>>
  readonly #earlyTimers = new Map<Hex, ReturnType<typeof setTimeout>>()
  readonly #recent: RecentVoters
  readonly #blocks: BlockWatch
  readonly #waits = new Set<Wait>()
  /** votes of tasks ready to submit, verified together at the next macrotask */
  readonly #checks: QueuedCheck[] = []
  #checkScheduled = false

  constructor(options: AggregatorOptions, components: AggregatorComponents) {
    if (!Number.isSafeInteger(options.maxDoneTasks) || options.maxDoneTasks < 1)
      throw new CoreError('ENGINE_INVALID_OPTIONS', 'aggregator option maxDoneTasks must be an integer ≥ 1')
    if (!(options.doneRetentionMs >= options.pendingTtlMs)) {
      throw new CoreError(
        'ENGINE_INVALID_OPTIONS',
        `aggregator option doneRetentionMs (${options.doneRetentionMs}) must be ≥ pendingTtlMs (${options.pendingTtlMs})`,
      )
    }
    for (const [name, min] of [
      ['latencyMs', 0],
      ['latencyBlocks', 0],
      ['recentTasks', 1],
      ['blockPollMs', 1],
      ['earlyVoteWaitMs', 0],
      ['earlyVotesPerTask', 1],
      ['earlyVotesTotal', 1],
    ] as const) {
      if (!Number.isSafeInteger(options[name]) || options[name] < min)
        throw new CoreError('ENGINE_INVALID_OPTIONS', `aggregator option ${name} must be an integer ≥ ${min}`)
    }
    this.#options = options
    this.#c = components
    this.#early = new VoteBuffer({ maxPerTask: options.earlyVotesPerTask, maxTotal: options.earlyVotesTotal })
    this.#recent = new RecentVoters(options.recentTasks)
    this.#blocks = new BlockWatch(() => components.chain.getBlockNumber(), options.blockPollMs)
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
      this.#c.gossip.onMessage('task', (r) => void this.handleTask(r.message).catch((e) => this.#fail(e))),
      this.#c.gossip.onMessage('attestation', (r) => void this.#onVote(r).catch((e) => this.#fail(e))),
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
    for (const timer of this.#earlyTimers.values()) clearTimeout(timer)
    this.#earlyTimers.clear()
    this.#early.clear()
    for (const wait of [...this.#waits]) wait.wake('stopped')
    this.#blocks.stop()
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

  /** The operators whose votes on a pending task arrived, either verdict (empty if none or not pending). */
  votersOf(taskHash: Hex): ReadonlySet<number> {
    const pending = this.#pending.get(taskHash)
    if (pending === undefined) return EMPTY_SET
    return new Set(votersOfPending(pending))
  }

  /** Votes held because their task's gossip has not arrived yet (a status figure). */
  get earlyVotes(): number {
    return this.#early.size
  }

  /**
   * A task's gossip: its votes are counted from now on, those held until now first (in the order
   * they arrived).
   */
  async handleTask(message: WireTask): Promise<void> {
    const hash = taskHash(taskInfoOf(message))
    if (this.#stopped || !this.#seenTasks.add(hash)) return
    await this.#release(hash, 'task-arrived')
  }

  /** A gossiped vote: counted now if its task is known, else held until it is (or a grace ends). */
  async #onVote(received: Pick<GossipReceived<'attestation'>, 'message' | 'operatorId'>): Promise<void> {
    if (this.#stopped) return
    const hash = taskHash(taskInfoOf(received.message))
    if (
      this.#options.earlyVoteWaitMs === 0 ||
      this.#seenTasks.has(hash) ||
      this.#pending.has(hash) ||
      this.#done.has(hash)
    )
      return this.handleAttestation(received)
    const key = `${received.message.attester.address.toLowerCase()}:${received.message.isApproved}`
    const { added, evicted } = this.#early.add(hash, key, received, this.#c.now())
    if (added) this.#c.metrics.increment('wisp_aggregator_early_votes_total', { result: 'buffered' })
    if (evicted > 0)
      this.#c.metrics.increment('wisp_aggregator_early_votes_total', { result: 'evicted' }, evicted)
    if (added && !this.#earlyTimers.has(hash)) {
      this.#earlyTimers.set(
        hash,
        setTimeout(
          () => void this.#release(hash, 'grace-ended').catch((e) => this.#fail(e)),
          this.#options.earlyVoteWaitMs,
        ),
      )
    }
  }

  /** Counts the votes held for a task: its gossip arrived, or it never did within the grace. */
  async #release(hash: Hex, result: 'task-arrived' | 'grace-ended'): Promise<void> {
    clearTimeout(this.#earlyTimers.get(hash))
    this.#earlyTimers.delete(hash)
    const held = this.#early.take(hash)
    if (held.length === 0) return
    this.#c.metrics.increment('wisp_aggregator_early_votes_total', { result }, held.length)
    for (const received of held) await this.handleAttestation(received)
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
    if (this.#stopped) return
    if (this.#done.has(hash)) return this.#lateVote(message, hash, received.operatorId)
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
        verified: new Set(),
        waits: new Set(),
      }
      this.#pending.set(hash, pending)
    }
    if (pending.votes[verdict].has(attester.id) || pending.equivocators.has(attester.id)) return
    // it voted: a latency-rule wait need not wait for it any more
    for (const wait of [...pending.waits]) {
      wait.missing.delete(attester.id)
      if (wait.missing.size === 0) wait.wake('all-voted')
    }
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
    this.#c.missedTasks?.voted(task.taskDefinitionId, attester.id, hash, pending.firstSeen)
    await this.#consider(pending, verdict)
  }

  /** A vote on a finished task: its operator still votes on this definition, only late. */
  async #lateVote(message: WireAttestation, hash: Hex, operatorId: number | undefined): Promise<void> {
    const id = operatorId ?? (await this.#c.operators.byAddress(message.attester.address))?.id
    if (id !== undefined) this.#recent.late(message.definitionId, hash, id)
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
    // votes arriving together all get here: one of them schedules
    if (pending.scheduled[verdict] || pending.submitting || this.#stopped) return
    pending.scheduled[verdict] = true
    const reason = await this.#waitToSubmit(pending)
    pending.scheduled[verdict] = false
    this.#c.metrics.increment('wisp_aggregator_submit_wait_total', { reason })
    await this.#submit(pending, verdict)
  }

  /**
   * The threshold is met: when to submit. A fixed window when `delayMs` > 0; else the latency
   * rule — once every recent voter of the definition has voted (either verdict), or at the bound.
   */
  async #waitToSubmit(pending: Pending): Promise<WaitEnd> {
    const { delayMs, latencyMs, latencyBlocks } = this.#options
    if (delayMs > 0) {
      await this.#c.sleep(delayMs)
      return 'delay'
    }
    if (latencyMs === 0 && latencyBlocks === 0) return 'threshold'
    const missing = new Set<number>()
    for (const id of await this.#expectedVoters(pending.task.taskDefinitionId)) {
      if (!pending.votes.approve.has(id) && !pending.votes.reject.has(id) && !pending.equivocators.has(id))
        missing.add(id)
    }
    if (missing.size === 0) return 'all-voted'
    if (this.#stopped) return 'stopped'
    return new Promise<WaitEnd>((resolve) => {
      let ended = false
      let cancel = () => {}
      const wait: Wait = {
        missing,
        wake: (reason) => {
          if (ended) return
          ended = true
          cancel()
          pending.waits.delete(wait)
          this.#waits.delete(wait)
          resolve(reason)
        },
      }
      pending.waits.add(wait)
      this.#waits.add(wait)
      if (latencyBlocks > 0) {
        // counted from the head when the threshold was met
        this.#c.chain.getBlockNumber().then(
          (head) => {
            if (ended) return
            const watch = this.#blocks.until(head + BigInt(latencyBlocks))
            cancel = watch.cancel
            void watch.done.then(() => wait.wake('bound'))
          },
          // no head to count from: the chain is unreachable, and so waiting buys nothing
          () => wait.wake('bound'),
        )
      } else {
        const timer = setTimeout(() => wait.wake('bound'), latencyMs)
        cancel = () => clearTimeout(timer)
      }
    })
  }

  /**
   * Who the latency rule waits for: the active operators that voted on recent tasks of the
   * definition; before its first task finished here, every active operator.
   */
  async #expectedVoters(definitionId: number): Promise<number[]> {
    const active = (await this.#c.operators.all()).filter((o) => o.active).map((o) => o.id)
    const recent = this.#recent.of(definitionId)
    return recent === undefined ? active : active.filter((id) => recent.has(id))
  }

  /**
   * Verifies votes together with those of every other task ready in the same turn of the event
   * loop: one call to the verifier (one multi-pairing over the distinct vote hashes with random
   * coefficients; bisection only when it fails). The call goes out at once rather than behind the
   * batch in flight: the verifier queues it (and merges it with other work) while its workers are
   * busy, so waiting here as well would only add a turn of that queue.
   */
  #verifyTogether(jobs: VerifyJob[]): Promise<VerifyOutcome[]> {
    if (jobs.length === 0) return Promise.resolve([])
    const answer = new Promise<VerifyOutcome[]>((resolve) => this.#checks.push({ jobs, resolve }))
    if (!this.#checkScheduled) {
      this.#checkScheduled = true
      // a macrotask boundary: tasks whose wait ended in the same burst join this batch
      setTimeout(() => {
        this.#checkScheduled = false
        void this.#runChecks(this.#checks.splice(0))
      }, 0)
    }
    return answer
  }

  async #runChecks(batch: QueuedCheck[]): Promise<void> {
    let outcomes: VerifyOutcome[]
    try {
      outcomes = await this.#c.verifier.verifyMany(batch.flatMap((q) => q.jobs))
    } catch (err) {
      const error = { name: 'Error', code: 'BLS_WORKER_FAILED', message: (err as Error).message }
      outcomes = batch.flatMap((q) => q.jobs.map(() => ({ ok: false as const, error })))
    }
    this.#c.metrics.observe('wisp_aggregator_verify_batch_tasks', batch.length)
    let at = 0
    for (const q of batch) {
      q.resolve(outcomes.slice(at, at + q.jobs.length))
      at += q.jobs.length
    }
  }

  /** The votes a submission would carry (vote-selection.ts) and whether they meet the threshold. */
  async #quorum(pending: Pending, verdict: VerdictKey) {
    const definition = await this.#definition(pending.task.taskDefinitionId)
    try {
      const gasMaximum = await this.#gasMaximum()
      const { selection, quorum, maximumBelowThreshold, limitedBy } = selectVotes({
        voterIds: pending.votes[verdict].keys(),
        operators: await this.#c.operators.all(),
        definition,
        networkTotal: await this.#c.operators.networkTotal(),
        isApproved: verdict === 'approve',
        ...(gasMaximum !== undefined ? { gasMaximum } : {}),
      })
      if (maximumBelowThreshold)
        this.#reportMaximum(pending, verdict, selection.accepted, definition, limitedBy, gasMaximum)
      return { ...quorum, selection, definition }
    } catch (err) {
      this.#c.logger.warn('quorum cannot be evaluated', {
        taskHash: pending.hash,
        error: (err as Error).message,
      })
      return undefined
    }
  }

  /**
   * Once per task and verdict: the definition's maximum keeps the votes in hand from the threshold
   * (the `maximum` of most power fall short; all of them would not), so nothing is submitted.
   */
  #reportMaximum(
    pending: Pending,
    verdict: VerdictKey,
    selected: readonly { id: number }[],
    definition: TaskDefinitionInfo | undefined,
    limitedBy: 'definition' | 'gas' | undefined,
    gasMaximum: number | undefined,
  ): void {
    if (pending.maximumReported?.[verdict]) return
    pending.maximumReported = { ...pending.maximumReported, [verdict]: true }
    const byGas = limitedBy === 'gas'
    this.#c.metrics.increment('wisp_aggregator_maximum_below_threshold_total', {
      verdict,
      bound: byGas ? 'gas' : 'definition',
    })
    this.#c.logger.warn(
      byGas
        ? 'the votes of most power that fit one submission within the block gas limit miss the threshold: not submitted unless votes of more power arrive'
        : 'the votes of most power within the maximum number of attesters miss the threshold: not submitted unless votes of more power arrive',
      {
        code: byGas ? GAS_BELOW_THRESHOLD : MAXIMUM_BELOW_THRESHOLD,
        taskHash: pending.hash,
        verdict,
        maximum: byGas ? gasMaximum : definition?.maximumNumberOfAttesters,
        selected: selected.map((op) => op.id),
      },
    )
  }

  /** How many attesters fit the gas budget of one submission; undefined when the chain cannot say. */
  async #gasMaximum(): Promise<number | undefined> {
    const limit = await this.#c.chain.getBlockGasLimit?.().catch(() => undefined)
    if (limit === undefined) return undefined
    const { gasPerAttester, submissionBaseGas, blockGasShare } = this.#options
    return Math.max(1, Math.floor((Number(limit) * blockGasShare - submissionBaseGas) / gasPerAttester))
  }

  async #submit(pending: Pending, verdict: VerdictKey): Promise<void> {
    // a task that expired or finished while it waited is not submitted
    if (pending.submitting || this.#pending.get(pending.hash) !== pending || this.#stopped) return
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
        // Optimistic verification of the votes not verified before, batched across tasks
        // (#verifyTogether); bisection names bad ones.
        const unchecked = accepted.filter((op) => !pending.verified.has(`${verdict}:${op.id}`))
        const outcomes = await this.#verifyTogether(
          unchecked.map((op) => ({
            domain: hexToBytes(DOMAIN_TASKS),
            digest: hexToBytes(vote),
            publicKey: records.get(op.id)!.blsPublicKey,
            signature: pending.votes[verdict].get(op.id)!,
          })),
        )
        const failure = outcomes.find((o) => !o.ok && TRANSIENT_BLS.has(o.error.code ?? ''))
        if (failure !== undefined) {
          // the verifier failed, not the votes: nobody is blamed; try again after a backoff
          this.#c.logger.warn('vote verification failed', {
            taskHash: pending.hash,
            error: (failure as { error: { message: string } }).error.message,
          })
          if (attempt < this.#options.maxAttempts)
            await this.#c.sleep(this.#options.backoffMs * 2 ** (attempt - 1))
          continue
        }
        const bad = unchecked.filter(
          (_, i) => !(outcomes[i]!.ok && (outcomes[i] as { valid: boolean }).valid),
        )
        unchecked.forEach((op, i) => {
          if (outcomes[i]!.ok && (outcomes[i] as { valid: boolean }).valid)
            pending.verified.add(`${verdict}:${op.id}`)
        })
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
    const finished = this.#pending.get(hash)
    if (finished !== undefined) {
      this.#recent.record(finished.task.taskDefinitionId, hash, votersOfPending(finished))
      for (const wait of [...finished.waits]) wait.wake('stopped')
    }
    this.#pending.delete(hash)
    this.#c.missedTasks?.forget(hash)
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
        this.#c.missedTasks?.forget(pending.hash)
        await this.#c.store.delete(`${PENDING_PREFIX}${pending.hash}`)
        this.#c.metrics.increment('wisp_aggregator_tasks_expired_total')
      }
    }
  }

  /**
   * Writes the pending record. Votes arriving while a write is under way share the next one (a
   * task's votes come in a burst and each write is fsynced), and a task finished meanwhile is
   * not written again.
   */
  #persist(pending: Pending): Promise<void> {
    pending.dirty = true
    pending.saving ??= (async () => {
      try {
        while (pending.dirty && this.#pending.get(pending.hash) === pending) {
          pending.dirty = false
          await this.#c.store.put(`${PENDING_PREFIX}${pending.hash}`, encodeJson(this.#stored(pending)))
        }
      } finally {
        pending.saving = undefined
      }
    })()
    return pending.saving
  }

  #stored(pending: Pending): StoredPending {
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
    return stored
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
      verified: new Set(),
      waits: new Set(),
    }
  }
}
