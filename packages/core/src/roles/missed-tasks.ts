// An aggregator that publishes a task for an AVS's performer service (JSON-RPC sendTask) is the
// only node holding it. An attester that was between relays when it went out (a failover, a
// reload) never sees it, and nobody publishes it again. Copying every open task on a timer (as a
// performer does with its own) costs a burst dearly: there every task is open for a while. So the
// aggregator copies a task it sent only on evidence that someone missed it: an operator voted on
// a task of the same definition that went out later, some seconds ago, and still not on this one.
import type { WireTask } from '@wisp/protocol'
import type { EventBus } from '../events.js'
import type { GossipPort, Logger, MetricsPort } from '../ports.js'

type Hex = `0x${string}`

export interface MissedTaskOptions {
  /** a task is never copied before it is this old (a healthy network settles it within a second) */
  afterMs: number
  /**
   * An operator's vote on a later task counts as evidence only once it is this old: attesters
   * under load finish tasks out of order, and a vote due soon is not a missed task.
   */
  quietMs: number
  /** copies per task at most; the second waits `afterMs × 3` after the first */
  maxCopies: number
  /** copies per tick at most (a failover that hid many tasks is repaired over a few seconds) */
  maxPerTick: number
  /** tasks kept at most, the oldest dropped first */
  maxEntries: number
  /** a task is forgotten this long after it was sent (the aggregator's own pending TTL) */
  ttlMs: number
  tickMs: number
}

export const DEFAULT_MISSED_TASK_OPTIONS: MissedTaskOptions = {
  afterMs: 8_000,
  quietMs: 4_000,
  maxCopies: 2,
  maxPerTick: 10,
  maxEntries: 2_000,
  ttlMs: 10 * 60_000,
  tickMs: 1_000,
}

export interface MissedTaskComponents {
  gossip: GossipPort
  events: EventBus
  logger: Logger
  metrics: MetricsPort
  now: () => number
  /** the operators that voted on a task (either verdict); empty when none did yet */
  votersOf: (taskHash: Hex) => ReadonlySet<number>
}

interface Sent {
  message: WireTask
  definitionId: number
  sentAt: number
  copies: number
  nextAt: number
}

/**
 * What one operator voted on, for one definition. `settledTaskAt`: the latest task (by when it
 * went out) among its votes at least `quietMs` old; `recent`: its younger votes, oldest first.
 */
interface OperatorVotes {
  settledTaskAt: number
  recent: Array<{ taskAt: number; at: number }>
}

/** younger votes kept per operator; beyond that the oldest counts as settled a little early */
const RECENT_VOTES = 64

export class MissedTasks {
  readonly #options: MissedTaskOptions
  readonly #c: MissedTaskComponents
  /** task hash → the task as sent, oldest first */
  readonly #sent = new Map<Hex, Sent>()
  /** definition id → operator id → its votes */
  readonly #votes = new Map<number, Map<number, OperatorVotes>>()
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(options: MissedTaskOptions, components: MissedTaskComponents) {
    this.#options = options
    this.#c = components
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.tick(), this.#options.tickMs)
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  get size(): number {
    return this.#sent.size
  }

  /** A task this node published: it may copy it later. */
  keep(taskHash: Hex, message: WireTask): void {
    const now = this.#c.now()
    this.#sent.delete(taskHash)
    this.#sent.set(taskHash, {
      message,
      definitionId: message.definitionId,
      sentAt: now,
      copies: 0,
      nextAt: now + this.#options.afterMs,
    })
    while (this.#sent.size > this.#options.maxEntries) {
      this.#sent.delete(this.#sent.keys().next().value as Hex)
      this.#c.metrics.increment('wisp_aggregator_task_copies_total', { result: 'dropped' })
    }
  }

  /** The task is finished (submitted, settled or expired): no more copies. */
  forget(taskHash: Hex): void {
    this.#sent.delete(taskHash)
  }

  /** A counted vote. `firstSeen` dates a task this node did not send (its first vote). */
  voted(definitionId: number, operatorId: number, taskHash: Hex, firstSeen: number): void {
    // nothing sent that could be missed: a vote now is on a task older than any sent later
    if (this.#sent.size === 0) return
    const taskAt = this.#sent.get(taskHash)?.sentAt ?? firstSeen
    const byOperator = this.#votes.get(definitionId) ?? new Map<number, OperatorVotes>()
    this.#votes.set(definitionId, byOperator)
    const votes = byOperator.get(operatorId) ?? { settledTaskAt: -1, recent: [] }
    byOperator.set(operatorId, votes)
    if (taskAt <= votes.settledTaskAt) return
    votes.recent.push({ taskAt, at: this.#c.now() })
    if (votes.recent.length > RECENT_VOTES)
      votes.settledTaskAt = Math.max(votes.settledTaskAt, votes.recent.shift()!.taskAt)
  }

  /** Copies the tasks someone missed (runs every `tickMs`; public for tests). */
  async tick(): Promise<number> {
    const now = this.#c.now()
    let copies = 0
    for (const [hash, sent] of [...this.#sent]) {
      if (copies >= this.#options.maxPerTick) break
      if (now - sent.sentAt > this.#options.ttlMs) {
        this.#sent.delete(hash)
        continue
      }
      if (sent.nextAt > now || sent.copies >= this.#options.maxCopies) continue
      const missedBy = this.#missedBy(hash, sent, now)
      if (missedBy === undefined) continue
      copies++
      sent.copies++
      sent.nextAt = now + this.#options.afterMs * 3 ** sent.copies
      try {
        await this.#c.gossip.publish('task', sent.message)
        this.#c.metrics.increment('wisp_aggregator_task_copies_total', { result: 'published' })
        this.#c.events.emit('task:copied', { taskHash: hash, operatorId: missedBy, copy: sent.copies })
        this.#c.logger.info('task published again: an operator voted on a later task, not on it', {
          taskHash: hash,
          operatorId: missedBy,
          copy: sent.copies,
        })
      } catch (err) {
        this.#c.metrics.increment('wisp_aggregator_task_copies_total', { result: 'failed' })
        this.#c.logger.warn('could not publish a task again', {
          taskHash: hash,
          error: (err as Error).message,
        })
      }
    }
    return copies
  }

  /** An operator whose vote on a later task of the definition is `quietMs` old, none on this one. */
  #missedBy(hash: Hex, sent: Sent, now: number): number | undefined {
    const byOperator = this.#votes.get(sent.definitionId)
    if (byOperator === undefined) return undefined
    const voters = this.#c.votersOf(hash)
    for (const [operatorId, votes] of byOperator) {
      while (votes.recent.length > 0 && now - votes.recent[0]!.at >= this.#options.quietMs)
        votes.settledTaskAt = Math.max(votes.settledTaskAt, votes.recent.shift()!.taskAt)
      if (votes.settledTaskAt > sent.sentAt && !voters.has(operatorId)) return operatorId
    }
    return undefined
  }
}
