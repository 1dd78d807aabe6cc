// Nothing lost across restarts: what this node signed and gossiped — its tasks as performer, its
// votes as attester — is kept until the task's outcome is confirmed on chain, and published again
// on a backing-off schedule meanwhile. An aggregator that was down when the votes went out, or a
// relay that died with messages in flight, gets them from the next round. The records live in the
// store, so this node's own restart does not forget them either. Copies cost peers no
// verification: accepted content is recognised by its hash (see @wisp/p2p's dedupe), and every
// role handles a repeat as a no-op.
import { decodeMessage, encodeMessage, type WireMessageMap } from '@wisp/protocol'
import { type BatchOp, decodeJson, encodeJson, type KeyValueStore } from '@wisp/storage'
import { bytesToHex, hexToBytes } from 'viem'
import type { GossipPort, Logger, MetricsPort } from '../ports.js'

type Hex = `0x${string}`

export type RepublishKind = 'task' | 'attestation'

export interface RepublishOptions {
  /**
   * First copy this long after the original. Finality takes about a second on a healthy network,
   * so a task still open after this most likely lost a message (or its aggregator) — or the
   * network is busy with a burst, where copies only add load: hence the growth and the cap below.
   */
  firstAfterMs: number
  /** each interval is this many times the previous one, up to `maxIntervalMs` */
  growth: number
  maxIntervalMs: number
  /** at most this many copies per tick: a burst's open tasks are spread out, not sent at once */
  maxCopiesPerTick: number
  /** give up after this long: an aggregator forgets a pending task after 10 minutes too */
  ttlMs: number
  /** at most this many messages kept; the oldest is dropped first (bounds store and traffic) */
  maxEntries: number
  /** how often due copies are looked for */
  tickMs: number
}

export const DEFAULT_REPUBLISH_OPTIONS: RepublishOptions = {
  firstAfterMs: 8_000,
  growth: 3,
  maxIntervalMs: 120_000,
  maxCopiesPerTick: 10,
  ttlMs: 10 * 60_000,
  maxEntries: 2_000,
  tickMs: 1_000,
}

export interface RepublisherComponents {
  gossip: GossipPort
  store: KeyValueStore
  logger: Logger
  metrics: MetricsPort
  now: () => number
}

interface Entry {
  kind: RepublishKind
  taskHash: Hex
  message: WireMessageMap[RepublishKind]
  since: number
  copies: number
  nextAt: number
}

interface StoredEntry {
  kind: RepublishKind
  taskHash: Hex
  /** the wire encoding (the message has bigints) */
  bytes: Hex
  since: number
  copies: number
  nextAt: number
}

/** `republish/<kind>/<taskHash>` */
const PREFIX = 'republish/'

export class Republisher {
  readonly #options: RepublishOptions
  readonly #c: RepublisherComponents
  /** key → entry, in insertion order (oldest first) */
  readonly #entries = new Map<string, Entry>()
  #timer: ReturnType<typeof setInterval> | undefined
  #ticking = false

  constructor(options: RepublishOptions, components: RepublisherComponents) {
    this.#options = options
    this.#c = components
  }

  get size(): number {
    return this.#entries.size
  }

  /** Loads what an earlier run left open and starts the schedule. */
  async start(): Promise<void> {
    const stale: string[] = []
    for await (const [key, value] of this.#c.store.scan({ prefix: PREFIX })) {
      try {
        const stored = decodeJson<StoredEntry>(value)
        const message = decodeMessage(stored.kind, hexToBytes(stored.bytes))
        this.#entries.set(key, { ...stored, message })
      } catch {
        stale.push(key)
      }
    }
    if (stale.length > 0) await this.#c.store.batch(stale.map((key) => ({ type: 'del' as const, key })))
    this.#timer = setInterval(() => void this.#tick(), this.#options.tickMs)
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Keeps a message this node just published until its task is settled. */
  async track<K extends RepublishKind>(kind: K, taskHash: Hex, message: WireMessageMap[K]): Promise<void> {
    const key = `${PREFIX}${kind}/${taskHash}`
    const now = this.#c.now()
    const entry: Entry = {
      kind,
      taskHash,
      message,
      since: now,
      copies: 0,
      nextAt: now + this.#options.firstAfterMs,
    }
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    const ops: BatchOp[] = [{ type: 'put', key, value: this.#encode(entry) }]
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
      ops.push({ type: 'del', key: oldest })
      this.#c.metrics.increment('wisp_republish_dropped_total', { reason: 'full' })
    }
    await this.#c.store.batch(ops)
  }

  /** Is anything kept for this task? */
  tracks(taskHash: Hex): boolean {
    return (
      this.#entries.has(`${PREFIX}task/${taskHash}`) || this.#entries.has(`${PREFIX}attestation/${taskHash}`)
    )
  }

  /** The task's outcome is on chain: stop publishing its messages. */
  async settle(taskHash: Hex): Promise<void> {
    const keys = [`${PREFIX}task/${taskHash}`, `${PREFIX}attestation/${taskHash}`].filter((k) =>
      this.#entries.delete(k),
    )
    if (keys.length > 0) await this.#c.store.batch(keys.map((key) => ({ type: 'del' as const, key })))
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return
    this.#ticking = true
    try {
      const now = this.#c.now()
      let copies = 0
      for (const [key, entry] of [...this.#entries]) {
        if (entry.nextAt > now) continue
        if (copies >= this.#options.maxCopiesPerTick) break
        if (now - entry.since > this.#options.ttlMs) {
          this.#entries.delete(key)
          await this.#c.store.delete(key)
          this.#c.metrics.increment('wisp_republish_dropped_total', { reason: 'expired' })
          continue
        }
        try {
          copies++
          await this.#c.gossip.publish(entry.kind, entry.message as never)
          this.#c.metrics.increment('wisp_republish_copies_total', { kind: entry.kind })
          this.#c.logger.debug('published again: task not settled on chain yet', {
            kind: entry.kind,
            taskHash: entry.taskHash,
            copies: entry.copies + 1,
          })
        } catch (err) {
          this.#c.logger.warn('could not publish again', { kind: entry.kind, error: (err as Error).message })
        }
        entry.copies++
        entry.nextAt =
          now +
          Math.min(
            this.#options.firstAfterMs * this.#options.growth ** entry.copies,
            this.#options.maxIntervalMs,
          )
        // settled while we were publishing: do not write it back
        if (this.#entries.get(key) === entry) await this.#c.store.put(key, this.#encode(entry))
      }
    } catch (err) {
      this.#c.logger.error('republisher failed', { error: (err as Error).message })
    } finally {
      this.#ticking = false
    }
  }

  #encode(entry: Entry): Uint8Array {
    const stored: StoredEntry = {
      kind: entry.kind,
      taskHash: entry.taskHash,
      bytes: bytesToHex(encodeMessage(entry.kind, entry.message as never)),
      since: entry.since,
      copies: entry.copies,
      nextAt: entry.nextAt,
    }
    return encodeJson(stored)
  }
}
