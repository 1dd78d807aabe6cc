// One interface for the dashboard, whether the engine runs on the page or in a dedicated worker.
import type { TaskInput, Verdict } from '@wisp/plugin-sdk'
import type { DialResult } from './attester.js'
import type { NodeStatus } from './status.js'

export type NodeMode = 'page' | 'worker'

export interface NodeHandle {
  readonly mode: NodeMode
  /** calls `listener` with the current status now and after every change (coalesced) */
  subscribe(listener: (status: NodeStatus) => void): () => void
  /** the latest status seen (page side) */
  readonly status: NodeStatus | undefined
  dial(peerId: string): Promise<DialResult>
  validateMany(tasks: TaskInput[]): Promise<Verdict[]>
  stop(): Promise<void>
}

export type { DialResult }
