// What the dashboard shows, as one plain, structured-clone-safe object (it crosses comlink from the
// engine worker and a BroadcastChannel to a standby tab). The tracker folds engine events, gossip
// and chain reads into it and tells subscribers at most a few times a second.

export type Hex = `0x${string}`

export interface PeerView {
  peerId: string
  /** relay: a configured relay; webrtc: a direct browser connection; other: anything else */
  kind: 'relay' | 'webrtc' | 'other'
  remoteAddr: string
  direction: 'inbound' | 'outbound'
  limited: boolean
}

export interface TaskOutcomeView {
  txHash: Hex
  isApproved: boolean
  /** our operator id is among the attesters the aggregator submitted */
  included: boolean
  /** seen on chain (TaskSubmitted / TaskRejected event), not only announced on gossip */
  confirmed: boolean
  attesterIds: number[]
  blockNumber?: string
}

export interface TaskView {
  taskHash: Hex
  definitionId: number
  performer: Hex
  proofOfTask: string
  receivedAt: number
  verdict?: 'approve' | 'reject' | 'abstain'
  reason?: string
  latencyMs?: number
  vote?: { isApproved: boolean; recipients: number; at: number }
  refused?: string
  ignored?: string
  outcome?: TaskOutcomeView
}

export interface VoteBucket {
  /** start of the bucket ({@link VOTE_BUCKET_MS}), ms since epoch */
  t: number
  approve: number
  reject: number
  abstain: number
}

export interface HistoryRow {
  taskHash: Hex
  definitionId: number
  verdict: 'approve' | 'reject' | 'abstain'
  reason?: string
  at: number
  outcome?: { status: string; txHash?: Hex; included?: boolean }
}

export interface LogLine {
  t: number
  level: 'info' | 'warn' | 'error'
  message: string
}

export type NodePhase = 'starting' | 'running' | 'stopped' | 'error'

export interface NodeStatus {
  mode: 'page' | 'worker'
  phase: NodePhase
  message?: string
  startedAt?: number
  updatedAt: number
  operator: {
    address: Hex
    operatorId?: number
    active: boolean
    /** decimal strings (wei-like units) */
    votingPower: string
    networkTotal: string
    rewards: string
  }
  chain: { chainId: number; attestationCenter: Hex; blockNumber?: string; rpcOk: boolean }
  p2p: {
    peerId?: string
    relayConnected: boolean
    peers: PeerView[]
    meshPeers: number
    webrtcAddress?: string
  }
  counts: {
    received: number
    approve: number
    reject: number
    abstain: number
    published: number
    refused: number
    ignored: number
    outcomes: number
    included: number
  }
  tasks: TaskView[]
  /** verdicts per {@link VOTE_BUCKET_MS}, the last {@link VOTE_WINDOW_MS} */
  votes: VoteBucket[]
  latencies: Array<{ t: number; ms: number }>
  history: HistoryRow[]
  plugins: Array<{
    id: string
    version: string
    taskDefinitionIds: number[]
    source: 'bundled' | 'url'
    url?: string
    sha256?: string
  }>
  pluginFailures: Array<{ what: string; code: string; message: string }>
  pluginStats: { validations: number; restarts: number }
  logs: LogLine[]
}

export const MAX_TASKS = 100
export const MAX_LATENCIES = 120
export const VOTE_BUCKET_MS = 10_000
export const VOTE_WINDOW_MS = 30 * 60_000
const MAX_LOGS = 40

export function emptyStatus(params: {
  mode: 'page' | 'worker'
  address: Hex
  chainId: number
  attestationCenter: Hex
}): NodeStatus {
  return {
    mode: params.mode,
    phase: 'starting',
    updatedAt: Date.now(),
    operator: { address: params.address, active: false, votingPower: '0', networkTotal: '0', rewards: '0' },
    chain: { chainId: params.chainId, attestationCenter: params.attestationCenter, rpcOk: false },
    p2p: { relayConnected: false, peers: [], meshPeers: 0 },
    counts: {
      received: 0,
      approve: 0,
      reject: 0,
      abstain: 0,
      published: 0,
      refused: 0,
      ignored: 0,
      outcomes: 0,
      included: 0,
    },
    tasks: [],
    votes: [],
    latencies: [],
    history: [],
    plugins: [],
    pluginFailures: [],
    pluginStats: { validations: 0, restarts: 0 },
    logs: [],
  }
}

/** Holds the status, folds changes in, and notifies subscribers (coalesced). */
export class StatusTracker {
  readonly #status: NodeStatus
  readonly #listeners = new Set<(status: NodeStatus) => void>()
  readonly #byHash = new Map<Hex, TaskView>()
  readonly #intervalMs: number
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(initial: NodeStatus, options: { notifyIntervalMs?: number } = {}) {
    this.#status = initial
    this.#intervalMs = options.notifyIntervalMs ?? 250
  }

  get status(): NodeStatus {
    return this.#status
  }

  /** A deep copy (what leaves the tracker). */
  snapshot(): NodeStatus {
    return structuredClone(this.#status)
  }

  subscribe(listener: (status: NodeStatus) => void): () => void {
    this.#listeners.add(listener)
    listener(this.snapshot())
    return () => this.#listeners.delete(listener)
  }

  /** Applies a change and schedules a notification. */
  update(change: (status: NodeStatus) => void): void {
    change(this.#status)
    this.#status.updatedAt = Date.now()
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined
      const snapshot = this.snapshot()
      for (const listener of this.#listeners) {
        try {
          listener(snapshot)
        } catch {
          // a listener's bug must not stop the others
        }
      }
    }, this.#intervalMs)
  }

  task(hash: Hex): TaskView | undefined {
    return this.#byHash.get(hash)
  }

  addTask(view: TaskView): TaskView {
    const existing = this.#byHash.get(view.taskHash)
    if (existing !== undefined) return existing
    this.update((s) => {
      s.tasks.unshift(view)
      s.counts.received++
      for (const dropped of s.tasks.splice(MAX_TASKS)) this.#byHash.delete(dropped.taskHash)
    })
    this.#byHash.set(view.taskHash, view)
    return view
  }

  recordVerdict(
    hash: Hex,
    verdict: 'approve' | 'reject' | 'abstain',
    latencyMs: number,
    reason?: string,
  ): void {
    this.update((s) => {
      const view = this.#byHash.get(hash)
      if (view !== undefined) {
        view.verdict = verdict
        view.latencyMs = latencyMs
        if (reason !== undefined) view.reason = reason
      }
      s.counts[verdict]++
      const now = Date.now()
      const start = Math.floor(now / VOTE_BUCKET_MS) * VOTE_BUCKET_MS
      let bucket = s.votes[s.votes.length - 1]
      if (bucket === undefined || bucket.t !== start) {
        bucket = { t: start, approve: 0, reject: 0, abstain: 0 }
        s.votes.push(bucket)
      }
      bucket[verdict]++
      while (s.votes.length > 0 && s.votes[0]!.t <= now - VOTE_WINDOW_MS) s.votes.shift()
      s.latencies.push({ t: now, ms: latencyMs })
      if (s.latencies.length > MAX_LATENCIES) s.latencies.splice(0, s.latencies.length - MAX_LATENCIES)
    })
  }

  log(level: LogLine['level'], message: string): void {
    this.update((s) => {
      s.logs.unshift({ t: Date.now(), level, message })
      s.logs.splice(MAX_LOGS)
    })
  }
}
