// What the status JSON shows about the attester's work: counters and the last tasks with their
// vote and on-chain outcome, fed by the engine's events and the network's TaskSubmitted gossip.
// In memory (reset on restart); the durable record is the engine's History in the object's storage.
import type { EngineEvents, EventBus, GossipPort, MetricsPort } from '@wisp/core'

type Hex = `0x${string}`

export interface TaskEntry {
  taskHash: Hex
  taskDefinitionId?: number
  performer?: Hex
  receivedAt: number
  /** approve | reject | abstain, once validated */
  verdict?: string
  reason?: string
  /** from receipt to verdict (checks + plugin validation), in the object */
  validationMs?: number
  /** set when the vote was signed and gossiped */
  vote?: { voteHash: Hex; isApproved: boolean; recipients: number; at: number }
  /** slashing protection refused to sign (the opposite verdict was recorded before) */
  refused?: string
  ignored?: string
  outcome?: {
    event: 'TaskSubmitted' | 'TaskRejected'
    txHash: Hex
    operatorIds: number[]
    includesUs: boolean
  }
}

export interface VoteCounters {
  received: number
  ignored: number
  approve: number
  reject: number
  abstain: number
  /** votes signed and published */
  cast: number
  refused: number
  outcomes: number
  /** outcomes whose attester ids include this operator */
  counted: number
}

/** Counters for the status JSON (the engine's MetricsPort). */
export class MemoryMetrics implements MetricsPort {
  readonly counters = new Map<string, number>()

  increment(name: string, labels?: Record<string, string>, by = 1): void {
    const key =
      labels && Object.keys(labels).length > 0
        ? `${name}{${Object.entries(labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}}`
        : name
    this.counters.set(key, (this.counters.get(key) ?? 0) + by)
  }

  observe(): void {}

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counters].sort(([a], [b]) => a.localeCompare(b)))
  }
}

export class StatusTracker {
  readonly counters: VoteCounters = {
    received: 0,
    ignored: 0,
    approve: 0,
    reject: 0,
    abstain: 0,
    cast: 0,
    refused: 0,
    outcomes: 0,
    counted: 0,
  }
  readonly #recent = new Map<Hex, TaskEntry>()
  readonly #max: number
  readonly #now: () => number
  readonly #unsubscribe: Array<() => void> = []
  #operatorId: number | undefined

  constructor(options: { recent?: number; now?: () => number } = {}) {
    this.#max = options.recent ?? 20
    this.#now = options.now ?? Date.now
  }

  set operatorId(id: number | undefined) {
    this.#operatorId = id
  }

  #entry(taskHash: Hex): TaskEntry {
    let e = this.#recent.get(taskHash)
    if (e === undefined) {
      e = { taskHash, receivedAt: this.#now() }
      this.#recent.set(taskHash, e)
      while (this.#recent.size > this.#max) this.#recent.delete(this.#recent.keys().next().value as Hex)
    }
    return e
  }

  attach(events: EventBus, gossip: GossipPort): void {
    const on = <E extends keyof EngineEvents>(name: E, fn: (e: EngineEvents[E]) => void) =>
      this.#unsubscribe.push(events.on(name, fn))
    on('task:received', (e) => {
      this.counters.received++
      Object.assign(this.#entry(e.taskHash), { taskDefinitionId: e.taskDefinitionId, performer: e.performer })
    })
    on('task:ignored', (e) => {
      this.counters.ignored++
      if (e.taskHash !== undefined) this.#entry(e.taskHash).ignored = e.reason
    })
    on('vote:decided', (e) => {
      this.counters[e.verdict.kind]++
      const entry = this.#entry(e.taskHash)
      entry.verdict = e.verdict.kind
      entry.validationMs = e.latencyMs
      if (e.verdict.kind !== 'approve') entry.reason = e.verdict.reason
    })
    on('vote:published', (e) => {
      this.counters.cast++
      this.#entry(e.taskHash).vote = {
        voteHash: e.voteHash,
        isApproved: e.isApproved,
        recipients: e.recipients,
        at: this.#now(),
      }
    })
    on('vote:refused', (e) => {
      this.counters.refused++
      this.#entry(e.taskHash).refused = e.reason
    })
    this.#unsubscribe.push(
      gossip.onMessage('taskSubmitted', ({ message }) => {
        const hash = /^0x[0-9a-fA-F]{64}$/.test(message.taskId)
          ? (message.taskId.toLowerCase() as Hex)
          : undefined
        // only tasks this attester saw: the feed is about our work, not the whole network's
        if (hash === undefined || !this.#recent.has(hash)) return
        const includesUs = this.#operatorId !== undefined && message.operatorIds.includes(this.#operatorId)
        this.counters.outcomes++
        if (includesUs) this.counters.counted++
        this.#entry(hash).outcome = {
          event: message.isApproved ? 'TaskSubmitted' : 'TaskRejected',
          txHash: message.txHash,
          operatorIds: [...message.operatorIds],
          includesUs,
        }
      }),
    )
  }

  detach(): void {
    for (const off of this.#unsubscribe.splice(0)) off()
  }

  /** newest first */
  recent(): TaskEntry[] {
    return [...this.#recent.values()].reverse()
  }
}
