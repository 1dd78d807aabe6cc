// The dashboard draws the operator status every runtime keeps (@wisp/operator): one model, one set
// of counter names. It crosses comlink from the engine worker and a BroadcastChannel to a standby
// tab as a plain, structured-clone-safe object.
import type { OperatorStatus } from '@wisp/operator'

export {
  type ExclusionReason,
  type HistoryRow,
  type LogLine,
  MAX_LATENCIES,
  MAX_TASKS,
  type PeerView,
  STATUS_COUNTERS,
  StatusTracker,
  type TaskOutcomeView,
  type TaskView,
  VOTE_BUCKET_MS,
  VOTE_WINDOW_MS,
  type VoteBucket,
} from '@wisp/operator'

export type Hex = `0x${string}`
export type NodeStatus = OperatorStatus
export type NodePhase = OperatorStatus['phase']
