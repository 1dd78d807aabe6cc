// What an operator shows about itself, on every runtime, as one plain, structured-clone-safe object:
// the web dashboard draws it, the edge worker serves it as JSON, the Node CLI logs from it and
// exports its counters to Prometheus. The tracker folds engine events, gossip and chain reads into
// it and tells subscribers at most a few times a second.
import type { MetricsPort } from '@wisp/interface'

export type Hex = `0x${string}`
export type RuntimeKind = 'node' | 'page' | 'worker' | 'edge'

export interface PeerView {
  peerId: string
  /** relay: a configured bootstrap relay; webrtc: a direct browser connection; other: anything else */
  kind: 'relay' | 'webrtc' | 'other'
  remoteAddr: string
  direction: 'inbound' | 'outbound'
  limited: boolean
}

/** Why our vote is not among the attesters the aggregator submitted. */
export type ExclusionReason =
  /** we voted after the aggregator had submitted */
  | 'late'
  /** the definition caps the number of attesters and others were chosen */
  | 'over-attester-limit'
  /** the threshold was reached without our voting power */
  | 'not-needed'
  /** our vote went the other way */
  | 'other-verdict'
  /** we did not vote (abstained, refused or ignored the task) */
  | 'no-vote'

export interface TaskOutcomeView {
  txHash: Hex
  isApproved: boolean
  /** our operator id is among the attesters the aggregator submitted */
  included: boolean
  /** when not included: the likeliest reason */
  excluded?: ExclusionReason
  /** seen on chain (TaskSubmitted / TaskRejected event), not only announced on gossip */
  confirmed: boolean
  attesterIds: number[]
  blockNumber?: string
}

export interface TaskView {
  taskHash: Hex
  definitionId: number
  /** the plugin that serves the definition, when one does */
  plugin?: string
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
  /** recorded on another chain (the chain was reset since): kept apart, not mixed into this one's */
  otherChain?: boolean
}

export interface LogLine {
  t: number
  level: 'info' | 'warn' | 'error'
  message: string
}

export type OperatorPhase = 'starting' | 'running' | 'stopped' | 'error'

/** A loaded plugin, as dashboards list it. */
export interface PluginDescription {
  id: string
  version: string
  taskDefinitionIds: number[]
  source: 'bundled' | 'package' | 'url'
  url?: string
  sha256?: string
}

/** A plugin that could not be loaded (the others still run). */
export interface PluginFailure {
  what: string
  code: string
  message: string
}

/** The counters every runtime keeps, under these names (status JSON, dashboards, Prometheus). */
export const STATUS_COUNTERS = [
  /** tasks seen on the network */
  'received',
  'approve',
  'reject',
  'abstain',
  /** votes signed and gossiped */
  'published',
  /** votes slashing protection refused to sign */
  'refused',
  /** tasks not validated (not elected, unknown definition, duplicate, …) */
  'ignored',
  /** on-chain results seen for tasks we saw */
  'outcomes',
  /** results whose attesters include us */
  'included',
] as const
export type StatusCounter = (typeof STATUS_COUNTERS)[number]

/** Prometheus name of a status counter. */
export const statusMetricName = (counter: StatusCounter) => `wisp_operator_${counter}_total`

export interface OperatorStatus {
  runtime: RuntimeKind
  /** the network's name from the config */
  network: string
  phase: OperatorPhase
  message?: string
  /** error code when phase is error */
  code?: string
  startedAt?: number
  updatedAt: number
  operator: {
    address: Hex
    operatorId?: number
    active: boolean
    /** decimal strings (the restaking token's smallest unit) */
    votingPower: string
    networkTotal: string
    /** rewards to claim, in the reward token's smallest unit, with the token when known */
    rewards: string
    rewardToken?: { symbol: string; decimals: number; address: Hex }
    /** the AttestationCenter's payment status for this operator */
    paymentStatus?: 'redeemed' | 'commitment' | 'challenge' | string
  }
  chain: {
    chainId: number
    attestationCenter: Hex
    blockNumber?: string
    rpcOk: boolean
    /** hash of block 0: a new one means the chain was reset (a new local network) */
    genesisHash?: Hex
  }
  p2p: {
    peerId?: string
    relayConnected: boolean
    peers: PeerView[]
    meshPeers: number
    webrtcAddress?: string
  }
  counts: Record<StatusCounter, number>
  /** when the counters were last saved to the store (they survive a restart or a reload) */
  countsSavedAt?: number
  tasks: TaskView[]
  /** verdicts per {@link VOTE_BUCKET_MS}, the last {@link VOTE_WINDOW_MS} */
  votes: VoteBucket[]
  latencies: Array<{ t: number; ms: number }>
  history: HistoryRow[]
  plugins: PluginDescription[]
  pluginFailures: PluginFailure[]
  pluginStats: { validations: number; restarts: number }
  logs: LogLine[]
}

export const MAX_TASKS = 100
export const MAX_LATENCIES = 120
export const VOTE_BUCKET_MS = 10_000
export const VOTE_WINDOW_MS = 30 * 60_000
const MAX_LOGS = 40

export function emptyCounts(): Record<StatusCounter, number> {
  return Object.fromEntries(STATUS_COUNTERS.map((c) => [c, 0])) as Record<StatusCounter, number>
}

export function emptyStatus(params: {
  runtime: RuntimeKind
  network: string
  address: Hex
  chainId: number
  attestationCenter: Hex
}): OperatorStatus {
  return {
    runtime: params.runtime,
    network: params.network,
    phase: 'starting',
    updatedAt: Date.now(),
    operator: { address: params.address, active: false, votingPower: '0', networkTotal: '0', rewards: '0' },
    chain: { chainId: params.chainId, attestationCenter: params.attestationCenter, rpcOk: false },
    p2p: { relayConnected: false, peers: [], meshPeers: 0 },
    counts: emptyCounts(),
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
  readonly #status: OperatorStatus
  readonly #listeners = new Set<(status: OperatorStatus) => void>()
  readonly #byHash = new Map<Hex, TaskView>()
  readonly #intervalMs: number
  readonly #metrics: MetricsPort | undefined
  readonly #now: () => number
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    initial: OperatorStatus,
    options: { notifyIntervalMs?: number; metrics?: MetricsPort; now?: () => number } = {},
  ) {
    this.#status = initial
    this.#intervalMs = options.notifyIntervalMs ?? 250
    this.#metrics = options.metrics
    this.#now = options.now ?? Date.now
  }

  get status(): OperatorStatus {
    return this.#status
  }

  /** A deep copy (what leaves the tracker). */
  snapshot(): OperatorStatus {
    return structuredClone(this.#status)
  }

  subscribe(listener: (status: OperatorStatus) => void): () => void {
    this.#listeners.add(listener)
    listener(this.snapshot())
    return () => this.#listeners.delete(listener)
  }

  /** Applies a change and schedules a notification. */
  update(change: (status: OperatorStatus) => void): void {
    change(this.#status)
    this.#status.updatedAt = this.#now()
    // nobody listening (a Node operator without a dashboard): no copy to make
    if (this.#listeners.size === 0) return
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

  /** Bumps a status counter (and its Prometheus twin). Call inside or outside update(). */
  count(counter: StatusCounter, by = 1): void {
    this.#status.counts[counter] += by
    this.#metrics?.increment(statusMetricName(counter), undefined, by)
  }

  task(hash: Hex): TaskView | undefined {
    return this.#byHash.get(hash)
  }

  addTask(view: TaskView): TaskView {
    const existing = this.#byHash.get(view.taskHash)
    if (existing !== undefined) return existing
    this.update((s) => {
      s.tasks.unshift(view)
      this.count('received')
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
      this.count(verdict)
      const now = this.#now()
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
      s.logs.unshift({ t: this.#now(), level, message })
      s.logs.splice(MAX_LOGS)
    })
  }
}
