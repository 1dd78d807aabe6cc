// Rejected gossip, told to the operator: a peer that floods or forges should show in the log, but
// a flood must not flood the log. One warning per class (topic × reason) per interval: the first
// rejection of a quiet class at once, then every `intervalMs` a count of what followed, e.g.
//   rejected 12 attestation messages from 3 peers in 10 s: rate_limited
// The reasons are the `reason` label of wisp_p2p_messages_total (verdicts.ts).
import { clearTimer, type GossipTopicKind, setTimer, type TimerHandle } from '@wisp/protocol'
import type { Logger } from '../logger.js'
import type { RejectReason } from '../verdicts.js'

export interface RejectionLogOptions {
  /** at most one line per class this often (default 10 s) */
  intervalMs: number
  /** peer ids named in a line (the count covers all of them) */
  peersNamed: number
}

export const DEFAULT_REJECTION_LOG: Readonly<RejectionLogOptions> = Object.freeze({
  intervalMs: 10_000,
  peersNamed: 3,
})

/** distinct senders counted per class and interval; beyond it a line says "at least" */
const MAX_PEERS_COUNTED = 1_000

interface Window {
  count: number
  peers: Set<string>
  since: number
  timer: TimerHandle
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

export class RejectionLog {
  readonly #options: RejectionLogOptions
  readonly #logger: Logger
  readonly #now: () => number
  /** open classes: a line was written less than `intervalMs` ago */
  readonly #windows = new Map<string, Window>()
  #closed = false

  constructor(options: Partial<RejectionLogOptions>, components: { logger: Logger; now?: () => number }) {
    this.#options = { ...DEFAULT_REJECTION_LOG, ...options }
    this.#logger = components.logger
    this.#now = components.now ?? Date.now
  }

  /** A message on `kind`'s topic rejected for `reason`; `peer` sent us this copy. */
  record(kind: GossipTopicKind, reason: RejectReason, peer: string): void {
    if (this.#closed) return
    const key = `${kind}\u0000${reason}`
    const open = this.#windows.get(key)
    if (open !== undefined) {
      open.count++
      if (open.peers.size < MAX_PEERS_COUNTED) open.peers.add(peer)
      return
    }
    this.#write(kind, reason, 1, new Set([peer]), undefined)
    this.#open(key, kind, reason)
  }

  /** Writes what is pending and stops (the network stopped). */
  close(): void {
    this.#closed = true
    for (const [key, window] of this.#windows) {
      clearTimer(window.timer)
      this.#flush(key, window)
    }
    this.#windows.clear()
  }

  #open(key: string, kind: GossipTopicKind, reason: RejectReason): void {
    const window: Window = {
      count: 0,
      peers: new Set(),
      since: this.#now(),
      timer: setTimer(() => {
        this.#windows.delete(key)
        // something came in meanwhile: say so, and hold the class quiet for another interval
        if (window.count > 0 && !this.#closed) {
          this.#flush(key, window)
          this.#open(key, kind, reason)
        }
      }, this.#options.intervalMs),
    }
    this.#windows.set(key, window)
  }

  #flush(key: string, window: Window): void {
    if (window.count === 0) return
    const [kind, reason] = key.split('\u0000') as [GossipTopicKind, RejectReason]
    this.#write(kind, reason, window.count, window.peers, this.#now() - window.since)
  }

  #write(
    kind: GossipTopicKind,
    reason: RejectReason,
    count: number,
    peers: Set<string>,
    ms: number | undefined,
  ) {
    const senders =
      peers.size >= MAX_PEERS_COUNTED ? `at least ${MAX_PEERS_COUNTED} peers` : plural(peers.size, 'peer')
    const during = ms === undefined ? '' : ` in ${(ms / 1000).toFixed(ms < 9_950 ? 1 : 0)} s`
    this.#logger.warn(`rejected ${plural(count, `${kind} message`)} from ${senders}${during}: ${reason}`, {
      topic: kind,
      reason,
      count,
      peers: [...peers].slice(0, this.#options.peersNamed),
    })
  }
}
